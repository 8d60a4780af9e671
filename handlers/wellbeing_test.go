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

func TestInvolvedAreToldOnceAndScheduled(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	r := e.as("lead", "/hpp open INC-1 service=maternity harm=moderate involved=@sam Fall on ward")
	if !strings.Contains(r.Text, "I've let them know privately") {
		t.Errorf("open reply doesn't say staff were told: %s", r.Text)
	}
	notes := e.sent.to("console:sam")
	if len(notes) != 1 {
		t.Fatalf("sam got %d messages, want 1", len(notes))
	}
	text := notes[0].reply.PlainText()
	for _, want := range []string{"HPP-1", "check in with you privately a few times", "seen by nobody else", "/hpp wellbeing off", "/hpp support", "nothing you need to do now", "Thu 26 Nov 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Fall on ward") {
		t.Errorf("the notice carries the case summary:\n%s", text)
	}
	// The policy schedule: 1wd, 3d, 14d, 28d after being recorded.
	wantAt := []time.Time{
		time.Date(2026, 11, 26, 10, 0, 0, 0, london),
		time.Date(2026, 11, 28, 10, 0, 0, 0, london),
		time.Date(2026, 12, 9, 10, 0, 0, 0, london),
		time.Date(2026, 12, 23, 10, 0, 0, 0, london),
	}
	for i, want := range wantAt {
		id := "checkin:console:sam:1:" + string(rune('1'+i))
		j, ok, err := e.st.GetJob(ctx, id)
		if err != nil || !ok {
			t.Fatalf("job %s: ok=%v err=%v", id, ok, err)
		}
		if !j.At.Equal(want) || j.Kind != handlers.CheckinJob || j.Person != "console:sam" || j.Case != 1 {
			t.Errorf("job %s = %+v, want at %v", id, j, want)
		}
		for k := range j.Data {
			if k != "n" && k != "svc" {
				t.Errorf("job %s carries data %q", id, k)
			}
		}
		if j.Data["svc"] != "maternity" {
			t.Errorf("job %s service = %q", id, j.Data["svc"])
		}
	}
	// involve tells the newly involved, once each, and schedules theirs.
	r = e.as("lead", "/hpp involve HPP-1 @jo @sam")
	if !strings.Contains(r.Text, "Recorded @jo") && !strings.Contains(r.Text, "<@console:jo>") {
		t.Errorf("involve reply: %s", r.Text)
	}
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("jo got %d messages, want 1", n)
	}
	if n := len(e.sent.to("console:sam")); n != 1 {
		t.Errorf("sam was told again (%d messages)", n)
	}
	if _, ok, _ := e.st.GetJob(ctx, "checkin:console:jo:1:1"); !ok {
		t.Error("jo's first check-in is not scheduled")
	}
	// A case with no service is counted under "none".
	e.as("lead", "/hpp open INC-2 involved=@kim")
	if j, _, _ := e.st.GetJob(ctx, "checkin:console:kim:2:1"); j.Data["svc"] != "none" {
		t.Errorf("no-service job svc = %q, want none", j.Data["svc"])
	}
}

// TestFirstCheckinLandsOnTheDay covers when check-ins fall for different
// moments of being recorded as involved.
func TestFirstCheckinLandsOnTheDay(t *testing.T) {
	cases := []struct {
		name  string
		open  time.Time
		first time.Time // job 1 (1wd)
		third time.Time // job 2 (3d), as scheduled (the scheduler defers weekends)
	}{
		{"Wednesday morning", wed, time.Date(2026, 11, 26, 10, 0, 0, 0, london), time.Date(2026, 11, 28, 10, 0, 0, 0, london)},
		{"Wednesday evening: the next working day starts it", time.Date(2026, 11, 25, 20, 30, 0, 0, london), time.Date(2026, 11, 26, 8, 0, 0, 0, london), time.Date(2026, 11, 28, 20, 30, 0, 0, london)},
		{"Friday afternoon: Monday", time.Date(2026, 11, 27, 15, 0, 0, 0, london), time.Date(2026, 11, 30, 15, 0, 0, 0, london), time.Date(2026, 11, 30, 15, 0, 0, 0, london)},
		{"Thursday before Christmas: after the bank holidays", time.Date(2026, 12, 24, 11, 0, 0, 0, london), time.Date(2026, 12, 29, 11, 0, 0, 0, london), time.Date(2026, 12, 27, 11, 0, 0, 0, london)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newWB(t, c.open)
			e.as("lead", "/hpp open INC-1 involved=@sam")
			j1, _, _ := e.st.GetJob(context.Background(), "checkin:console:sam:1:1")
			j2, _, _ := e.st.GetJob(context.Background(), "checkin:console:sam:1:2")
			if !j1.At.Equal(c.first) {
				t.Errorf("first check-in at %v, want %v", j1.At.In(london), c.first)
			}
			if !j2.At.Equal(c.third) {
				t.Errorf("second check-in at %v, want %v", j2.At.In(london), c.third)
			}
		})
	}
}

