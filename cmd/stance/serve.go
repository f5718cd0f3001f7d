package main

import (
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/internal/logbuf"
	"github.com/commentstance/stance/serve"
)

// logDelay is the longest a line of serve's log waits before it is written out.
const logDelay = 100 * time.Millisecond

// serveDefaults are the serve.* keys of the configuration (config.go's defaults() takes them
// in), each with its built-in value: package serve's defaults, for the limits.
func serveDefaults() map[string]any {
	return map[string]any{
		"serve.addr":                "127.0.0.1:8080",
		"serve.tls_cert":            "",
		"serve.tls_key":             "",
		"serve.token":               "",
		"serve.admin_token":         "",
		"serve.log_text":            false,
		"serve.max_body_bytes":      serve.DefaultMaxBodyBytes,
		"serve.max_comment_chars":   serve.DefaultMaxCommentChars,
		"serve.max_batch":           serve.DefaultMaxBatch,
		"serve.max_concurrent":      serve.DefaultMaxConcurrent,
		"serve.max_articles":        serve.DefaultMaxArticles,
		"serve.max_article_bytes":   serve.DefaultMaxArticleBytes,
		"serve.read_header_timeout": "5s",
		"serve.read_timeout":        "30s",
		"serve.write_timeout":       "30s",
		"serve.idle_timeout":        "120s",
		"serve.shutdown_timeout":    "15s",
	}
}

