package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// fakeMetrics records what the scheduler reports.
type fakeMetrics struct {
	mu         sync.Mutex
	reminders  map[string]int
	deferred   []int
	lags       []time.Duration
	tickErrors int
}

func newFakeMetrics() *fakeMetrics { return &fakeMetrics{reminders: map[string]int{}} }

func (m *fakeMetrics) Reminders(outcome string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reminders[outcome] += n
}

func (m *fakeMetrics) Deferred(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deferred = append(m.deferred, n)
}

func (m *fakeMetrics) Lag(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lags = append(m.lags, d)
}

func (m *fakeMetrics) TickError() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tickErrors++
}

// syncBuffer is a log destination safe to read while goroutines write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gate is a Messenger whose first send waits until the test opens it.
type gate struct {
	rec     *recorder
	once    sync.Once
	started chan struct{}
	open    chan struct{}
}

func newGate() *gate {
	return &gate{rec: &recorder{}, started: make(chan struct{}), open: make(chan struct{})}
}

func (g *gate) wait() {
	g.once.Do(func() {
		close(g.started)
		<-g.open
	})
}

func (g *gate) SendDirect(ctx context.Context, to string, r bot.Reply) error {
	g.wait()
	return g.rec.SendDirect(ctx, to, r)
}

func (g *gate) PostChannel(ctx context.Context, to string, r bot.Reply) error {
	g.wait()
	return g.rec.PostChannel(ctx, to, r)
}

// Thursday 26 November 2026, 10:30: the first contacts of cases opened on
// Wednesday morning are due.
var thu = wed.Add(24*time.Hour + 30*time.Minute)

func TestStopHandsBackWhatATickHadNotReached(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)})
	}
	g := newGate()
	s := New(Config{Store: e.st, Policy: e.p, Messenger: g, Clock: func() time.Time { return thu }, Workers: 1})
	type tickResult struct {
		res Result
		err error
	}
	done := make(chan tickResult, 1)
	go func() {
		res, err := s.Tick(ctx, thu)
		done <- tickResult{res, err}
	}()
	<-g.started // the first reminder is being sent; four more are claimed
	stopped := make(chan struct{})
	go func() {
		s.Stop() // SIGTERM: no new work; wait for the send in flight
		close(stopped)
	}()
	for !s.stopping.Load() {
		time.Sleep(time.Millisecond)
	}
	close(g.open)
	got := <-done
	<-stopped
	if got.err != nil || got.res.Claimed != 5 || got.res.Sent != 1 {
		t.Fatalf("tick = %+v, %v; want 5 claimed and the 1 in flight sent", got.res, got.err)
	}
	// The four not reached are due again now, not leased for two minutes.
	if n, err := e.st.CountDue(ctx, thu); err != nil || n != 4 {
		t.Fatalf("due after stop = %d, %v; want the 4 claims handed back", n, err)
	}
	// A stopped scheduler starts nothing new.
	if res, err := s.Tick(ctx, thu); err != nil || res.Claimed != 0 {
		t.Errorf("tick after Stop = %+v, %v; want nothing claimed", res, err)
	}
	// Another replica delivers the four at once; nobody hears twice.
	rec := &recorder{}
	other := New(Config{Store: e.st, Policy: e.p, Messenger: rec, Clock: func() time.Time { return thu }})
	res, err := other.Tick(ctx, thu)
	if err != nil || res.Sent != 4 {
		t.Fatalf("other replica's tick = %+v, %v; want 4 sent", res, err)
	}
	heard := map[string]int{}
	for _, m := range append(g.rec.all, rec.all...) {
		heard[m.to]++
	}
	if len(heard) != 5 {
		t.Errorf("%d people reminded; want 5: %v", len(heard), heard)
	}
	for to, n := range heard {
		if n != 1 {
			t.Errorf("%s reminded %d times; want once", to, n)
		}
	}
}

