package serve

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAppendString checks the hand-written JSON string writer against encoding/json's, byte for
// byte (HTML characters unescaped, as json.Encoder.SetEscapeHTML(false) writes them).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "كلامه صحيح 👏", "\u2028\u2029", "bad \xff utf8", "<a&b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := appendString(nil, s); string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendString(%q) = %s, encoding/json writes %s", s, got, want.String())
		}
	})
}

// FuzzSentences checks that spans are in order, within the text, cover their text in code
// points, and neither start nor end with white space.
func FuzzSentences(f *testing.F) {
	for _, s := range []string{"one", "  one.  two?! three", "كلامه صحيح؟ لا", "a\n\nb", "...", " \n ", "x\r\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // JSON has made every text valid UTF-8 before it gets here
		}
		r := []rune(s)
		prev := 0
		for _, sp := range sentences(s) {
			if sp.begin < prev || sp.end <= sp.begin || sp.end > len(r) {
				t.Fatalf("%q: span %+v out of order or bounds", s, sp)
			}
			if string(r[sp.begin:sp.end]) != sp.text {
				t.Fatalf("%q: span %+v does not cover its text", s, sp)
			}
			if unicode.IsSpace(r[sp.begin]) || unicode.IsSpace(r[sp.end-1]) {
				t.Fatalf("%q: span %+v starts or ends with white space", s, sp)
			}
			prev = sp.end
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzSrv  *Server
)

// FuzzRequests sends any body to both scoring endpoints in process: the answer is a 200 or a
// 4xx in the error shape, never a 5xx or a panic.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"comment":{"text":"fine"},"requestedAttributes":{"STANCE_FAVOR":{}}}`,
		`{"comment":{"text":"a. b!"},"spanAnnotations":true,"requestedAttributes":{"STANCE_FAVOR":{"scoreThreshold":0.1}}}`,
		`[{"text":"a","article":"b"},{"id":[1,{}],"text":"c"}]`, `{"text":"x","article_id":"y"}`,
		`null`, `[]`, `[null]`, `{"comment":null}`, `{"comment":{"text":"\u0000"}}`, `"text"`, `{"requestedAttributes":{"":null}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fuzzOnce.Do(func() {
			path := filepath.Join(os.TempDir(), "stance-serve-fuzz.stance")
			if err := os.WriteFile(path, modelA, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := New(Config{ModelPath: path, MaxBatch: 50})
			if err != nil {
				t.Fatal(err)
			}
			fuzzSrv = s
		})
		for _, p := range []string{"/v1alpha1/comments:analyze", "/v1/score", "/v1/articles"} {
			req := httptest.NewRequest("POST", p, strings.NewReader(body))
			w := httptest.NewRecorder()
			fuzzSrv.Handler().ServeHTTP(w, req)
			if w.Code >= 500 || w.Code != 200 && !bytes.HasPrefix(w.Body.Bytes(), []byte(`{"error":{"code":`)) {
				t.Fatalf("POST %s %q: %d %s", p, body, w.Code, w.Body)
			}
			if w.Code == 200 && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("POST %s %q: 200 with invalid JSON %s", p, body, w.Body)
			}
		}
	})
}
