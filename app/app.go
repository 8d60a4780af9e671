// Package app wires hppbot's core on one store: the metrics, the handlers
// and the scheduler, with the check-in job registered. main (serving and
// the console), the system and fault tests and each surface's tests build
// through New, so what they run is wired the way production is.
//
// It never imports a surface (bot/slack, bot/teams, bot/console): the
// surfaces' tests import it, and a surface reaches the handlers only
// through its own small Handler interface.
package app

import (
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/prompts"
	"hppbot/scheduler"
	"hppbot/store"
	"hppbot/web"
)

// Config says what to wire. Only Store and Policy are needed; the zero
// value of every other field is what a server uses.
type Config struct {
	Store     *store.Store
	Policy    *pathway.Policy
	Messenger bot.Messenger // DMs and channel posts; the surfaces, added as they start
	// Admins may set up services and see every case (person ids or a
	// platform's own ids).
	Admins []string
	// EveryoneAdmin makes everyone an admin: the console with no HPP_ADMINS.
	EveryoneAdmin bool
	Clock         func() time.Time // nil: time.Now
	Log           *slog.Logger     // nil: discarded
	Prompts       *prompts.Library // nil: the built-in cards
	// Workers is how many scheduler workers send at once; 0 is the
	// scheduler's default, and the console uses 1 for a stable transcript.
	Workers int
	// Every is how often the scheduler ticks; 0 is the scheduler's default.
	Every time.Duration
	// Limits pace the delivery queue (zero: the platforms' documented
	// limits); Senders is how many messages it sends at once (0: 16).
	Limits  delivery.Limits
	Senders int
	// SchedulerMetrics, when set, is given the app's metrics and returns
	// what the scheduler reports to instead (a test counting ticks wraps
	// them); nil: the app's metrics.
	SchedulerMetrics func(*Metrics) scheduler.Metrics
	// PublicURL is where people reach hppbot's web pages (HPP_PUBLIC_URL);
	// nil: the pages are off and /hpp web says so.
	PublicURL *url.URL
	// WebSessionIdle and WebSessionMax bound a web session (0: web's
	// defaults).
	WebSessionIdle, WebSessionMax time.Duration
	// TeamsSSO checks the Teams tab's single sign-on token (web.Config).
	TeamsSSO func(r *http.Request, token string) (person string, err error)
}

// App is hppbot's core, wired.
type App struct {
	Store     *store.Store
	Metrics   *Metrics
	Handlers  *handlers.Handler
	Scheduler *scheduler.Scheduler
	// Web serves the read-only pages; nil when PublicURL is not set.
	Web *web.Server

	// telling counts the notices to the admins about unreadable records
	// still being sent.
	telling sync.WaitGroup
}

// New builds the metrics (watching the store's Redis commands), the
// handlers (counting and logging each command) and the scheduler, and
// registers the check-in job. Nothing starts: the caller starts the
// scheduler (Scheduler.Start) or drives it (Tick, RunDue).
func New(cfg Config) *App {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := NewMetrics()
	a := &App{Store: cfg.Store, Metrics: m}
	if cfg.Store != nil {
		m.WatchRedis(cfg.Store)
		cfg.Store.OnUnreadable(setAside(cfg.Store, m, log, cfg.Messenger, cfg.Admins, &a.telling))
		if cfg.Policy != nil {
			cfg.Store.KeepSettings(cfg.Policy.SettingsTTL(time.Now()))
		}
	}
	var links *web.Links
	var signInLink handlers.SignInLink
	if cfg.PublicURL != nil && cfg.Store != nil {
		links = web.NewLinks(cfg.Store, cfg.PublicURL, cfg.Clock)
		signInLink = links.Make
	}
	h := handlers.New(handlers.Config{
		Store: cfg.Store, Policy: cfg.Policy, Messenger: cfg.Messenger, Admins: cfg.Admins,
		EveryoneAdmin: cfg.EveryoneAdmin, Clock: cfg.Clock, Log: log, Prompts: cfg.Prompts,
		Observe: observer(m, log), SignInLink: signInLink,
	})
	if links != nil {
		w, err := web.New(web.Config{
			PublicURL: cfg.PublicURL, Store: cfg.Store, Reader: h, Policy: cfg.Policy, Clock: cfg.Clock, Log: log,
			Metrics: m, SessionIdle: cfg.WebSessionIdle, SessionMax: cfg.WebSessionMax, TeamsSSO: cfg.TeamsSSO,
		})
		if err != nil {
			// Every field web.New needs is set here, and its templates are
			// tested: this cannot happen in a built binary.
			log.Error("web pages not started", "err", err)
		}
		a.Web = w
	}
	var sm scheduler.Metrics = m
	if cfg.SchedulerMetrics != nil {
		sm = cfg.SchedulerMetrics(m)
	}
	sched := scheduler.New(scheduler.Config{
		Store: cfg.Store, Policy: cfg.Policy, Messenger: cfg.Messenger, Clock: cfg.Clock, Log: log,
		Metrics: sm, Workers: cfg.Workers, Every: cfg.Every, WeekView: h.WeekView,
		Limits: cfg.Limits, Senders: cfg.Senders, DeliveryMetrics: m,
	})
	if q := sched.Outbox(); q != nil {
		h.Outbox = q
		m.WatchDelivery(q)
	}
	sched.HandleJob(handlers.CheckinJob, h.RunCheckinJob)
	sched.HandleJob(handlers.AwayEndJob, h.RunAwayEndJob)
	a.Handlers, a.Scheduler = h, sched
	return a
}

// observer is handlers.Config.Observe: it counts each command and logs it
// at debug level — its name, outcome and time, never what was typed.
func observer(m *Metrics, log *slog.Logger) func(command, outcome string, took time.Duration) {
	return func(command, outcome string, took time.Duration) {
		m.Observe(command, outcome, took)
		log.Debug("command answered", "command", command, "outcome", outcome, "took", took)
	}
}