// TestCheckinsComeInWorkingHours: the 3-day check-in falls on Saturday and
// is delivered on Monday morning; nothing arrives at the weekend.
func TestCheckinsComeInWorkingHours(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 12, 1, 23, 0, 0, 0, london))
	got := e.checkins("sam")
	want := []time.Time{
		time.Date(2026, 11, 26, 10, 0, 0, 0, london),
		time.Date(2026, 11, 30, 8, 0, 0, 0, london),
	}
	if len(got) != len(want) {
		t.Fatalf("%d check-ins, want %d", len(got), len(want))
	}
	for i, s := range got {
		if !s.at.Equal(want[i]) {
			t.Errorf("check-in %d delivered %v, want %v", i+1, s.at.In(london), want[i])
		}
		if !e.pol.Calendar.InWorkingHours(s.at) {
			t.Errorf("check-in %d delivered outside working hours: %v", i+1, s.at.In(london))
		}
	}
	text := got[0].reply.PlainText()
	for _, want := range []string{"HPP-1", "How are you doing right now?", "blamed", "what happens next", "Only you can see your answer", "Mon 30 Nov 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("check-in lacks %q:\n%s", want, text)
		}
	}
	var labels []string
	for _, b := range got[0].reply.Buttons {
		labels = append(labels, b.Label)
	}
	if strings.Join(labels, "|") != strings.Join(append(append([]string{}, scaleLabels...), "I'd like to talk to someone", "Not now"), "|") {
		t.Errorf("buttons = %v", labels)
	}
	// The jobs that ran are finished.
	for _, id := range []string{"checkin:console:sam:1:1", "checkin:console:sam:1:2"} {
		if _, ok, _ := e.st.GetJob(context.Background(), id); ok {
			t.Errorf("job %s is still scheduled after it ran", id)
		}
	}
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

// TestOneCheckinADay: someone involved in two cases the same day gets one
// check-in a day, not two.
func TestOneCheckinADay(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.as("lead", "/hpp open INC-2 service=theatres involved=@sam")
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	got := e.checkins("sam")
	if len(got) != 4 {
		t.Fatalf("%d check-ins, want 4 (one per scheduled day)", len(got))
	}
	days := map[string]bool{}
	for _, s := range got {
		d := s.at.In(london).Format("2006-01-02")
		if days[d] {
			t.Errorf("two check-ins on %s", d)
		}
		days[d] = true
	}
}

