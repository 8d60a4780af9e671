// hppbot is a chat bot for Slack and Microsoft Teams that helps healthcare
// staff put the Harmed Patient Pathway into practice. With nothing
// configured, `go run .` starts a terminal console on an embedded store.
//
// main.go is wiring only: read the configuration, build the store, the
// handlers, the scheduler and the surfaces; run; shut down.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // time zones work on machines without zoneinfo

	"hppbot/bot"
	"hppbot/bot/console"
	"hppbot/handlers"
	"hppbot/scheduler"
	"hppbot/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := readConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "hppbot: %v\n", err)
		return 2
	}
	interactive := false
	if f, ok := stdin.(*os.File); ok && cfg.console() {
		if fi, err := f.Stat(); err == nil {
			interactive = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	log := newLogger(cfg, stderr, interactive)

	st, err := openStore(cfg, log)
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
	fmt.Fprintln(stderr, "hppbot: Slack and Teams are not built into this version yet; unset SLACK_* and MICROSOFT_* to use the console.")
	return 2
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

func openStore(cfg *config, log *slog.Logger) (*store.Store, error) {
	if cfg.RedisURL == "" {
		log.Warn("REDIS_URL is not set: using an embedded in-memory store, so nothing is kept when hppbot stops")
		return store.Embedded(cfg.Prefix)
	}
	st, err := store.Connect(cfg.RedisURL, cfg.Prefix)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.Ping(ctx); err != nil {
		log.Warn("Redis does not answer yet; commands will say nothing was saved until it does", "err", err)
	}
	return st, nil
}

func runConsole(ctx context.Context, cfg *config, st *store.Store, log *slog.Logger, stdin io.Reader, stdout io.Writer, interactive bool) int {
	clock := console.NewClock(time.Time{})
	con := console.New(console.Config{
		In: stdin, Out: stdout, Clock: clock, Policy: cfg.Policy, Interactive: interactive,
		OnAdvance: st.Advance,
	})
	messenger := bot.Router{bot.Console: con}
	admins := cfg.Admins
	h := handlers.New(handlers.Config{
		Store: st, Policy: cfg.Policy, Messenger: messenger, Admins: admins,
		EveryoneAdmin: len(admins) == 0, Clock: clock.Now, Log: log,
	})
	sched := scheduler.New(scheduler.Config{
		Store: st, Policy: cfg.Policy, Messenger: messenger, Clock: clock.Now, Log: log, Workers: 1,
	})
	con.SetHandler(h)
	con.SetRunDue(func(ctx context.Context, until time.Time) error {
		return sched.RunDue(ctx, until, clock.Set)
	})
	if err := con.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("console stopped", "err", err)
		return 1
	}
	return 0
}
