package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

type sent struct {
	to      string
	channel bool
	reply   bot.Reply
	at      time.Time
}

// recorder is a Messenger that keeps what was sent; fail makes sends fail.
type recorder struct {
	mu    sync.Mutex
	all   []sent
	clock func() time.Time
	fail  func(to string) error
}

func (r *recorder) SendDirect(_ context.Context, to string, rep bot.Reply) error {
	return r.add(sent{to: to, reply: rep})
}

func (r *recorder) PostChannel(_ context.Context, to string, rep bot.Reply) error {
	return r.add(sent{to: to, channel: true, reply: rep})
}

func (r *recorder) add(s sent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(s.to); err != nil {
			return err
		}
	}
	if r.clock != nil {
		s.at = r.clock()
	}
	r.all = append(r.all, s)
	return nil
}

func (r *recorder) to(id string) []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sent
	for _, s := range r.all {
		if s.to == id {
			out = append(out, s)
		}
	}
	return out
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

type env struct {
	st    *store.Store
	p     *pathway.Policy
	clock *clock
	rec   *recorder
	s     *Scheduler
}

func newEnv(t testing.TB, start time.Time) *env {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	c := &clock{now: start}
	rec := &recorder{clock: c.Now}
	s := New(Config{Store: st, Policy: p, Messenger: rec, Clock: c.Now, Workers: 1})
	return &env{st: st, p: p, clock: c, rec: rec, s: s}
}

var london, _ = time.LoadLocation("Europe/London")

// openCase stores a case opened at the clock's time.
func (e *env) openCase(t testing.TB, in pathway.OpenInput) *pathway.Case {
	t.Helper()
	if in.Lead == "" {
		in.Lead = "console:lee"
	}
	c, ev, err := pathway.Open(in, in.Lead, e.p, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateCase(context.Background(), c, e.p, ev); err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) runUntil(t testing.TB, until time.Time) {
	t.Helper()
	if err := e.s.RunDue(context.Background(), until, e.clock.Set); err != nil {
		t.Fatal(err)
	}
}

// update applies a command to a case as its lead.
func (e *env) update(t testing.TB, id int64, change func(c *pathway.Case) (pathway.Event, error)) {
	t.Helper()
	ctx := context.Background()
	old, err := e.st.GetCase(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c := old.Clone()
	ev, err := change(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveCase(ctx, old, c, e.p, ev); err != nil {
		t.Fatal(err)
	}
}

// Wednesday 25 November 2026, 10:00 in London.
var wed = time.Date(2026, 11, 25, 10, 0, 0, 0, london)

func TestTwoSchedulersDeliverEachReminderOnce(t *testing.T) {
	e := newEnv(t, wed)
	const n = 1000
	ctx := context.Background()
	for i := 0; i < n; i++ {
		e.openCase(t, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)})
	}
	// Thursday 10:30: every first contact is due; two replicas tick at once.
	at := wed.Add(24*time.Hour + 30*time.Minute)
	recA, recB := &recorder{}, &recorder{}
	a := New(Config{Store: e.st, Policy: e.p, Messenger: recA, Clock: func() time.Time { return at }, Batch: 100})
	b := New(Config{Store: e.st, Policy: e.p, Messenger: recB, Clock: func() time.Time { return at }, Batch: 100})
	var wg sync.WaitGroup
	for _, s := range []*Scheduler{a, b} {
		wg.Add(1)
		go func(s *Scheduler) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				res, err := s.Tick(ctx, at)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Claimed == 0 {
					return
				}
			}
		}(s)
	}
	wg.Wait()
	got := map[string]int{}
	for _, rec := range []*recorder{recA, recB} {
		for _, s := range rec.all {
			got[s.to]++
		}
	}
	if len(got) != n {
		t.Fatalf("%d people were reminded; want %d", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d reminders; want 1", to, k)
		}
	}
	if len(recA.all) == 0 || len(recB.all) == 0 {
		t.Logf("one replica did all the work (a=%d, b=%d) — allowed, but unusual", len(recA.all), len(recB.all))
	}
	// Nothing more is due until the repeat.
	res, err := a.Tick(ctx, at)
	if err != nil || res.Claimed != 0 {
		t.Errorf("second tick claimed %d (err %v); want 0", res.Claimed, err)
	}
}