// TestTalkNeedsConsent: nobody is told until the person confirms; then the
// contact gets exactly one message, naming the person and nothing else.
func TestTalkNeedsConsent(t *testing.T) {
	e := newWB(t, wed)
	e.as("admin", "/hpp service maternity wellbeing=@jo")
	e.as("lead", "/hpp open INC-1 service=maternity harm=severe involved=@sam Delayed escalation")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")
	if len(ci) != 1 {
		t.Fatalf("%d check-ins", len(ci))
	}
	ask := e.press("sam", ci[0].reply, "I'd like to talk to someone")
	if !strings.Contains(ask.Text, "<@console:jo>") || !hasButton(ask, "Yes, please let them know") || !hasButton(ask, "No, not now") {
		t.Fatalf("talk should ask first, naming the contact: %s", all(ask))
	}
	if n := len(e.sent.to("console:jo")); n != 0 {
		t.Fatalf("the contact was told before the person confirmed (%d messages)", n)
	}
	no := e.press("sam", ask, "No, not now")
	if !strings.Contains(no.Text, "haven't told anyone") || len(e.sent.to("console:jo")) != 0 {
		t.Errorf("declining: %s", no.Text)
	}
	yes := e.press("sam", ask, "Yes, please let them know")
	got := e.sent.to("console:jo")
	if len(got) != 1 {
		t.Fatalf("the contact got %d messages, want 1", len(got))
	}
	want := "<@console:sam> would like a conversation about how they're doing after a difficult event at work. Please reach out to them privately."
	if got[0].reply.Text != want || len(got[0].reply.Sections) != 0 || len(got[0].reply.Buttons) != 0 || got[0].reply.Note != "" || len(got[0].reply.Files) != 0 {
		t.Errorf("the contact was told more than the request: %+v", got[0].reply)
	}
	if !strings.Contains(yes.Text, "I've let <@console:jo> know") || !strings.Contains(yes.Text, "nothing else") {
		t.Errorf("the person isn't told who was asked: %s", yes.Text)
	}
	// Pressing again doesn't tell the contact twice.
	again := e.press("sam", ask, "Yes, please let them know")
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("a second press told the contact again (%d messages)", n)
	}
	if !strings.Contains(again.Text, "already let <@console:jo> know") {
		t.Errorf("second press: %s", again.Text)
	}
	// Nothing about the request is on the case.
	for _, line := range []string{"/hpp status HPP-1", "/hpp timeline HPP-1"} {
		out := all(e.as("lead", line))
		for _, bad := range []string{"conversation", "talk", "@console:jo", "wellbeing"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s mentions %q:\n%s", line, bad, out)
			}
		}
	}
}

func TestTalkWithNoContactIsNeverDroppedSilently(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ask := e.press("sam", e.checkins("sam")[0].reply, "I'd like to talk to someone")
	text := all(ask)
	for _, want := range []string{"isn't a wellbeing contact", "Nothing has been sent", "116 123", "999", "Occupational health"} {
		if !strings.Contains(text, want) {
			t.Errorf("no-contact reply lacks %q:\n%s", want, text)
		}
	}
	// Typed directly, the confirmation says the same.
	if r := e.as("sam", "/hpp checkin talk-yes -"); !strings.Contains(r.Text, "isn't a wellbeing contact") {
		t.Errorf("talk-yes with no contact: %s", r.Text)
	}
	for _, m := range e.sent.sent {
		if strings.Contains(m.reply.Text, "would like a conversation") {
			t.Errorf("a talk request went to %s", m.to)
		}
	}
}

func TestTalkUsesTheOrganisationDefault(t *testing.T) {
	cases := []struct{ contact, want string }{
		{"@Jo", "console:jo"},
		{"jo", "console:jo"},
		{"console:jo", "console:jo"},
		{"<@console:jo|Jo>", "console:jo"},
	}
	for _, c := range cases {
		t.Run(c.contact, func(t *testing.T) {
			e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = c.contact })
			r := e.as("sam", "/hpp support")
			ask := e.press("sam", r, "I'd like to talk to someone")
			e.press("sam", ask, "Yes, please let them know")
			got := e.sent.to(c.want)
			if len(got) != 1 || got[0].reply.Text != handlers.TalkRequestText("console:sam") {
				t.Errorf("contact %q: %+v", c.contact, e.sent.sent)
			}
		})
	}
}

func TestTalkWhenTheContactCannotBeReached(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	e.sent.fail["console:jo"] = true
	ask := e.as("sam", "/hpp checkin talk -")
	r := e.press("sam", ask, "Yes, please let them know")
	if !strings.Contains(r.Text, "couldn't reach") || !strings.Contains(r.Text, "nothing has been sent") || !hasButton(r, "Try again") {
		t.Fatalf("failed send: %s", all(r))
	}
	e.sent.fail["console:jo"] = false
	r = e.press("sam", r, "Try again")
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("after trying again the contact got %d messages, want 1: %s", n, r.Text)
	}
}

