package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/handlers"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store"
	"hppbot/store/storetest"
)

// The check-in scale's labels: none may ever appear outside the answerer's
// own replies and their own answers key.
var scaleLabels = []string{"Really struggling", "Finding it hard", "Getting by", "Doing OK"}

type wbSent struct {
	to    string
	at    time.Time
	reply bot.Reply
}

// wbMessenger keeps what was sent and when; a person in fail gets an error.
type wbMessenger struct {
	mu   sync.Mutex
	now  func() time.Time
	sent []wbSent
	fail map[string]bool
}

func (m *wbMessenger) SendDirect(_ context.Context, to string, r bot.Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail[to] {
		return errors.New("no route")
	}
	m.sent = append(m.sent, wbSent{to: to, at: m.now(), reply: r})
	return nil
}

func (m *wbMessenger) PostChannel(_ context.Context, to string, r bot.Reply) error {
	return m.SendDirect(context.Background(), to, r)
}

func (m *wbMessenger) to(person string) []wbSent {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wbSent
	for _, s := range m.sent {
		if s.to == person {
			out = append(out, s)
		}
	}
	return out
}

type wbClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *wbClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *wbClock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *wbClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

type wbEnv struct {
	h     *handlers.Handler
	st    *store.Store
	sched *scheduler.Scheduler
	clock *wbClock
	sent  *wbMessenger
	logs  *bytes.Buffer
	pol   *pathway.Policy
}

var london, _ = time.LoadLocation("Europe/London")

// wed is Wednesday 25 November 2026, 10:00 in London.
var wed = time.Date(2026, 11, 25, 10, 0, 0, 0, london)

// newWB wires a handler and a scheduler as main does, on their own store,
// with console:admin the only admin and every log line kept.
func newWB(t testing.TB, start time.Time, tweak ...func(*pathway.Policy)) *wbEnv {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tweak {
		f(p)
	}
	e := &wbEnv{st: storetest.New(t), clock: &wbClock{now: start}, logs: &bytes.Buffer{}, pol: p}
	e.sent = &wbMessenger{now: e.clock.Now, fail: map[string]bool{}}
	log := slog.New(slog.NewTextHandler(&syncWriter{w: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.h = handlers.New(handlers.Config{Store: e.st, Policy: p, Messenger: e.sent, Admins: []string{"console:admin"}, Clock: e.clock.Now, Log: log})
	e.sched = scheduler.New(scheduler.Config{Store: e.st, Policy: p, Messenger: e.sent, Clock: e.clock.Now, Log: log, Workers: 4})
	e.sched.HandleJob(handlers.CheckinJob, e.h.RunCheckinJob)
	return e
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (e *wbEnv) as(person, line string) bot.Reply {
	return e.h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:" + person, Text: line, Personal: true})
}

// press runs a button's command as person.
func (e *wbEnv) press(person string, r bot.Reply, label string) bot.Reply {
	for _, b := range r.Buttons {
		if b.Label == label {
			return e.as(person, b.Command)
		}
	}
	panic("no button " + label)
}

func (e *wbEnv) runUntil(t testing.TB, until time.Time) {
	t.Helper()
	if err := e.sched.RunDue(context.Background(), until, e.clock.Set); err != nil {
		t.Fatal(err)
	}
	if until.After(e.clock.Now()) {
		e.clock.Set(until)
	}
}

// participation counts the people in a service's participation sets for a
// month, read from the keys the reports read.
func (e *wbEnv) participation(service, month string) (invited, answered int64) {
	rdb := e.st.Client()
	ctx := context.Background()
	base := e.st.Prefix() + "wb:part:" + service + ":" + month + ":"
	return rdb.SCard(ctx, base+"invited").Val(), rdb.SCard(ctx, base+"answered").Val()
}

// checkins are the check-in messages a person was sent (they carry the scale).
func (e *wbEnv) checkins(person string) []wbSent {
	var out []wbSent
	for _, s := range e.sent.to("console:" + person) {
		if hasButton(s.reply, "Not now") {
			out = append(out, s)
		}
	}
	return out
}

func hasButton(r bot.Reply, label string) bool {
	for _, b := range r.Buttons {
		if b.Label == label {
			return true
		}
	}
	return false
}

func all(r bot.Reply) string {
	var b strings.Builder
	b.WriteString(r.PlainText())
	for _, btn := range r.Buttons {
		b.WriteString("\n[" + btn.Label + "] " + btn.Command)
	}
	return b.String()
}

func TestOptedOutGetNoCheckins(t *testing.T) {
	e := newWB(t, wed)
	if r := e.as("sam", "/hpp wellbeing off"); !strings.Contains(r.Text, "Check-ins are off") {
		t.Fatalf("wellbeing off: %s", r.Text)
	}
	if r := e.as("sam", "/hpp wellbeing"); !strings.Contains(r.Text, "off") {
		t.Errorf("wellbeing shows %s", r.Text)
	}
	e.as("lead", "/hpp open INC-1 involved=@sam")
	notes := e.sent.to("console:sam")
	if len(notes) != 1 || !strings.Contains(notes[0].reply.Text, "switched check-ins off") {
		t.Fatalf("sam should be told once that check-ins are off: %+v", notes)
	}
	e.runUntil(t, time.Date(2026, 12, 1, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 0 {
		t.Errorf("%d check-ins sent to someone who opted out", n)
	}
	for _, id := range []string{"checkin:console:sam:1:1", "checkin:console:sam:1:2"} {
		if _, ok, _ := e.st.GetJob(context.Background(), id); ok {
			t.Errorf("job %s was not finished", id)
		}
	}
	// Back on: the check-ins still planned come as before.
	e.as("sam", "/hpp wellbeing on")
	e.runUntil(t, time.Date(2026, 12, 10, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 1 {
		t.Errorf("after opting back in, %d check-ins, want the 14-day one", n)
	}
	if r := e.as("sam", "/hpp wellbeing maybe"); !strings.Contains(r.Text, "on or off") {
		t.Errorf("bad setting: %s", r.Text)
	}
}

func TestHelpListsWellbeingButNotTheHiddenCommands(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp help")
	out := all(r)
	for _, want := range []string{"Looking after staff: checkin · support · wellbeing"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for line, want := range map[string]string{"/hpp help checkin": "/hpp checkin [history|forget]", "/hpp help support": "/hpp support", "/hpp help wellbeing": "/hpp wellbeing [on|off]"} {
		if got := all(e.as("sam", line)); !strings.Contains(got, want) {
			t.Errorf("%s lacks %q", line, want)
		}
	}
	for _, hidden := range []string{"talk-yes", "notnow", "checkin answer"} {
		if strings.Contains(out, hidden) || strings.Contains(all(e.as("sam", "/hpp help checkin")), hidden) {
			t.Errorf("help shows the hidden %q", hidden)
		}
	}
}
