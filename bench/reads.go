package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/store"
)

// The scale of reads: what a pathway lead and an admin wait for when one
// service holds many cases. The cases are written through the real write
// path into one service, opened over the last four months, a third of them
// with a contact logged and a tenth closed; then each read below is run as
// a person would type it, through the handlers on the real store, at each
// size. Its p99 is held to 250 ms at the largest size, and its cost at the
// largest size against the smallest to linear (size ratio × the smaller
// median). The process's Go heap is sampled while they run.

// readsLead leads "surgery", the service every case is in.
const (
	readsService = "surgery"
	readsLead    = "slack:UBENCHLEAD05"
	readsAdmin   = "slack:UBENCHADMIN"
)

// read is one command the section times. A read whose command this build
// does not have (refused as unknown) is named and skipped, not failed: the
// weekly view (list week) is built on another branch.
type read struct {
	name   string
	person string
	line   string
}

var reads = []read{
	{"list all, the service's lead", readsLead, "/hpp list all"},
	{"list all, an admin", readsAdmin, "/hpp list all"},
	{"list overdue, the service's lead", readsLead, "/hpp list overdue"},
	{"list week, the service's lead", readsLead, "/hpp list week"},
	{"report days=90, the service's lead", readsLead, "/hpp report service=" + readsService + " days=90"},
	{"report days=90 for every service, an admin", readsAdmin, "/hpp report days=90"},
}

// later is a Messenger that tells the bench when a reply sent after the
// answer (a report's figures) has arrived.
type later struct {
	mu   sync.Mutex
	sent chan bot.Reply
}

func (l *later) SendDirect(_ context.Context, _ string, r bot.Reply) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent != nil {
		select {
		case l.sent <- r:
		default:
		}
	}
	return nil
}

func (l *later) PostChannel(context.Context, string, bot.Reply) error { return nil }

// expect returns a channel that receives the next reply sent.
func (l *later) expect() chan bot.Reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = make(chan bot.Reply, 1)
	return l.sent
}

// readTiming is one read at one size.
type readTiming struct {
	answer  []time.Duration // until the command answered
	figures []time.Duration // until its figures arrived (the answer, when they came with it)
	skipped string
}