func TestLowAnswerOffersSupportAndBringsTheNextForward(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	r := e.press("sam", e.checkins("sam")[0].reply, "Really struggling")
	text := all(r)
	for _, want := range []string{"Thank you for telling me", "116 123", "999", "NHS 111", "If you need help urgently", "Fri 27 Nov 2026", "[I'd like to talk to someone] checkin talk "} {
		if !strings.Contains(text, want) {
			t.Errorf("low answer reply lacks %q:\n%s", want, text)
		}
	}
	j, ok, _ := e.st.GetJob(ctx, "checkin:console:sam:1:2")
	want := time.Date(2026, 11, 27, 12, 0, 0, 0, london)
	if !ok || !j.At.Equal(want) {
		t.Errorf("next check-in at %v, want brought forward to %v", j.At.In(london), want)
	}
	// The talk button on that reply still reaches the service's contact.
	e.as("admin", "/hpp service maternity wellbeing=@jo")
	ask := e.press("sam", r, "I'd like to talk to someone")
	e.press("sam", ask, "Yes, please let them know")
	if n := len(e.sent.to("console:jo")); n != 1 {
		t.Errorf("contact got %d", n)
	}
	// A fine answer just thanks them.
	e.runUntil(t, want)
	ok2 := e.press("sam", e.checkins("sam")[1].reply, "Doing OK")
	if !strings.Contains(ok2.Text, "Thank you") || strings.Contains(all(ok2), "116 123") {
		t.Errorf("fine answer: %s", all(ok2))
	}
}

func TestLowAnswerWithNothingPlannedAddsOneFollowUp(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp checkin")
	e.press("sam", r, "Finding it hard")
	j, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:followup")
	if !ok || !j.At.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, london)) {
		t.Fatalf("follow-up = %+v, %v", j, ok)
	}
	e.runUntil(t, time.Date(2026, 11, 26, 18, 0, 0, 0, london))
	ci := e.checkins("sam")
	if len(ci) != 1 || !strings.Contains(ci[0].reply.Text, "as I said I would") {
		t.Fatalf("follow-up check-ins: %d", len(ci))
	}
	// A low answer to the follow-up doesn't start a daily chain.
	e.press("sam", ci[0].reply, "Really struggling")
	if _, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:followup"); ok {
		t.Error("a low answer to a follow-up scheduled another")
	}
	// Self-started and follow-up check-ins are not counted for a case's service.
	if inv, ans := e.participation("none", "2026-11"); inv != 0 || ans != 0 {
		t.Errorf("participation counted outside a case: %d invited, %d answered", inv, ans)
	}
}

func TestNotNowAsksAgainOnce(t *testing.T) {
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 10, 30, 0, 0, london))
	first := e.checkins("sam")[0]
	r := e.press("sam", first.reply, "Not now")
	// Three hours on.
	if !strings.Contains(r.Text, "once more around Thu 26 Nov, 13:30") {
		t.Errorf("not now: %s", r.Text)
	}
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	got := e.checkins("sam")
	if len(got) != 2 || !strings.Contains(got[1].reply.Text, "Asking once more") {
		t.Fatalf("re-ask: %d check-ins", len(got))
	}
	if want := time.Date(2026, 11, 26, 13, 30, 0, 0, london); !got[1].at.Equal(want) {
		t.Errorf("re-ask delivered %v, want %v", got[1].at.In(london), want)
	}
	r = e.press("sam", got[1].reply, "Not now")
	if !strings.Contains(r.Text, "won't ask about this one again") {
		t.Errorf("second not now: %s", r.Text)
	}
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 2 {
		t.Errorf("asked %d times, want twice", n)
	}
	// Answering after "Not now" is still possible, once per message.
	r = e.press("sam", got[1].reply, "Getting by")
	if !strings.Contains(r.Text, "Thank you") {
		t.Errorf("late answer: %s", r.Text)
	}
	r = e.press("sam", got[1].reply, "Doing OK")
	if !strings.Contains(r.Text, "already answered") {
		t.Errorf("second answer to the same check-in: %s", r.Text)
	}
	// "Not now" does not count as an answer for reports; the answer does.
	// (No service: "none".)
	if inv, ans := e.participation("none", "2026-11"); inv != 1 || ans != 1 {
		t.Errorf("participation = %d invited, %d answered; want 1, 1", inv, ans)
	}
}

