// Package delivery is hppbot's outbox: a queue in Redis between what the bot
// says on its own (reminders, escalations, digests, check-ins, notes to a
// service channel) and the platforms that carry it.
//
// Every message is queued under its idempotency key — queueing the same key
// twice is one message — and is sent by whichever replica claims it, under a
// lease. It stays queued until the platform accepted it, refused it for good,
// or it is no longer worth sending (Message.NotAfter).
//
// A send is recorded as in flight in Redis before the platform is called.
// A message found in flight when claimed was being sent by a replica that
// died: where the platform can be asked (Slack keeps the key in the message's
// metadata) it is asked first, and the message is sent only if it is not
// there; where it cannot (Teams), it is sent again, so the doubt is at most
// the sends in flight at the crash, and each is counted.
//
// Sends are paced within each platform's documented limits by token buckets
// kept in Redis, shared by every replica (see Limits). A 429 pauses the
// conversation's bucket for as long as the platform asked; a brief outage
// (5xx, Teams 412) is retried with backoff and jitter.
package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"hppbot/bot"
	"hppbot/store"
)

// Message is one thing the bot sends on its own.
type Message struct {
	// Key makes it one message: the same key queued twice is sent once.
	Key     string
	To      string // a person or channel id ("slack:U123", "teams:29:...")
	Channel bool   // To is a channel
	Reply   bot.Reply
	// NotAfter is when it stops being worth sending; zero: Config.KeepFor
	// after it was queued.
	NotAfter time.Time
	// Case is the case it is about, if any, for whoever hears of a
	// failure (0: none).
	Case int64
	// Live are the cases this message is the live nudge (or escalation
	// post) for in To's chat: once it went, Config.OnSent hears where it
	// is, so that a newer one can replace it and logging can change it.
	Live []int64
	// Reminds are the reminders the message carries, so that a message
	// that does not go can be recorded on each case as not delivered.
	Reminds []Reminded
	// Covers are the keys of the messages this one stands for (a bundle's
	// cases' own): they are known from the moment it is queued, together
	// with it, so that one of them queued later, alone, is known too and
	// not sent again (Send answers as for its own key), and Known finds
	// them. Send only.
	Covers []string
}

// Reminded is one reminder a message carries: a case's step, as the
// scheduler worked it out.
type Reminded struct {
	Case  int64     `json:"case"`
	Step  string    `json:"step"`
	Stage string    `json:"stage,omitempty"`
	Due   time.Time `json:"due,omitzero"`
	// Lead is the case's named contact when the reminder was worked out.
	Lead string `json:"lead,omitempty"`
}

// Platform is the surface a message goes through, for pacing and metrics.
func (m Message) Platform() string {
	s, _ := bot.SplitID(m.To)
	return s
}

// Sender is what the queue sends through: bot.Router is one.
type Sender interface {
	bot.KeyedMessenger
	bot.DeliveryChecker
}

// Metrics is told what the queue does. Labels are platforms and plain
// reasons, never a person or a message.
type Metrics interface {
	Sent(platform string)
	// Retried counts a send to be tried again: "throttled" (429),
	// "unavailable" (5xx, 412), "not_reachable", "unanswered" (no answer
	// came), "store" (Redis did not answer).
	Retried(platform, why string)
	// Waited counts a send held back by the pacing (no token yet).
	Waited(platform string)
	// Failed counts a message that will not go, by plain reason.
	Failed(platform, reason string)
	// Recovered counts a message found in flight after a crash: "found"
	// (the platform had it: not resent), "resent" (it did not), or
	// "resent_in_doubt" (the platform can't be asked).
	Recovered(platform, outcome string)
}

// Config wires a Queue.
type Config struct {
	Store  *store.Store
	Sender Sender
	Limits Limits
	Clock  func() time.Time
	Log    *slog.Logger
	// Metrics: nil counts nothing.
	Metrics Metrics
	// OnFailed hears of a message that will not go (err is
	// *bot.Undeliverable or ErrTooLate), and of each
	// bot.ErrNotReachable (the message stays queued).
	OnFailed func(ctx context.Context, m Message, err error)
	// OnSent hears where a message with Live cases went, when the
	// platform said (bot.MessageRef).
	OnSent func(ctx context.Context, m Message, ref bot.MessageRef)
	// Wanted, if set, is asked before a message with Reminds that has
	// waited in the queue (a later try, not the first) goes: false means
	// nothing it reminds of is still owed (the case changed meanwhile), and
	// the message is dropped, counted as "no longer due" and told to
	// OnFailed as ErrNoLongerDue. An error asking sends it.
	Wanted func(ctx context.Context, m Message) (bool, error)
	// Workers send at once in the background. Default 16.
	Workers int
	// Lease is how long a claimed message is held before another replica
	// may take it: longer than one send. Default 1 minute.
	Lease time.Duration
	// KeepFor is how long a message is worth sending when it says nothing
	// itself. Default 12 hours.
	KeepFor time.Duration
	// Backoff is the first wait after a brief outage; it doubles to
	// MaxBackoff. Defaults 2 seconds and 5 minutes.
	Backoff, MaxBackoff time.Duration
	// Poll is how often the queue looks for work sent by other replicas or
	// come due. Default 250 ms.
	Poll time.Duration
}

// ErrTooLate is a message dropped because it was no longer worth sending:
// the next reminder replaces it.
var ErrTooLate = fmt.Errorf("delivery: no longer worth sending")

// ErrNoLongerDue is a message dropped because what it reminds of is no
// longer owed (Config.Wanted said so).
var ErrNoLongerDue = fmt.Errorf("delivery: no longer due")

// Queue is the delivery queue.
type Queue struct {
	cfg   Config
	keys  keys
	token string
	seq   atomic.Uint64
	wake  chan struct{}

	keptMu sync.Mutex
	kept   []kept // finishes Redis did not take

	runMu   sync.Mutex
	running bool
	stop    context.CancelFunc
	done    chan struct{}
}

// New returns a Queue; Start runs its background sender.
func New(cfg Config) *Queue {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.KeepFor <= 0 {
		cfg.KeepFor = 12 * time.Hour
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 2 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	cfg.Limits = cfg.Limits.withDefaults()
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Queue{
		cfg: cfg, keys: newKeys(cfg.Store.Prefix()), wake: make(chan struct{}, 1),
		token: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:])),
	}
}

type noMetrics struct{}

func (noMetrics) Sent(string)              {}
func (noMetrics) Retried(string, string)   {}
func (noMetrics) Waited(string)            {}
func (noMetrics) Failed(string, string)    {}
func (noMetrics) Recovered(string, string) {}

// claimToken is this replica's token for one claim.
func (q *Queue) claimToken() string { return fmt.Sprintf("%s/%d", q.token, q.seq.Add(1)) }