func newServe(e *env) *cobra.Command {
	var modelPath string
	cmd := &cobra.Command{
		Use:   "serve --model FILE [--addr HOST:PORT]",
		Short: "Score comments over HTTP: Perspective's AnalyzeComment, and a native batch and stream API",
		Long: `serve answers HTTP requests with a model's scores, as a comment platform asks for them when a
comment is posted:

  POST /v1alpha1/comments:analyze  Perspective API's AnalyzeComment: point a Perspective client's
                                   base URL here. Attributes are HEAD_CLASS upper-cased
                                   (STANCE_FAVOR); context.entries[].text is the article.
  POST /v1/score                   one comment {"text", "article" or "article_id"}, a JSON array of
                                   them, or NDJSON (Content-Type: application/x-ndjson) streamed in
                                   and out: export's rows as JSON, in input order
  POST /v1/articles                register {"id", "text"} (or an array) once for article_id
  GET  /healthz, /readyz, /metrics (Prometheus), /v1/model (stance info's JSON)
  POST /v1/admin/reload            reload --model, as SIGHUP does

It binds to 127.0.0.1 unless --addr says otherwise. SIGTERM or SIGINT stop it gracefully
(in-flight requests finish, up to serve.shutdown_timeout); SIGHUP and /v1/admin/reload load the
model file again, check it aside and swap it in, keeping the old one on a bad file. Limits and
timeouts are the serve.* keys of config.yaml (STANCE_SERVE_MAX_BATCH=500 and so on); the
tokens are best given as STANCE_SERVE_TOKEN and STANCE_SERVE_ADMIN_TOKEN. Access logs are JSON
lines on standard error, without comment text unless --log-text. See docs/SERVE.md.`,
		Example: `  stance serve --model out/sample.stance
  STANCE_SERVE_TOKEN=s3cret stance serve --model out/sample.stance --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  curl -s localhost:8080/v1alpha1/comments:analyze -d '{"comment":{"text":"About time!"},"context":{"entries":[{"text":"Council approves congestion charge"}]},"requestedAttributes":{"STANCE_FAVOR":{}}}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runServe(cmd, modelPath) },
	}
	addServeFlags(cmd.Flags(), &modelPath)
	return cmd
}

// addServeFlags registers serve's flags: --model sets *modelPath; the others are read through
// the settings, under serve.
func addServeFlags(f *pflag.FlagSet, modelPath *string) {
	f.StringVar(modelPath, "model", "", "the model to serve; reloaded on SIGHUP")
	f.String("addr", "127.0.0.1:8080", "address to listen on (serve.addr); 0.0.0.0:PORT to listen beyond this host")
	f.String("tls-cert", "", "serve HTTPS with this certificate (PEM; serve.tls_cert)")
	f.String("tls-key", "", "the certificate's private key (PEM; serve.tls_key)")
	f.Bool("log-text", false, "put comment text in the access log (serve.log_text)")
	f.Int64("max-body-bytes", serve.DefaultMaxBodyBytes, "request body limit in bytes, 413 beyond (serve.max_body_bytes)")
	f.Int("max-comment-chars", serve.DefaultMaxCommentChars, "comment limit in characters (serve.max_comment_chars)")
	f.Int("max-batch", serve.DefaultMaxBatch, "comments in one JSON array to /v1/score (serve.max_batch)")
	f.Int("max-concurrent", serve.DefaultMaxConcurrent, "scoring requests at once, 429 beyond (serve.max_concurrent)")
}

// runServe is serve's work once its flags are parsed: serve the model at modelPath until the
// command is stopped, reloading it on SIGHUP.
func (e *env) runServe(cmd *cobra.Command, modelPath string) error {
	bind := map[string]string{}
	for _, k := range []string{"addr", "tls-cert", "tls-key", "log-text", "max-body-bytes", "max-comment-chars", "max-batch", "max-concurrent"} {
		bind["serve."+flagKey(k)] = k
	}
	st, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), bind)
	if err != nil {
		return err
	}
	if modelPath == "" {
		return usageErr("%v", errNoModel)
	}
	cfg, addr, tlsFiles, err := serveConfig(st.Serve, modelPath)
	if err != nil {
		return err
	}
	// Access logs go out in batches (logbuf): a write(2) per request cost the
	// server as much as parsing the request did.
	logs := logbuf.New(e.stderr, logDelay)
	defer logs.Flush()
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	cfg.Describe = func(m *classifier.Model, path string, size int64) any { return describeModel(path, size, m) }
	s, err := serve.New(cfg)
	if err != nil {
		return asUsage(err)
	}
	// Registered before the port opens, so that a SIGHUP sent once it is open reloads
	// rather than ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErr("--addr %s: %v", addr, err)
	}
	scheme := "http"
	if tlsFiles != nil {
		scheme = "https"
	}
	cfg.Logger.Info("listening", "url", scheme+"://"+ln.Addr().String(), "model", modelPath, "version", s.Version())
	ctx := cmd.Context()
	go func() {
		for {
			select {
			case <-hup:
				s.Reload() // logs its outcome; a bad file keeps the old model
			case <-ctx.Done():
				return
			}
		}
	}()
	return s.Serve(ctx, ln, tlsFiles)
}

// flagKey is the configuration key of a flag: tls-cert -> tls_cert.
func flagKey(flag string) string {
	b := []byte(flag)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// serveSettings are the serve.* keys (serveDefaults gives their defaults).
type serveSettings struct {
	Addr              string        `mapstructure:"addr"`
	TLSCert           string        `mapstructure:"tls_cert"`
	TLSKey            string        `mapstructure:"tls_key"`
	Token             string        `mapstructure:"token"`
	AdminToken        string        `mapstructure:"admin_token"`
	LogText           bool          `mapstructure:"log_text"`
	MaxBodyBytes      int64         `mapstructure:"max_body_bytes"`
	MaxCommentChars   int           `mapstructure:"max_comment_chars"`
	MaxBatch          int           `mapstructure:"max_batch"`
	MaxConcurrent     int           `mapstructure:"max_concurrent"`
	MaxArticles       int           `mapstructure:"max_articles"`
	MaxArticleBytes   int64         `mapstructure:"max_article_bytes"`
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	ReadTimeout       time.Duration `mapstructure:"read_timeout"`
	WriteTimeout      time.Duration `mapstructure:"write_timeout"`
	IdleTimeout       time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout   time.Duration `mapstructure:"shutdown_timeout"`
}

// serveConfig checks the serve.* settings and makes them a serve.Config, the address and the
// TLS files. A zero or negative limit is refused here: serve.Config would read it as "the
// default", which is not what the user wrote.
func serveConfig(ss serveSettings, modelPath string) (serve.Config, string, *serve.TLS, error) {
	cfg := serve.Config{
		ModelPath:         modelPath,
		MaxBodyBytes:      ss.MaxBodyBytes,
		MaxCommentChars:   ss.MaxCommentChars,
		MaxBatch:          ss.MaxBatch,
		MaxConcurrent:     ss.MaxConcurrent,
		MaxArticles:       ss.MaxArticles,
		MaxArticleBytes:   ss.MaxArticleBytes,
		ReadHeaderTimeout: ss.ReadHeaderTimeout,
		ReadTimeout:       ss.ReadTimeout,
		WriteTimeout:      ss.WriteTimeout,
		IdleTimeout:       ss.IdleTimeout,
		ShutdownTimeout:   ss.ShutdownTimeout,
		Token:             ss.Token,
		AdminToken:        ss.AdminToken,
		LogText:           ss.LogText,
		LoadLimits:        modelLimits,
		LoadError:         inConfigTerms,
	}
	for k, d := range map[string]time.Duration{"read_header_timeout": ss.ReadHeaderTimeout, "read_timeout": ss.ReadTimeout,
		"write_timeout": ss.WriteTimeout, "idle_timeout": ss.IdleTimeout, "shutdown_timeout": ss.ShutdownTimeout} {
		if d <= 0 {
			return cfg, "", nil, usageErr("serve.%s %v: want a positive duration such as 30s", k, d)
		}
	}
	for k, n := range map[string]int64{"max_body_bytes": ss.MaxBodyBytes, "max_comment_chars": int64(ss.MaxCommentChars),
		"max_batch": int64(ss.MaxBatch), "max_concurrent": int64(ss.MaxConcurrent), "max_articles": int64(ss.MaxArticles),
		"max_article_bytes": ss.MaxArticleBytes} {
		if n <= 0 {
			return cfg, "", nil, usageErr("serve.%s %d: want a positive number", k, n)
		}
	}
	var tlsFiles *serve.TLS
	switch cert, key := ss.TLSCert, ss.TLSKey; {
	case cert != "" && key != "":
		if _, err := tls.LoadX509KeyPair(cert, key); err != nil { // now, rather than at the first connection
			return cfg, "", nil, usageErr("--tls-cert %s, --tls-key %s: %v", cert, key, err)
		}
		tlsFiles = &serve.TLS{CertFile: cert, KeyFile: key}
	case cert != "" || key != "":
		return cfg, "", nil, usageErr("give both --tls-cert and --tls-key, or neither")
	}
	return cfg, ss.Addr, tlsFiles, nil
}