func TestNotNowIsNotCountedAsAnAnswer(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	e.press("sam", ci, "Not now")
	e.press("sam", e.press("sam", ci, "I'd like to talk to someone"), "No, not now")
	if inv, ans := e.participation("maternity", "2026-11"); inv != 1 || ans != 0 {
		t.Errorf("participation = %d invited, %d answered; want 1, 0", inv, ans)
	}
	rdb := e.st.Client()
	if !rdb.SIsMember(context.Background(), e.st.Prefix()+"wb:part:maternity:2026-11:invited", "console:sam").Val() {
		t.Error("sam is not in the invited set")
	}
}

// TestForgedButtonsWriteNothing: a button command carrying another person's
// token or id never writes their answers — nor anyone's.
func TestForgedButtonsWriteNothing(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	e.as("lead", "/hpp open INC-1 involved=@sam")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	var answer, notNow string
	for _, b := range ci.Buttons {
		switch b.Label {
		case "Really struggling":
			answer = b.Command
		case "Not now":
			notNow = b.Command
		}
	}
	token := strings.Fields(answer)[2]
	for _, forger := range []string{"lead", "admin", "kim"} {
		for _, line := range []string{
			answer,
			"checkin answer " + token + " 4",
			"checkin answer console:sam 1",
			"checkin answer <@console:sam> 1",
			"checkin answer " + token + " 1 console:sam",
			"checkin answer 00000000000000000000 1",
			notNow,
		} {
			r := e.as(forger, line)
			if strings.Contains(r.Text, "Thank you") {
				t.Errorf("%s running %q was thanked: %s", forger, line, r.Text)
			}
		}
		if r := e.as(forger, "/hpp checkin history"); !strings.Contains(r.Text, "no check-in answers") {
			t.Errorf("%s has answers after forging: %s", forger, all(r))
		}
		// A forged talk button speaks only for the presser.
		e.as(forger, "checkin talk-yes "+token)
	}
	for _, s := range e.sent.to("console:jo") {
		if strings.Contains(s.reply.Text, "console:sam") {
			t.Errorf("a forged talk request named sam: %s", s.reply.Text)
		}
	}
	if _, ok, _ := e.st.GetJob(context.Background(), "checkin:console:sam:again:1:1"); ok {
		t.Error("someone else's Not now scheduled sam a re-ask")
	}
	if r := e.as("sam", "/hpp checkin history"); !strings.Contains(r.Text, "no check-in answers") {
		t.Errorf("sam has answers they never gave: %s", all(r))
	}
	// Sam's own press still works, once.
	if r := e.press("sam", ci, "Getting by"); !strings.Contains(r.Text, "Thank you") {
		t.Errorf("sam's answer: %s", r.Text)
	}
}