func TestCrashAfterClaimIsRedeliveredOnce(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	due := c.NextContact.Add(time.Minute)

	// A replica claims the case and dies before sending.
	claims, err := e.st.ClaimDue(ctx, due, 2*time.Minute, 10, "dead-replica/1")
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim = %v, %v", claims, err)
	}
	// While the lease holds, nobody else delivers it.
	if res, _ := e.s.Tick(ctx, due.Add(time.Minute)); res.Claimed != 0 || len(e.rec.all) != 0 {
		t.Fatalf("delivered during the lease: %+v", res)
	}
	// When the lease runs out it is delivered, once.
	after := due.Add(3 * time.Minute)
	if _, err := e.s.Tick(ctx, after); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Tick(ctx, after.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:lee"); len(got) != 1 {
		t.Fatalf("delivered %d times; want 1", len(got))
	}
}

func TestCrashAfterSendIsNotSentAgain(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	due := c.NextContact.Add(time.Minute)
	claims, err := e.st.ClaimDue(ctx, due, 2*time.Minute, 10, "dying/1")
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim = %v, %v", claims, err)
	}
	// It sent, and marked the occurrence sent, then died before recording
	// the case: a stale acknowledgement writes only the mark.
	rs := c.Reminders(e.p, due)
	stale := c.Clone()
	stale.Version = 99
	err = e.st.AckCase(ctx, claims[0], stale, c.Clone(), e.p, nil, []string{rs[0].Occurrence}, time.Time{})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale ack = %v; want a conflict", err)
	}
	if _, err := e.s.Tick(ctx, due.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:lee"); len(got) != 0 {
		t.Fatalf("the reminder was sent again after the crash")
	}
	// The redelivery still recorded it, so the next nudge is the repeat.
	got, err := e.st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContactNudges != 1 {
		t.Errorf("ContactNudges = %d; want 1", got.ContactNudges)
	}
}

func TestQuietHoursAndBankHolidaysDefer(t *testing.T) {
	tests := []struct {
		name      string
		due       time.Time // when contact falls due
		delivered time.Time
	}{
		{"evening goes to next morning", time.Date(2026, 11, 25, 19, 30, 0, 0, london), time.Date(2026, 11, 26, 8, 0, 0, 0, london)},
		{"small hours go to the start of the day", time.Date(2026, 11, 26, 3, 0, 0, 0, london), time.Date(2026, 11, 26, 8, 0, 0, 0, london)},
		{"Saturday goes to Monday", time.Date(2026, 11, 28, 11, 0, 0, 0, london), time.Date(2026, 11, 30, 8, 0, 0, 0, london)},
		{"Christmas Day and the Boxing Day substitute are skipped", time.Date(2026, 12, 24, 18, 30, 0, 0, london), time.Date(2026, 12, 29, 8, 0, 0, 0, london)},
		{"the substitute day itself is skipped", time.Date(2026, 12, 28, 9, 0, 0, 0, london), time.Date(2026, 12, 29, 8, 0, 0, 0, london)},
		{"in working hours it goes at once", time.Date(2026, 11, 26, 14, 15, 0, 0, london), time.Date(2026, 11, 26, 14, 15, 0, 0, london)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, wed)
			c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
			e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
				return c.LogContact(pathway.ContactInput{Next: &pathway.When{Date: time.Time{}, Span: pathway.Span{N: 1, Unit: pathway.Minute}}}, "console:lee", e.p, wed)
			})
			// Move the due time precisely.
			e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
				c.NextContact = tt.due
				return pathway.Event{At: wed, Actor: "console:lee", Kind: pathway.EventPlan}, nil
			})
			e.runUntil(t, tt.delivered.Add(time.Hour))
			got := e.rec.to("console:lee")
			if len(got) == 0 {
				t.Fatalf("nothing delivered by %s", tt.delivered)
			}
			if !got[0].at.Equal(tt.delivered) {
				t.Errorf("delivered at %s; want %s", got[0].at.In(london), tt.delivered)
			}
			for _, s := range e.rec.all {
				if !e.p.Calendar.InWorkingHours(s.at) {
					t.Errorf("a message went outside working hours, at %s", s.at.In(london))
				}
			}
		})
	}
}

