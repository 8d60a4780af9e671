// Package scheduler keeps hppbot's promises on time: it nudges a case's
// named contact when contact with the family is due, repeats kindly, and
// escalates to the service's pathway lead and channel when nudges go
// unanswered; it reminds about Duty of Candour deadlines; it posts each
// service's morning digest; and it runs one-off jobs such as wellbeing
// check-ins.
//
// What falls due is delivered once, in working hours: a due item is claimed
// from the store's index with a lease, sent through bot.Messenger (the
// scheduler knows no platform), marked sent under an idempotency key and
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
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"hppbot/bot"
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
	// Workers send in parallel. Default 8; the console uses 1 so its
	// transcript keeps a stable order.
	Workers int
	// Every is how often a tick runs. Default 30 seconds.
	Every time.Duration
	// Retry is how long a failed send waits before it is tried again.
	// Default 5 minutes.
	Retry time.Duration
}

// Scheduler runs the reminders, digests and jobs.
type Scheduler struct {
	cfg      Config
	instance string
	seq      atomic.Uint64
	mu       sync.Mutex
	jobs     map[string]JobFunc
	cron     *cron.Cron
	digested time.Time // console: when the digest last ran

	stopping atomic.Bool  // Stop was called: start no new work
	outage   atomic.Int64 // ticks failed in a row (logged once per outage)
	pendMu   sync.Mutex   // guards pending
	pending  []pendingAck // sent, but not yet recorded: Redis did not answer
}

// New returns a Scheduler.
func New(cfg Config) *Scheduler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
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
	return &Scheduler{cfg: cfg, instance: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:])), jobs: map[string]JobFunc{}}
}

type noMetrics struct{}

func (noMetrics) Reminders(string, int) {}
func (noMetrics) Deferred(int)          {}
func (noMetrics) Lag(time.Duration)     {}
func (noMetrics) TickError()            {}

// HandleJob registers the function that runs jobs of a kind.
func (s *Scheduler) HandleJob(kind string, fn JobFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[kind] = fn
}

// Schedule adds a one-off job: run it at j.At for j.Person. A job with the
// same id is moved.
func (s *Scheduler) Schedule(ctx context.Context, j store.Job) error {
	return s.cfg.Store.ScheduleJob(ctx, j)
}

// Start runs the ticks and the digest on cron until Stop.
func (s *Scheduler) Start() error {
	loc := s.cfg.Policy.Location()
	logger := cronLogger{s.cfg.Log}
	s.cron = cron.New(cron.WithLocation(loc), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := s.cron.AddFunc(fmt.Sprintf("@every %s", s.cfg.Every), func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Lease)
		defer cancel()
		s.tick(ctx)
	}); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(s.digestSpec(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Digest(ctx, s.cfg.Clock()); err != nil {
			s.cfg.Log.Warn("digest could not be sent", "err", cause(err))
		}
	}); err != nil {
		return err
	}
	s.cron.Start()
	return nil
}

// tick is one run of the cron: it skips while Redis does not answer,
// saying so once per outage, and says when it answers again.
func (s *Scheduler) tick(ctx context.Context) {
	if _, err := s.Tick(ctx, s.cfg.Clock()); err != nil {
		s.cfg.Metrics.TickError()
		if s.outage.Add(1) == 1 {
			s.cfg.Log.Warn("reminders paused: the store is not answering; what falls due waits and is caught up when it answers", "err", cause(err))
		}
		return
	}
	if n := s.outage.Swap(0); n > 0 {
		s.cfg.Log.Info("the store answers again; reminders are catching up", "ticks_skipped", n)
	}
}