func readsScale(ctx context.Context, main *store.Store, p *pathway.Policy, sizes []int, res *results) {
	if len(sizes) == 0 {
		return
	}
	st := store.New(main.Client(), main.Prefix()+"reads:")
	seedServices(ctx, st)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	box := &later{}
	h := handlers.New(handlers.Config{
		Store: st, Policy: p, Messenger: box, Admins: []string{readsAdmin},
		Clock: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler),
	})
	timings := map[int][]readTiming{}
	seeded := 0
	for _, size := range sizes {
		start := time.Now()
		seedReads(ctx, st, p, seeded, size, now)
		seeded = size
		fmt.Fprintf(res.log, "  (seeded %d cases in %s, %s)\n", size, time.Since(start).Round(time.Second), readsService)
		runtime.GC()
		base := heapInUse()
		peak := &heapPeak{}
		stop := peak.watch()
		var ts []readTiming
		for _, r := range reads {
			ts = append(ts, timeRead(ctx, h, box, r, size))
		}
		stop()
		timings[size] = ts
		grew := float64(peak.max.Load()-base) / (1 << 20)
		res.info("reads", fmt.Sprintf("Go heap growth while serving these, %d cases", size), grew, "MB", fmt.Sprintf("peak in use %.0f MB", float64(peak.max.Load())/(1<<20)))
		for i, r := range reads {
			t := ts[i]
			if t.skipped != "" {
				res.info("reads", fmt.Sprintf("%s, %d cases", r.name, size), 0, "", t.skipped)
				continue
			}
			p99 := percentile(t.answer, 0.99)
			res.check("reads", fmt.Sprintf("%s, %d cases: p99 answer", r.name, size), ms(p99), "ms", "≤ 250 ms", p99 <= 250*time.Millisecond,
				fmt.Sprintf("%d runs, median %.1f ms", len(t.answer), ms(percentile(t.answer, 0.5))))
			if !sameDurations(t.answer, t.figures) {
				res.info("reads", fmt.Sprintf("%s, %d cases: figures sent after", r.name, size), ms(percentile(t.figures, 0.99)), "ms",
					fmt.Sprintf("p99; median %.1f ms", ms(percentile(t.figures, 0.5))))
			}
		}
	}
	lo, hi := sizes[0], sizes[len(sizes)-1]
	if lo == hi {
		return
	}
	scale := float64(hi) / float64(lo)
	for i, r := range reads {
		a, b := timings[lo][i], timings[hi][i]
		if a.skipped != "" || b.skipped != "" {
			continue
		}
		// The cost is the whole work: until the figures are there.
		ratio := float64(percentile(b.figures, 0.5)) / float64(percentile(a.figures, 0.5))
		res.check("reads", fmt.Sprintf("%s: cost at %d ÷ at %d", r.name, hi, lo), ratio, "×", fmt.Sprintf("≤ %.0f (linear)", scale), ratio <= scale, "")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sameDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// timeRead runs one read until it has at least 5 runs and 4 seconds, or 30
// runs. When the answer says the figures will follow, the time until they
// arrive is kept too.
func timeRead(ctx context.Context, h *handlers.Handler, box *later, r read, size int) readTiming {
	var t readTiming
	began := time.Now()
	for len(t.answer) < 30 && (len(t.answer) < 5 || time.Since(began) < 4*time.Second) {
		sent := box.expect()
		start := time.Now()
		reply, err := h.Run(ctx, bot.Request{Surface: bot.Slack, Person: r.person, Text: r.line})
		answered := time.Since(start)
		text := reply.PlainText()
		if err != nil && strings.Contains(text, "list takes mine") {
			t.skipped = "not in this build"
			return t
		}
		if err != nil {
			fail("reads: "+r.line, fmt.Errorf("%s (%v)", text, err))
		}
		figures := answered
		if strings.Contains(text, "in a moment") {
			select {
			case <-sent:
				figures = time.Since(start)
			case <-time.After(2 * time.Minute):
				fail("reads: "+r.line, fmt.Errorf("the figures did not arrive within 2 minutes at %d cases", size))
			}
		}
		t.answer = append(t.answer, answered)
		t.figures = append(t.figures, figures)
	}
	return t
}

// seedReads writes cases from..to-1 into the service, through the real
// write path: opened over the 120 days before now, every third with a
// contact the day after, every tenth closed two days after.
func seedReads(ctx context.Context, st *store.Store, p *pathway.Policy, from, to int, now time.Time) {
	const writers = 48
	var wg sync.WaitGroup
	next := make(chan int, writers)
	var once sync.Once
	var firstErr error
	harms := []pathway.Harm{pathway.HarmLow, pathway.HarmModerate, pathway.HarmSevere, pathway.HarmNone}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				// On a busy machine Redis can miss its read timeout: a case
				// is tried again a few times (a retried open may leave one
				// case more than asked, which changes no figure measured).
				var err error
				for try := 0; try < 5; try++ {
					if err = seedRead(ctx, st, p, i, harms[i%len(harms)], now); pathway.ErrorCode(err) != pathway.Unavailable {
						break
					}
					time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		fail("seeding cases", firstErr)
	}
}

func seedRead(ctx context.Context, st *store.Store, p *pathway.Policy, i int, harm pathway.Harm, now time.Time) error {
	opened := now.AddDate(0, 0, -(i%120)-1).Add(-time.Duration(i%7) * time.Hour)
	in := pathway.OpenInput{Ref: fmt.Sprintf("INC-R%d", i), Service: readsService, Harm: harm}
	c, ev, err := pathway.Open(in, fmt.Sprintf("slack:UR%07d", i%5000), p, opened)
	if err != nil {
		return err
	}
	id, err := st.CreateCase(ctx, c, p, ev)
	if err != nil {
		return err
	}
	c.ID = id
	step := func(at time.Time, change func(c *pathway.Case) (pathway.Event, error)) error {
		old, err := st.GetCase(ctx, id)
		if err != nil {
			return err
		}
		c := old.Clone()
		ev, err := change(c)
		if err != nil {
			return err
		}
		return st.SaveCase(ctx, old, c, p, ev)
	}
	if i%3 == 0 {
		at := opened.Add(24 * time.Hour)
		if err := step(at, func(c *pathway.Case) (pathway.Event, error) {
			return c.LogContact(pathway.ContactInput{Via: "phone", Note: "Spoke with the family"}, c.Lead, p, at)
		}); err != nil {
			return err
		}
	}
	if i%10 == 0 {
		at := opened.Add(48 * time.Hour)
		if err := step(at, func(c *pathway.Case) (pathway.Event, error) {
			return c.Close("Finished", c.Lead, at)
		}); err != nil {
			return err
		}
	}
	return nil
}

// heapPeak samples the Go heap in use while reads run.
type heapPeak struct{ max atomic.Uint64 }

func (hp *heapPeak) watch() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := heapInUse(); v > hp.max.Load() {
				hp.max.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// heapInUse is the Go heap's live and not-yet-swept objects, in bytes
// (runtime/metrics, without stopping the world).
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
