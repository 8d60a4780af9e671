package main

// ops.go is what an operator runs hppbot with, beside the chat surfaces:
// the command-line flags, --check-config, the connection to Redis (TLS with
// a private CA), go-redis's own log lines, the bound on request bodies, and
// the health and metrics endpoints the console serves when HPP_ADDR is set.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/app"
	"hppbot/store"
)

// flags are hppbot's command-line flags.
type flags struct {
	checkConfig bool // validate the configuration and exit
	serve       bool // run the HTTP server even with no chat platform
	help        bool
}

const usage = `Usage: hppbot [--check-config | --serve]
       hppbot purge [--dry-run]

With no chat platform configured, hppbot starts the terminal console;
with Slack or Teams configured, it serves them over HTTP (HPP_ADDR).
Configuration is in the environment: see .env.example.

  --check-config  check the configuration (and that Redis answers, if
                  REDIS_URL is set), print one line and exit: 0 when it is
                  good, 1 when Redis does not answer, 2 when a value is wrong
  --serve         run the HTTP server (/healthz, /readyz, /metrics) and the
                  reminder scheduler even when no chat platform is
                  configured, instead of the console

  purge           remove the closed cases kept past the policy's
                  retention.closed_case_keep (the scheduler does it
                  nightly); --dry-run lists them and removes nothing
`

// parseFlags reads the command line.
func parseFlags(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("hppbot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&f.checkConfig, "check-config", false, "")
	fs.BoolVar(&f.serve, "serve", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flags{help: true}, nil
		}
		return f, fmt.Errorf("%v (hppbot --help lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected %q: hppbot takes only flags (hppbot --help lists them)", fs.Arg(0))
	}
	if f.checkConfig && f.serve {
		return f, fmt.Errorf("--check-config and --serve don't go together: --check-config only checks and exits")
	}
	return f, nil
}

// connectRedis opens the Redis at REDIS_URL, trusting HPP_REDIS_CA_FILE's
// CA for rediss://.
func connectRedis(cfg *config) (*store.Store, error) {
	return connectRedisWith(cfg, nil)
}

// connectRedisWith is connectRedis with the client's options adjusted by
// adjust (when not nil).
func connectRedisWith(cfg *config, adjust func(o *redis.UniversalOptions)) (*store.Store, error) {
	o, err := store.Options(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	if cfg.RedisCA != nil && o.TLSConfig != nil {
		o.TLSConfig.RootCAs = cfg.RedisCA
	}
	if adjust != nil {
		adjust(o)
	}
	return store.NewWithOptions(o, cfg.Prefix), nil
}

// checkConfig is --check-config: the configuration has been read and
// checked already; this tries Redis and prints one line.
func checkConfig(cfg *config, stdout, stderr io.Writer) int {
	p := cfg.Policy
	summary := []string{
		"nation " + string(p.Nation),
		"time zone " + p.Location().String(),
		"policy " + orText(cfg.PolicyFile, "built-in defaults"),
		"prompts " + orText(cfg.PromptsDir, "built-in"),
		"surfaces " + surfaces(cfg),
	}
	if cfg.RedisURL == "" {
		summary = append(summary, "Redis not set (an embedded in-memory store: nothing is kept when hppbot stops)")
		fmt.Fprintln(stdout, "configuration OK: "+strings.Join(summary, ", "))
		return 0
	}
	where := describeRedis(cfg.RedisURL)
	redis.SetLogger(redisLogger{slog.New(slog.DiscardHandler)}) // the one line below says it all
	// An operator's check, not a command: it may wait for a slow TLS
	// handshake, so that what it reports is the real failure, not a timeout.
	st, err := connectRedisWith(cfg, func(o *redis.UniversalOptions) { o.DialTimeout, o.ReadTimeout = 3*time.Second, 3*time.Second })
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: REDIS_URL: %v\n", err)
		return 2
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		fmt.Fprintf(stderr, "hppbot: REDIS_URL: %s did not answer (%v)\n", where, store.Redact(err))
		return 1
	}
	summary = append(summary, where+" answers (key prefix "+cfg.Prefix+")")
	fmt.Fprintln(stdout, "configuration OK: "+strings.Join(summary, ", "))
	return 0
}

// surfaces names the chat platforms configured.
func surfaces(cfg *config) string {
	var on []string
	if cfg.SlackToken != "" && cfg.SlackSecret != "" {
		on = append(on, "Slack over HTTP")
	}
	if cfg.SlackApp != "" {
		on = append(on, "Slack Socket Mode")
	}
	if cfg.TeamsID != "" {
		on = append(on, "Teams")
	}
	if len(on) == 0 {
		return "none (the console)"
	}
	return strings.Join(on, " and ")
}

// describeRedis says where Redis is, without the password.
func describeRedis(raw string) string {
	o, err := store.Options(raw)
	if err != nil {
		return "Redis"
	}
	kind := "Redis"
	switch {
	case o.MasterName != "":
		kind = "Redis Sentinel (master " + o.MasterName + ")"
	case len(o.Addrs) > 1:
		kind = "Redis Cluster"
	}
	if o.TLSConfig != nil {
		kind += " over TLS"
	}
	return kind + " at " + strings.Join(o.Addrs, ",")
}

func orText(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// redisLogger sends go-redis's own log lines through slog, so they are JSON
// in production like every other line. They are about connections; a
// failed dial is logged at debug, because hppbot says once per outage that
// Redis does not answer.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	level := slog.LevelWarn
	if strings.Contains(msg, "failed to dial") {
		level = slog.LevelDebug
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	l.log.Log(ctx, level, "redis client", "detail", msg)
}

// maxBody bounds a request body. Slack and Teams send far less; anything
// bigger is refused before a surface reads it.
const maxBody = 1 << 20

// limitBody refuses bodies over maxBody.
func limitBody(h http.Handler) http.Handler { return http.MaxBytesHandler(h, maxBody) }

// healthRoutes adds GET /healthz (the process is up), GET /readyz (Redis
// would answer hppbot's commands, within a second: on a Redis Cluster, the
// cluster is not down — see store.Ready) and GET /metrics.
func healthRoutes(mux *http.ServeMux, st *store.Store, m *app.Metrics) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := st.Ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			if errors.Is(err, store.ErrClusterDown) {
				fmt.Fprintln(w, "redis: the cluster is down (cluster_state is not ok)")
				return
			}
			fmt.Fprintln(w, "redis: not answering")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", m.Handler())
}

// webRoutes serves the web pages at "/" (every path no other route takes)
// when HPP_PUBLIC_URL is set.
func webRoutes(mux *http.ServeMux, core *app.App, log *slog.Logger) {
	if core.Web == nil {
		return
	}
	mux.Handle("/", core.Web)
	log.Info("web pages on", "url", core.Web.PublicURL())
}

// serveOps serves the health and metrics endpoints on HPP_ADDR beside the
// console, so its readiness and counters can be watched, and the web pages
// when HPP_PUBLIC_URL is set. The returned function shuts the server down,
// letting requests in flight finish.
func serveOps(cfg *config, st *store.Store, core *app.App, log *slog.Logger) (func(), error) {
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("HPP_ADDR: %v", err)
	}
	mux := http.NewServeMux()
	healthRoutes(mux, st, core.Metrics)
	webRoutes(mux, core, log)
	srv := &http.Server{Handler: limitBody(mux), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health and metrics endpoints stopped", "err", err)
		}
	}()
	log.Info("health and metrics endpoints listening", "addr", l.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