// Stop stops the cron and waits for a running tick: the sends in flight
// finish and are recorded, and the claims it had not reached are released
// so another replica can take them straight away. A sent reminder that
// could not be recorded (Redis not answering) is tried once more.
func (s *Scheduler) Stop() {
	s.stopping.Store(true)
	if s.cron != nil {
		<-s.cron.Stop().Done()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.flushPending(ctx); err != nil {
		s.pendMu.Lock()
		n := len(s.pending)
		s.pendMu.Unlock()
		s.cfg.Log.Error("stopping with sent reminders not recorded, because the store is not answering; they may be sent again", "count", n, "err", cause(err))
	}
}

func (s *Scheduler) digestSpec() string {
	d := s.cfg.Policy.DigestAt
	return fmt.Sprintf("%d %d * * *", int(d/time.Minute)%60, int(d/time.Hour))
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", cause(err))...)
}

// Result says what a tick did.
type Result struct {
	Claimed  int
	Sent     int // reminders and jobs delivered
	Failed   int // sends that will be retried
	Deferred bool
}

// Tick claims what is due at now and delivers it. Outside working hours it
// claims nothing: the items wait, deferred, for the next working period.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (Result, error) {
	if s.stopping.Load() {
		return Result{}, nil
	}
	// What went out while Redis was not answering is recorded first, so
	// it can't be claimed and sent again.
	if err := s.flushPending(ctx); err != nil {
		return Result{}, err
	}
	if !s.cfg.Policy.Calendar.InWorkingHours(now) {
		n, err := s.cfg.Store.CountDue(ctx, now)
		if err != nil {
			return Result{Deferred: true}, err
		}
		s.cfg.Metrics.Deferred(int(n))
		return Result{Deferred: true}, nil
	}
	s.cfg.Metrics.Deferred(0)
	token := fmt.Sprintf("%s/%d", s.instance, s.seq.Add(1))
	claims, err := s.cfg.Store.ClaimDue(ctx, now, s.cfg.Lease, s.cfg.Batch, token)
	if err != nil {
		return Result{}, err
	}
	res := Result{Claimed: len(claims)}
	if len(claims) == 0 {
		return res, nil
	}
	loaded, err := s.cfg.Store.Load(ctx, claims)
	if err != nil {
		s.releaseAll(claims, now)
		return res, err
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		s.releaseAll(claims, now)
		return res, err
	}
	// Acknowledgements are written in the background while the workers go
	// on sending, so under load they travel to Redis together; the tick
	// waits for all of them before it returns.
	acks := &ackGroup{sem: make(chan struct{}, maxAcksInFlight)}
	// Work out what each claim owes, and ask in one go which were already sent.
	work := make([]*item, 0, len(claims))
	var queries []store.SentQuery
	for _, cl := range claims {
		it := &item{claim: cl, acks: acks}
		if id, ok := cl.CaseID(); ok {
			it.c = loaded.Cases[id]
			if it.c != nil {
				it.reminders = it.c.Reminders(s.cfg.Policy, now)
				for _, r := range it.reminders {
					queries = append(queries, it.sentQuery(r.Occurrence))
				}
			}
		} else if j, ok := loaded.Jobs[cl.JobID()]; ok {
			it.job = &j
			queries = append(queries, it.sentQuery(jobOccurrence(j)))
		}
		work = append(work, it)
	}
	sent, err := s.wasSent(ctx, queries)
	if err != nil {
		s.releaseAll(claims, now)
		return res, err
	}
	for _, it := range work {
		it.sent = sent
	}
	s.cfg.Metrics.Reminders("due", len(work))
	var oldest time.Time
	for _, it := range work {
		var dues []time.Time
		for _, r := range it.reminders {
			dues = append(dues, r.Due)
		}
		if it.job != nil {
			dues = append(dues, it.job.At)
		}
		for _, due := range dues {
			if oldest.IsZero() || due.Before(oldest) {
				oldest = due
			}
		}
	}
	if !oldest.IsZero() {
		// Waiting for working hours is policy, not lag.
		if from := s.cfg.Policy.Calendar.NextWorkingStart(oldest); now.After(from) {
			s.cfg.Metrics.Lag(now.Sub(from))
		} else {
			s.cfg.Metrics.Lag(0)
		}
	}

	var wg sync.WaitGroup
	var sentN, failedN atomic.Int64
	var skipMu sync.Mutex
	var skipped []store.Claim
	queue := make(chan *item)
	for w := 0; w < min(s.cfg.Workers, len(work)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				if s.stopping.Load() || ctx.Err() != nil {
					// Shutting down (or out of time): hand it back untouched.
					skipMu.Lock()
					skipped = append(skipped, it.claim)
					skipMu.Unlock()
					continue
				}
				ok, failed := s.process(ctx, it, svcs, now)
				sentN.Add(int64(ok))
				failedN.Add(int64(failed))
			}
		}()
	}
	for _, it := range work {
		queue <- it
	}
	close(queue)
	wg.Wait()
	acks.wg.Wait()
	if len(skipped) > 0 {
		s.releaseAll(skipped, now)
		s.cfg.Log.Info("stopping: claims not reached were handed back", "count", len(skipped))
	}
	res.Sent, res.Failed = int(sentN.Load()), int(failedN.Load())
	if res.Sent > 0 {
		s.cfg.Metrics.Reminders("sent", res.Sent)
	}
	if res.Failed > 0 {
		s.cfg.Metrics.Reminders("failed", res.Failed)
	}
	return res, nil
}

