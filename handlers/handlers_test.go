package handlers

import (
	"bytes"
	"context"
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

// recorder is a Messenger that keeps what was sent.
type recorder struct {
	mu   sync.Mutex
	sent []sentMessage
	fail map[string]bool // people whose messages don't go
}

type sentMessage struct {
	to      string
	channel bool
	reply   bot.Reply
}

func (r *recorder) SendDirect(_ context.Context, person string, rep bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[person] {
		return bot.ErrNotReachable
	}
	r.sent = append(r.sent, sentMessage{to: person, reply: rep})
	return nil
}

func (r *recorder) PostChannel(_ context.Context, ch string, rep bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, sentMessage{to: ch, channel: true, reply: rep})
	return nil
}

func (r *recorder) to(id string) []bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []bot.Reply
	for _, m := range r.sent {
		if m.to == id {
			out = append(out, m.reply)
		}
	}
	return out
}

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	h     *Handler
	st    *store.Store
	clock *testClock
	sent  *recorder
	logs  *bytes.Buffer
}

// newFixture returns a handler on its own store, at Wednesday 25 November
// 2026, 10:00 in London, with console:admin as the only admin.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	clock := &testClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())}
	rec := &recorder{}
	logs := &bytes.Buffer{}
	h := New(Config{
		Store: st, Policy: p, Messenger: rec, Admins: []string{"admin"}, Clock: clock.Now,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return &fixture{h: h, st: st, clock: clock, sent: rec, logs: logs}
}

// as runs a command line as a console person, and waits for what the
// command does after its answer (settling reminders it made out of date).
func (f *fixture) as(person, line string) bot.Reply {
	r := f.h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:" + person, Text: line})
	f.h.Wait()
	return r
}

func text(r bot.Reply) string { return r.PlainText() }

func TestOpenAndStatus(t *testing.T) {
	f := newFixture(t)
	r := f.as("lee", "/hpp open INC-1042 service=maternity harm=moderate involved=@sam Baby moved to NICU after a delayed escalation")
	for _, want := range []string{"HPP-1 is open", "INC-1042", "maternity", "moderate harm", "<@console:lee>", "<@console:sam>",
		"Duty of Candour notification", "Wed 9 Dec 2026", "10 working days", "First contact with the family"} {
		if !strings.Contains(text(r), want) {
			t.Errorf("open reply lacks %q:\n%s", want, text(r))
		}
	}
	if len(r.Buttons) == 0 || r.Buttons[0].Command != "contact HPP-1" || r.Buttons[0].Form == nil {
		t.Errorf("open reply buttons = %+v; want Log contact with a form", r.Buttons)
	}
	s := text(f.as("lee", "/hpp status HPP-1"))
	for _, want := range []string{"Named contact: <@console:lee>", "Staff involved: <@console:sam>", "No contact with the family logged yet", "Notification: due by the end of Wed 9 Dec 2026"} {
		if !strings.Contains(s, want) {
			t.Errorf("status lacks %q:\n%s", want, s)
		}
	}
}

func TestBadInputSaysWhatToTypeAndStoresNothing(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"/hpp open", "To open a harm case, type"},
		{"/hpp open INC-1 harm=awful", "isn't a harm level I know"},
		{"/hpp open INC-1 aware=2026-13-01", "isn't a date I can read"},
		{"/hpp open INC-1 aware=2027-01-01", "is in the future"},
		{"/hpp open INC-1 every=often", "isn't a length of time"},
		{"/hpp open INC-1 lead=sam", "lead= takes people"},
		{"/hpp open INC-1 sevice=maternity", "did you mean service="},
		{"/hpp open HPP-4", "looks like an hppbot case id"},
		{"/hpp open INC 1042 fell", ""}, // "INC" is a valid reference; the rest is the summary — opens
		{"/hpp open INC-1043 Patient 999 000 0018 fell on the ward", "Nothing was saved"},
		{"/hpp open INC-1043 lives at LS1 4AP", "postcode"},
		{"/hpp open INC-1043 DOB 12/03/1985", "date of birth"},
		{"/hpp contact", "Which case?"},
		{"/hpp contact HPP-x", "isn't a case id"},
		{"/hpp contact HPP-99 spoke", "I can't find HPP-99"},
		{"/hpp frobnicate", "I don't know the command"},
		{"/hpp stauts HPP-1", "Did you mean /hpp status?"},
		{"/hpp list sideways", "list takes mine, overdue, all or week"},
		{"/hpp snooze HPP-1", "For how long?"},
		{"/hpp candour HPP-1", "Which step?"},
		{"/hpp help nothing", "I don't know the command"},
		{"/hpp open INC-1 every=6m", `"6m" could mean 6 minutes or 6 months — write 6min for minutes or 6mo for months`},
		{"/hpp open INC-1 Fall on ward hram=severe", "did you mean harm="},
		{"/hpp open INC-1 Checked BP=90/60 on the ward", "write it with a space instead of the =, like BP 90/60"},
		{"/hpp open INC-1 Fall harm=severe and harm=low", "harm= is given twice"},
		{"/hpp lead HPP-1 alex", "put @ in front of their name, like @alex"},
		{"/hpp service Maternity Unit", "no spaces. Join the words with hyphens: /hpp service maternity-unit"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			f := newFixture(t)
			r := f.as("lee", tt.line)
			if tt.want == "" {
				if !strings.Contains(text(r), "is open") {
					t.Fatalf("reply = %s", text(r))
				}
				return
			}
			if !strings.Contains(text(r), tt.want) {
				t.Fatalf("reply to %q =\n%s\nwant it to contain %q", tt.line, text(r), tt.want)
			}
			n, err := f.st.CountOpen(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d cases stored after a refusal", n)
			}
		})
	}
}

