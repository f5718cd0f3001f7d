package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The benchmarks below are bench/serve.sh's requests, handler only: its model (trained on
// semeval2016-a's train split with bench/configs/semeval2016-a.yaml; SERVE_BENCH_MODEL names
// the file, which bench/serve.sh leaves in its work directory; not STANCE_...: stance refuses
// environment variables of that prefix that it does not know) and its bodies, built from the
// test split in ../shared/data as bench/serve.sh builds them. They run one request at a time,
// and report cpu-ns/op, the CPU time of the process per request (getrusage): unlike ns/op, it
// does not grow when other processes share the cores.
//
//	SERVE_BENCH_MODEL=/tmp/stance-serve-bench/semeval.stance go test -run - -bench Real -benchmem ./serve

const semevalTest = "../../shared/data/semeval2016t6/testdata-taskA-all-annotations.txt"

// realRows reads the test split's comments (the tweets less #SemST) and their targets.
func realRows(b *testing.B) (texts, targets []string) {
	f, err := os.Open(semevalTest)
	if os.IsNotExist(err) {
		b.Skipf("%s is absent: the benchmark needs the public data beside the checkout", semevalTest)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var col map[string]int
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range fs {
				col[name] = i
			}
			continue
		}
		texts = append(texts, strings.TrimSpace(strings.ReplaceAll(fs[col["Tweet"]], "#SemST", "")))
		targets = append(targets, fs[col["Target"]])
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return texts, targets
}

// realServer serves SERVE_BENCH_MODEL, with an access log as stance serve writes it (JSON
// lines; here to io.Discard).
func realServer(b *testing.B) *Server {
	path := os.Getenv("SERVE_BENCH_MODEL")
	if path == "" {
		b.Skip("SERVE_BENCH_MODEL is unset: name the model bench/serve.sh trains (its work directory's semeval.stance)")
	}
	s, err := New(Config{ModelPath: path, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchBodies posts each body in turn, one at a time, and reports comments/s besides ns/op.
func benchBodies(b *testing.B, h http.Handler, path, contentType string, bodies []string, perBody int) {
	rd := strings.NewReader("")
	w := httptest.NewRecorder()
	for i := range bodies { // once each, so that the measure starts warm, as a server runs
		post1(b, h, path, contentType, bodies[i], rd, w)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		post1(b, h, path, contentType, bodies[i%len(bodies)], rd, w)
	}
	cpu := cpuTime(b) - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N*perBody)/cpu.Seconds(), "comments/cpu-s")
}

// cpuTime is the CPU time the process has used, user and system, on all its threads (the
// garbage collector's too): unlike ns/op, it does not grow when other processes share the cores.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func post1(b *testing.B, h http.Handler, path, contentType, body string, rd *strings.Reader, w *httptest.ResponseRecorder) {
	rd.Reset(body)
	req := httptest.NewRequest("POST", path, rd)
	req.Header.Set("Content-Type", contentType)
	*w = httptest.ResponseRecorder{HeaderMap: make(http.Header), Body: w.Body, Code: 200}
	w.Body.Reset()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("%d %s", w.Code, w.Body)
	}
}

// realAttrs are the six attributes bench/serve.sh asks for.
var realAttrs = []string{"STANCE_FAVOR", "STANCE_AGAINST", "STANCE_NONE", "SENTIMENT_POSITIVE", "SENTIMENT_NEGATIVE", "SENTIMENT_NEITHER"}

// BenchmarkRealAnalyze is bench/serve.sh's Perspective request: one test comment with its
// target as the article, all six attributes.
func BenchmarkRealAnalyze(b *testing.B) {
	texts, targets := realRows(b)
	s := realServer(b)
	bodies := make([]string, len(texts))
	for i := range texts {
		bodies[i] = analyzeBody(texts[i], targets[i], realAttrs...)
	}
	benchBodies(b, s.Handler(), "/v1alpha1/comments:analyze", "application/json", bodies, 1)
}

// batches100 makes bench/serve.sh's batches: 100 consecutive test comments each, as NDJSON
// lines or one JSON array.
func batches100(texts, targets []string, ndjson bool) []string {
	var out []string
	for lo := 0; lo+100 <= len(texts); lo += 100 {
		var buf bytes.Buffer
		if !ndjson {
			buf.WriteByte('[')
		}
		for i := lo; i < lo+100; i++ {
			if i > lo && !ndjson {
				buf.WriteByte(',')
			}
			line, _ := json.Marshal(map[string]string{"text": texts[i], "article": targets[i]})
			buf.Write(line)
			if ndjson {
				buf.WriteByte('\n')
			}
		}
		if !ndjson {
			buf.WriteByte(']')
		}
		out = append(out, buf.String())
	}
	return out
}

// BenchmarkRealScoreBatch100 is bench/serve.sh's /v1/score batch of 100, a JSON array.
func BenchmarkRealScoreBatch100(b *testing.B) {
	texts, targets := realRows(b)
	s := realServer(b)
	benchBodies(b, s.Handler(), "/v1/score", "application/json", batches100(texts, targets, false), 100)
}

// BenchmarkRealScoreNDJSON100 is the same 100 comments as an NDJSON stream.
func BenchmarkRealScoreNDJSON100(b *testing.B) {
	texts, targets := realRows(b)
	s := realServer(b)
	benchBodies(b, s.Handler(), "/v1/score", "application/x-ndjson", batches100(texts, targets, true), 100)
}

// BenchmarkRealScorer is the scoring alone (classifier.Scorer.Score) of the same comments, the
// part of a request that is not HTTP nor JSON.
func BenchmarkRealScorer(b *testing.B) {
	texts, targets := realRows(b)
	s := realServer(b)
	l := s.model.Load()
	wk, err := l.get()
	if err != nil {
		b.Fatal(err)
	}
	for i := range texts {
		wk.sc.Score(&wk.res, texts[i], targets[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		wk.sc.Score(&wk.res, texts[i%len(texts)], targets[i%len(texts)])
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
