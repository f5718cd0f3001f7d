// Package labelweb is stance label's web page: one comment at a time with its article, buttons
// and keyboard shortcuts for each head's classes, skip, undo and a note, and the loop's progress
// (labels per class, the cross-validated learning curve, when the model last trained).
//
// Requests enter through Handler; every answer goes to a label.Session, which writes it to the
// labels file before the handler replies, so a page that shows an answer as saved never shows
// one that a kill could lose. The page's HTML is rendered with html/template from embedded
// files, and its script talks to the JSON API below:
//
//	GET  /api/state     the comment to show, the heads and their shortcuts, the progress
//	POST /api/answer    {"id", "head", "label", "note"}: answer one head of a comment
//	POST /api/skip      {"id", "note"}
//	POST /api/undo      withdraw the latest answer or skip
//	POST /api/keywords  {"queries": [...]}: ask the comments matching them first
//
// Each POST answers the new state. POSTs must be application/json and, when the browser sends
// an Origin, come from the page's own host: a web page elsewhere cannot answer for the user
// (a cross-site JSON POST needs a CORS preflight, which is never granted).
package labelweb

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"

	"github.com/commentstance/stance/label"
)

//go:embed assets
var assets embed.FS

var page = template.Must(template.ParseFS(assets, "assets/index.html"))

// maxBody bounds a request body: a note and a few ids.
const maxBody = 64 << 10

// shortcutRows are the keys of each head's classes, one keyboard row per head, in order: the
// digits for the first head (stance), the row below for the second (sentiment), and so on.
var shortcutRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// Class is a class's button.
type Class struct {
	Name string `json:"name"`
	Key  string `json:"key"` // its shortcut, "" past the keyboard row
}

// Head is a head's row of buttons.
type Head struct {
	Name    string  `json:"name"`
	Classes []Class `json:"classes"`
}

// Comment is the comment shown, with its article.
type Comment struct {
	ID           string            `json:"id"`
	Text         string            `json:"text"`
	Dir          string            `json:"dir"` // ltr or rtl, from the text (Dir)
	ArticleID    string            `json:"article_id,omitempty"`
	ArticleTitle string            `json:"article_title,omitempty"`
	ArticleLead  string            `json:"article_lead,omitempty"`
	ArticleDir   string            `json:"article_dir,omitempty"`
	Labels       map[string]string `json:"labels"` // head -> class answered so far
}

// State is what GET /api/state and every POST answer.
type State struct {
	Comment *Comment     `json:"comment"` // nil when every comment is done
	Heads   []Head       `json:"heads"`
	Status  label.Status `json:"status"`
	Undone  string       `json:"undone,omitempty"` // what an undo withdrew
}

// Handler serves the page and its API for s.
func Handler(s *label.Session, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{s: s, log: logger}
	opt := s.Options()
	for hi, name := range opt.Heads {
		hd := Head{Name: name}
		for ci, c := range opt.Classes[name] {
			k := ""
			if hi < len(shortcutRows) && ci < len(shortcutRows[hi]) {
				k = shortcutRows[hi][ci : ci+1]
			}
			hd.Classes = append(hd.Classes, Class{Name: c, Key: k})
		}
		h.heads = append(h.heads, hd)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.index)
	mux.Handle("GET /assets/", http.FileServerFS(assets))
	mux.HandleFunc("GET /api/state", h.state)
	mux.HandleFunc("POST /api/answer", h.post(h.answer))
	mux.HandleFunc("POST /api/skip", h.post(h.skip))
	mux.HandleFunc("POST /api/undo", h.post(h.undo))
	mux.HandleFunc("POST /api/keywords", h.post(h.keywords))
	return mux
}

type handler struct {
	s     *label.Session
	log   *slog.Logger
	heads []Head
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'")
	if err := page.Execute(w, struct {
		Heads            []Head
		SkipKey, UndoKey string
	}{h.heads, "Space", "Backspace"}); err != nil { // app.js's keys; shortcuts are off while a text box has the focus
		h.log.Error("rendering the page", "error", err.Error())
	}
}