// TestNobodyElseCanSeeAnswers: another person, the case's lead, the
// service's pathway lead and an admin see no answer through any command.
func TestNobodyElseCanSeeAnswers(t *testing.T) {
	e := newWB(t, wed)
	ctx := context.Background()
	e.as("admin", "/hpp service maternity lead=@pat wellbeing=@jo")
	e.as("lead", "/hpp open INC-1 service=maternity harm=moderate involved=@sam,@kim Fall on ward")
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	e.press("sam", e.checkins("sam")[0].reply, "Really struggling")
	e.press("kim", e.checkins("kim")[0].reply, "Doing OK")
	mine := all(e.as("sam", "/hpp checkin history"))
	if !strings.Contains(mine, "Really struggling") || strings.Contains(mine, "Doing OK") {
		t.Fatalf("sam's history should hold sam's answer only:\n%s", mine)
	}
	lines := []string{
		"/hpp status HPP-1", "/hpp timeline HPP-1", "/hpp list", "/hpp list all", "/hpp list overdue",
		"/hpp checkin history", "/hpp checkin history @sam", "/hpp checkin history console:sam",
		"/hpp checkin forget", "/hpp wellbeing", "/hpp support", "/hpp service maternity", "/hpp help checkin",
	}
	for _, viewer := range []string{"lead", "pat", "admin", "kim", "jo", "other"} {
		for _, line := range lines {
			out := all(e.as(viewer, line))
			for _, label := range scaleLabels {
				if viewer == "kim" && label == "Doing OK" && line == "/hpp checkin history" {
					continue // kim's own answer
				}
				if strings.Contains(out, label) && !strings.HasPrefix(line, "/hpp help") {
					t.Errorf("%s sees %q through %q:\n%s", viewer, label, line, out)
				}
			}
		}
	}
	// By construction: no key but the answerer's own answers key holds an
	// answer label — not the case, its events, the jobs or any index.
	rdb := e.st.Client()
	keys := rdb.Keys(ctx, e.st.Prefix()+"*").Val()
	for _, k := range keys {
		var dump string
		switch rdb.Type(ctx, k).Val() {
		case "string":
			dump = rdb.Get(ctx, k).Val()
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				dump += f + "=" + v + "\n"
			}
		case "zset":
			dump = strings.Join(rdb.ZRange(ctx, k, 0, -1).Val(), "\n")
		case "set":
			dump = strings.Join(rdb.SMembers(ctx, k).Val(), "\n")
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					dump += f + "=" + v.(string) + "\n"
				}
			}
		}
		own := strings.HasSuffix(k, "{u:console:sam}:checkins") || strings.HasSuffix(k, "{u:console:kim}:checkins")
		for _, label := range scaleLabels {
			if strings.Contains(dump, label) && !own {
				t.Errorf("key %s holds an answer label %q", strings.TrimPrefix(k, e.st.Prefix()), label)
			}
		}
	}
}

// TestLogsHoldNoAnswers runs a full flow with every log line kept and looks
// for answers, tokens and the talk request in them.
func TestLogsHoldNoAnswers(t *testing.T) {
	e := newWB(t, wed)
	e.as("admin", "/hpp service maternity wellbeing=@jo")
	e.as("lead", "/hpp open INC-1 service=maternity involved=@sam")
	e.sent.fail["console:jo"] = true // a failure path logs a warning
	e.runUntil(t, time.Date(2026, 11, 26, 12, 0, 0, 0, london))
	ci := e.checkins("sam")[0].reply
	var secrets []string
	for _, b := range ci.Buttons {
		secrets = append(secrets, strings.Fields(b.Command)[2]) // the token
	}
	e.press("sam", ci, "Finding it hard")
	ask := e.press("sam", ci, "I'd like to talk to someone")
	e.press("sam", ask, "Yes, please let them know")
	e.as("sam", "/hpp checkin history")
	e.press("sam", e.as("sam", "/hpp checkin"), "Not now")
	e.as("sam", "/hpp checkin forget yes")
	e.as("sam", "/hpp checkin answer zzz 9")
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	logs := e.logs.String()
	if !strings.Contains(logs, "could not reach a wellbeing contact") {
		t.Fatalf("the failure path wasn't logged, so this test proves little:\n%s", logs)
	}
	for _, bad := range append(append(secrets, scaleLabels...), "console:sam", "would like a conversation", "answer") {
		if strings.Contains(logs, bad) {
			t.Errorf("logs hold %q:\n%s", bad, logs)
		}
	}
}

func TestAnswersExpireByPolicy(t *testing.T) {
	e := newWB(t, wed, func(p *pathway.Policy) { p.CheckinAnswerTTL = pathway.Span{N: 2, Unit: pathway.Hour} })
	r := e.as("sam", "/hpp checkin")
	if !strings.Contains(r.Note, "deleted after 2 hours") {
		t.Errorf("check-in should say how long answers are kept: %s", r.Note)
	}
	e.press("sam", r, "Getting by")
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "Getting by") {
		t.Fatalf("history: %s", h)
	}
	rdb := e.st.Client()
	key := e.st.Prefix() + "{u:console:sam}:checkins"
	if ttl := rdb.PTTL(context.Background(), key).Val(); ttl <= 0 || ttl > 2*time.Hour {
		t.Errorf("answers key PTTL = %v, want within 2 hours", ttl)
	}
	e.clock.Add(3 * time.Hour)
	if h := all(e.as("sam", "/hpp checkin history")); strings.Contains(h, "Getting by") {
		t.Errorf("an answer outlived the policy's keep time: %s", h)
	}
	if n := rdb.ZCard(context.Background(), key).Val(); n != 0 {
		t.Errorf("%d expired answers still stored", n)
	}
}