// item is one claim being worked on.
type item struct {
	claim     store.Claim
	c         *pathway.Case
	reminders []pathway.Reminder
	job       *store.Job
	sent      map[store.SentQuery]bool // the tick's "already sent?" answers
	acks      *ackGroup                // the tick's acknowledgements in flight
}

// maxAcksInFlight bounds the acknowledgements a tick has waiting at once.
const maxAcksInFlight = 256

// ackGroup is a tick's acknowledgements in flight.
type ackGroup struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

// sentQuery is how the store is asked whether occurrence of this claim went.
func (it *item) sentQuery(occurrence string) store.SentQuery {
	return store.SentQuery{Partition: it.claim.Partition, Member: it.claim.Member, Occurrence: occurrence}
}

// wasSent says whether occurrence of this claim was already sent, by
// another replica or by a run that crashed before acknowledging it.
func (it *item) wasSent(occurrence string) bool { return it.sent[it.sentQuery(occurrence)] }

// wasSent asks the store in one round trip which of qs were already sent,
// and keys each answer by its query so it is looked up, not counted out.
func (s *Scheduler) wasSent(ctx context.Context, qs []store.SentQuery) (map[store.SentQuery]bool, error) {
	answers, err := s.cfg.Store.WasSent(ctx, qs)
	if err != nil {
		return nil, err
	}
	if len(answers) != len(qs) {
		return nil, fmt.Errorf("scheduler: the store answered %d of %d sent queries", len(answers), len(qs))
	}
	sent := make(map[store.SentQuery]bool, len(qs))
	for i, q := range qs {
		sent[q] = answers[i]
	}
	return sent, nil
}

func jobOccurrence(j store.Job) string { return fmt.Sprintf("run:%d", j.At.Unix()) }

// releaseAll hands claims back, due at now. It uses its own context: the
// tick's may be the reason for stopping. A claim it can't release (Redis not
// answering) is claimed again when its lease runs out.
func (s *Scheduler) releaseAll(claims []store.Claim, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, cl := range claims {
		if err := s.cfg.Store.Release(ctx, cl, now); err != nil {
			s.cfg.Log.Warn("could not hand back a claim; it is claimed again when its lease runs out", "member", cl.Member, "err", cause(err))
			return
		}
	}
}

