package labelweb

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/label"
)

func TestDir(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"كلامه صحيح", "rtl"},
		{"  123 — كلامه صحيح", "rtl"}, // digits and punctuation are not strong
		{"@user: great news 👏", "ltr"},
		{"Trump قال", "ltr"}, // the first strong character decides, as dir=auto
		{"שלום", "rtl"},
		{"123 !!", "ltr"},
	} {
		if got := Dir(tc.text); got != tc.want {
			t.Errorf("Dir(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}

func TestTitleAndLead(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct{ article, title, lead string }{
		{"Atheism", "Atheism", ""},
		{"Council approves charge\nThe council voted on Tuesday.", "Council approves charge", "The council voted on Tuesday."},
		{long, "", strings.TrimSpace(long[:400]) + "…"},
		{"", "", ""},
	} {
		title, lead := TitleAndLead(tc.article)
		if title != tc.title || lead != tc.lead {
			t.Errorf("TitleAndLead(%.30q) = %q, %.40q; want %q, %.40q", tc.article, title, lead, tc.title, tc.lead)
		}
	}
}

// The API refuses what a page elsewhere, or a mistyped request, would send, and writes nothing.
func TestAPIRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.csv")
	j, rows, _, err := label.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	pool := []data.Comment{{ID: "a", Text: "About time!", Article: "Congestion charge"}, {ID: "b", Text: "كلامه صحيح", Article: "الحدود"}}
	s, err := label.NewSession(pool, j, rows, label.Options{Heads: heads, Classes: classes})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Handler(s, nil)
	for _, tc := range []struct {
		name, path, ctype, origin, body string
		code                            int
	}{
		{"form post", "/api/answer", "application/x-www-form-urlencoded", "", `id=a&head=stance&label=FAVOR`, http.StatusUnsupportedMediaType},
		{"another site", "/api/answer", "application/json", "http://evil.example", `{"id":"a","head":"stance","label":"FAVOR"}`, http.StatusForbidden},
		{"unknown class", "/api/answer", "application/json", "", `{"id":"a","head":"stance","label":"MAYBE"}`, http.StatusBadRequest},
		{"unknown id", "/api/skip", "application/json", "", `{"id":"zzz"}`, http.StatusBadRequest},
		{"bad JSON", "/api/answer", "application/json", "", `{"id":`, http.StatusBadRequest},
		{"GET of a POST", "/api/undo", "", "", "", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if tc.body == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.code {
				t.Errorf("%s %s: %d %s, want %d", method, tc.path, w.Code, w.Body, tc.code)
			}
		})
	}
	if st := s.Status(); st.Labelled != 0 || st.Skipped != 0 {
		t.Errorf("refused requests changed the labels: %+v", st)
	}
	// The same origin is accepted.
	req := httptest.NewRequest(http.MethodPost, "/api/answer", strings.NewReader(`{"id":"a","head":"stance","label":"FAVOR"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://"+req.Host)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || s.Label("a", "stance") != "FAVOR" {
		t.Errorf("same-origin answer: %d %s", w.Code, w.Body)
	}
}

// The page lists every head's classes with their shortcuts, and its script and style are
// served from the embedded files.
func TestPage(t *testing.T) {
	j, rows, _, err := label.OpenJournal(filepath.Join(t.TempDir(), "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s, err := label.NewSession([]data.Comment{{ID: "a", Text: "About time!"}}, j, rows, label.Options{Heads: heads, Classes: classes})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Handler(s, nil)
	get := func(path string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code, w.Body.String()
	}
	code, body := get("/")
	for _, want := range []string{`data-class="AGAINST" data-key="1"`, `data-class="NONE" data-key="3"`, `data-class="POSITIVE" data-key="e"`, `<kbd>Space</kbd> skip`, `<kbd>Backspace</kbd> undo`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET / (%d) lacks %s", code, want)
		}
	}
	for _, p := range []string{"/assets/app.js", "/assets/app.css"} {
		if code, body := get(p); code != http.StatusOK || len(body) < 500 {
			t.Errorf("GET %s: %d, %d bytes", p, code, len(body))
		}
	}
}