func TestIdentifierRefusedInEveryFreeTextField(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=moderate Fall")
	before, err := f.st.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"/hpp contact HPP-1 via=phone spoke to 999 000 0018",
		"/hpp plan HPP-1 every=1w call 9990000018 first",
		"/hpp candour HPP-1 notified at SW1A 1AA",
		"/hpp family HPP-1 support date of birth 1 March 1980",
		"/hpp close HPP-1 999-000-0018",
		"/hpp service x9990000018",
	} {
		r := f.as("lee", line)
		if !strings.Contains(text(r), "Nothing was saved") && !strings.Contains(text(r), "isn't a service name") {
			t.Errorf("%q was not refused: %s", line, text(r))
		}
	}
	after, err := f.st.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("timeline grew from %d to %d events after refusals", len(before), len(after))
	}
	// A number that fails the check digit is an ordinary number.
	if r := f.as("lee", "/hpp contact HPP-1 rang 987 654 4321 back"); !strings.Contains(text(r), "Contact logged") {
		t.Errorf("a non-NHS number was refused: %s", text(r))
	}
}

func TestWhoMayActOnACase(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("opener", "/hpp open INC-9 service=maternity lead=@lee involved=@sam harm=low Fall")
	tests := []struct {
		person string
		ok     bool
	}{
		{"lee", true},    // named contact
		{"sam", true},    // involved
		{"opener", true}, // opened it
		{"pat", true},    // the service's pathway lead
		{"admin", true},  // admin
		{"robin", false}, // nobody to this case
		{"visitor", false},
	}
	for _, tt := range tests {
		for _, line := range []string{"/hpp status HPP-1", "/hpp timeline HPP-1", "/hpp contact HPP-1 via=phone", "/hpp prompt HPP-1"} {
			r := f.as(tt.person, line)
			refused := strings.Contains(text(r), "only open to the people on it")
			if refused == tt.ok {
				t.Errorf("%s: %q refused=%v; want refused=%v\n%s", tt.person, line, refused, !tt.ok, text(r))
			}
			if refused && !strings.Contains(text(r), "/hpp involve HPP-1") {
				t.Errorf("refusal does not say what to do instead: %s", text(r))
			}
		}
	}
	if r := f.as("robin", "/hpp service maternity lead=@robin"); !strings.Contains(text(r), "Only hppbot admins") {
		t.Errorf("non-admin set up a service: %s", text(r))
	}
	// list all: the pathway lead sees the service's case, an outsider sees none.
	if s := text(f.as("pat", "/hpp list all")); !strings.Contains(s, "HPP-1") {
		t.Errorf("pathway lead's list lacks the case: %s", s)
	}
	if s := text(f.as("robin", "/hpp list all")); strings.Contains(s, "HPP-1") {
		t.Errorf("outsider's list shows the case: %s", s)
	}
}

