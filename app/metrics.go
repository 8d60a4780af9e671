package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"hppbot/store"
)

// Metrics is what GET /metrics shows, on a registry of hppbot's own (not
// the process-wide default, so nothing else registers into it by
// accident). Every name starts hpp_; docs/operations.md describes each.
// Labels hold command names, outcomes and Redis command names only: never
// a person, a case or anything typed.
type Metrics struct {
	reg         *prometheus.Registry
	commands    *prometheus.CounterVec
	commandTime *prometheus.HistogramVec
	reminders   *prometheus.CounterVec
	deferred    prometheus.Gauge
	lag         prometheus.Histogram
	tickErrors  prometheus.Counter
	redisErrors *prometheus.CounterVec
	redisUp     prometheus.Gauge
	unreadable  *prometheus.CounterVec
	signIns     *prometheus.CounterVec
	pageViews   *prometheus.CounterVec
	delivery    deliveryMetrics
}

// reminderOutcomes are the outcomes the scheduler reports.
var reminderOutcomes = []string{"due", "sent", "failed", "escalated"}

// NewMetrics returns the metrics, every series at zero.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg:      prometheus.NewRegistry(),
		delivery: newDeliveryMetrics(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_commands_total",
			Help: "Commands answered, by command and outcome (ok, invalid, not_found, forbidden, identifiable, conflict, unavailable, unreadable, internal, unknown).",
		}, []string{"command", "outcome"}),
		commandTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hpp_command_duration_seconds",
			Help:    "How long the handler took to answer a command, by command.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"command"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_reminders_total",
			Help: "Reminders and one-off jobs by outcome: due (claimed for delivery), sent, failed (to be tried again), escalated.",
		}, []string{"outcome"}),
		deferred: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hpp_reminders_deferred",
			Help: "Due reminders and jobs waiting for working hours (set by each tick outside them; 0 inside them).",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hpp_scheduler_lag_seconds",
			Help:    "How late the oldest item of each scheduler tick went out, counted from when it could first have gone (its due time, or the start of the working period after it).",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600},
		}),
		tickErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hpp_scheduler_tick_errors_total",
			Help: "Scheduler ticks skipped because the store did not answer (what was due is caught up later).",
		}),
		redisErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_redis_errors_total",
			Help: "Redis commands that failed, by command name (a missing key and a script loaded on first use are not failures).",
		}, []string{"command"}),
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hpp_redis_up",
			Help: "1 if Redis answered hppbot's latest command to it (even with an error reply), 0 if it could not be reached.",
		}),
		unreadable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_unreadable_records_total",
			Help: "Records read from Redis that could not be decoded and were set aside (skipped by the scheduler, lists and reports), by kind: case, event (a timeline entry), job. A case's reminder is read again hourly, so one bad record keeps counting until it is mended.",
		}, []string{"kind"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_web_signins_total",
			Help: "Sign-ins to the web pages, by outcome: ok, used_or_expired, bad_link, cross_site, teams_ok, teams_refused, unavailable.",
		}, []string{"outcome"}),
		pageViews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hpp_web_page_views_total",
			Help: "Web pages shown to a signed-in person, by page: my-cases, overview, case, case-download, report, report-chart, report-cases, report-yearly.",
		}, []string{"page"}),
	}
	m.reg.MustRegister(m.commands, m.commandTime, m.reminders, m.deferred, m.lag, m.tickErrors, m.redisErrors, m.redisUp, m.unreadable, m.signIns, m.pageViews,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(m.delivery.collectors()...)
	for _, p := range platforms {
		m.delivery.sent.WithLabelValues(p)
		m.delivery.waits.WithLabelValues(p)
	}
	for _, o := range reminderOutcomes {
		m.reminders.WithLabelValues(o)
	}
	for _, k := range unreadableKinds {
		m.unreadable.WithLabelValues(k)
	}
	return m
}