// killer is a Messenger that crashes Redis when it sends its first message:
// the send has gone, but it can't be recorded.
type killer struct {
	rec  *recorder
	srv  *storetest.Server
	once sync.Once
}

func (k *killer) SendDirect(ctx context.Context, to string, r bot.Reply) error {
	k.once.Do(k.srv.Kill)
	return k.rec.SendDirect(ctx, to, r)
}

func (k *killer) PostChannel(ctx context.Context, to string, r bot.Reply) error {
	k.once.Do(k.srv.Kill)
	return k.rec.PostChannel(ctx, to, r)
}

func TestASendRedisMissedIsRecordedNotRepeated(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{})
	st, err := store.Connect(srv.URL(), "hpp:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 2; i++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)}, "console:lee", p, wed)
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.CreateCase(ctx, c, p, ev)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	logs := &syncBuffer{}
	k := &killer{rec: &recorder{}, srv: srv}
	s := New(Config{Store: st, Policy: p, Messenger: k, Clock: func() time.Time { return thu }, Workers: 1,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	// Redis dies while the first reminder is with the platform: it went,
	// and its record is kept in memory (by the queue and the scheduler);
	// the second can't be queued, and waits.
	res, err := s.Tick(ctx, thu)
	if err != nil || res.Sent != 1 {
		// The second case can't be read again before sending, so its
		// reminder waits for the store rather than going unchecked.
		t.Fatalf("tick = %+v, %v; want the first reminder sent (Redis died as it went) and the second held back", res, err)
	}
	if _, err := s.Tick(ctx, thu); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Fatalf("tick with Redis down: err = %v; want unavailable", err)
	}
	srv.Start() // the append-only file brings back the claims
	// Past the two-minute lease: without the kept records, the first would
	// be claimed again and sent again; the second is claimed and sent.
	later := thu.Add(5 * time.Minute)
	res, err = s.Tick(ctx, later)
	if err != nil || res.Claimed != 1 || res.Sent != 1 {
		t.Fatalf("tick after Redis returned = %+v, %v; want the kept send recorded, not claimed again, and only the held-back reminder claimed and sent", res, err)
	}
	if _, err := s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	other := New(Config{Store: st, Policy: p, Messenger: k.rec, Clock: func() time.Time { return later }})
	if res, err := other.Tick(ctx, later); err != nil || res.Sent != 0 {
		t.Fatalf("another replica's tick = %+v, %v; want nothing sent again", res, err)
	}
	for i, id := range ids {
		person := fmt.Sprintf("console:p%d", i)
		if n := len(k.rec.to(person)); n != 1 {
			t.Errorf("%s reminded %d times; want once", person, n)
		}
		events, err := st.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		reminders := 0
		for _, e := range events {
			if e.Kind == pathway.EventReminder {
				reminders++
			}
		}
		if reminders != 1 {
			t.Errorf("case %d's timeline records %d reminders; want 1", id, reminders)
		}
	}
	if !strings.Contains(logs.String(), "kept and recorded when the store answers") {
		t.Errorf("logs do not say the send was kept:\n%s", logs.String())
	}
}

func TestAnOutageIsLoggedOnceAndCaughtUp(t *testing.T) {
	srv := storetest.StartServer(t, storetest.ServerOptions{})
	st, err := store.Connect(srv.URL(), "hpp:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-1", Lead: "console:lee"}, "console:lee", p, wed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: wed}
	rec := &recorder{}
	logs := &syncBuffer{}
	fm := newFakeMetrics()
	s := New(Config{Store: st, Policy: p, Messenger: rec, Clock: clk.Now, Metrics: fm,
		Log: slog.New(slog.NewTextHandler(logs, nil))})

	srv.Stop()
	clk.Set(thu) // the first contact falls due while Redis is down
	for i := 0; i < 4; i++ {
		s.tick(ctx)
	}
	if n := strings.Count(logs.String(), "reminders paused"); n != 1 {
		t.Errorf("the outage was logged %d times over 4 ticks; want once:\n%s", n, logs.String())
	}
	if fm.tickErrors != 4 {
		t.Errorf("tick errors = %d; want 4", fm.tickErrors)
	}
	if len(rec.all) != 0 {
		t.Fatalf("sent with Redis down: %+v", rec.all)
	}
	srv.Start()
	s.tick(ctx)
	s.tick(ctx)
	if n := len(rec.to("console:lee")); n != 1 {
		t.Errorf("after Redis returned the reminder went %d times; want once", n)
	}
	if !strings.Contains(logs.String(), "catching up") || !strings.Contains(logs.String(), "ticks_skipped=4") {
		t.Errorf("recovery not logged:\n%s", logs.String())
	}
}