func TestEscalationPathAndAnsweringResetsIt(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"}); err != nil {
		t.Fatal(err)
	}
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-7", Service: "maternity", Summary: "Synthetic-summary-text"})
	// Thu: nudge 1; Fri: nudge 2; Mon: nudge 3 with the escalation.
	e.runUntil(t, time.Date(2026, 11, 30, 17, 0, 0, 0, london))
	// The named contact gets three nudges and, with the third, a note that
	// the pathway lead was told.
	if got := e.rec.to("console:lee"); len(got) != 4 || !strings.Contains(got[3].reply.PlainText(), "I've let <@console:pat>") {
		t.Fatalf("named contact got %d messages; want 3 nudges and a note naming the pathway lead", len(got))
	}
	pat := e.rec.to("console:pat")
	if len(pat) != 1 || !strings.Contains(pat[0].reply.PlainText(), "HPP-1") {
		t.Fatalf("pathway lead got %+v; want one heads-up naming HPP-1", pat)
	}
	posts := e.rec.to("console:maternity")
	var escalations int
	for _, p := range posts {
		text := p.reply.PlainText()
		if strings.Contains(text, "Synthetic-summary-text") || strings.Contains(text, "INC-7") {
			t.Errorf("a channel post carries the summary or reference: %s", text)
		}
		if strings.Contains(text, "pathway lead has been asked to help") {
			escalations++
		}
	}
	if escalations != 1 {
		t.Errorf("%d escalation posts; want 1", escalations)
	}
	// After the escalation repeats slow to every two working days: none
	// on Tuesday, nudge 4 on Wednesday, and no second escalation.
	e.runUntil(t, time.Date(2026, 12, 1, 17, 0, 0, 0, london))
	if got := e.rec.to("console:lee"); len(got) != 4 {
		t.Errorf("by Tuesday evening the named contact had %d messages; want the 4 of Monday (no repeat the day after the escalation)", len(got))
	}
	e.runUntil(t, time.Date(2026, 12, 2, 17, 0, 0, 0, london))
	if got := e.rec.to("console:lee"); len(got) != 5 || !strings.Contains(got[4].reply.PlainText(), "<@console:pat>, knows and can help") {
		t.Errorf("Wednesday's nudge should say the pathway lead knows and can help; got %d messages", len(got))
	}
	if got := e.rec.to("console:pat"); len(got) != 1 {
		t.Errorf("pathway lead told %d times; want once", len(got))
	}
	// A contact answers it: the count starts again.
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:lee", e.p, e.clock.Now())
	})
	got, err := e.st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContactNudges != 0 || got.Escalated {
		t.Errorf("after contact: nudges=%d escalated=%v; want 0, false", got.ContactNudges, got.Escalated)
	}
	events, err := e.st.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var reminders, escalationEvents int
	for _, ev := range events {
		switch ev.Kind {
		case pathway.EventReminder:
			reminders++
		case pathway.EventEscalation:
			escalationEvents++
		}
	}
	if reminders != 4 || escalationEvents != 1 {
		t.Errorf("timeline has %d reminders and %d escalations; want 4 and 1", reminders, escalationEvents)
	}
}

func TestClosedCaseGetsNothingMore(t *testing.T) {
	e := newEnv(t, wed)
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1", Harm: pathway.HarmSevere})
	e.runUntil(t, time.Date(2026, 11, 26, 17, 0, 0, 0, london))
	before := len(e.rec.all)
	if before == 0 {
		t.Fatal("expected a first nudge before closing")
	}
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", "console:lee", e.clock.Now()) })
	e.runUntil(t, time.Date(2027, 1, 30, 17, 0, 0, 0, london))
	if len(e.rec.all) != before {
		t.Errorf("%d messages after closing", len(e.rec.all)-before)
	}
	if _, ok, err := e.st.NextDue(context.Background()); err != nil || ok {
		t.Errorf("the due index still holds something (ok=%v, err=%v)", ok, err)
	}
}

func TestCandourReminders(t *testing.T) {
	e := newEnv(t, time.Date(2025, 12, 22, 9, 0, 0, 0, london))
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1", Harm: pathway.HarmModerate})
	// Keep contact answered so only candour reminders show.
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.SetPlan(pathway.Span{N: 90, Unit: pathway.Day}, "", "", "console:lee", e.p, e.clock.Now())
	})
	e.update(t, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{}, "console:lee", e.p, e.clock.Now())
	})
	// Due by the end of Thu 8 Jan 2026: warning on Tue 6 Jan, on the day, overdue Fri 9 Jan.
	e.runUntil(t, time.Date(2026, 1, 9, 17, 0, 0, 0, london))
	var notify []sent
	for _, s := range e.rec.to("console:lee") {
		if strings.Contains(s.reply.PlainText(), "notification") {
			notify = append(notify, s)
		}
	}
	want := []struct {
		at   time.Time
		text string
	}{
		{time.Date(2026, 1, 6, 8, 0, 0, 0, london), "is due by the end of Thu 8 Jan 2026 (2 working days left)"},
		{time.Date(2026, 1, 8, 8, 0, 0, 0, london), "is due by the end of today"},
		{time.Date(2026, 1, 9, 8, 0, 0, 0, london), "was due by the end of Thu 8 Jan 2026"},
	}
	if len(notify) != len(want) {
		for _, s := range notify {
			t.Logf("%s: %s", s.at.In(london), s.reply.PlainText())
		}
		t.Fatalf("%d notification reminders; want %d", len(notify), len(want))
	}
	for i, w := range want {
		if !notify[i].at.Equal(w.at) || !strings.Contains(notify[i].reply.PlainText(), w.text) {
			t.Errorf("reminder %d at %s: %s\nwant at %s: %q", i, notify[i].at.In(london), notify[i].reply.PlainText(), w.at, w.text)
		}
	}
}