// Observe is handlers.Config.Observe: one command answered. The handler
// names unknown commands "unknown", so the labels stay a small, fixed set.
func (m *Metrics) Observe(command, outcome string, took time.Duration) {
	m.commands.WithLabelValues(command, outcome).Inc()
	m.commandTime.WithLabelValues(command).Observe(took.Seconds())
}

// Reminders implements scheduler.Metrics.
func (m *Metrics) Reminders(outcome string, n int) {
	if n > 0 {
		m.reminders.WithLabelValues(outcome).Add(float64(n))
	}
}

// Deferred implements scheduler.Metrics.
func (m *Metrics) Deferred(n int) { m.deferred.Set(float64(n)) }

// Lag implements scheduler.Metrics.
func (m *Metrics) Lag(d time.Duration) { m.lag.Observe(d.Seconds()) }

// TickError implements scheduler.Metrics.
func (m *Metrics) TickError() { m.tickErrors.Inc() }

// unreadableKinds are the kinds of record the store sets aside.
var unreadableKinds = []string{"case", "event", "job"}

// Unreadable counts a record set aside, by its kind.
func (m *Metrics) Unreadable(kind string) {
	if !slices.Contains(unreadableKinds, kind) {
		kind = "case"
	}
	m.unreadable.WithLabelValues(kind).Inc()
}

// webSignInOutcomes and webPages are the label values the web pages use;
// anything else is counted as "other", so labels stay a small fixed set.
var (
	webSignInOutcomes = []string{"ok", "used_or_expired", "bad_link", "cross_site", "teams_ok", "teams_refused", "unavailable"}
	webPages          = []string{"my-cases", "overview", "case", "case-download", "report", "report-chart", "report-cases", "report-yearly"}
)

// SignIn implements web.Metrics: one sign-in, by outcome.
func (m *Metrics) SignIn(outcome string) {
	if !slices.Contains(webSignInOutcomes, outcome) {
		outcome = "other"
	}
	m.signIns.WithLabelValues(outcome).Inc()
}

// PageView implements web.Metrics: one page shown, by page name.
func (m *Metrics) PageView(page string) {
	if !slices.Contains(webPages, page) {
		page = "other"
	}
	m.pageViews.WithLabelValues(page).Inc()
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Hook returns a go-redis hook counting failed commands by name.
func (m *Metrics) Hook() redis.Hook { return redisErrorHook{failed: m.redisErrors, up: m.redisUp} }

type redisErrorHook struct {
	failed *prometheus.CounterVec
	up     prometheus.Gauge
}

func (h redisErrorHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			h.failed.WithLabelValues("dial").Inc()
		}
		return conn, err
	}
}

func (h redisErrorHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.count(cmd.Name(), err)
		return err
	}
}

func (h redisErrorHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		answered := false
		for _, cmd := range cmds {
			answered = answered || cmd.Err() != nil
		}
		for _, cmd := range cmds {
			cerr := cmd.Err()
			if cerr == nil && !answered && err != nil {
				cerr = err // the pipeline failed before any command had an answer
			}
			h.count(cmd.Name(), cerr)
		}
		return err
	}
}

// count counts cmd if it failed, and notes whether Redis answered. A
// missing key (redis.Nil) is an answer, and NOSCRIPT is the normal first
// use of a script on a server.
func (h redisErrorHook) count(name string, err error) {
	var reply redis.Error
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		h.up.Set(1)
		return
	case errors.Is(err, context.Canceled):
	case errors.As(err, &reply):
		h.up.Set(1)
		if strings.HasPrefix(err.Error(), "NOSCRIPT") {
			return
		}
	default:
		h.up.Set(0)
	}
	h.failed.WithLabelValues(redisCommandLabel(name)).Inc()
}

// redisCommandLabel keeps the label to a command's name, lower case.
func redisCommandLabel(name string) string {
	name = strings.ToLower(name)
	if name == "" || len(name) > 24 || strings.ContainsAny(name, " \t\n") {
		return "other"
	}
	return name
}

// WatchRedis adds the metrics hook to the store's client.
func (m *Metrics) WatchRedis(st *store.Store) { st.Client().AddHook(m.Hook()) }