func TestHandoverTellsBoth(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=low Fall")
	f.as("admin", "/hpp lead HPP-1 @alex")
	if got := f.sent.to("console:alex"); len(got) != 1 || !strings.Contains(text(got[0]), "handed you the named-contact role") {
		t.Errorf("new lead was told: %+v", got)
	}
	if got := f.sent.to("console:lee"); len(got) != 1 || !strings.Contains(text(got[0]), "from you to <@console:alex>") {
		t.Errorf("old lead was told: %+v", got)
	}
	if r := f.as("alex", "/hpp lead HPP-1 @alex"); !strings.Contains(text(r), "already the named contact") {
		t.Errorf("handover to the same person: %s", text(r))
	}
}

func TestContactPlanCandourFlow(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=severe Fall")
	steps := []struct{ line, want string }{
		{"/hpp contact HPP-1 via=meeting next=3d Met with the family", "Next contact due Mon 30 Nov, 08:00 (in 5 days). next=3d would fall on Sat 28 Nov, 10:00, which isn't a working day here, so I've set it for the next working morning."},
		{"/hpp plan HPP-1 every=1w via=phone Tuesday afternoons", "in touch every week by phone"},
		{"/hpp candour HPP-1 notified Apologised in person", "the family was told what happened"},
		{"/hpp candour HPP-1 notified again", "already recorded"},
		{"/hpp candour HPP-1 na", "give the reason"},
		{"/hpp candour HPP-1 written", "written follow-up was sent"},
		{"/hpp family HPP-1 support Offered an independent advocate", "independent support or advice offered"},
		{"/hpp family HPP-1 parallel=complaint", "Reminders to keep in touch carry on"},
		{"/hpp family HPP-1 parallel=lawsuit", "parallel= takes complaint, claim, inquest or regulator"},
		{"/hpp family HPP-1 hugs", "isn't something I record here"},
		{"/hpp snooze HPP-1 5d", "up to 3 days at a time"},
		{"/hpp snooze HPP-1 2d", "snoozed until"},
		{"/hpp involve HPP-1 @sam @jo", "Recorded <@console:sam> and <@console:jo> as involved"},
		{"/hpp involve HPP-1 @sam", "already recorded as involved"},
		{"/hpp close HPP-1 Family content with the final meeting", "is closed"},
		{"/hpp contact HPP-1", "is closed"},
		{"/hpp reopen HPP-1", "is open again"},
	}
	for _, s := range steps {
		if got := text(f.as("lee", s.line)); !strings.Contains(got, s.want) {
			t.Errorf("%q:\n%s\nwant %q", s.line, got, s.want)
		}
	}
	events, err := f.st.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind))
	}
	want := "opened contact plan candour candour family parallel snooze involve closed reopened"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline kinds = %s\nwant %s", strings.Join(kinds, " "), want)
	}
	tl := text(f.as("lee", "/hpp timeline HPP-1"))
	for _, want := range []string{"11 events", "<@console:lee> logged a contact with the family by meeting", "Note: “Met with the family”"} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %q:\n%s", want, tl)
		}
	}
}

// TestOptionsAfterTheText is issue 18's first sighting: options after the
// summary or note were taken as text, so a severe-harm case had no candour
// deadlines and the typist as named contact.
func TestOptionsAfterTheText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := text(f.as("lee", "/hpp open INC-20 Fall on ward harm=severe lead=@alex"))
	for _, want := range []string{"severe harm", "Named contact for the family: <@console:alex>", "Duty of Candour notification", "Understood: harm severe · aware Wed 25 Nov · named contact <@console:alex> · summary “Fall on ward”"} {
		if !strings.Contains(r, want) {
			t.Errorf("open reply lacks %q:\n%s", want, r)
		}
	}
	c, err := f.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Harm != pathway.HarmSevere || c.Lead != "console:alex" || c.Summary != "Fall on ward" || !c.DutyApplies {
		t.Fatalf("case = harm %q, lead %q, summary %q, duty %v", c.Harm, c.Lead, c.Summary, c.DutyApplies)
	}
	r = text(f.as("alex", "/hpp contact HPP-1 Spoke with mum next=3d"))
	if !strings.Contains(r, "Next contact due Mon 30 Nov, 08:00 (in 5 days)") || !strings.Contains(r, "Understood: today · next in 3 days, as you asked · note “Spoke with mum”") {
		t.Errorf("contact reply:\n%s", r)
	}
}