func TestDigestListsOverdueByCaseIDOnly(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	if err := e.st.SaveService(ctx, pathway.Service{Name: "maternity", Channel: "console:maternity"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveService(ctx, pathway.Service{Name: "ed", Channel: "console:ed"}); err != nil {
		t.Fatal(err)
	}
	e.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity", Summary: "Synthetic-digest-summary"})
	e.openCase(t, pathway.OpenInput{Ref: "INC-2", Service: "ed"})
	c3 := e.openCase(t, pathway.OpenInput{Ref: "INC-3", Service: "ed"})
	e.update(t, c3.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Note: "Synthetic-digest-note"}, "console:lee", e.p, wed)
	})
	friday9 := time.Date(2026, 11, 27, 9, 0, 0, 0, london)
	for i := 0; i < 2; i++ { // a second replica's digest sends nothing more
		if err := e.s.Digest(ctx, friday9); err != nil {
			t.Fatal(err)
		}
	}
	mat := e.rec.to("console:maternity")
	ed := e.rec.to("console:ed")
	if len(mat) != 1 || len(ed) != 1 {
		t.Fatalf("digests: maternity %d, ed %d; want 1 each", len(mat), len(ed))
	}
	if text := ed[0].reply.PlainText(); !strings.Contains(text, "HPP-2") || strings.Contains(text, "HPP-3") {
		t.Errorf("ed digest should list HPP-2 only: %s", text)
	}
	for _, s := range e.rec.all {
		text := s.reply.PlainText()
		for _, secret := range []string{"Synthetic-digest-summary", "Synthetic-digest-note", "INC-"} {
			if strings.Contains(text, secret) {
				t.Errorf("digest holds %q: %s", secret, text)
			}
		}
	}
	// Nothing overdue: no digest at all; and none on a Saturday.
	e2 := newEnv(t, wed)
	if err := e2.st.SaveService(ctx, pathway.Service{Name: "maternity", Channel: "console:maternity"}); err != nil {
		t.Fatal(err)
	}
	e2.openCase(t, pathway.OpenInput{Ref: "INC-1", Service: "maternity"})
	if err := e2.s.Digest(ctx, wed.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e2.s.Digest(ctx, time.Date(2026, 11, 28, 9, 0, 0, 0, london)); err != nil {
		t.Fatal(err)
	}
	if len(e2.rec.all) != 0 {
		t.Errorf("digest sent when nothing was overdue or on a Saturday: %+v", e2.rec.all)
	}
}

func TestFailedSendIsRetriedByTheQueue(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	var mu sync.Mutex
	down := true
	e.rec.fail = func(string) error {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return errors.New("platform unavailable")
		}
		return nil
	}
	at := c.NextContact.Add(time.Minute)
	e.clock.Set(at)
	res, err := e.s.Tick(ctx, at)
	if err != nil || res.Sent != 1 || res.Failed != 0 {
		t.Fatalf("tick = %+v, %v; want the reminder queued", res, err)
	}
	if res, _ := e.s.Tick(ctx, at.Add(time.Minute)); res.Claimed != 0 {
		t.Errorf("claimed again after it was queued; the queue retries it, not the scheduler")
	}
	e.clock.Set(at.Add(time.Second))
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:lee"); len(got) != 0 {
		t.Errorf("delivered while the platform failed: %d", len(got))
	}
	mu.Lock()
	down = false
	mu.Unlock()
	e.clock.Set(at.Add(6 * time.Minute))
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:lee"); len(got) != 1 {
		t.Errorf("delivered %d times after recovery; want 1", len(got))
	}
}

func TestJobsRunOnce(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	var ran []string
	e.s.HandleJob("hello", func(ctx context.Context, j store.Job, now time.Time) error {
		ran = append(ran, j.Person)
		return nil
	})
	at := time.Date(2026, 11, 26, 11, 0, 0, 0, london)
	if err := e.s.Schedule(ctx, store.Job{ID: "hello:sam", Kind: "hello", Person: "console:sam", At: at}); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, at.Add(-time.Minute))
	if len(ran) != 0 {
		t.Fatalf("job ran early")
	}
	e.runUntil(t, at.Add(48*time.Hour))
	if len(ran) != 1 || ran[0] != "console:sam" {
		t.Errorf("job ran %v; want once for console:sam", ran)
	}
}