func TestHistoryAndForget(t *testing.T) {
	e := newWB(t, wed)
	if r := e.as("sam", "/hpp checkin forget"); !strings.Contains(r.Text, "nothing to erase") {
		t.Errorf("forget with nothing: %s", r.Text)
	}
	e.press("sam", e.as("sam", "/hpp checkin"), "Getting by")
	e.clock.Add(24 * time.Hour)
	e.press("sam", e.as("sam", "/hpp checkin"), "Finding it hard")
	h := all(e.as("sam", "/hpp checkin history"))
	for _, want := range []string{"2 answers", "Wed 25 Nov 2026 — Getting by", "Thu 26 Nov 2026 — Finding it hard", "Only you can see these"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
	ask := e.as("sam", "/hpp checkin forget")
	if !strings.Contains(ask.Text, "2 check-in answers") || !hasButton(ask, "Yes, erase them") {
		t.Fatalf("forget should confirm: %s", all(ask))
	}
	if r := e.press("sam", ask, "Keep them"); !strings.Contains(r.Text, "Nothing was erased") {
		t.Errorf("keep: %s", r.Text)
	}
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "2 answers") {
		t.Errorf("answers went after Keep them: %s", h)
	}
	if r := e.press("sam", ask, "Yes, erase them"); !strings.Contains(r.Text, "2 answers erased") {
		t.Errorf("erase: %s", r.Text)
	}
	if h := all(e.as("sam", "/hpp checkin history")); !strings.Contains(h, "no check-in answers") {
		t.Errorf("after erasing: %s", h)
	}
	for _, bad := range []string{"/hpp checkin frobnicate", "/hpp checkin forget maybe", "/hpp checkin answer", "/hpp checkin answer x"} {
		r := e.as("sam", bad)
		if strings.Contains(r.Text, "Thank you") || r.Text == "" {
			t.Errorf("%q: %s", bad, r.Text)
		}
	}
}

func TestSupportListsUrgentHelp(t *testing.T) {
	custom := []pathway.SupportOption{
		{Name: "Wellbeing hub", How: "Extension 4321", When: "Weekdays 9 to 5"},
		{Name: "Chaplaincy", How: "Ask switchboard", When: "Any time"},
	}
	cases := []struct {
		name string
		opts []pathway.SupportOption
		want []string
	}{
		{"defaults", pathway.DefaultSupport(), []string{"Occupational health", "Employee assistance programme", "If you need help urgently", "NHS 111", "116 123", "999"}},
		{"custom with no urgent lines still shows them", custom, []string{"Wellbeing hub", "Extension 4321", "Chaplaincy", "If you need help urgently", "NHS 111", "116 123", "999"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newWB(t, wed, func(p *pathway.Policy) { p.Support = c.opts })
			r := e.as("sam", "/hpp support")
			out := all(r)
			for _, want := range c.want {
				if !strings.Contains(out, want) {
					t.Errorf("support lacks %q:\n%s", want, out)
				}
			}
			// Urgent help comes in its own marked section, last.
			last := r.Sections[len(r.Sections)-1]
			if !strings.Contains(last.Title, "urgently") || !strings.Contains(last.Text, "116 123") {
				t.Errorf("urgent section: %+v", last)
			}
			if !hasButton(r, "I'd like to talk to someone") {
				t.Error("support doesn't offer the talk option")
			}
			if strings.Contains(e.as("sam", "/hpp support now").Text, "Support for staff") {
				t.Error("support with extra words should say what to type")
			}
		})
	}
}