func (h *handler) current() State {
	st := State{Heads: h.heads, Status: h.s.Status()}
	if it, ok := h.s.Current(); ok {
		c := &Comment{ID: it.ID, Text: it.Text, Dir: Dir(it.Text), ArticleID: it.ArticleID, Labels: map[string]string{}}
		c.ArticleTitle, c.ArticleLead = TitleAndLead(it.Article)
		if it.Article != "" {
			c.ArticleDir = Dir(it.Article)
		}
		for _, hd := range h.heads {
			if l := h.s.Label(it.ID, hd.Name); l != "" {
				c.Labels[hd.Name] = l
			}
		}
		st.Comment = c
	}
	return st
}

func (h *handler) state(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.current())
}

type request struct {
	ID      string   `json:"id"`
	Head    string   `json:"head"`
	Label   string   `json:"label"`
	Note    string   `json:"note"`
	Queries []string `json:"queries"`
}

// post checks a POST's origin and body and runs do with it.
func (h *handler) post(do func(request) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, errors.New("send application/json"))
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				writeError(w, http.StatusForbidden, fmt.Errorf("origin %q is not this page's", o))
				return
			}
		}
		var req request
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err == nil && len(b) > 0 {
			err = json.Unmarshal(b, &req)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("request body: %v", err))
			return
		}
		undone, err := do(req)
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, label.ErrUnknown) {
				code = http.StatusBadRequest
			}
			h.log.Error("request failed", "path", r.URL.Path, "error", err.Error())
			writeError(w, code, err)
			return
		}
		st := h.current()
		st.Undone = undone
		writeJSON(w, http.StatusOK, st)
	}
}

func (h *handler) answer(r request) (string, error) {
	return "", h.s.Answer(r.ID, r.Head, r.Label, r.Note)
}

func (h *handler) skip(r request) (string, error) { return "", h.s.Skip(r.ID, r.Note) }

func (h *handler) undo(request) (string, error) {
	id, head, ok, err := h.s.Undo()
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "nothing to undo", nil
	case head == "":
		return fmt.Sprintf("the skip of %s", id), nil
	}
	return fmt.Sprintf("%s of %s", head, id), nil
}

func (h *handler) keywords(r request) (string, error) {
	h.s.Keywords(r.Queries)
	return "", nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// Dir is the direction a text is shown in: rtl when its first strongly directional character
// is right-to-left (Arabic, Hebrew, ...), ltr otherwise. This is the first-strong rule of the
// Unicode Bidirectional Algorithm (UAX #9, rules P2 and P3), as HTML's dir=auto applies it;
// computing it here lets the page set dir on each text and tests check it.
func Dir(text string) string {
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return "ltr"
		case bidi.R, bidi.AL:
			return "rtl"
		}
	}
	return "ltr"
}

// TitleAndLead splits an article into the title and lead the page shows: its first line and
// the start of the rest when it has several lines; a one-line article of up to 160 characters
// (a target topic, a claim, a headline) is all title; a longer one is all lead. The lead is
// clipped to 400 characters.
func TitleAndLead(article string) (title, lead string) {
	article = strings.TrimSpace(article)
	if first, rest, ok := strings.Cut(article, "\n"); ok {
		title, lead = strings.TrimSpace(first), strings.TrimSpace(rest)
	} else if utf8.RuneCountInString(article) <= 160 {
		return article, ""
	} else {
		lead = article
	}
	if r := []rune(lead); len(r) > 400 {
		lead = strings.TrimSpace(string(r[:400])) + "…"
	}
	return title, lead
}

// Serve answers requests on ln with handler until ctx ends, then shuts down gracefully: as
// package serve does, it stops accepting, lets in-flight requests finish for up to
// shutdownTimeout and returns nil after a clean shutdown. The timeouts are serve's defaults:
// a page on the loopback, answered in milliseconds.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, shutdownTimeout time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("label: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		hs.Close()
		return fmt.Errorf("label: shutdown: %w", err)
	}
	return nil
}
