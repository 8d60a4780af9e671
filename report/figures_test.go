package report

import (
	"math"
	"testing"
	"time"

	"hppbot/pathway"
)

// sim builds synthetic cases with the pathway's own operations at chosen
// times, keeping each case's timeline as the store would.
type sim struct {
	t         *testing.T
	p         *pathway.Policy
	loc       *time.Location
	cases     []*pathway.Case
	timelines map[int64][]pathway.Event
}

func newSim(t *testing.T) *sim {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, p: p, loc: p.Location(), timelines: map[int64][]pathway.Event{}}
}

func (s *sim) at(v string) time.Time {
	s.t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", v, s.loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return tm
}

func (s *sim) day(v string) time.Time {
	s.t.Helper()
	d, err := pathway.ParseDate(v, s.loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

func (s *sim) record(c *pathway.Case, ev pathway.Event, err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
	ev.Case = c.ID
	s.timelines[c.ID] = append(s.timelines[c.ID], ev)
}

func (s *sim) open(when, aware string, harm pathway.Harm) *pathway.Case {
	s.t.Helper()
	c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-1", Service: "maternity", Harm: harm, Aware: s.day(aware)}, "console:sam", s.p, s.at(when))
	if err != nil {
		s.t.Fatal(err)
	}
	c.ID = int64(len(s.cases) + 1)
	s.cases = append(s.cases, c)
	s.record(c, ev, nil)
	return c
}

func (s *sim) contact(c *pathway.Case, when, next string) {
	s.t.Helper()
	in := pathway.ContactInput{Via: "phone"}
	if next != "" {
		w, err := pathway.ParseWhen(next, s.loc)
		if err != nil {
			s.t.Fatal(err)
		}
		in.Next = &w
	}
	ev, err := c.LogContact(in, "console:sam", s.p, s.at(when))
	s.record(c, ev, err)
}

func (s *sim) candour(c *pathway.Case, step, when, note string) {
	s.t.Helper()
	ev, err := c.RecordCandour(step, note, time.Time{}, "console:sam", s.p, s.at(when))
	s.record(c, ev, err)
}

func (s *sim) bot(c *pathway.Case, kind pathway.EventKind, when string) {
	s.record(c, pathway.Event{At: s.at(when), Actor: pathway.Bot, Kind: kind, Step: pathway.RemindContact, Stage: pathway.StageOverdue, People: []string{"console:sam"}}, nil)
}

// knownSet is the synthetic set the figures are checked against. The window
// is the 28 days before Wed 25 Nov 2026 12:00 (from Wed 28 Oct).
func knownSet(t *testing.T) (*sim, Input) {
	s := newSim(t)
	// E: opened in September, outside the window, still open; a late
	// contact inside the window, a reminder outside it.
	e := s.open("2026-09-01 09:00", "2026-09-01", pathway.HarmLow)
	s.contact(e, "2026-09-02 09:00", "")
	s.bot(e, pathway.EventReminder, "2026-09-10 09:00")
	// A: moderate harm; first contact on time, notified and written on
	// time. The notification and the written follow-up are contacts too:
	// the notification on time (due 10 Nov), the letter late against the
	// week the notification set (due 10 Nov 09:30), the second contact on
	// time (due a week after the letter).
	a := s.open("2026-11-02 09:00", "2026-11-02", pathway.HarmModerate)
	s.contact(a, "2026-11-03 08:30", "2026-11-10")
	s.candour(a, pathway.CandourNotified, "2026-11-03 09:30", "")
	s.candour(a, pathway.CandourWritten, "2026-11-10 14:00", "")
	s.contact(a, "2026-11-11 10:00", "2026-12-01")
	// B: severe harm, aware two days before opening; first contact late;
	// neither candour step recorded by its deadline (Mon 16 Nov).
	b := s.open("2026-11-04 10:00", "2026-11-02", pathway.HarmSevere)
	s.contact(b, "2026-11-06 10:00", "2026-12-01")
	// C: low harm (the duty doesn't apply in England); contact on time; closed.
	c := s.open("2026-11-09 09:00", "2026-11-09", pathway.HarmLow)
	s.contact(c, "2026-11-09 15:00", "")
	ev, err := c.Close("", "console:sam", s.at("2026-11-13 16:00"))
	s.record(c, ev, err)
	// E's late contact, inside the window.
	s.contact(e, "2026-11-02 11:00", "2026-12-01")
	// D: moderate harm, no contact yet; reminders and an escalation.
	d := s.open("2026-11-16 09:00", "2026-11-16", pathway.HarmModerate)
	s.bot(d, pathway.EventReminder, "2026-11-17 09:00")
	s.bot(d, pathway.EventReminder, "2026-11-18 09:00")
	s.bot(d, pathway.EventReminder, "2026-11-19 09:00")
	s.bot(d, pathway.EventEscalation, "2026-11-19 09:00")
	// G: moderate harm, recorded as not applying; no contact.
	g := s.open("2026-11-18 09:00", "2026-11-18", pathway.HarmModerate)
	s.candour(g, pathway.CandourNA, "2026-11-18 10:00", "reviewed: harm was not caused by care")

	now := s.at("2026-11-25 12:00")
	return s, Input{Cases: s.cases, Timelines: s.timelines, From: pathway.Midnight(now, s.loc).AddDate(0, 0, -28), To: now, Now: now, Loc: s.loc}
}

func TestComputeKnownSet(t *testing.T) {
	s, in := knownSet(t)
	f := Compute(in)
	checks := []struct {
		name      string
		got, want int
	}{
		{"opened", f.Opened, 5},
		{"closed", f.Closed, 1},
		{"open now", f.OpenNow, 5},
		{"overdue now (B candour, D and G contact)", f.OverdueNow, 3},
		{"no contact yet (D, G)", f.NoContactYet, 2},
		{"contacts on time (A×3, C)", f.Contacts.Num, 4},
		{"contacts with a due time (A×4, B, C, E)", f.Contacts.Den, 7},
		{"notified on time", f.Notify.Num, 1},
		{"notification counted (A, B)", f.Notify.Den, 2},
		{"written on time", f.Written.Num, 1},
		{"written counted (A, B)", f.Written.Den, 2},
		{"nudges", f.Nudges, 3},
		{"escalations", f.Escalations, 1},
		{"first contacts (A, B, C)", len(f.FirstContacts), 3},
		{"weeks (26 Oct to 23 Nov)", len(f.Weeks), 5},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	wantDays := []float64{1 + 8.5/24, 4 + 10.0/24, 15.0 / 24} // A, B, C in order of first contact
	gotDays := f.FirstContactDays()
	for i, want := range wantDays {
		if i >= len(gotDays) || math.Abs(gotDays[i]-want) > 1e-9 {
			t.Fatalf("first-contact days = %v, want %v", gotDays, wantDays)
		}
	}
	if m, _ := Median(gotDays); math.Abs(m-wantDays[0]) > 1e-9 {
		t.Errorf("median = %v, want %v", m, wantDays[0])
	}
	if p, _ := Percentile(gotDays, 90); math.Abs(p-wantDays[1]) > 1e-9 {
		t.Errorf("90th percentile = %v, want %v", p, wantDays[1])
	}
	weeks := []struct {
		start        string
		onTime, late int
		firsts       int
	}{
		{"2026-10-26", 0, 0, 0},
		{"2026-11-02", 2, 2, 2}, // A's contact and notification on time; B and E late; A and B first contacts
		{"2026-11-09", 2, 1, 1}, // C and A's second on time; A's letter late; C's first contact
		{"2026-11-16", 0, 0, 0},
		{"2026-11-23", 0, 0, 0},
	}
	for i, w := range weeks {
		got := f.Weeks[i]
		if !got.Start.Equal(s.day(w.start)) || got.OnTime != w.onTime || got.Late != w.late || len(got.FirstContactDays) != w.firsts {
			t.Errorf("week %d = %s on time %d late %d firsts %d; want %s %d %d %d", i, got.Start.Format("2006-01-02"), got.OnTime, got.Late, len(got.FirstContactDays), w.start, w.onTime, w.late, w.firsts)
		}
	}
	if f.Contacts.Percent() != 57 || f.Notify.Percent() != 50 {
		t.Errorf("percentages: contacts %d%%, notify %d%%", f.Contacts.Percent(), f.Notify.Percent())
	}
}

func TestComputeEmpty(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := Compute(Input{From: now.AddDate(0, 0, -7), To: now, Now: now})
	if f.Opened != 0 || f.Contacts.Den != 0 || len(f.Weeks) != 2 {
		t.Fatalf("empty figures: %+v", f)
	}
	if f.Contacts.Percent() != 0 {
		t.Fatalf("percent of nothing = %d", f.Contacts.Percent())
	}
	if _, ok := Median(nil); ok {
		t.Fatal("median of nothing should not be ok")
	}
}

func TestMedianPercentile(t *testing.T) {
	tests := []struct {
		vs          []float64
		median, p90 float64
	}{
		{[]float64{5}, 5, 5},
		{[]float64{3, 1}, 2, 3},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 9},
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 11}, 6, 10},
		{[]float64{0.4, 0.4, 7.2}, 0.4, 7.2},
	}
	for _, tt := range tests {
		m, ok := Median(tt.vs)
		p, ok2 := Percentile(tt.vs, 90)
		if !ok || !ok2 || m != tt.median || p != tt.p90 {
			t.Errorf("%v: median %v p90 %v, want %v %v", tt.vs, m, p, tt.median, tt.p90)
		}
	}
	if _, ok := Percentile([]float64{1}, 0); ok {
		t.Error("percentile 0 should not be ok")
	}
}

