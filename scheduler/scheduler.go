// Package scheduler keeps hppbot's promises on time: it nudges a case's
// named contact when contact with the family is due, repeats kindly, and
// escalates to the service's pathway lead and channel when nudges go
// unanswered; it reminds about Duty of Candour deadlines; it posts each
// service's morning digest; and it runs one-off jobs such as wellbeing
// check-ins.
//
// What falls due is delivered once, in working hours: a due item is claimed
// from the store's index with a lease, its messages are queued for delivery
// under idempotency keys (hppbot/delivery: paced, retried, sent once, through
// bot.Messenger — the scheduler knows no platform), marked sent and
// acknowledged. A scheduler that dies between claim and acknowledgement
// leaves the item to be claimed again when its lease runs out; the mark stops
// a second send. Outside working hours nothing is claimed, so what falls due
// waits for the start of the next working period.
//
// When Redis does not answer, a tick is skipped (logged once per outage, not
// every tick) and what is due is caught up on the first tick after it
// answers. A reminder that went out while Redis stopped answering is kept in
// memory and recorded before anything else is claimed, so it is not sent
// again. Stop lets the sends in flight finish and hands back every claim it
// did not get to.
//
// It never puts a summary, a note or a wellbeing answer into a channel post,
// an escalation or a log line.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
)

// JobFunc runs a one-off job. Returning an error leaves the job to be tried
// again later; returning nil finishes it.
type JobFunc func(ctx context.Context, j store.Job, now time.Time) error

// Metrics is told what the scheduler does, for monitoring. Every method is
// optional to implement in spirit: a no-op is fine.
type Metrics interface {
	// Reminders counts reminder outcomes: "due" (claimed to be delivered),
	// "sent", "failed" (to be tried again) and "escalated".
	Reminders(outcome string, n int)
	// Deferred is how many due items are waiting for working hours: set on
	// each tick outside them, and 0 on each tick inside them.
	Deferred(n int)
	// Lag is how late the oldest item of a tick was delivered, counted from
	// when it could first have gone (its due time, or the start of the
	// working period after it).
	Lag(d time.Duration)
	// TickError counts ticks that could not reach the store.
	TickError()
}

// Config wires a Scheduler.
type Config struct {
	Store     *store.Store
	Policy    *pathway.Policy
	Messenger bot.Messenger
	Clock     func() time.Time
	Log       *slog.Logger
	Metrics   Metrics
	// Lease is how long a claim is held before another scheduler may take
	// it; longer than the slowest send with its retries. Default 2 minutes.
	Lease time.Duration
	// Batch is the most items claimed per partition in one tick. Default 500.
	Batch int
	// Workers send in parallel. Default 128: a worker mostly waits on Redis
	// and the platforms, and the store shares the round trips of workers
	// waiting at once, so more of them at once cost Redis fewer round trips
	// (the figures are in docs/performance.md). The pacing, not the
	// workers, bounds what goes to a platform at once. The console uses 1
	// so its transcript keeps a stable order.
	Workers int
	// Every is how often a tick runs. Default 30 seconds.
	Every time.Duration
	// Retry is how long a claim waits before it is tried again when its
	// messages could not be queued. Default 5 minutes.
	Retry time.Duration
	// WeekView builds a service's weekly view for its pathway lead
	// (Weekly); nil sends none.
	WeekView WeekViewFunc
	// Limits pace the delivery queue's sends (zero: the documented
	// platform limits).
	Limits delivery.Limits
	// Senders is how many messages the delivery queue sends at once in the
	// background. Default 16.
	Senders int
	// DeliveryMetrics hears what the delivery queue does; nil: nothing.
	DeliveryMetrics delivery.Metrics
}

// Scheduler runs the reminders, digests and jobs.
type Scheduler struct {
	cfg      Config
	instance string
	seq      atomic.Uint64
	mu       sync.Mutex
	jobs     map[string]JobFunc
	cron     *cron.Cron
	outbox   *delivery.Queue
	digested time.Time // console: when the digest last ran
	caughtUp string    // server: the day whose digest and weekly view were last caught up (catchUp)

	stopping atomic.Bool  // Stop was called: start no new work
	outage   atomic.Int64 // ticks failed in a row (logged once per outage)

	unrecMu    sync.Mutex   // guards unrecorded
	unrecorded []sendRecord // sent, but not yet recorded: Redis did not answer
}

// New returns a Scheduler.
func New(cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Messenger == nil {
		// No platform yet: what is sent waits in the queue (bot.ErrNoRoute).
		cfg.Messenger = bot.Router{}
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 128
	}
	if cfg.Every <= 0 {
		cfg.Every = 30 * time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 5 * time.Minute
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &Scheduler{cfg: cfg, instance: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:])), jobs: map[string]JobFunc{}}
	if cfg.Store != nil {
		s.outbox = delivery.New(delivery.Config{
			Store: cfg.Store, Sender: delivery.AsSender(cfg.Messenger), Limits: cfg.Limits, Clock: cfg.Clock,
			Log: cfg.Log, Metrics: cfg.DeliveryMetrics, OnFailed: s.undelivered, OnSent: s.sent, Wanted: s.wanted, Workers: cfg.Senders,
		})
	}
	return s
}

// Outbox is the delivery queue every message of the scheduler's, and of
// its jobs, goes through.
func (s *Scheduler) Outbox() *delivery.Queue { return s.outbox }

type noMetrics struct{}

func (noMetrics) Reminders(string, int) {}
func (noMetrics) Deferred(int)          {}
func (noMetrics) Lag(time.Duration)     {}
func (noMetrics) TickError()            {}

func isUnavailable(err error) bool { return pathway.ErrorCode(err) == pathway.Unavailable }

// cause is what a log line says of a store failure: its kind ("redis:
// connection refused"), not the message written for people.
func cause(err error) error {
	var pe *pathway.Error
	if errors.As(err, &pe) && pe.Code == pathway.Unavailable && pe.Err != nil {
		return pe.Err
	}
	return err
}