func TestDeferredCountsWhatWaitsForWorkingHours(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	fm := newFakeMetrics()
	e.s.cfg.Metrics = fm
	for i := 0; i < 3; i++ {
		e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)})
	}
	// A check-in due on Saturday morning, outside working days.
	sat := time.Date(2026, 11, 28, 10, 0, 0, 0, london)
	e.s.HandleJob("ping", func(ctx context.Context, j store.Job, now time.Time) error {
		return e.rec.SendDirect(ctx, j.Person, bot.Reply{Text: "hello"})
	})
	if err := e.s.Schedule(ctx, store.Job{ID: "ping-1", Kind: "ping", Person: "console:sam", At: sat}); err != nil {
		t.Fatal(err)
	}
	res, err := e.s.Tick(ctx, sat.Add(time.Hour))
	if err != nil || !res.Deferred || res.Claimed != 0 {
		t.Fatalf("Saturday tick = %+v, %v; want deferred, nothing claimed", res, err)
	}
	if len(fm.deferred) != 1 || fm.deferred[0] != 4 {
		t.Errorf("deferred = %v; want the 3 first contacts and the check-in waiting", fm.deferred)
	}
	// Monday 08:00:30: all four go; lag is counted from 08:00, the first
	// moment the Saturday check-in could go — but the first contacts were due
	// on Thursday and nobody ticked since, so the lag is the real delay.
	mon := time.Date(2026, 11, 30, 8, 0, 30, 0, london)
	res, err = e.s.Tick(ctx, mon)
	if err != nil || res.Sent != 4 {
		t.Fatalf("Monday tick = %+v, %v; want 4 sent", res, err)
	}
	if last := fm.deferred[len(fm.deferred)-1]; last != 0 {
		t.Errorf("deferred in working hours = %d; want 0", last)
	}
	if want := mon.Sub(wed.Add(24 * time.Hour)); len(fm.lags) != 1 || fm.lags[0] != want {
		t.Errorf("lag = %v; want %v (from Thursday's due time)", fm.lags, want)
	}
	if fm.reminders["due"] != 4 || fm.reminders["sent"] != 4 {
		t.Errorf("reminders = %v; want 4 due and 4 sent", fm.reminders)
	}
}

func TestLagDoesNotCountWaitingForWorkingHours(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	fm := newFakeMetrics()
	e.s.cfg.Metrics = fm
	sat := time.Date(2026, 11, 28, 10, 0, 0, 0, london)
	e.s.HandleJob("ping", func(ctx context.Context, j store.Job, now time.Time) error {
		return e.rec.SendDirect(ctx, j.Person, bot.Reply{Text: "hello"})
	})
	if err := e.s.Schedule(ctx, store.Job{ID: "ping-1", Kind: "ping", Person: "console:sam", At: sat}); err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, 11, 30, 8, 0, 30, 0, london)
	if res, err := e.s.Tick(ctx, mon); err != nil || res.Sent != 1 {
		t.Fatalf("tick = %+v, %v", res, err)
	}
	if len(fm.lags) != 1 || fm.lags[0] != 30*time.Second {
		t.Errorf("lag = %v; want 30s after Monday's start of working hours", fm.lags)
	}
}
