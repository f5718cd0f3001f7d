// Package serve scores comments over HTTP as a comment platform asks for them: one at a time as
// they are posted, before they are shown, or in batches and streams.
//
// It answers two APIs from one model file:
//   - Perspective's AnalyzeComment (POST /v1alpha1/comments:analyze), so that a client written
//     for Google's Perspective API works by changing only its base URL (see docs/SERVE.md for
//     the mapping and what is not supported);
//   - a native one (POST /v1/score, POST /v1/articles) that answers the rows stance export
//     writes, as JSON, for one comment, a JSON array or an NDJSON stream.
//
// Requests enter through Server.Handler; each takes the model that is current when it starts
// and keeps it to its end, so that Reload (loading and checking a new file aside, then swapping
// it in) never fails a request nor mixes two models in one answer. Scores come from the
// classifier's public API (classifier.LoadScoreOnly, Model.NewScorer, Scorer.Score), as the
// commands compute them. Limits (body, comment and batch size, concurrent requests, timeouts)
// are fields of Config, each with a documented default.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commentstance/stance/classifier"
)

// Config is what a Server needs. Every field's zero value means its default, given in its
// comment; New fills them in.
type Config struct {
	// ModelPath is the model file served, read again on Reload. Required.
	ModelPath string
	// Describe, when set, says what a model holds for GET /v1/model (stance info's JSON).
	// Without it /v1/model gives the heads and classes alone.
	Describe func(m *classifier.Model, path string, size int64) any
	// LoadLimits bounds the model file and its memory, at start and on every reload; the zero
	// value means classifier's defaults.
	LoadLimits classifier.LoadLimits
	// LoadError, when set, rewords an error of loading the model (at start or on a reload)
	// before it is answered and logged: a front end says the limits in its own terms.
	LoadError func(error) error

	// MaxBodyBytes bounds a request body; more is refused with 413. Default 4 MiB: a batch of
	// MaxBatch comments of a few hundred characters each, with room. An NDJSON stream is not
	// bounded in total, but each of its lines is.
	MaxBodyBytes int64
	// MaxCommentChars bounds a comment's text, in Unicode code points. Default 20480,
	// Perspective's limit ("text over the limit" is its 400 INVALID_ARGUMENT).
	MaxCommentChars int
	// MaxBatch bounds the comments of one JSON array sent to /v1/score. Default 1000.
	MaxBatch int
	// MaxConcurrent bounds the scoring requests served at once; the next is refused with 429
	// and a Retry-After header. Default 256: above any load generator's connections here, and
	// small enough that each holds a scorer (a few hundred KB) without the memory running off.
	MaxConcurrent int
	// RetryAfter is the Retry-After of a 429, rounded up to whole seconds. Default 1s.
	RetryAfter time.Duration

	// Timeouts of http.Server, so that slow clients cannot hold connections. ReadHeaderTimeout
	// defaults to 5s, ReadTimeout (the whole request) to 30s, WriteTimeout (the answer) to 30s,
	// IdleTimeout (a kept-alive connection between requests) to 120s. On an NDJSON stream the
	// read and write deadlines move forward by ReadTimeout and WriteTimeout at each line.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for in-flight requests when its context ends.
	// Default 15s.
	ShutdownTimeout time.Duration

	// MaxArticles and MaxArticleBytes bound the articles registered with POST /v1/articles: by
	// count (default 10000) and by the bytes of their texts (default 64 MiB). Past either, the
	// least recently used articles are evicted, and a comment naming one gets 404 until it is
	// registered again.
	MaxArticles     int
	MaxArticleBytes int64

	// Token, when set, is required of every request but /healthz, /readyz and /metrics, as
	// "Authorization: Bearer TOKEN" or as Perspective clients send their API key (?key=TOKEN).
	Token string
	// AdminToken, when set, is required of POST /v1/admin/reload (as a bearer token); without
	// it the endpoint takes Token, or anyone when neither is set.
	AdminToken string

	// Logger takes one structured line per request (method, path, status, bytes, duration,
	// comments, error). Default: none (slog.DiscardHandler). Comment text is never logged unless
	// LogText is set.
	Logger  *slog.Logger
	LogText bool
}

// Defaults.
const (
	DefaultMaxBodyBytes    = 4 << 20
	DefaultMaxCommentChars = 20480 // Perspective API's documented limit
	DefaultMaxBatch        = 1000
	DefaultMaxConcurrent   = 256
	DefaultMaxArticles     = 10000
	DefaultMaxArticleBytes = 64 << 20
)