// process delivers one claim; it returns how many messages went and how
// many failed.
func (s *Scheduler) process(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	st := s.cfg.Store
	switch {
	case it.job != nil:
		return s.runJob(ctx, it, svcs, now)
	case it.c == nil:
		if err := st.Drop(ctx, it.claim); err != nil {
			s.cfg.Log.Warn("could not drop a stale reminder", "member", it.claim.Member, "err", cause(err))
		}
		return 0, 0
	}
	// What another replica or a crashed run already sent is recorded, not
	// resent; the rest goes to the named contact as one message.
	var done, pending []pathway.Reminder
	for _, r := range it.reminders {
		if it.wasSent(r.Occurrence) {
			done = append(done, r)
		} else {
			pending = append(pending, r)
		}
	}
	var events []pathway.Event
	var marks []string
	retry := false
	if len(pending) > 0 {
		msgs := s.messagesFor(it.c, pending, svcs, now)
		if err := s.deliver(ctx, msgs.primary); err != nil {
			s.cfg.Log.Warn("reminder not delivered; will try again", "case", it.c.Name(), "err", err)
			if errors.Is(err, bot.ErrNotReachable) {
				s.askToOpen(ctx, it.c, msgs.primary.to, svcs, now)
			}
			failed++
			retry = true
		} else {
			sent++
			var told []string
			for _, m := range msgs.escalation {
				if err := s.deliver(ctx, m); err != nil {
					s.cfg.Log.Warn("escalation not delivered; will try again", "case", it.c.Name(), "err", cause(err))
					continue
				}
				told = append(told, m.to)
			}
			if len(told) > 0 {
				s.cfg.Metrics.Reminders("escalated", 1)
			}
			for _, r := range pending {
				marks = append(marks, r.Occurrence)
				events = append(events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventReminder, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: []string{msgs.primary.to}})
				if r.Escalate {
					switch {
					case len(told) > 0:
						events = append(events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventEscalation, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: told})
					case len(msgs.escalation) > 0:
						r.Escalate = false // every escalation failed: try again with the next reminder
					}
					// With nobody to escalate to, the named contact keeps being reminded.
				}
				done = append(done, r)
			}
		}
	}
	if len(done) == 0 && !retry {
		// Nothing owed after all. The case's next time is set through the
		// same compare-and-set as an acknowledgement, so a command that ran
		// while the case was held can't leave a stale time behind.
		s.acknowledge(ctx, it, nil, nil, nil, now, time.Time{})
		return sent, failed
	}
	var notBefore time.Time
	if retry {
		// Whatever failed is tried again later; the marks stop repeats of what went.
		notBefore = now.Add(s.cfg.Retry)
	}
	if len(done) > 0 {
		s.acknowledge(ctx, it, done, events, marks, now, notBefore)
	} else if err := st.Release(ctx, it.claim, notBefore); err != nil {
		s.cfg.Log.Warn("could not reschedule a failed reminder", "case", it.c.Name(), "err", cause(err))
	}
	return sent, failed
}

// acknowledge records what was sent on the case and sets its next time. If
// someone changed the case meanwhile, it reads it again and reapplies what is
// still current: a reminder answered in the meantime is not counted. If Redis
// does not answer, the record is kept and made before the next claim.
func (s *Scheduler) acknowledge(ctx context.Context, it *item, done []pathway.Reminder, events []pathway.Event, marks []string, now, notBefore time.Time) {
	p := pendingAck{claim: it.claim, c: it.c, done: done, events: events, marks: marks, now: now, notBefore: notBefore}
	it.acks.sem <- struct{}{}
	it.acks.wg.Add(1)
	go func() {
		defer func() { <-it.acks.sem; it.acks.wg.Done() }()
		if err := s.ack(ctx, p); isUnavailable(err) {
			s.cfg.Log.Warn("could not record a sent reminder; it is kept and recorded when the store answers", "case", it.c.Name(), "err", cause(err))
			s.keep(p)
		}
	}()
}

// pendingAck is a send that happened but is not yet recorded in Redis: a
// case's reminders, or a job's run.
type pendingAck struct {
	claim      store.Claim
	c          *pathway.Case // nil for a job
	done       []pathway.Reminder
	events     []pathway.Event
	marks      []string
	now        time.Time
	notBefore  time.Time
	job        *store.Job
	occurrence string // the job's run
}

func (s *Scheduler) keep(p pendingAck) {
	s.pendMu.Lock()
	defer s.pendMu.Unlock()
	s.pending = append(s.pending, p)
}

// flushPending records the sends kept while Redis was not answering. It
// stops at the first that still can't be recorded and keeps the rest.
func (s *Scheduler) flushPending(ctx context.Context) error {
	s.pendMu.Lock()
	list := s.pending
	s.pending = nil
	s.pendMu.Unlock()
	for i, p := range list {
		if err := s.ack(ctx, p); isUnavailable(err) {
			s.pendMu.Lock()
			s.pending = append(list[i:], s.pending...)
			s.pendMu.Unlock()
			return err
		}
	}
	if len(list) > 0 {
		s.cfg.Log.Info("recorded sends kept while the store was not answering", "count", len(list))
	}
	return nil
}

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