// TestEveryChangeSaysBackWhatItUnderstood: each command that changes a case
// ends its reply with one line saying what it read.
func TestEveryChangeSaysBackWhatItUnderstood(t *testing.T) {
	f := newFixture(t)
	steps := []struct{ line, want string }{
		{"/hpp open INC-1 service=maternity candour=yes aware=2026-11-23 every=2w involved=@sam Fall on ward", "Understood: harm not given · candour yes · aware Mon 23 Nov · named contact <@console:lee> · service maternity · involved <@console:sam> · in touch every 2 weeks · summary “Fall on ward”"},
		{"/hpp contact HPP-1 on=2026-11-24 via=phone", "Understood: by phone · on Tue 24 Nov · next by the plan, every 2 weeks · no note"},
		{"/hpp contact HPP-1 Rang back next=2026-12-01", "Understood: today · next on Tue 1 Dec, as you asked · note “Rang back”"},
		{"/hpp plan HPP-1 every=1mo", "Understood: every month · no note"},
		{"/hpp candour HPP-1 na Harm assessed as low", "Understood: duty doesn't apply · today · reason “Harm assessed as low”"},
		{"/hpp family HPP-1 support Gave advocacy details", "Understood: support · note “Gave advocacy details”"},
		{"/hpp family HPP-1 parallel=complaint Letter received", "Understood: parallel complaint · note “Letter received”"},
		{"/hpp lead HPP-1 @alex", "Understood: named contact <@console:lee> → <@console:alex>"},
		{"/hpp involve HPP-1 @sam @jo", "Understood: newly involved <@console:jo> · already involved <@console:sam>"},
		{"/hpp snooze HPP-1 1d", "Understood: snooze 1 day"},
		{"/hpp close HPP-1", "Understood: close HPP-1 · no note"},
		{"/hpp reopen HPP-1", "Understood: reopen HPP-1"},
	}
	for _, s := range steps {
		got := text(f.as("lee", s.line))
		if !strings.Contains(got, s.want) {
			t.Errorf("%q:\n%s\nwant %q", s.line, got, s.want)
		}
		if strings.Count(got, "Understood:") != 1 {
			t.Errorf("%q: want one say-back line:\n%s", s.line, got)
		}
	}
}

// TestALaterPlanReplacesTheDueTimeAMistakenOneSet: every=1min (once typed
// as 1m meaning a month) made contact due at once; a corrected plan does
// not leave it due now.
func TestALaterPlanReplacesTheDueTimeAMistakenOneSet(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=low Fall")
	f.as("lee", "/hpp contact HPP-1 via=phone Spoke with her son")
	if r := text(f.as("lee", "/hpp plan HPP-1 every=1min")); !strings.Contains(r, "Next contact due Wed 25 Nov, 10:01 (now)") {
		t.Fatalf("one-minute plan:\n%s", r)
	}
	f.clock.Add(time.Hour)
	if r := text(f.as("lee", "/hpp plan HPP-1 every=1mo via=phone")); !strings.Contains(r, "Next contact due Tue 29 Dec, 08:00 (in 34 days)") {
		t.Fatalf("corrected plan:\n%s", r)
	}
}

func TestSwitchedOffCommitmentsAreNotRecorded(t *testing.T) {
	f := newFixture(t)
	f.h.Policy.Commitments = []string{pathway.CommitCommunication}
	f.as("lee", "/hpp open INC-1 harm=low Fall")
	for _, line := range []string{"/hpp family HPP-1 support", "/hpp family HPP-1 improvement", "/hpp family HPP-1 parallel=claim", "/hpp lens"} {
		if got := text(f.as("lee", line)); !strings.Contains(got, "hasn't switched on") {
			t.Errorf("%q with the commitment off: %s", line, got)
		} else if strings.Contains(got, "policy file") || strings.Contains(got, "commitments:") || strings.Contains(got, `"support"`) {
			t.Errorf("%q: setup words to someone who isn't an admin: %s", line, got)
		}
	}
	if got := text(f.as("lee", "/hpp commitments")); !strings.Contains(got, "1 of 6 switched on") {
		t.Errorf("commitments: %s", got)
	}
}

