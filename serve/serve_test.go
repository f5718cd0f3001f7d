package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
)

// The tests serve two small models trained on the project's sample (data/sample): a and b
// differ in C, so that their scores tell which one answered. Each test starts the real server
// on a loopback port and talks HTTP to it.
var (
	modelA, modelB []byte
	sampleRows     []data.Comment
)

func TestMain(m *testing.M) {
	schema := data.Schema{Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}, RequireLabels: true, Strict: true}
	comments, _, err := data.ReadAll("../data/sample/comments.csv", schema)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sampleRows = comments
	var ex []classifier.Example
	for _, c := range comments {
		ex = append(ex, classifier.Example{Text: c.Text, Article: c.Article, Labels: c.Labels})
	}
	for i, c := range []float64{1, 0.05} {
		cfg := classifier.DefaultConfig()
		cfg.Features.Bits = 16 // small and fast: these tests check behaviour, not accuracy
		cfg.C = c
		mod, err := classifier.Train(ex, []string{"stance", "sentiment"}, cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var buf bytes.Buffer
		if _, err := mod.WriteTo(&buf); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if i == 0 {
			modelA = buf.Bytes()
		} else {
			modelB = buf.Bytes()
		}
	}
	os.Exit(m.Run())
}

// server is a Server running on a loopback port.
type server struct {
	*Server
	url  string
	path string // its model file
	stop func() error
}

// start serves model bytes with cfg on 127.0.0.1 until the test ends.
func start(t *testing.T, modelBytes []byte, cfg Config) *server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.stance")
	if err := os.WriteFile(path, modelBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.ModelPath = path
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	var once sync.Once
	var serr error
	var stopped atomic.Bool // by the test itself, which then checks the error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case serr = <-done:
			case <-time.After(20 * time.Second):
				serr = errors.New("Serve did not return 20s after its context ended")
			}
		})
		return serr
	}
	t.Cleanup(func() {
		if stopped.Load() {
			return
		}
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return &server{Server: s, url: "http://" + ln.Addr().String(), path: path, stop: func() error { stopped.Store(true); return stop() }}
}

var client = &http.Client{Timeout: 20 * time.Second}

// post sends body and returns the status, the decoded answer and the headers.
func post(t *testing.T, url, contentType, body string, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if len(bytes.TrimSpace(b)) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v\n%s", req.Method, req.URL.Path, err, b)
		}
	}
	return resp.StatusCode, v, resp.Header
}