// ack records one send. An Unavailable error means try again later; any
// other failure is logged here and the claim is left to run out.
func (s *Scheduler) ack(ctx context.Context, p pendingAck) error {
	if p.job != nil {
		err := s.cfg.Store.AckJob(ctx, p.claim, p.occurrence)
		if err != nil && !isUnavailable(err) {
			s.cfg.Log.Warn("could not finish a job", "kind", p.job.Kind, "err", cause(err))
		}
		return err
	}
	old := p.c
	for attempt := 0; attempt < 4; attempt++ {
		c := old.Clone()
		for _, r := range p.done {
			c.MarkSent(r, s.cfg.Policy, p.now)
		}
		err := s.cfg.Store.AckCase(ctx, p.claim, old, c, s.cfg.Policy, p.events, p.marks, p.notBefore)
		if err == nil || isUnavailable(err) {
			return err
		}
		if !errors.Is(err, store.ErrConflict) {
			s.cfg.Log.Warn("could not record a sent reminder; it is marked sent and will be tidied on the next claim", "case", old.Name(), "err", cause(err))
			return err
		}
		fresh, err := s.cfg.Store.GetCase(ctx, old.ID)
		if isUnavailable(err) {
			return err
		}
		if err != nil {
			s.cfg.Log.Warn("could not re-read a case after a conflict", "case", old.Name(), "err", cause(err))
			return err
		}
		old = fresh
	}
	s.cfg.Log.Warn("case kept changing while recording a reminder; it will be claimed again", "case", old.Name())
	return nil
}

func (s *Scheduler) runJob(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	j := *it.job
	occ := jobOccurrence(j)
	if it.wasSent(occ) {
		s.finishJob(ctx, it.claim, j, occ)
		return 0, 0
	}
	s.mu.Lock()
	fn := s.jobs[j.Kind]
	s.mu.Unlock()
	if fn == nil {
		s.cfg.Log.Warn("no handler for a job; dropping it", "kind", j.Kind)
		_ = s.cfg.Store.Drop(ctx, it.claim)
		return 0, 0
	}
	if err := fn(ctx, j, now); err != nil {
		s.cfg.Log.Warn("job failed; will try again", "kind", j.Kind, "err", err)
		if errors.Is(err, bot.ErrNotReachable) && j.Case != 0 && j.Person != "" {
			if c, err := s.cfg.Store.GetCase(ctx, j.Case); err == nil {
				s.askToOpen(ctx, c, j.Person, svcs, now)
			}
		}
		_ = s.cfg.Store.Release(ctx, it.claim, now.Add(s.cfg.Retry))
		return 0, 1
	}
	s.finishJob(ctx, it.claim, j, occ)
	return 1, 0
}

// askToOpen tells a case's service channel, at most once a day for each
// person, that someone on the case can't get hppbot's messages until they
// open hppbot once (bot.ErrNotReachable). It names the case id only: not
// the person, and nothing about the patient or what the message was.
func (s *Scheduler) askToOpen(ctx context.Context, c *pathway.Case, person string, svcs store.Services, now time.Time) {
	channel := svcs[c.Service].Channel
	if channel == "" {
		s.cfg.Log.Warn("someone on a case can't be reached and its service has no channel to tell", "case", c.Name())
		return
	}
	key := "unreachable:" + person + ":" + now.In(s.cfg.Policy.Location()).Format("2006-01-02")
	first, err := s.cfg.Store.MarkOnce(ctx, key, 48*time.Hour)
	if err != nil || !first {
		return
	}
	where := "hppbot"
	switch surface, _ := bot.SplitID(person); surface {
	case bot.Teams:
		where = "hppbot in Teams"
	case bot.Slack:
		where = "hppbot in Slack"
	}
	r := bot.Reply{Text: fmt.Sprintf("Someone on *%s* needs to open %s once so reminders can reach them — saying hello in a chat with hppbot is enough. Their reminders are kept and tried again until then.", c.Name(), where)}
	if err := s.cfg.Messenger.PostChannel(ctx, channel, r); err != nil {
		s.cfg.Log.Warn("could not ask the service channel to help reach someone", "case", c.Name(), "err", err)
		_ = s.cfg.Store.ForgetMark(ctx, key)
	}
}

