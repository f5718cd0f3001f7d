package serve

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// route is one endpoint: its method, what it needs, and its name in metrics.
type route struct {
	method, path, name string
	auth               authLevel
	limited            bool // takes one of MaxConcurrent slots
	streams            bool // takes NDJSON streams, whose lines are bounded rather than the body
	h                  http.HandlerFunc
}

type authLevel int

const (
	open  authLevel = iota // probes and metrics: no token
	user                   // Config.Token
	admin                  // Config.AdminToken, else Config.Token
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	rs := []route{
		{"GET", "/healthz", "healthz", open, false, false, s.healthz},
		{"GET", "/readyz", "readyz", open, false, false, s.readyz},
		{"GET", "/metrics", "metrics", open, false, false, s.metrics.handler().ServeHTTP},
		{"POST", "/v1alpha1/comments:analyze", "analyze", user, true, false, s.analyze},
		{"POST", "/v1/score", "score", user, true, true, s.score},
		{"POST", "/v1/articles", "articles", user, true, false, s.putArticles},
		{"DELETE", "/v1/articles/{id}", "articles_delete", user, false, false, s.deleteArticle},
		{"GET", "/v1/model", "model", user, false, false, s.describe},
		{"POST", "/v1/admin/reload", "reload", admin, false, false, s.reload},
		{"GET", "/$discovery/rest", "discovery", open, false, false, s.discovery},
		{"GET", "/discovery/v1/apis/commentanalyzer/v1alpha1/rest", "discovery", open, false, false, s.discovery},
	}
	for _, rt := range rs {
		mux.Handle(rt.path, s.wrap(rt))
	}
	mux.Handle("/", s.wrap(route{name: "other", h: func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("no such endpoint: "+r.URL.Path+" (see docs/SERVE.md)"))
	}}))
	return mux
}

// reqInfo is what a handler tells the access log and the metrics of its request.
type reqInfo struct {
	comments int
	err      *apiError
	text     string // the comment, logged only with Config.LogText
}

// statusWriter records the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	info   reqInfo
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes, deadlines, full duplex).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var writers = sync.Pool{New: func() any { return new(statusWriter) }}

// wrap adds to a route's handler what every request gets: the method check, authentication,
// the concurrency limit, the body limit, metrics and one access-log line.
func (s *Server) wrap(rt route) http.Handler {
	lat := s.metrics.latency.WithLabelValues(rt.name)
	comments := s.metrics.comments.WithLabelValues(rt.name)
	codes := map[int]prometheus.Counter{}
	var codesMu sync.Mutex
	counter := func(code int) prometheus.Counter {
		codesMu.Lock()
		defer codesMu.Unlock()
		c, ok := codes[code]
		if !ok {
			c = s.metrics.requests.WithLabelValues(rt.name, strconv.Itoa(code))
			codes[code] = c
		}
		return c
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := writers.Get().(*statusWriter)
		*w = statusWriter{ResponseWriter: rw}
		defer func() {
			if w.status == 0 {
				w.status = http.StatusOK
			}
			d := time.Since(start)
			lat.Observe(d.Seconds())
			counter(w.status).Inc()
			if w.info.comments > 0 {
				comments.Add(float64(w.info.comments))
			}
			if w.info.err != nil {
				s.metrics.errors.WithLabelValues(w.info.err.kind).Inc()
			}
			s.logRequest(r, w, d)
			*w = statusWriter{}
			writers.Put(w)
		}()
		if rt.method != "" && r.Method != rt.method {
			w.Header().Set("Allow", rt.method)
			writeError(w, methodNotAllowed(rt.method+" "+rt.path))
			return
		}
		if !s.authorized(r, rt.auth) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stance"`)
			writeError(w, unauthenticated())
			return
		}
		if rt.limited {
			select {
			case s.slots <- struct{}{}:
				defer func() { <-s.slots }()
			default:
				secs := int((s.cfg.RetryAfter + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeError(w, busy())
				return
			}
			s.metrics.inflight.Inc()
			defer s.metrics.inflight.Dec()
		}
		if r.Body != nil && !(rt.streams && isStream(r)) {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		rt.h(w, r)
	})
}

func (s *Server) logRequest(r *http.Request, w *statusWriter, d time.Duration) {
	level := slog.LevelInfo
	if w.status >= 500 {
		level = slog.LevelError
	}
	if !s.cfg.Logger.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", w.status), slog.Int64("bytes", w.bytes),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("remote", r.RemoteAddr),
	}
	if w.info.comments > 0 {
		attrs = append(attrs, slog.Int("comments", w.info.comments))
	}
	if w.info.err != nil {
		attrs = append(attrs, slog.String("error", w.info.err.Message))
	}
	if s.cfg.LogText && w.info.text != "" {
		attrs = append(attrs, slog.String("text", w.info.text))
	}
	s.cfg.Logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// authorized checks the request's token against the one its route needs, in constant time.
func (s *Server) authorized(r *http.Request, level authLevel) bool {
	want := s.cfg.Token
	switch level {
	case open:
		return true
	case admin:
		if s.cfg.AdminToken != "" {
			want = s.cfg.AdminToken
		}
	}
	if want == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && level == user {
		got = r.URL.Query().Get("key") // Perspective clients send their API key so
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	l := s.model.Load()
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "shutting down", "version": l.version})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "version": l.version})
}

// modelJSON is GET /v1/model's answer.
type modelJSON struct {
	Version  string    `json:"version"`
	Path     string    `json:"path"`
	LoadedAt time.Time `json:"loaded_at"`
	// Attributes are the Perspective attribute names the model answers.
	Attributes []string `json:"attributes"`
	// Info is what stance info --format json says of the file (Config.Describe), or the heads
	// and their classes.
	Info any `json:"info"`
}

func (s *Server) describe(w http.ResponseWriter, r *http.Request) {
	l := s.model.Load()
	out := modelJSON{Version: l.version, Path: l.path, LoadedAt: l.at}
	for _, a := range l.attrs {
		out.Attributes = append(out.Attributes, a.name)
	}
	if s.cfg.Describe != nil {
		out.Info = s.cfg.Describe(l.m, l.path, l.size)
	} else {
		heads := map[string][]string{}
		for _, h := range l.m.Heads {
			heads[h.Name] = h.Classes
		}
		out.Info = map[string]any{"heads": heads}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	res, err := s.Reload()
	if err != nil {
		writeError(w, &apiError{Code: http.StatusUnprocessableEntity, Status: "FAILED_PRECONDITION", kind: "reload",
			Message: "reload failed; the model " + res.Version + " keeps serving: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{Code: 500, Message: err.Error(), Status: "INTERNAL", kind: "internal"})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads a request body whole, within Config.MaxBodyBytes. Give the buffer back with
// bodies.Put when done with its bytes.
func readBody(r *http.Request) (*bytes.Buffer, *apiError) {
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(r.Body); err != nil {
		bodies.Put(buf)
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, tooLarge("request body over " + strconv.FormatInt(mb.Limit, 10) + " bytes (max_body_bytes)")
		}
		return nil, badRequest("reading the request body: " + err.Error())
	}
	return buf, nil
}