func get(t *testing.T, url string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// direct scores a comment with the model bytes as the commands do, for the expected answers.
func direct(t *testing.T, modelBytes []byte, text, article string) (*classifier.Model, classifier.Scores) {
	t.Helper()
	directMu.Lock()
	defer directMu.Unlock()
	d, ok := directs[&modelBytes[0]]
	if !ok {
		path := filepath.Join(t.TempDir(), "direct.stance")
		if err := os.WriteFile(path, modelBytes, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := classifier.LoadScoreOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := m.NewScorer()
		if err != nil {
			t.Fatal(err)
		}
		d = directScorer{m, sc}
		directs[&modelBytes[0]] = d
	}
	var res classifier.Scores
	d.sc.Score(&res, text, article)
	return d.m, res
}

type directScorer struct {
	m  *classifier.Model
	sc *classifier.Scorer
}

var (
	directMu sync.Mutex
	directs  = map[*byte]directScorer{}
)

// errorShape checks that v is Google's error shape with code and status.
func errorShape(t *testing.T, v map[string]any, code int, status, inMessage string) {
	t.Helper()
	e, ok := v["error"].(map[string]any)
	if !ok || len(v) != 1 {
		t.Fatalf("answer %v: want {\"error\": {...}} alone", v)
	}
	if e["code"] != float64(code) || e["status"] != status {
		t.Errorf("error %v: want code %d, status %s", e, code, status)
	}
	if msg, _ := e["message"].(string); !strings.Contains(msg, inMessage) {
		t.Errorf("error message %q: want it to say %q", msg, inMessage)
	}
}

func analyzeBody(text, article string, attrs ...string) string {
	q := map[string]any{"comment": map[string]any{"text": text}, "context": map[string]any{"entries": []any{map[string]any{"text": article}}}}
	ra := map[string]any{}
	for _, a := range attrs {
		ra[a] = map[string]any{}
	}
	q["requestedAttributes"] = ra
	b, _ := json.Marshal(q)
	return string(b)
}

func TestPerspectiveScores(t *testing.T) {
	s := start(t, modelA, Config{})
	c := sampleRows[3]
	m, want := direct(t, modelA, c.Text, c.Article)
	url := s.url + "/v1alpha1/comments:analyze"
	code, v, _ := post(t, url, "application/json", analyzeBody(c.Text, c.Article, "STANCE_FAVOR", "SENTIMENT_NEGATIVE"))
	if code != 200 {
		t.Fatalf("status %d: %v", code, v)
	}
	scores := v["attributeScores"].(map[string]any)
	if len(scores) != 2 {
		t.Errorf("attributeScores %v: want the two requested", scores)
	}
	for hi, h := range m.Heads {
		for k, cl := range h.Classes {
			name := strings.ToUpper(h.Name + "_" + cl)
			a, ok := scores[name].(map[string]any)
			if name != "STANCE_FAVOR" && name != "SENTIMENT_NEGATIVE" {
				if ok {
					t.Errorf("%s answered but not requested", name)
				}
				continue
			}
			ss := a["summaryScore"].(map[string]any)
			if ss["type"] != "PROBABILITY" || ss["value"] != want.Probs[hi][k] {
				t.Errorf("%s: summaryScore %v, want value %v (Scorer.Score's, to the bit), type PROBABILITY", name, ss, want.Probs[hi][k])
			}
			if _, ok := a["spanScores"]; ok {
				t.Errorf("%s: spanScores without spanAnnotations", name)
			}
		}
	}
	if langs, _ := v["languages"].([]any); len(langs) != 1 || langs[0] != "und" {
		t.Errorf("languages %v: want [und] when none are given", v["languages"])
	}
	if _, ok := v["clientToken"]; ok {
		t.Errorf("clientToken answered though none was sent")
	}

	// All attributes when none are named (as the peer does), languages and clientToken echoed.
	body := `{"comment":{"text":` + strconv.Quote(c.Text) + `},"languages":["ar"],"clientToken":"tok-1","doNotStore":true,"sessionId":"s","communityId":"c"}`
	code, v, _ = post(t, url, "application/json", body)
	if code != 200 {
		t.Fatalf("status %d: %v", code, v)
	}
	if n := len(v["attributeScores"].(map[string]any)); n != 6 {
		t.Errorf("%d attributes, want all 6 of the model's", n)
	}
	if v["clientToken"] != "tok-1" || fmt.Sprint(v["languages"]) != "[ar]" {
		t.Errorf("clientToken %v, languages %v: want them echoed", v["clientToken"], v["languages"])
	}

	// scoreThreshold leaves out what is under it.
	body = `{"comment":{"text":"fine"},"requestedAttributes":{"STANCE_FAVOR":{"scoreThreshold":1.5},"STANCE_NONE":{"scoreType":"PROBABILITY"}}}`
	code, v, _ = post(t, url, "application/json", body)
	if sc := v["attributeScores"].(map[string]any); code != 200 || len(sc) != 1 || sc["STANCE_NONE"] == nil {
		t.Errorf("with a threshold of 1.5 on STANCE_FAVOR: %d %v, want STANCE_NONE alone", code, v)
	}
}

func TestPerspectiveSpans(t *testing.T) {
	s := start(t, modelA, Config{})
	text := "First sentence here.  Second one!\nThird"
	code, v, _ := post(t, s.url+"/v1alpha1/comments:analyze", "application/json",
		`{"comment":{"text":`+strconv.Quote(text)+`},"requestedAttributes":{"STANCE_AGAINST":{}},"spanAnnotations":true}`)
	if code != 200 {
		t.Fatalf("status %d: %v", code, v)
	}
	spans := v["attributeScores"].(map[string]any)["STANCE_AGAINST"].(map[string]any)["spanScores"].([]any)
	want := [][2]float64{{0, 20}, {22, 33}, {34, 39}} // code points, end exclusive
	if len(spans) != len(want) {
		t.Fatalf("spans %v: want %v", spans, want)
	}
	m, _ := direct(t, modelA, "", "")
	against := 0
	for k, c := range m.Heads[0].Classes {
		if c == "AGAINST" {
			against = k
		}
	}
	for i, sp := range spans {
		sp := sp.(map[string]any)
		if sp["begin"] != want[i][0] || sp["end"] != want[i][1] {
			t.Errorf("span %d: %v, want begin %v end %v", i, sp, want[i][0], want[i][1])
		}
		_, res := direct(t, modelA, text[int(want[i][0]):int(want[i][1])], "")
		if got := sp["score"].(map[string]any)["value"]; got != res.Probs[0][against] {
			t.Errorf("span %d scored %v, want %v (the sentence scored alone)", i, got, res.Probs[0][against])
		}
	}
}

func TestSentences(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"one", []string{"one"}},
		{"  one.  two?! three", []string{"one.", "two?!", "three"}},
		{"كلامه صحيح؟ لا", []string{"كلامه صحيح؟", "لا"}},
		{"a\n\nb", []string{"a", "b"}},
		{"wait...", []string{"wait..."}},
		{" \n ", nil},
	} {
		var got []string
		for _, sp := range sentences(tt.text) {
			if r := []rune(tt.text); string(r[sp.begin:sp.end]) != sp.text {
				t.Errorf("%q: span %+v does not cover its text in code points", tt.text, sp)
			}
			got = append(got, sp.text)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("sentences(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPerspectiveErrors(t *testing.T) {
	s := start(t, modelA, Config{MaxCommentChars: 10})
	url := s.url + "/v1alpha1/comments:analyze"
	for _, tt := range []struct {
		name, body string
		code       int
		status     string
		says       string
	}{
		{"unknown attribute", analyzeBody("fine", "", "TOXICITY"), 400, "INVALID_ARGUMENT", `unknown attribute "TOXICITY"`},
		{"empty text", analyzeBody("", "", "STANCE_FAVOR"), 400, "INVALID_ARGUMENT", "comment.text is empty"},
		{"blank text", analyzeBody(" \n", "", "STANCE_FAVOR"), 400, "INVALID_ARGUMENT", "comment.text is empty"},
		{"no comment", `{"requestedAttributes":{"STANCE_FAVOR":{}}}`, 400, "INVALID_ARGUMENT", "comment.text is required"},
		{"text over the limit", analyzeBody("ءءءءءءءءءءء", "", "STANCE_FAVOR"), 400, "INVALID_ARGUMENT", "11 characters long; the limit is 10"},
		{"NUL", analyzeBody("a\x00b", "", "STANCE_FAVOR"), 400, "INVALID_ARGUMENT", "NUL byte"},
		{"bad score type", `{"comment":{"text":"x"},"requestedAttributes":{"STANCE_FAVOR":{"scoreType":"STD_DEV_SCORE"}}}`, 400, "INVALID_ARGUMENT", "only PROBABILITY"},
		{"not JSON", `{"comment":`, 400, "INVALID_ARGUMENT", "invalid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, v, hdr := post(t, url, "application/json", tt.body)
			if code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			errorShape(t, v, tt.code, tt.status, tt.says)
		})
	}
	// Exactly at the limit is fine: the limit counts characters, not bytes.
	if code, v, _ := post(t, url, "application/json", analyzeBody("ءءءءءءءءءء", "", "STANCE_FAVOR")); code != 200 {
		t.Errorf("10 characters (20 bytes) at a limit of 10: %d %v", code, v)
	}
}

func TestEndpointErrors(t *testing.T) {
	s := start(t, modelA, Config{})
	code, v, _ := get(t, s.url+"/v2/nothing")
	if code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	errorShape(t, v, 404, "NOT_FOUND", "no such endpoint")
	code, v, hdr := get(t, s.url+"/v1/score")
	if code != 405 || hdr.Get("Allow") != "POST" {
		t.Errorf("GET /v1/score: %d, Allow %q", code, hdr.Get("Allow"))
	}
	errorShape(t, v, 405, "INVALID_ARGUMENT", "use POST")
}

func TestProbesAndModel(t *testing.T) {
	s := start(t, modelA, Config{Describe: func(m *classifier.Model, path string, size int64) any {
		return map[string]any{"path": path, "bytes": size, "heads": len(m.Heads)}
	}})
	if code, v, _ := get(t, s.url+"/healthz"); code != 200 || v["status"] != "ok" {
		t.Errorf("/healthz: %d %v", code, v)
	}
	if code, v, _ := get(t, s.url+"/readyz"); code != 200 || v["status"] != "ready" || v["version"] != s.Version() {
		t.Errorf("/readyz: %d %v", code, v)
	}
	code, v, _ := get(t, s.url+"/v1/model")
	if code != 200 || v["version"] != s.Version() || len(s.Version()) != 12 {
		t.Fatalf("/v1/model: %d %v", code, v)
	}
	if fmt.Sprint(v["attributes"]) != "[STANCE_AGAINST STANCE_FAVOR STANCE_NONE SENTIMENT_NEGATIVE SENTIMENT_NEUTRAL SENTIMENT_POSITIVE]" {
		t.Errorf("attributes %v", v["attributes"])
	}
	info := v["info"].(map[string]any)
	if info["path"] != s.path || info["bytes"] != float64(len(modelA)) || info["heads"] != 2.0 {
		t.Errorf("info %v: want Describe's answer", info)
	}
}

// row is a /v1/score answer decoded.
type row map[string]any

func scoreRows(t *testing.T, url, body string) (int, []row, map[string]any) {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var rows []row
	var obj map[string]any
	if bytes.HasPrefix(b, []byte("[")) {
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
	} else if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return resp.StatusCode, rows, obj
}

// wantRow is the row export writes for a comment, decoded from JSON.
func wantRow(t *testing.T, modelBytes []byte, id any, articleID, text, article string) row {
	m, res := direct(t, modelBytes, text, article)
	r := row{"article_id": articleID}
	if id != nil {
		r["id"] = id
	}
	for hi, h := range m.Heads {
		r[h.Name] = h.Classes[res.Best[hi]]
		for k, c := range h.Classes {
			r[h.Name+"_"+c] = round4(res.Probs[hi][k])
		}
		if pos, neg, ok := h.Signed(); ok {
			r[h.Name+"_score"] = round4(res.Probs[hi][pos] - res.Probs[hi][neg])
		}
	}
	return r
}

func round4(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 4, 64), 64)
	return f
}