// finishJob marks a job's run sent and removes it; if Redis does not
// answer, that is kept and done before the next claim.
func (s *Scheduler) finishJob(ctx context.Context, cl store.Claim, j store.Job, occurrence string) {
	p := pendingAck{claim: cl, job: &j, occurrence: occurrence}
	if err := s.ack(ctx, p); isUnavailable(err) {
		s.cfg.Log.Warn("could not record a finished job; it is kept and recorded when the store answers", "kind", j.Kind, "err", cause(err))
		s.keep(p)
	}
}

// message is one thing to send.
type message struct {
	to      string // a person or channel id
	channel bool
	reply   bot.Reply
}

func (s *Scheduler) deliver(ctx context.Context, m message) error {
	if m.channel {
		return s.cfg.Messenger.PostChannel(ctx, m.to, m.reply)
	}
	return s.cfg.Messenger.SendDirect(ctx, m.to, m.reply)
}

// RunDue runs everything that falls due up to until, in order, moving the
// clock to each moment it is delivered: the console's :advance. The digest
// runs on each working morning passed.
func (s *Scheduler) RunDue(ctx context.Context, until time.Time, setClock func(time.Time)) error {
	cal := s.cfg.Policy.Calendar
	now := s.cfg.Clock()
	s.mu.Lock()
	if s.digested.IsZero() || s.digested.After(now) {
		s.digested = now
	}
	s.mu.Unlock()
	for guard := 0; guard < 100000; guard++ {
		next, ok, err := s.cfg.Store.NextDue(ctx)
		if err != nil {
			return err
		}
		var at time.Time
		if ok {
			if next.Before(now) {
				next = now
			}
			at = cal.NextWorkingStart(next)
		}
		digestAt := s.nextDigest()
		isDigest := !digestAt.After(until) && (at.IsZero() || !digestAt.After(at))
		if isDigest {
			at = digestAt
		}
		if at.IsZero() || at.After(until) {
			return nil
		}
		if at.After(now) {
			setClock(at)
			now = at
		}
		if isDigest {
			s.mu.Lock()
			s.digested = at.Add(time.Minute)
			s.mu.Unlock()
			if err := s.Digest(ctx, at); err != nil {
				return err
			}
			continue
		}
		res, err := s.Tick(ctx, now)
		if err != nil {
			return err
		}
		if res.Claimed == 0 {
			// Nothing could be claimed at this moment (a lease not yet run
			// out): step past it.
			now = now.Add(time.Minute)
			setClock(now)
		}
	}
	return fmt.Errorf("scheduler: too many reminders to run at once")
}

// nextDigest is the next digest time after the last one the console ran.
func (s *Scheduler) nextDigest() time.Time {
	s.mu.Lock()
	from := s.digested
	s.mu.Unlock()
	cal := s.cfg.Policy.Calendar
	d := pathway.Midnight(from, s.cfg.Policy.Location())
	for i := 0; i < 30; i++ {
		at := d.Add(s.cfg.Policy.DigestAt)
		if cal.IsWorkingDay(d) && !at.Before(from) {
			return at
		}
		d = d.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// Digest posts each service's overdue items to its channel, once a working
// day across every replica. A service with nothing overdue gets nothing.
func (s *Scheduler) Digest(ctx context.Context, now time.Time) error {
	p := s.cfg.Policy
	if !p.Calendar.IsWorkingDay(now) {
		return nil
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		return err
	}
	cases, err := s.cfg.Store.Overdue(ctx, now)
	if err != nil {
		return err
	}
	byService := map[string][]*pathway.Case{}
	for _, c := range cases {
		if c.Service != "" && svcs[c.Service].Channel != "" {
			byService[c.Service] = append(byService[c.Service], c)
		}
	}
	names := make([]string, 0, len(byService))
	for n := range byService {
		names = append(names, n)
	}
	sort.Strings(names)
	day := now.In(p.Location()).Format("2006-01-02")
	for _, name := range names {
		key := "digest:" + name + ":" + day
		first, err := s.cfg.Store.MarkOnce(ctx, key, 48*time.Hour)
		if err != nil {
			return err
		}
		if !first {
			continue
		}
		if err := s.cfg.Messenger.PostChannel(ctx, svcs[name].Channel, s.digestReply(name, byService[name], now)); err != nil {
			s.cfg.Log.Warn("digest not delivered", "service", name, "err", cause(err))
			_ = s.cfg.Store.ForgetMark(ctx, key)
		}
	}
	return nil
}