func (c *Config) fill() {
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.MaxCommentChars, DefaultMaxCommentChars)
	setDefault(&c.MaxBatch, DefaultMaxBatch)
	setDefault(&c.MaxConcurrent, DefaultMaxConcurrent)
	setDefault(&c.RetryAfter, time.Second)
	setDefault(&c.ReadHeaderTimeout, 5*time.Second)
	setDefault(&c.ReadTimeout, 30*time.Second)
	setDefault(&c.WriteTimeout, 30*time.Second)
	setDefault(&c.IdleTimeout, 120*time.Second)
	setDefault(&c.ShutdownTimeout, 15*time.Second)
	setDefault(&c.MaxArticles, DefaultMaxArticles)
	setDefault(&c.MaxArticleBytes, DefaultMaxArticleBytes)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func setDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Server serves one model file over HTTP. Make it with New.
type Server struct {
	cfg      Config
	model    atomic.Pointer[loaded]
	reloadMu sync.Mutex // one reload at a time
	articles *articleStore
	metrics  *metrics
	slots    chan struct{} // MaxConcurrent scoring requests
	draining atomic.Bool   // Serve's context ended: /readyz says so
	handler  http.Handler
}

// New loads and checks cfg.ModelPath and returns a Server ready to serve it.
func New(cfg Config) (*Server, error) {
	if cfg.ModelPath == "" {
		return nil, errors.New("serve: no model file (Config.ModelPath)")
	}
	cfg.fill()
	s := &Server{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent)}
	s.metrics = newMetrics()
	s.articles = newArticleStore(cfg.MaxArticles, cfg.MaxArticleBytes, s.metrics)
	m, err := load(cfg.ModelPath, cfg.MaxConcurrent+runtime.GOMAXPROCS(0), cfg.LoadLimits, cfg.LoadError)
	if err != nil {
		return nil, err
	}
	s.model.Store(m)
	s.metrics.setModel(m, nil)
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Version is the version (a digest of the file) of the model being served.
func (s *Server) Version() string { return s.model.Load().version }

// ReloadResult is what a reload did.
type ReloadResult struct {
	Version  string `json:"version"`  // the model served now
	Previous string `json:"previous"` // the model served before
	Path     string `json:"path"`
}

// Reload reads Config.ModelPath again, checks the new model aside (it loads, and scores a
// probe comment to finite probabilities), and only then swaps it in: requests that started
// before keep the old model to their end, and later ones get the new. On any error the old
// model keeps serving and the error says why.
func (s *Server) Reload() (ReloadResult, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.model.Load()
	m, err := load(s.cfg.ModelPath, s.cfg.MaxConcurrent+runtime.GOMAXPROCS(0), s.cfg.LoadLimits, s.cfg.LoadError)
	if err != nil {
		s.metrics.reloads.WithLabelValues("error").Inc()
		s.cfg.Logger.Error("model reload failed; the old model keeps serving", "path", s.cfg.ModelPath, "version", old.version, "error", err.Error())
		return ReloadResult{Version: old.version, Previous: old.version, Path: s.cfg.ModelPath}, err
	}
	s.model.Store(m)
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.metrics.setModel(m, old)
	s.cfg.Logger.Info("model reloaded", "path", s.cfg.ModelPath, "version", m.version, "previous", old.version)
	return ReloadResult{Version: m.version, Previous: old.version, Path: s.cfg.ModelPath}, nil
}

// TLS names a certificate and key (PEM files) to serve HTTPS with.
type TLS struct{ CertFile, KeyFile string }

// Serve answers requests on ln until ctx ends, then shuts down gracefully: it stops accepting
// connections, lets in-flight requests finish for up to Config.ShutdownTimeout
// (http.Server.Shutdown), and returns. With tlsFiles set it serves HTTPS. It returns nil after a
// clean shutdown, or the error that stopped it.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsFiles *TLS) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	if tlsFiles != nil {
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		if tlsFiles != nil {
			err = hs.ServeTLS(ln, tlsFiles.CertFile, tlsFiles.KeyFile)
		} else {
			err = hs.Serve(ln)
		}
		errc <- err
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.cfg.Logger.Info("shutting down: finishing in-flight requests", "deadline", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		hs.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	s.cfg.Logger.Info("shut down")
	return nil
}