func TestNativeScore(t *testing.T) {
	s := start(t, modelA, Config{})
	url := s.url + "/v1/score"
	c := sampleRows[0]
	code, _, obj := scoreRows(t, url, `{"id":"c1","text":`+strconv.Quote(c.Text)+`,"article":`+strconv.Quote(c.Article)+`}`)
	if want := wantRow(t, modelA, "c1", "", c.Text, c.Article); code != 200 || fmt.Sprint(row(obj)) != fmt.Sprint(want) {
		t.Errorf("one comment: %d\n got %v\nwant %v", code, obj, want)
	}
	// A batch answers in input order; ids are echoed as sent (here numbers).
	var items []string
	var want []row
	for i, c := range sampleRows[:150] {
		items = append(items, fmt.Sprintf(`{"id":%d,"text":%q,"article":%q}`, i, c.Text, c.Article))
		want = append(want, wantRow(t, modelA, float64(i), "", c.Text, c.Article))
	}
	code, rows, obj := scoreRows(t, url, "["+strings.Join(items, ",")+"]")
	if code != 200 || len(rows) != len(want) {
		t.Fatalf("batch: %d, %d rows (%v)", code, len(rows), obj)
	}
	for i := range want {
		if fmt.Sprint(rows[i]) != fmt.Sprint(want[i]) {
			t.Errorf("batch row %d:\n got %v\nwant %v", i, rows[i], want[i])
		}
	}
	// The keys come in export's column order.
	resp, err := client.Post(url, "application/json", strings.NewReader(`{"text":"ok"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip any
		dec.Decode(&skip)
	}
	if got := strings.Join(keys, ","); got != "article_id,stance,stance_AGAINST,stance_FAVOR,stance_NONE,stance_score,sentiment,sentiment_NEGATIVE,sentiment_NEUTRAL,sentiment_POSITIVE,sentiment_score" {
		t.Errorf("keys %s: want export's columns", got)
	}
}

func TestNativeErrors(t *testing.T) {
	s := start(t, modelA, Config{MaxBatch: 3, MaxBodyBytes: 2000, MaxCommentChars: 100})
	url := s.url + "/v1/score"
	for _, tt := range []struct {
		name, body string
		code       int
		status     string
		says       string
	}{
		{"no text", `{"article":"x"}`, 400, "INVALID_ARGUMENT", "comment: text is required"},
		{"empty text in a batch", `[{"text":"a"},{"text":""}]`, 400, "INVALID_ARGUMENT", "item 1: text is empty"},
		{"empty batch", `[]`, 400, "INVALID_ARGUMENT", "empty batch"},
		{"batch over the limit", `[{"text":"a"},{"text":"b"},{"text":"c"},{"text":"d"}]`, 413, "INVALID_ARGUMENT", "the limit is 3 (max_batch)"},
		{"body over the limit", `{"text":"` + strings.Repeat("a", 3000) + `"}`, 413, "INVALID_ARGUMENT", "over 2000 bytes (max_body_bytes)"},
		{"comment over the limit", `{"text":"` + strings.Repeat("a", 101) + `"}`, 400, "INVALID_ARGUMENT", "the limit is 100"},
		{"unknown article", `{"text":"a","article_id":"nope"}`, 404, "NOT_FOUND", `article_id "nope" is not registered`},
		{"not JSON", `hello`, 400, "INVALID_ARGUMENT", "invalid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, v, _ := post(t, url, "application/json", tt.body)
			if code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			errorShape(t, v, tt.code, tt.status, tt.says)
		})
	}
	for _, tt := range []struct {
		name, body string
		code       int
		says       string
	}{
		{"no id", `{"text":"x"}`, 400, "id is required"},
		{"no text", `[{"id":"a","text":"x"},{"id":"b"}]`, 400, `article 1 ("b"): text is empty`},
		{"over the budget", `{"id":"a","text":"` + strings.Repeat("x", 1900) + `"}`, 413, "larger than the whole article budget"},
	} {
		t.Run("articles: "+tt.name, func(t *testing.T) {
			cfg := Config{MaxArticleBytes: 1000}
			s := start(t, modelA, cfg)
			code, v, _ := post(t, s.url+"/v1/articles", "application/json", tt.body)
			if code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			status := "INVALID_ARGUMENT"
			errorShape(t, v, tt.code, status, tt.says)
		})
	}
}

func TestArticles(t *testing.T) {
	s := start(t, modelA, Config{MaxArticles: 2})
	arts := map[string]string{}
	for _, c := range sampleRows {
		arts[c.ArticleID] = c.Article
	}
	c := sampleRows[10]
	code, v, _ := post(t, s.url+"/v1/articles", "application/json", `{"id":`+strconv.Quote(c.ArticleID)+`,"text":`+strconv.Quote(c.Article)+`}`)
	if code != 200 || v["registered"] != 1.0 || v["held"] != 1.0 {
		t.Fatalf("register: %d %v", code, v)
	}
	code, _, obj := scoreRows(t, s.url+"/v1/score", `{"text":`+strconv.Quote(c.Text)+`,"article_id":`+strconv.Quote(c.ArticleID)+`}`)
	if want := wantRow(t, modelA, nil, c.ArticleID, c.Text, c.Article); code != 200 || fmt.Sprint(row(obj)) != fmt.Sprint(want) {
		t.Errorf("by article_id: %d\n got %v\nwant %v (the article given whole)", code, obj, want)
	}
	// Two more articles evict the least recently used: the first.
	code, v, _ = post(t, s.url+"/v1/articles", "application/json", `[{"id":"x","text":"one"},{"id":"y","text":"two"}]`)
	if code != 200 || v["held"] != 2.0 {
		t.Fatalf("register two more: %d %v", code, v)
	}
	code, v, _ = post(t, s.url+"/v1/score", "application/json", `{"text":"a","article_id":`+strconv.Quote(c.ArticleID)+`}`)
	if code != 404 {
		t.Errorf("an evicted article: %d %v, want 404", code, v)
	}
	req, _ := http.NewRequest("DELETE", s.url+"/v1/articles/x", nil)
	if code, v, _ := do(t, req); code != 200 || v["deleted"] != "x" {
		t.Errorf("delete: %d %v", code, v)
	}
	req, _ = http.NewRequest("DELETE", s.url+"/v1/articles/x", nil)
	if code, _, _ := do(t, req); code != 404 {
		t.Errorf("delete again: %d, want 404", code)
	}
	metrics := scrape(t, s.url)
	if got := value(metrics, "stance_article_evictions_total", nil); got != 1 {
		t.Errorf("stance_article_evictions_total %v, want 1", got)
	}
	if got := value(metrics, "stance_articles_registered", nil); got != 1 {
		t.Errorf("stance_articles_registered %v, want 1", got)
	}
}

// TestNDJSONInteractive writes a line and waits for its answer before writing the next, as a
// platform's consumer does on one long request.
func TestNDJSONInteractive(t *testing.T) {
	s := start(t, modelA, Config{})
	post(t, s.url+"/v1/articles", "application/json", `{"id":"a1","text":"Council approves congestion charge"}`)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.url+"/v1/score", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			close(respc)
			return
		}
		respc <- resp
	}()
	lines := []struct{ in, want string }{
		{`{"id":"n1","text":"About time!","article_id":"a1"}`, `"id":"n1","article_id":"a1"`},
		{`{"text":""}`, `{"line":2,"error":{"code":400,"message":"line 2: text is empty`},
		{`not json`, `{"line":3,"error":{"code":400,"message":"invalid JSON`},
		{``, ``}, // blank: no answer
		{`{"id":"n5","text":"Terrible idea","article":"Council approves congestion charge"}`, `"id":"n5","article_id":""`},
		{`{"text":"x","article_id":"zz"}`, `{"line":6,"error":{"code":404`},
	}
	var br *bufio.Reader
	for _, l := range lines {
		if _, err := io.WriteString(pw, l.in+"\n"); err != nil {
			t.Fatal(err)
		}
		if l.want == "" {
			continue
		}
		if br == nil {
			select {
			case resp := <-respc:
				if resp == nil {
					return
				}
				defer resp.Body.Close()
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
					t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				br = bufio.NewReader(resp.Body)
			case <-time.After(10 * time.Second):
				t.Fatal("no response headers 10s after the first line")
			}
		}
		got, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the answer to %s: %v", l.in, err)
		}
		if !strings.Contains(got, l.want) {
			t.Errorf("answer to %s:\n%s\nwant it to hold %s", l.in, got, l.want)
		}
	}
	pw.Close()
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("more after the last answer: %q", rest)
	}
	if got := value(scrape(t, s.url), "stance_comments_scored_total", map[string]string{"endpoint": "score"}); got != 2 {
		t.Errorf("stance_comments_scored_total{endpoint=score} %v, want 2", got)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	s := start(t, modelA, Config{MaxConcurrent: 1, RetryAfter: 2 * time.Second})
	// An NDJSON stream holds the one slot while its body is open.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.url+"/v1/score", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	io.WriteString(pw, `{"text":"hold"}`+"\n")
	deadline := time.Now().Add(10 * time.Second)
	for s.metricsInflight() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	code, v, hdr := post(t, s.url+"/v1alpha1/comments:analyze", "application/json", analyzeBody("x", ""))
	if code != 429 || hdr.Get("Retry-After") != "2" {
		t.Errorf("with the slot taken: %d, Retry-After %q; want 429, 2", code, hdr.Get("Retry-After"))
	}
	errorShape(t, v, 429, "RESOURCE_EXHAUSTED", "too many concurrent requests")
	// Probes and metrics are not limited.
	if code, _, _ := get(t, s.url+"/healthz"); code != 200 {
		t.Errorf("/healthz while full: %d", code)
	}
	pw.Close()
	<-done
	if code, _, _ := post(t, s.url+"/v1alpha1/comments:analyze", "application/json", analyzeBody("x", "")); code != 200 {
		t.Errorf("after the slot is free: %d", code)
	}
	if got := value(scrape(t, s.url), "stance_errors_total", map[string]string{"kind": "busy"}); got != 1 {
		t.Errorf("stance_errors_total{kind=busy} %v, want 1", got)
	}
}

func (s *Server) metricsInflight() int { return len(s.slots) }

// TestSlowClients: a client that sends half its headers, or half its body, is cut off at the
// timeouts rather than holding its connection.
func TestSlowClients(t *testing.T) {
	s := start(t, modelA, Config{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond})
	addr := strings.TrimPrefix(s.url, "http://")
	for _, tt := range []struct{ name, send string }{
		{"headers", "POST /v1/score HTTP/1.1\r\nHost: x\r\n"},
		{"body", "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"text\":"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, tt.send)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			start := time.Now()
			io.Copy(io.Discard, conn) // returns when the server closes the connection
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("connection held %v", d)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	s := start(t, modelA, Config{Token: "user-secret", AdminToken: "admin-secret"})
	url := s.url + "/v1alpha1/comments:analyze"
	body := analyzeBody("x", "")
	code, v, hdr := post(t, url, "application/json", body)
	if code != 401 || hdr.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d", code)
	}
	errorShape(t, v, 401, "UNAUTHENTICATED", "Bearer")
	if code, _, _ := post(t, url, "application/json", body, "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	if code, _, _ := post(t, url, "application/json", body, "Authorization", "Bearer user-secret"); code != 200 {
		t.Errorf("bearer token: %d", code)
	}
	if code, _, _ := post(t, url+"?key=user-secret", "application/json", body); code != 200 {
		t.Errorf("Perspective's ?key=: %d", code)
	}
	if code, _, _ := post(t, s.url+"/v1/admin/reload", "application/json", "", "Authorization", "Bearer user-secret"); code != 401 {
		t.Errorf("reload with the user token: %d, want 401", code)
	}
	if code, _, _ := post(t, s.url+"/v1/admin/reload?key=admin-secret", "application/json", ""); code != 401 {
		t.Errorf("reload with ?key=: %d, want 401 (the admin token goes in the header only)", code)
	}
	if code, v, _ := post(t, s.url+"/v1/admin/reload", "application/json", "", "Authorization", "Bearer admin-secret"); code != 200 {
		t.Errorf("reload with the admin token: %d %v", code, v)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, _, _ := get(t, s.url+p); code != 200 {
			t.Errorf("%s without a token: %d", p, code)
		}
	}
}

type dtoFamily = dto.MetricFamily

// scrape reads /metrics with the Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dtoFamily {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// value sums the samples of a counter, gauge or histogram (its count) whose labels include
// labels.
func value(fams map[string]*dtoFamily, name string, labels map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return math.NaN()
	}
	sum := 0.0
	for _, m := range f.Metric {
		match := true
		for k, v := range labels {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func TestMetrics(t *testing.T) {
	s := start(t, modelA, Config{})
	for range 3 {
		post(t, s.url+"/v1alpha1/comments:analyze", "application/json", analyzeBody("fine", "", "STANCE_FAVOR"))
	}
	post(t, s.url+"/v1alpha1/comments:analyze", "application/json", analyzeBody("fine", "", "NOPE"))
	post(t, s.url+"/v1/score", "application/json", `[{"text":"a"},{"text":"b"}]`)
	fams := scrape(t, s.url)
	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"stance_http_requests_total", map[string]string{"endpoint": "analyze", "code": "200"}, 3},
		{"stance_http_requests_total", map[string]string{"endpoint": "analyze", "code": "400"}, 1},
		{"stance_http_request_duration_seconds", map[string]string{"endpoint": "analyze"}, 4},
		{"stance_comments_scored_total", map[string]string{"endpoint": "analyze"}, 3},
		{"stance_comments_scored_total", map[string]string{"endpoint": "score"}, 2},
		{"stance_errors_total", map[string]string{"kind": "bad_request"}, 1},
		{"stance_model_reloads_total", map[string]string{"result": "ok"}, 0},
		{"stance_model_info", map[string]string{"version": s.Version(), "path": s.path}, 1},
	} {
		if got := value(fams, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	if _, ok := fams["process_resident_memory_bytes"]; !ok {
		t.Errorf("no process_resident_memory_bytes: the soak reads it")
	}
}

// TestReloadUnderLoad swaps models a and b under concurrent requests, with a bad file between:
// no request fails, every answer comes whole from one model, and the bad file keeps the model
// that was serving.
func TestReloadUnderLoad(t *testing.T) {
	s := start(t, modelA, Config{})
	c := sampleRows[5]
	_, resA := direct(t, modelA, c.Text, c.Article)
	_, resB := direct(t, modelB, c.Text, c.Article)
	if resA.Probs[0][0] == resB.Probs[0][0] {
		t.Fatal("models a and b score alike: the test could not tell them apart")
	}
	versionA := s.Version()
	// A batch of the same comment 64 times: each row must come from the same model.
	batch := "[" + strings.Repeat(`{"text":`+strconv.Quote(c.Text)+`,"article":`+strconv.Quote(c.Article)+`},`, 63) +
		`{"text":` + strconv.Quote(c.Text) + `,"article":` + strconv.Quote(c.Article) + `}]`
	want := map[string]bool{fmt.Sprint(round4(resA.Probs[0][0])): true, fmt.Sprint(round4(resB.Probs[0][0])): true}
	var failed, requests atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ { // bounded: at most 2000 requests a goroutine
				select {
				case <-stop:
					return
				default:
				}
				requests.Add(1)
				resp, err := client.Post(s.url+"/v1/score", "application/json", strings.NewReader(batch))
				if err != nil {
					failed.Add(1)
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				var rows []row
				err = json.NewDecoder(resp.Body).Decode(&rows)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil || len(rows) != 64 {
					failed.Add(1)
					t.Errorf("goroutine %d: status %d, %v, %d rows", g, resp.StatusCode, err, len(rows))
					return
				}
				first := fmt.Sprint(rows[0]["stance_AGAINST"])
				if !want[first] {
					t.Errorf("a score from neither model: %v", first)
				}
				for _, r := range rows[1:] {
					if fmt.Sprint(r["stance_AGAINST"]) != first {
						failed.Add(1)
						t.Errorf("one answer mixes two models: %v and %v", first, r["stance_AGAINST"])
						return
					}
				}
			}
		}()
	}
	files := [][]byte{modelB, modelA, []byte("not a model"), modelB, modelA, modelB, modelA[:len(modelA)/2], modelA, modelB, modelA}
	for i, f := range files {
		time.Sleep(20 * time.Millisecond)
		tmp := s.path + ".tmp"
		if err := os.WriteFile(tmp, f, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, s.path); err != nil { // as a deploy would: whole files only
			t.Fatal(err)
		}
		before := s.Version()
		code, v, _ := post(t, s.url+"/v1/admin/reload", "application/json", "")
		bad := i == 2 || i == 6
		switch {
		case bad && code != 422:
			t.Errorf("reload %d (bad file): %d %v, want 422", i, code, v)
		case bad:
			errorShape(t, v, 422, "FAILED_PRECONDITION", "keeps serving")
			if s.Version() != before {
				t.Errorf("reload %d: a bad file changed the model", i)
			}
		case code != 200:
			t.Errorf("reload %d: %d %v", i, code, v)
		}
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() > 0 || requests.Load() < 8 {
		t.Errorf("%d of %d requests failed", failed.Load(), requests.Load())
	}
	if s.Version() != versionA {
		t.Errorf("serving %s after the last reload of a, want %s", s.Version(), versionA)
	}
	fams := scrape(t, s.url)
	if ok, bad := value(fams, "stance_model_reloads_total", map[string]string{"result": "ok"}), value(fams, "stance_model_reloads_total", map[string]string{"result": "error"}); ok != 8 || bad != 2 {
		t.Errorf("reloads ok %v error %v, want 8 and 2", ok, bad)
	}
	t.Logf("%d requests of 64 comments through %d reloads", requests.Load(), len(files))
}

// TestShutdownFinishesInFlight ends Serve's context while a stream is in flight: the stream is
// answered to its end, new connections are refused, and Serve returns nil.
func TestShutdownFinishesInFlight(t *testing.T) {
	s := start(t, modelA, Config{})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.url+"/v1/score", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type result struct {
		lines int
		err   error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			resc <- result{0, err}
			return
		}
		defer resp.Body.Close()
		n := 0
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `"stance"`) {
				resc <- result{n, fmt.Errorf("line %q", sc.Text())}
				return
			}
			n++
		}
		resc <- result{n, sc.Err()}
	}()
	io.WriteString(pw, `{"text":"first"}`+"\n")
	deadline := time.Now().Add(10 * time.Second)
	for s.metricsInflight() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	// Shutdown closes the listener first: wait for that, then check readiness is withdrawn.
	for time.Now().Before(deadline) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		if err != nil {
			break
		}
		conn.Close()
		time.Sleep(5 * time.Millisecond)
	}
	if !s.draining.Load() {
		t.Error("not draining after the context ended")
	}
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	for i := range 5 {
		fmt.Fprintf(pw, `{"text":"after the signal %d"}`+"\n", i)
	}
	pw.Close()
	r := <-resc
	if r.err != nil || r.lines != 6 {
		t.Errorf("in-flight stream: %d lines, %v; want all 6 answered", r.lines, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestStreamTypeElsewhere: an NDJSON Content-Type lifts the body limit on /v1/score alone.
func TestStreamTypeElsewhere(t *testing.T) {
	s := start(t, modelA, Config{MaxBodyBytes: 1000})
	big := `{"comment":{"text":"` + strings.Repeat("a", 2000) + `"}}`
	for _, p := range []string{"/v1alpha1/comments:analyze", "/v1/articles"} {
		code, v, _ := post(t, s.url+p, "application/x-ndjson", big)
		if code != 413 {
			t.Errorf("%s with an NDJSON type and a body over the limit: %d %v, want 413", p, code, v)
		}
	}
	// On /v1/score the same type streams, and the line over the limit is answered in its place.
	resp, err := client.Post(s.url+"/v1/score", "application/x-ndjson", strings.NewReader(big+"\n"+`{"text":"ok"}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"line":1,"error":{"code":413`) || !strings.Contains(lines[1], `"stance":`) {
		t.Errorf("stream with a line over the limit:\n%s", b)
	}
}

func TestReadLine(t *testing.T) {
	// bufio's smallest buffer is 16 bytes: lines longer than it take readLine's other path.
	in := "short\n" + strings.Repeat("x", 30) + "\n" + strings.Repeat("y", 50) + "\n" + strings.Repeat("z", 40) + "\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	var long []byte
	type got struct {
		line    string
		tooLong bool
	}
	want := []got{{"short", false}, {strings.Repeat("x", 30), false}, {" ", true}, {strings.Repeat("z", 40), false}, {"last", false}}
	for i, w := range want {
		line, tooLong, err := readLine(br, &long, 40)
		if string(line) != w.line || tooLong != w.tooLong {
			t.Errorf("line %d: %q %v, want %q %v", i+1, line, tooLong, w.line, w.tooLong)
		}
		if (err == io.EOF) != (i == len(want)-1) {
			t.Errorf("line %d: error %v", i+1, err)
		}
	}
}