func TestShare(t *testing.T) {
	for _, tt := range []struct {
		s    Share
		want int
	}{{Share{1, 2}, 50}, {Share{2, 3}, 67}, {Share{1, 3}, 33}, {Share{1, 8}, 13}, {Share{0, 0}, 0}, {Share{5, 5}, 100}} {
		if got := tt.s.Percent(); got != tt.want {
			t.Errorf("%+v = %d%%, want %d%%", tt.s, got, tt.want)
		}
	}
}

func TestWithinDeadline(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	due := time.Date(2026, 11, 16, 18, 0, 0, 0, loc)
	tests := []struct {
		name      string
		done, due time.Time
		want      bool
	}{
		{"before", due.AddDate(0, 0, -3), due, true},
		{"late on the last day", time.Date(2026, 11, 16, 21, 0, 0, 0, loc), due, true},
		{"the next day", time.Date(2026, 11, 17, 0, 30, 0, 0, loc), due, false},
		{"not done", time.Time{}, due, false},
		{"no deadline known yet", due, time.Time{}, true},
	}
	for _, tt := range tests {
		if got := pathway.WithinDeadline(tt.done, tt.due, loc); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}

func TestWeekStart(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	for in, want := range map[string]string{
		"2026-11-25 12:00": "2026-11-23", // Wednesday
		"2026-11-23 00:00": "2026-11-23", // Monday
		"2026-11-29 23:59": "2026-11-23", // Sunday
		"2026-03-29 12:00": "2026-03-23", // the clocks go forward
	} {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", in, loc)
		if got := WeekStart(tm, loc).Format("2006-01-02 15:04"); got != want+" 00:00" {
			t.Errorf("WeekStart(%s) = %s, want %s", in, got, want)
		}
	}
}