func BenchmarkTick(b *testing.B) {
	e := newEnv(b, wed)
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		e.openCase(b, pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Lead: fmt.Sprintf("console:p%d", i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	at := wed.Add(25 * time.Hour)
	for i := 0; i < b.N; i++ {
		// Each round: every case due again.
		b.StopTimer()
		at = at.Add(48 * time.Hour)
		for at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			at = at.Add(24 * time.Hour)
		}
		b.StartTimer()
		if _, err := e.s.Tick(ctx, at); err != nil {
			b.Fatal(err)
		}
	}
}

// A scheduler that queued a reminder and died before recording it leaves
// the claim to run out; the next one owes the same occurrence, queues the
// same key, and the message goes once.
func TestCrashAfterQueueingIsDeliveredOnce(t *testing.T) {
	e := newEnv(t, wed)
	ctx := context.Background()
	c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
	due := c.NextContact.Add(time.Minute)
	e.clock.Set(due)
	claims, err := e.st.ClaimDue(ctx, due, 2*time.Minute, 10, "dying/1")
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim = %v, %v", claims, err)
	}
	key := reminderKey(c, c.Reminders(e.p, due))
	if err := e.s.Outbox().Send(ctx, delivery.Message{Key: key, To: c.Lead, Reply: bot.Reply{Text: "Contact with the family is due"}}); err != nil {
		t.Fatal(err)
	}
	later := due.Add(3 * time.Minute)
	e.clock.Set(later)
	res, err := e.s.Tick(ctx, later)
	if err != nil || res.Claimed != 1 {
		t.Fatalf("tick = %+v, %v; want the dead scheduler's claim taken over", res, err)
	}
	if _, err := e.s.Outbox().Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rec.to("console:lee"); len(got) != 1 {
		t.Fatalf("delivered %d times; want once", len(got))
	}
	got, err := e.st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContactNudges != 1 {
		t.Errorf("ContactNudges = %d; want 1 (recorded by the scheduler that took over)", got.ContactNudges)
	}
}

// A reminder that waits in the queue past the policy's reminder_late_by is
// dropped, and the case says so: its timeline records it as not delivered,
// with the reason, so the case does not look chased when it was not. A
// send that had no readable answer (the connection dropped) may have gone:
// one of those given up as too late is not said not to have gone.
func TestAReminderDroppedAsTooLateIsRecordedOnTheCase(t *testing.T) {
	tests := []struct {
		name        string
		fail        error
		undelivered bool
	}{
		{"the platform answers, busy, nothing posted", &bot.RetryLater{Status: 503}, true},
		{"no readable answer: it may have gone", errors.New("connection reset"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			c := e.openCase(t, pathway.OpenInput{Ref: "INC-1"})
			e.rec.fail = func(string) error { return tc.fail }
			at := c.NextContact.Add(time.Minute)
			e.clock.Set(at)
			if res, err := e.s.Tick(ctx, at); err != nil || res.Sent != 1 {
				t.Fatalf("tick = %+v, %v; want the reminder queued", res, err)
			}
			// Past reminder_late_by (a working day), still not delivered.
			e.clock.Set(e.p.Calendar.Add(at, e.p.ReminderLateBy).Add(time.Hour))
			if _, err := e.s.Outbox().Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if bl, _ := e.s.Outbox().Backlogs(ctx, []string{"console"}); bl["console"].Length != 0 {
				t.Errorf("%d messages still queued; want it given up", bl["console"].Length)
			}
			events, err := e.st.Timeline(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var undelivered []pathway.Event
			for _, ev := range events {
				if ev.Kind == pathway.EventUndelivered {
					undelivered = append(undelivered, ev)
				}
			}
			if !tc.undelivered {
				if len(undelivered) != 0 {
					t.Errorf("the timeline says a reminder that may have gone was not delivered: %+v", undelivered)
				}
				return
			}
			if len(undelivered) != 1 {
				t.Fatalf("timeline records %d undelivered reminders; want 1: %+v", len(undelivered), events)
			}
			u := undelivered[0]
			if u.Step != pathway.RemindContact || len(u.People) != 1 || u.People[0] != "console:lee" || !strings.Contains(u.Why, "next reminder takes its place") {
				t.Errorf("undelivered entry %+v; want the contact reminder to console:lee, saying the next reminder takes its place", u)
			}
			if got := e.rec.to("console:lee"); len(got) != 0 {
				t.Errorf("delivered %d while the platform failed", len(got))
			}
		})
	}
}