func TestPromptForACase(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=moderate Fall")
	steps := []struct{ line, want string }{
		{"/hpp prompt HPP-1", "The first conversation"},
		{"/hpp contact HPP-1 via=phone", ""},
		{"/hpp prompt HPP-1", "Saying sorry"},
		{"/hpp candour HPP-1 notified", ""},
		{"/hpp prompt HPP-1", "Keeping in touch"},
		{"/hpp plan HPP-1 every=1w", ""},
		{"/hpp prompt HPP-1", "Writing to the family"},
		{"/hpp prompt listen", "Listening with curiosity"},
		{"/hpp prompt", "keep-in-touch"},
		{"/hpp prompt cake", "I don't have a card called"},
	}
	for _, s := range steps {
		if got := text(f.as("lee", s.line)); s.want != "" && !strings.Contains(got, s.want) {
			t.Errorf("%q:\n%s\nwant %q", s.line, got, s.want)
		}
	}
}

func TestLogsHoldNoFreeText(t *testing.T) {
	f := newFixture(t)
	secret := "Zebra-crossing-synthetic-note"
	f.as("lee", "/hpp open INC-1 harm=moderate "+secret)
	f.as("lee", "/hpp contact HPP-1 "+secret)
	f.as("lee", "/hpp open INC-2 "+secret+" 999 000 0018")
	f.as("lee", "/hpp frobnicate "+secret)
	if strings.Contains(f.logs.String(), secret) || strings.Contains(f.logs.String(), "999 000") {
		t.Errorf("logs hold typed text:\n%s", f.logs.String())
	}
}

// FuzzHandle checks no command line makes the handler panic or fail with
// an internal error.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"/hpp open INC-1 harm=low x", "/hpp status HPP-1", "/hpp list all", "/hpp contact 1 via=phone next=2026-12-01",
		"/hpp snooze hpp-1 1wd", "/hpp help open", "/hpp candour 1 na x", "/hpp prompt 1", "/hpp lead 1 @a", "/hpp service m lead=@a channel=#b",
		"/hpp status inc-1", "/hpp contact INC-1 via=phone x", "/hpp open INC-1 again=yes x", "/hpp status 12345", "/hpp prompt INC-1",
		"/hpp correct 1 harm=severe psych=low x", "/hpp strike 1 2 x", "/hpp correct INC-1 summary a reason: b", "/hpp open INC-2 psych=moderate x"} {
		f.Add(s)
	}
	fx := newFixture(f)
	fx.as("u", "/hpp open INC-1 harm=moderate Fall")
	f.Fuzz(func(t *testing.T, line string) {
		r := fx.as("u", line)
		if strings.Contains(r.Text, "Something went wrong on my side") {
			t.Fatalf("internal error for %q", line)
		}
	})
}

// Candour steps are contact with the family; after the duty is recorded as
// not applying, no later step is given a deadline; the reason for a delay
// is its own record.
func TestCandourStepsAndContact(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=severe Fall")
	f.as("lee", "/hpp open INC-2 harm=moderate Slip")
	steps := []struct{ line, want, not string }{
		{"/hpp prompt HPP-1", "The first conversation", ""},
		{"/hpp candour HPP-1 notified Met parents, apologised", "This counts as contact with the family: next contact due", ""},
		{"/hpp prompt HPP-1", "", "The first conversation"},
		{"/hpp status HPP-1", "Contacts logged: 1", ""},
		{"/hpp candour HPP-2 na harm reassessed as low after review", "doesn't apply", ""},
		{"/hpp candour HPP-2 notified Told them anyway", "the family was told what happened", "due by the end of"},
		{"/hpp candour HPP-2 delay the family were away", "already recorded", ""},
		{"/hpp family HPP-2 findings Shared the review's findings", "counts as contact with the family", ""},
		{"/hpp candour HPP-1 delay", "give the reason for the delay", ""},
	}
	for _, s := range steps {
		got := text(f.as("lee", s.line))
		if s.want != "" && !strings.Contains(got, s.want) {
			t.Errorf("%q:\n%s\nwant %q", s.line, got, s.want)
		}
		if s.not != "" && strings.Contains(got, s.not) {
			t.Errorf("%q:\n%s\nshould not say %q", s.line, got, s.not)
		}
	}
}

