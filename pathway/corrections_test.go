package pathway

import (
	"fmt"
	"testing"
	"time"
)

func harmPtr(h Harm) *Harm { return &h }

func TestCorrectRegradeWorksOutTheDuty(t *testing.T) {
	p := policyFor(t, England)
	aware := day(t, "2026-11-02")
	opened := at(t, "2026-11-03", "10:00")
	tests := []struct {
		name       string
		open       OpenInput
		in         CorrectInput
		now        time.Time
		duty       bool
		overdueNow bool // a candour reminder is owed at once
		events     []string
	}{
		{"low to moderate, deadline ahead", OpenInput{Harm: HarmLow, Aware: aware}, CorrectInput{Harm: harmPtr(HarmModerate)}, at(t, "2026-11-05", "11:00"), true, false, []string{"harm low→moderate"}},
		{"low to moderate, deadline past", OpenInput{Harm: HarmLow, Aware: aware}, CorrectInput{Harm: harmPtr(HarmModerate)}, at(t, "2026-11-30", "11:00"), true, true, []string{"harm low→moderate"}},
		{"moderate to low", OpenInput{Harm: HarmModerate, Aware: aware}, CorrectInput{Harm: harmPtr(HarmLow)}, at(t, "2026-11-05", "11:00"), false, false, []string{"harm moderate→low"}},
		{"psych prolonged added", OpenInput{Harm: HarmLow, Aware: aware}, CorrectInput{Psych: harmPtr(HarmModerate), Prolonged: func() *Prolonged { v := ProlongedYes; return &v }()}, at(t, "2026-11-05", "11:00"), true, false, []string{"psych →moderate", "prolonged →yes"}},
		{"older psychological to severe", OpenInput{Aware: aware}, CorrectInput{Psych: harmPtr(HarmSevere)}, at(t, "2026-11-05", "11:00"), true, false, []string{"psych moderate→severe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustOpen(t, p, opened, tt.open)
			if tt.name == "older psychological to severe" {
				// As stored before the two axes.
				c.Harm, c.DutyApplies = HarmPsychological, true
				c.candourDeadlines(p)
			}
			c.Contacts, c.Notified = 0, time.Time{}
			tt.in.Reason = "regraded at the weekly review"
			events, err := c.Correct(tt.in, "console:jo", p, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				got = append(got, fmt.Sprintf("%s %s→%s", e.Step, e.From, e.To))
				if e.Kind != EventCorrected || e.Actor != "console:jo" || !e.At.Equal(tt.now) || e.Note != "regraded at the weekly review" {
					t.Errorf("event %+v", e)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.events) {
				t.Errorf("events %v, want %v", got, tt.events)
			}
			if c.DutyApplies != tt.duty {
				t.Fatalf("duty %v, want %v", c.DutyApplies, tt.duty)
			}
			if !tt.duty {
				if !c.NotifyDue.IsZero() || !c.WrittenDue.IsZero() || len(c.Outstanding()) != 1 {
					t.Errorf("no duty, yet deadlines %v %v", c.NotifyDue, c.WrittenDue)
				}
				return
			}
			// Counted from the aware date, not from the regrade.
			if want := deadline(p, aware, p.Candour.NotifyWithin); !c.NotifyDue.Equal(want) {
				t.Errorf("notification due %v, want %v", c.NotifyDue, want)
			}
			owed := false
			for _, r := range c.Reminders(p, tt.now) {
				if r.Kind == RemindNotify && r.Stage == StageOverdue {
					owed = true
				}
			}
			if owed != tt.overdueNow {
				t.Errorf("overdue notification reminder owed now: %v, want %v", owed, tt.overdueNow)
			}
			if tt.overdueNow && c.NextWake(p).After(tt.now) {
				t.Errorf("next wake %v is after now: the nudge should be due at once", c.NextWake(p))
			}
		})
	}
}

func TestCorrectKeepsStepsAndEndsANotApplyingRecord(t *testing.T) {
	p := policyFor(t, England)
	opened := at(t, "2026-11-03", "10:00")
	c := mustOpen(t, p, opened, OpenInput{Harm: HarmLow})
	if _, err := c.LogContact(ContactInput{Via: "phone"}, "console:sam", p, opened.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RecordCandour(CandourNA, "harm assessed as low", time.Time{}, "console:sam", p, opened.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	before := c.Clone()
	if _, err := c.Correct(CorrectInput{Harm: harmPtr(HarmSevere), Reason: "regraded after the review panel"}, "console:jo", p, opened.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c.NotNeeded != "" || !c.CandourActive() {
		t.Errorf("after a regrade the duty applies again: not needed %q, active %v", c.NotNeeded, c.CandourActive())
	}
	if c.Contacts != before.Contacts || !c.FirstContact.Equal(before.FirstContact) || !c.NextContact.Equal(before.NextContact) {
		t.Errorf("contacts changed: %d %v %v", c.Contacts, c.FirstContact, c.NextContact)
	}
	if c.CandourRound == before.CandourRound {
		t.Errorf("candour reminders should start afresh")
	}
}

func TestCorrectFactsAndRefusals(t *testing.T) {
	p := policyFor(t, England)
	opened := at(t, "2026-11-03", "10:00")
	now := at(t, "2026-11-04", "10:00")
	svc, ref, summary, empty := "maternity", "INC-99", "Fall in the bathroom", ""
	newAware := day(t, "2026-10-26")
	future := day(t, "2026-12-25")
	no := CandourNo
	tests := []struct {
		name    string
		in      CorrectInput
		refused string
		check   func(c *Case) string
	}{
		{"service", CorrectInput{Service: &svc}, "", func(c *Case) string { return c.Service }},
		{"reference", CorrectInput{Ref: &ref}, "", func(c *Case) string { return c.Ref }},
		{"summary", CorrectInput{Summary: &summary}, "", func(c *Case) string { return c.Summary }},
		{"aware moves the deadline", CorrectInput{Aware: &newAware}, "", func(c *Case) string { return FormatDay(c.NotifyDue, p.Location()) }},
		{"candour no", CorrectInput{Candour: &no}, "", func(c *Case) string { return fmt.Sprint(c.DutyApplies) }},
		{"no reason", CorrectInput{Service: &svc, Reason: "-"}, "Please say why", nil},
		{"nothing changes", CorrectInput{Service: &empty}, "already records", nil},
		{"aware in the future", CorrectInput{Aware: &future}, "in the future", nil},
		{"a reference that is a case id", CorrectInput{Ref: func() *string { s := "HPP-4"; return &s }()}, "hppbot case id", nil},
		{"an NHS number in the summary", CorrectInput{Summary: func() *string { s := "patient 999 000 0018"; return &s }()}, "Nothing was saved", nil},
		{"psychological on the physical axis", CorrectInput{Harm: harmPtr(HarmPsychological)}, "psych=moderate prolonged=yes", nil},
	}
	want := map[string]string{"service": "maternity", "reference": "INC-99", "summary": "Fall in the bathroom", "aware moves the deadline": "Mon 9 Nov 2026", "candour no": "false"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustOpen(t, p, opened, OpenInput{Harm: HarmModerate, Summary: "Fall on ward"})
			if tt.in.Reason == "-" {
				tt.in.Reason = ""
			} else {
				tt.in.Reason = "typed wrongly when opening"
			}
			before := c.Clone()
			events, err := c.Correct(tt.in, "console:jo", p, now)
			if tt.refused != "" {
				code := Invalid
				if tt.name == "an NHS number in the summary" {
					code = Identifiable
				}
				wantCode(t, err, code, tt.refused)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 {
				t.Fatalf("events %+v", events)
			}
			if got := tt.check(c); got != want[tt.name] {
				t.Errorf("got %q, want %q", got, want[tt.name])
			}
			if tt.check(before) == want[tt.name] {
				t.Errorf("the case already held %q", want[tt.name])
			}
		})
	}
}

// timelineOf numbers events as the store gives them back, each with an id.
func timelineOf(events ...Event) []Event {
	for i := range events {
		events[i].ID = fmt.Sprintf("1-%d", i)
	}
	ReadTimeline(events)
	return events
}

func TestReadTimeline(t *testing.T) {
	evs := timelineOf(
		Event{Kind: EventOpened},
		Event{Kind: EventContact},
		Event{Kind: EventStruck, Target: "1-1", Note: "wrong case"},
		Event{Kind: EventStruck, Target: "1-1", Note: "twice"},   // already struck: ignored
		Event{Kind: EventStruck, Target: "1-9", Note: "missing"}, // names nothing
		Event{Kind: EventContact},
	)
	for i, e := range evs {
		if e.No != i+1 {
			t.Errorf("entry %d numbered %d", i+1, e.No)
		}
	}
	if !evs[1].Struck() || evs[1].StruckBy.Note != "wrong case" || evs[2].Strikes != 2 {
		t.Errorf("entry 2 struck by %+v; strike marks %d", evs[1].StruckBy, evs[2].Strikes)
	}
	if evs[1].CountsAsContact() || !evs[5].CountsAsContact() {
		t.Errorf("a struck contact counts: %v; a standing one: %v", evs[1].CountsAsContact(), evs[5].CountsAsContact())
	}
	if evs[3].Strikes != 0 || evs[4].Strikes != 0 || evs[5].Struck() {
		t.Errorf("strikes that name nothing new: %+v %+v", evs[3], evs[4])
	}
}

// record applies a command to c and appends its event to the timeline, as
// the store would.
func record(t *testing.T, c *Case, timeline *[]Event, ev Event, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	*timeline = append(*timeline, ev)
	timelineOf(*timeline...)
}

func TestStrikeWorksOutTheCaseAgain(t *testing.T) {
	opened := at(t, "2026-11-02", "10:00")
	t1, t2, t3 := at(t, "2026-11-03", "11:00"), at(t, "2026-11-05", "11:00"), at(t, "2026-11-06", "09:00")
	now := at(t, "2026-11-06", "12:00")
	tests := []struct {
		name   string
		nation Nation
		setup  func(c *Case, tl *[]Event, p *Policy)
		strike int
		check  func(t *testing.T, c, before *Case, p *Policy)
	}{
		{"the only contact", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.LogContact(ContactInput{Via: "phone"}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Contacts != 0 || !c.FirstContact.IsZero() || !c.LastContact.IsZero() {
				t.Errorf("contacts %d first %v last %v", c.Contacts, c.FirstContact, c.LastContact)
			}
			if want := p.Calendar.Add(opened, p.FirstContactWithin); !c.NextContact.Equal(want) {
				t.Errorf("next contact %v, want the first-contact time again %v", c.NextContact, want)
			}
			if c.Round == before.Round {
				t.Errorf("contact reminders should start a new round")
			}
		}},
		{"the latest of two contacts", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.LogContact(ContactInput{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
			ev, err = c.LogContact(ContactInput{}, "console:sam", p, t2)
			record(t, c, tl, ev, err)
		}, 3, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Contacts != 1 || !c.FirstContact.Equal(t1) || !c.LastContact.Equal(t1) {
				t.Errorf("contacts %d first %v last %v", c.Contacts, c.FirstContact, c.LastContact)
			}
			if want := p.Calendar.Add(t1, p.DefaultEvery); !c.NextContact.Equal(want) {
				t.Errorf("next contact %v, want %v", c.NextContact, want)
			}
		}},
		{"the first of two contacts", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.LogContact(ContactInput{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
			ev, err = c.LogContact(ContactInput{}, "console:sam", p, t2)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Contacts != 1 || !c.FirstContact.Equal(t2) || !c.NextContact.Equal(before.NextContact) {
				t.Errorf("contacts %d first %v next %v", c.Contacts, c.FirstContact, c.NextContact)
			}
		}},
		{"a notification, in Wales", Wales, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if !c.Notified.IsZero() || !c.WrittenDue.IsZero() || c.Contacts != 0 {
				t.Errorf("notified %v written due %v contacts %d", c.Notified, c.WrittenDue, c.Contacts)
			}
			if c.CandourRound == before.CandourRound || !c.NotifyDue.Equal(before.NotifyDue) {
				t.Errorf("candour round %d, notify due %v", c.CandourRound, c.NotifyDue)
			}
		}},
		{"a written follow-up", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordCandour(CandourWritten, "", time.Time{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if !c.Written.IsZero() || c.WrittenDue.IsZero() {
				t.Errorf("written %v due %v", c.Written, c.WrittenDue)
			}
		}},
		{"one of two updates", England, func(c *Case, tl *[]Event, p *Policy) {
			for _, at := range []time.Time{t1, t2} {
				ev, err := c.RecordCandour(CandourUpdate, "", time.Time{}, "console:sam", p, at)
				record(t, c, tl, ev, err)
			}
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Updates != 1 || c.Contacts != 1 {
				t.Errorf("updates %d contacts %d", c.Updates, c.Contacts)
			}
		}},
		{"not applying", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordCandour(CandourNA, "assessed as low", time.Time{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.NotNeeded != "" || !c.CandourActive() {
				t.Errorf("not needed %q active %v", c.NotNeeded, c.CandourActive())
			}
		}},
		{"a delay reason, in Scotland", Scotland, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordCandour(CandourDelay, "family away", time.Time{}, "console:sam", p, t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.DelayAsked {
				t.Errorf("the reason is struck: it should be asked for again")
			}
		}},
		{"findings shared", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordFamily("findings", "", "console:sam", p, t1)
			record(t, c, tl, ev, err)
			ev, err = c.RecordFamily("support", "", "console:sam", p, t2)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if _, ok := c.Family["findings"]; ok || c.Contacts != 0 {
				t.Errorf("family %v contacts %d", c.Family, c.Contacts)
			}
			if _, ok := c.Family["support"]; !ok {
				t.Errorf("support offered should stay: %v", c.Family)
			}
		}},
		{"a parallel process", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.RecordParallel("claim", "", "console:sam", t1)
			record(t, c, tl, ev, err)
		}, 2, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Parallel != nil {
				t.Errorf("parallel %v", c.Parallel)
			}
		}},
		{"the later of two plans", England, func(c *Case, tl *[]Event, p *Policy) {
			ev, err := c.SetPlan(Span{1, Week}, "phone", "", "console:sam", p, t1)
			record(t, c, tl, ev, err)
			ev, err = c.SetPlan(Span{2, Day}, "video", "", "console:sam", p, t2)
			record(t, c, tl, ev, err)
		}, 3, func(t *testing.T, c, before *Case, p *Policy) {
			if c.Plan == nil || c.Plan.Every != (Span{1, Week}) || c.Plan.Via != "phone" || !c.Plan.Agreed.Equal(t1) {
				t.Errorf("plan %+v", c.Plan)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policyFor(t, tt.nation)
			c, open, err := Open(OpenInput{Ref: "INC-5", Harm: HarmSevere}, "console:sam", p, opened)
			if err != nil {
				t.Fatal(err)
			}
			c.ID = 5
			var tl []Event
			record(t, c, &tl, open, nil)
			tt.setup(c, &tl, p)
			before := c.Clone()
			ev, err := c.Strike(tl, tt.strike, "logged on the wrong case", "console:jo", p, t3)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != EventStruck || ev.Target != tl[tt.strike-1].ID || ev.Note != "logged on the wrong case" || ev.Actor != "console:jo" {
				t.Errorf("strike %+v", ev)
			}
			tt.check(t, c, before, p)
			// Read back, the entry stays and is shown as struck.
			tl = append(tl, ev)
			ReadTimeline(tl)
			if !tl[tt.strike-1].Struck() || tl[len(tl)-1].Strikes != tt.strike {
				t.Errorf("entry %d not struck after reading", tt.strike)
			}
			_, err = c.Strike(tl, tt.strike, "again", "console:jo", p, now)
			wantCode(t, err, Invalid, "already marked")
		})
	}
}

func TestStrikeRefusals(t *testing.T) {
	p := policyFor(t, England)
	opened := at(t, "2026-11-02", "10:00")
	c, open, err := Open(OpenInput{Ref: "INC-5", Harm: HarmSevere}, "console:sam", p, opened)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = 5
	tl := timelineOf(open,
		Event{Kind: EventReminder, Actor: Bot},
		Event{Kind: EventLead, People: []string{"console:sam", "console:jo"}},
		Event{Kind: EventCorrected, Step: FieldHarm},
		Event{Kind: EventStruck, Target: "1-9"},
		Event{Kind: EventClosed},
	)
	tests := []struct {
		no     int
		reason string
		want   string
	}{
		{1, "x", "/hpp correct HPP-5"},
		{2, "x", "reminder hppbot sent"},
		{3, "x", "/hpp lead HPP-5"},
		{4, "x", "correct the value again"},
		{5, "x", "stays as part of the record"},
		{6, "x", "/hpp reopen HPP-5"},
		{7, "x", "numbered 1 to 6"},
		{2, "", "Please say why entry 2"},
	}
	for _, tt := range tests {
		_, err := c.Strike(tl, tt.no, tt.reason, "console:jo", p, opened.Add(time.Hour))
		wantCode(t, err, Invalid, tt.want)
	}
}
