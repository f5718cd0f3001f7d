package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchServer serves the sample-trained model a in process, without the network.
func benchServer(b *testing.B) http.Handler {
	path := filepath.Join(b.TempDir(), "m.stance")
	if err := os.WriteFile(path, modelA, 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{ModelPath: path})
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

func benchPost(b *testing.B, h http.Handler, path, body string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rd := strings.NewReader(body)
		for pb.Next() {
			rd.Reset(body)
			req := httptest.NewRequest("POST", path, rd)
			w := httptest.NewRecorder()
			w.Body = new(bytes.Buffer)
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkAnalyze is one Perspective request for all six attributes, handler only.
func BenchmarkAnalyze(b *testing.B) {
	c := sampleRows[7]
	benchPost(b, benchServer(b), "/v1alpha1/comments:analyze", analyzeBody(c.Text, c.Article))
}

// BenchmarkScoreBatch100 is a /v1/score batch of 100 comments with their articles.
func BenchmarkScoreBatch100(b *testing.B) {
	var items []string
	for _, c := range sampleRows[:100] {
		items = append(items, `{"text":`+quote(c.Text)+`,"article":`+quote(c.Article)+`}`)
	}
	benchPost(b, benchServer(b), "/v1/score", "["+strings.Join(items, ",")+"]")
}

func quote(s string) string { return string(appendString(nil, s)) }