// TestHelpFitsOnAPhone: a typo gets the nearest command's usage line and
// nothing more; help alone is the short grouped list pointing to help
// <command>; help help and help with extra words are answered, not refused.
func TestHelpFitsOnAPhone(t *testing.T) {
	tests := []struct {
		line     string
		want     []string
		notWant  []string
		maxLines int
	}{
		{"/hpp stauts HPP-1", []string{"Did you mean /hpp status?", "/hpp status <case> — the case at a glance"}, []string{"That one", "Cases:"}, 2},
		{"/hpp help", []string{"Cases: open · contact", "Looking after staff: checkin · support · wellbeing", "/hpp help open"}, []string{"/hpp open <incident-ref>"}, 12},
		{"/hpp help help", []string{"/hpp help [command]"}, []string{"I don't know"}, 0},
		{"/hpp help checkin history", []string{"/hpp checkin [history|forget]"}, []string{"didn't expect", "help help"}, 0},
		{"/hpp help /hpp status", []string{"/hpp status <case>"}, nil, 0},
		{"/hpp help talk-yes", []string{"I don't know the command"}, []string{"talk-yes —"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			f := newFixture(t)
			out := text(f.as("lee", tt.line))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("reply lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("reply has %q:\n%s", w, out)
				}
			}
			if n := len(strings.Split(strings.TrimSpace(out), "\n")); tt.maxLines > 0 && n > tt.maxLines {
				t.Errorf("%d lines, want at most %d:\n%s", n, tt.maxLines, out)
			}
		})
	}
}

// TestParallelInquestIsNotTheFamilysChoice: the reply, status and timeline
// read as sentences, and an inquest isn't put down to the family.
func TestParallelInquestIsNotTheFamilysChoice(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=moderate")
	out := text(f.as("lee", "/hpp family HPP-1 parallel=inquest")) + text(f.as("lee", "/hpp status HPP-1")) + text(f.as("lee", "/hpp timeline HPP-1"))
	for _, bad := range []string{"has an inquest", "family chooses", "hold it against"} {
		if strings.Contains(out, bad) {
			t.Errorf("says %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "An inquest is under way") || !strings.Contains(out, "recorded that an inquest is under way") {
		t.Errorf("status or timeline lacks the inquest:\n%s", out)
	}
}

// TestApologyLawByNation: the apology card names the law of the nation it
// is read in, and never the Compensation Act to Scotland or Northern Ireland.
func TestApologyLawByNation(t *testing.T) {
	tests := []struct {
		nation    pathway.Nation
		want, not string
	}{
		{pathway.England, "", ""},
		{pathway.Wales, "Compensation Act 2006", "Scotland"},
		{pathway.Scotland, "Apologies (Scotland) Act 2016", "Compensation Act"},
		{pathway.NorthernIreland, "no law about apologies", "Compensation Act"},
	}
	for _, tt := range tests {
		got := apologyLaw(tt.nation)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) || tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("%s: %q", tt.nation, got)
		}
	}
}

// TestRelativeKeepsNinetyMinutes: next=90min reads "in 90 minutes", not
// rounded up to "in 2 hours".
func TestRelativeKeepsNinetyMinutes(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{90 * time.Minute: "in 90 minutes", 89*time.Minute + 50*time.Second: "in 90 minutes", 2 * time.Hour: "in 2 hours", 30 * time.Minute: "in 30 minutes"} {
		if got := relative(now, now.Add(d)); got != want {
			t.Errorf("relative(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestCommitmentsSetupWordsOnlyForAdmins: the policy file's key is named to
// an admin, never to a clinician.
func TestCommitmentsSetupWordsOnlyForAdmins(t *testing.T) {
	f := newFixture(t)
	f.h.EveryoneAdmin = false
	f.h.Admins = []string{"console:ada"}
	if got := text(f.as("lee", "/hpp commitments")); strings.Contains(got, "policy file") || strings.Contains(got, "commitments:") {
		t.Errorf("a clinician is shown setup words:\n%s", got)
	}
	if got := text(f.as("ada", "/hpp commitments")); !strings.Contains(got, "under commitments: in the policy file") {
		t.Errorf("an admin isn't told where:\n%s", got)
	}
}
