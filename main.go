// hppbot is a chat bot for Slack and Microsoft Teams that helps healthcare
// staff put the Harmed Patient Pathway into practice. With nothing
// configured, `go run .` starts a terminal console on an embedded store.
//
// main.go is wiring only: read the configuration, build the store, the core
// (app.New: metrics, handlers, scheduler) and the surfaces; run; shut down.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // time zones work on machines without zoneinfo

	"github.com/redis/go-redis/v9"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/bot/console"
	"hppbot/bot/slack"
	"hppbot/bot/teams"
	"hppbot/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "teams-package" {
		return runTeamsPackage(args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "purge" {
		return runPurge(args[1:], getenv, stdout, stderr, time.Now)
	}
	fl, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: %v\n", err)
		return 2
	}
	if fl.help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := readConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: %v\n", err)
		return 2
	}
	if fl.checkConfig {
		return checkConfig(cfg, stdout, stderr)
	}
	cfg.Serve = fl.serve
	interactive := false
	if f, ok := stdin.(*os.File); ok && cfg.console() {
		if fi, err := f.Stat(); err == nil {
			interactive = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	log := newLogger(cfg, stderr, interactive)
	redis.SetLogger(redisLogger{log})

	st, err := openStore(cfg, log, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: REDIS_URL: %v\n", err)
		return 2
	}
	defer st.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if cfg.console() {
		return runConsole(ctx, cfg, st, log, stdin, stdout, interactive)
	}
	if err := serve(ctx, cfg, st, log); err != nil {
		fmt.Fprintf(stderr, "hppbot: %v\n", err)
		return 1
	}
	return 0
}

// serve runs the chat surfaces, the health endpoints and the scheduler
// until ctx ends, then shuts down gracefully: stop taking requests, finish
// the ones in flight, let the scheduler acknowledge or release its claims.
func serve(ctx context.Context, cfg *config, st *store.Store, log *slog.Logger) error {
	router := bot.Router{}
	core := app.New(app.Config{
		Store: st, Policy: cfg.Policy, Messenger: router, Admins: cfg.Admins, Log: log, Prompts: cfg.Prompts,
		PublicURL: cfg.PublicURL, WebSessionIdle: cfg.WebIdle, WebSessionMax: cfg.WebMax,
		TeamsSSO: teamsSignIn(ctx, cfg, st, log),
		Limits:   cfg.Limits,
	})
	h, sched := core.Handlers, core.Scheduler

	mux := http.NewServeMux()
	healthRoutes(mux, st, core.Metrics)
	webRoutes(mux, core, log)
	var slackSurface *slack.Surface
	if cfg.SlackToken != "" {
		var err error
		slackSurface, err = slack.New(slack.Config{
			Token: cfg.SlackToken, SigningSecret: cfg.SlackSecret, AppToken: cfg.SlackApp,
			APIURL: cfg.SlackAPI, Command: cfg.SlackCmd, Handler: h, Names: st.Names(), Requests: st, Log: log,
		})
		if err != nil {
			return err
		}
		router[bot.Slack] = slackSurface
		if cfg.SlackSecret != "" {
			slackSurface.Routes(mux)
			log.Info("Slack over HTTP: POST /slack/commands, /slack/interactivity, /slack/events")
		}
		if cfg.SlackApp != "" {
			go func() {
				if err := slackSurface.RunSocketMode(ctx); err != nil {
					log.Error("Slack Socket Mode stopped", "err", err)
				}
			}()
		}
	}
	if cfg.TeamsID != "" {
		surface, err := teams.New(teams.Config{
			AppID: cfg.TeamsID, AppPassword: cfg.TeamsPass, Tenant: cfg.TeamsTenant,
			OpenIDURL: cfg.OpenIDURL, TokenURL: cfg.TokenURL, Store: st, Handler: h, Log: log,
		})
		if err != nil {
			return fmt.Errorf("Teams: %v", err)
		}
		router[bot.Teams] = surface
		mux.Handle("POST /api/messages", surface)
		go surface.Warm(ctx)
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           limitBody(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	if err := sched.Start(); err != nil {
		return fmt.Errorf("scheduler: %v", err)
	}
	go func() {
		// Cases stored before the incident-reference index existed are
		// indexed now, so no one's first lookup by reference waits for it.
		if err := st.IndexRefs(ctx); err != nil {
			log.Warn("incident references not indexed yet; the first lookup by reference will do it", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() {
		log.Info("hppbot listening", "addr", cfg.Addr)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HPP_ADDR: %v", err)
		}
		close(errc)
	}()
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	log.Info("hppbot shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	sched.Stop()
	h.Wait() // a large report's figures still being worked out go first
	if slackSurface != nil {
		slackSurface.Close()
	}
	return runErr
}

func newLogger(cfg *config, w io.Writer, interactive bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.console() {
		// In the console, logs share the terminal: text, and quiet unless asked.
		if interactive && cfg.LogLevel < slog.LevelWarn {
			opts.Level = slog.LevelWarn
		}
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func openStore(cfg *config, log *slog.Logger, stderr io.Writer) (*store.Store, error) {
	if cfg.RedisURL == "" {
		if cfg.console() {
			fmt.Fprintln(stderr, "hppbot: REDIS_URL is not set, so this uses an embedded in-memory store — nothing is kept when hppbot stops.")
		} else {
			log.Warn("REDIS_URL is not set: using an embedded in-memory store, so nothing is kept when hppbot stops")
		}
		return store.Embedded(cfg.Prefix)
	}
	st, err := connectRedis(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		log.Warn("Redis does not answer yet; commands will say nothing was saved until it does", "err", store.Redact(err))
	}
	return st, nil
}

func runConsole(ctx context.Context, cfg *config, st *store.Store, log *slog.Logger, stdin io.Reader, stdout io.Writer, interactive bool) int {
	clock := console.NewClock(time.Time{})
	con := console.New(console.Config{
		In: stdin, Out: stdout, Clock: clock, Policy: cfg.Policy, Interactive: interactive, FilesDir: cfg.FilesDir,
		OnAdvance: st.Advance,
	})
	core := app.New(app.Config{
		Store: st, Policy: cfg.Policy, Messenger: bot.Router{bot.Console: con}, Admins: cfg.Admins,
		EveryoneAdmin: len(cfg.Admins) == 0, Clock: clock.Now, Log: log, Prompts: cfg.Prompts, Workers: 1,
		PublicURL: cfg.PublicURL, WebSessionIdle: cfg.WebIdle, WebSessionMax: cfg.WebMax,
	})
	con.SetHandler(core.Handlers)
	con.SetRunDue(func(ctx context.Context, until time.Time) error {
		return core.Scheduler.RunDue(ctx, until, clock.Set)
	})
	if cfg.AddrSet || core.Web != nil {
		stopOps, err := serveOps(cfg, st, core, log)
		if err != nil {
			log.Error("can't serve the health and metrics endpoints", "err", err)
			return 1
		}
		defer stopOps()
	}
	// The console reads standard input, which a signal can't interrupt:
	// on SIGTERM or Ctrl-C, stop without waiting for the next line.
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Error("console stopped", "err", err)
			return 1
		}
	case <-ctx.Done():
	}
	return 0
}