func TestHelpListsWellbeingButNotTheHiddenCommands(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp help")
	out := all(r)
	for _, want := range []string{"Looking after staff", "/hpp checkin [history|forget]", "/hpp support", "/hpp wellbeing [on|off]"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, hidden := range []string{"talk-yes", "notnow", "checkin answer"} {
		if strings.Contains(out, hidden) || strings.Contains(all(e.as("sam", "/hpp help checkin")), hidden) {
			t.Errorf("help shows the hidden %q", hidden)
		}
	}
}

// FuzzCheckinCommand: no checkin line, however odd, panics, writes an answer
// for anyone but the person typing, or tells the wellbeing contact anything
// but the one sentence.
func FuzzCheckinCommand(f *testing.F) {
	e := newWB(f, wed, func(p *pathway.Policy) { p.WellbeingContact = "@jo" })
	ctx := context.Background()
	// Sam has a check-in open; its token is in the corpus for the fuzzer to
	// play with as someone else.
	token := strings.Fields(e.as("sam", "/hpp checkin").Buttons[0].Command)[2]
	for _, s := range []string{"answer 0123456789abcdef0123 1", "answer console:sam 2", "notnow -", "talk -", "talk-yes x", "forget yes", "history", "answer  ", "answer \x00 9", "talk-yes <@console:sam>",
		"answer " + token + " 1", "notnow " + token, "talk-yes " + token, "answer " + token + " 01", "answer " + strings.ToUpper(token) + " 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		r := e.as("mallory", "checkin "+rest)
		_ = r
		if got, _ := e.st.CheckinAnswers(ctx, "console:sam", 24*time.Hour, wed); len(got) != 0 {
			t.Fatalf("%q wrote sam's answers", rest)
		}
		if ci, _, _ := e.st.GetCheckin(ctx, "console:sam", token); ci.Answered || ci.Snoozed {
			t.Fatalf("%q changed sam's check-in: %+v", rest, ci)
		}
		for _, s := range e.sent.to("console:jo") {
			if s.reply.Text != handlers.TalkRequestText("console:mallory") {
				t.Fatalf("%q told the contact %q", rest, s.reply.Text)
			}
		}
	})
}

// TestNotNowLateInTheDayWaitsForMorning: three hours after 16:30 is after
// working hours, so the re-ask comes the next working morning.
func TestNotNowLateInTheDayWaitsForMorning(t *testing.T) {
	e := newWB(t, time.Date(2026, 11, 27, 16, 30, 0, 0, london))
	r := e.press("sam", e.as("sam", "/hpp checkin"), "Not now")
	if !strings.Contains(r.Text, "once more around Mon 30 Nov, 08:00") {
		t.Errorf("not now late on a Friday: %s", r.Text)
	}
}

// TestAnsweringAfterNotNowCancelsTheReask: an answer to the first message
// means the re-ask isn't sent.
func TestAnsweringAfterNotNowCancelsTheReask(t *testing.T) {
	e := newWB(t, wed)
	r := e.as("sam", "/hpp checkin")
	e.press("sam", r, "Not now")
	e.press("sam", r, "Doing OK")
	e.runUntil(t, time.Date(2026, 11, 27, 18, 0, 0, 0, london))
	if n := len(e.checkins("sam")); n != 0 {
		t.Errorf("%d re-asks after the check-in was answered", n)
	}
}

// TestCheckinForSomeoneNotInvolvedIsDropped: check-ins are written with the
// case in one round trip; when the case write lost a race and the command
// gave up, the jobs it left behind name someone the case doesn't record,
// and they send nothing.
func TestCheckinForSomeoneNotInvolvedIsDropped(t *testing.T) {
	ctx := context.Background()
	e := newWB(t, wed)
	e.as("lead", "/hpp open INC-1 involved=@sam")
	stray := store.Job{ID: "checkin:console:kit:1:1", Kind: handlers.CheckinJob, Person: "console:kit", Case: 1,
		At: wed.Add(24 * time.Hour), Data: map[string]string{"n": "1", "svc": "none"}}
	if err := e.st.ScheduleJob(ctx, stray); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, time.Date(2026, 12, 24, 18, 0, 0, 0, london))
	if n := len(e.checkins("kit")); n != 0 {
		t.Errorf("%d check-ins sent to someone the case doesn't record as involved", n)
	}
	if n := len(e.checkins("sam")); n != 4 {
		t.Errorf("sam, who is involved, had %d check-ins, want 4", n)
	}
	if _, ok, _ := e.st.GetJob(ctx, stray.ID); ok {
		t.Errorf("the stray job was left on the scheduler")
	}
}
