package pathway

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// withoutCommunication is a nation's policy with the communication
// commitment switched off, so only candour reminders remain.
func withoutCommunication(t testing.TB, n Nation) *Policy {
	t.Helper()
	p := policyFor(t, n)
	p.Commitments = slices.DeleteFunc(slices.Clone(p.Commitments), func(c string) bool { return c == CommitCommunication })
	return p
}

// only keeps the reminders of one kind.
func only(rs []Reminder, kind string) []Reminder {
	var out []Reminder
	for _, r := range rs {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// sendAll marks every reminder sent, as the scheduler does after sending.
func sendAll(t testing.TB, c *Case, p *Policy, rs []Reminder, now time.Time) {
	t.Helper()
	for _, r := range rs {
		if !c.MarkSent(r, p, now) {
			t.Fatalf("MarkSent(%+v) at %v = false for a current reminder", r, now)
		}
	}
}

func TestContactReminderAtNextContact(t *testing.T) {
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmNone})
	due := at(t, "2026-01-13", "10:00")
	if w := c.NextWake(p); !w.Equal(due) {
		t.Fatalf("NextWake = %v, want the first contact due %v", w, due)
	}
	tests := []struct {
		now   time.Time
		stage string // "" for no reminder
	}{
		{at(t, "2026-01-13", "09:59"), ""},
		{due, StageDue},
		{at(t, "2026-01-13", "10:30"), StageOverdue},
		{at(t, "2026-01-20", "10:30"), StageOverdue},
	}
	for _, tt := range tests {
		rs := c.Reminders(p, tt.now)
		if tt.stage == "" {
			if len(rs) != 0 {
				t.Errorf("at %v: %+v, want nothing", tt.now, rs)
			}
			continue
		}
		want := []Reminder{{Kind: RemindContact, Stage: tt.stage, Due: due, Count: 1, Occurrence: "contact:0:0"}}
		if !reflect.DeepEqual(rs, want) {
			t.Errorf("at %v: %+v, want %+v", tt.now, rs, want)
		}
	}
}

func TestContactNudgesRepeatAndEscalateOnce(t *testing.T) {
	// Nudges repeat a working day after the last one (Friday's is followed
	// by Monday's) until the one that escalates; after it they come every
	// two working days (nudge_repeat_after_escalation).
	for escalateAfter, wakes := range map[int][]string{
		1: {"2026-01-13", "2026-01-14", "2026-01-16", "2026-01-20", "2026-01-22", "2026-01-26"},
		2: {"2026-01-13", "2026-01-14", "2026-01-15", "2026-01-19", "2026-01-21", "2026-01-23"},
		3: {"2026-01-13", "2026-01-14", "2026-01-15", "2026-01-16", "2026-01-20", "2026-01-22"},
	} {
		t.Run(fmt.Sprintf("escalate_after=%d", escalateAfter), func(t *testing.T) {
			p := policyFor(t, England)
			p.EscalateAfter = escalateAfter
			c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmNone})
			escalations := 0
			for i, d := range wakes {
				want := at(t, d, "10:00")
				w := c.NextWake(p)
				if !w.Equal(want) {
					t.Fatalf("nudge %d: NextWake = %v, want %v", i+1, w, want)
				}
				if rs := c.Reminders(p, w.Add(-time.Second)); len(rs) != 0 {
					t.Fatalf("nudge %d: reminders a second early: %+v", i+1, rs)
				}
				rs := c.Reminders(p, w)
				if len(rs) != 1 || rs[0].Kind != RemindContact || rs[0].Count != i+1 {
					t.Fatalf("nudge %d: %+v", i+1, rs)
				}
				if wantEsc := i+1 == escalateAfter+1; rs[0].Escalate != wantEsc {
					t.Errorf("nudge %d: Escalate = %v, want %v", i+1, rs[0].Escalate, wantEsc)
				}
				if rs[0].Escalate {
					escalations++
				}
				if want := fmt.Sprintf("contact:0:%d", i); rs[0].Occurrence != want {
					t.Errorf("nudge %d: Occurrence %q, want %q", i+1, rs[0].Occurrence, want)
				}
				sendAll(t, c, p, rs, w)
				if c.ContactNudges != i+1 || !c.LastNudge.Equal(w) {
					t.Errorf("after nudge %d: ContactNudges %d LastNudge %v", i+1, c.ContactNudges, c.LastNudge)
				}
			}
			if escalations != 1 || !c.Escalated {
				t.Errorf("escalated %d times (flag %v), want once", escalations, c.Escalated)
			}

			// Logging a contact starts a new round: no nudges until the next is due.
			now := at(t, "2026-01-26", "11:00")
			if _, err := c.LogContact(ContactInput{}, "console:sam", p, now); err != nil {
				t.Fatal(err)
			}
			if w := c.NextWake(p); !w.Equal(at(t, "2026-02-02", "11:00")) {
				t.Errorf("after a contact NextWake = %v", w)
			}
			rs := c.Reminders(p, at(t, "2026-02-02", "11:00"))
			if len(rs) != 1 || rs[0].Count != 1 || rs[0].Escalate || rs[0].Occurrence != "contact:1:0" {
				t.Errorf("first nudge of the new round: %+v", rs)
			}
		})
	}
}

func TestSnoozeMovesTheWake(t *testing.T) {
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmNone})
	// Overdue and nudged once already.
	first := at(t, "2026-01-13", "10:00")
	sendAll(t, c, p, c.Reminders(p, first), first)

	now := at(t, "2026-01-13", "12:00")
	if _, err := c.Snooze(Span{2, Day}, "console:sam", p, now); err != nil {
		t.Fatal(err)
	}
	until := at(t, "2026-01-15", "12:00")
	if w := c.NextWake(p); !w.Equal(until) {
		t.Errorf("NextWake = %v, want the end of the snooze %v", w, until)
	}
	if rs := c.Reminders(p, at(t, "2026-01-15", "11:59")); len(rs) != 0 {
		t.Errorf("reminders during the snooze: %+v", rs)
	}
	rs := c.Reminders(p, until)
	if len(rs) != 1 || rs[0].Stage != StageOverdue || rs[0].Count != 1 {
		t.Errorf("after the snooze: %+v, want a first overdue nudge of a new round", rs)
	}
}

func TestCommunicationSwitchedOff(t *testing.T) {
	p := withoutCommunication(t, England)
	opened := at(t, "2026-01-12", "10:00")
	low := mustOpen(t, p, opened, OpenInput{Harm: HarmLow})
	if w := low.NextWake(p); !w.IsZero() {
		t.Errorf("no candour, no communication: NextWake = %v", w)
	}
	if rs := low.Reminders(p, at(t, "2026-06-01", "10:00")); len(rs) != 0 {
		t.Errorf("no candour, no communication: %+v", rs)
	}
	severe := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere})
	for _, r := range severe.Reminders(p, at(t, "2026-02-02", "10:00")) {
		if r.Kind == RemindContact {
			t.Errorf("contact reminder with communication switched off: %+v", r)
		}
	}
	if w := severe.NextWake(p); !w.Equal(at(t, "2026-01-22", "08:00")) {
		t.Errorf("candour still wakes the case: NextWake = %v", w)
	}
}

func TestCandourStages(t *testing.T) {
	// Aware Monday 12 January: both steps due Monday 26 January, 18:00.
	p := withoutCommunication(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere})
	due := at(t, "2026-01-26", "18:00")
	if !c.NotifyDue.Equal(due) || !c.WrittenDue.Equal(due) {
		t.Fatalf("due %v / %v, want %v", c.NotifyDue, c.WrittenDue, due)
	}
	steps := []struct {
		wake     string // the start of a working day
		stage    string
		count    int
		escalate bool
		occ      int
	}{
		{"2026-01-22", StageWarn, 0, false, 1}, // two working days before
		{"2026-01-26", StageDue, 0, false, 2},  // on the day
		{"2026-01-27", StageOverdue, 1, false, 3},
		{"2026-01-28", StageOverdue, 2, false, 4},
		{"2026-01-29", StageOverdue, 3, true, 5},  // the (escalate_after+1)th overdue reminder
		{"2026-02-02", StageOverdue, 4, false, 6}, // after the escalation, every two working days
		{"2026-02-04", StageOverdue, 5, false, 7},
	}
	for _, st := range steps {
		want := at(t, st.wake, "08:00")
		w := c.NextWake(p)
		if !w.Equal(want) {
			t.Fatalf("%s: NextWake = %v, want %v", st.stage, w, want)
		}
		if rs := c.Reminders(p, w.Add(-time.Second)); len(rs) != 0 {
			t.Fatalf("%s: reminders a second early: %+v", st.stage, rs)
		}
		rs := c.Reminders(p, w)
		if len(rs) != 2 {
			t.Fatalf("%s at %v: %+v, want notify and written", st.stage, w, rs)
		}
		for i, kind := range []string{RemindNotify, RemindWritten} {
			wantR := Reminder{Kind: kind, Stage: st.stage, Due: due, Count: st.count, Escalate: st.escalate, Occurrence: fmt.Sprintf("%s:0:%d", kind, st.occ)}
			if !reflect.DeepEqual(rs[i], wantR) {
				t.Errorf("at %v: %+v, want %+v", w, rs[i], wantR)
			}
		}
		sendAll(t, c, p, rs, w)
	}
	if !c.CandourEscalated {
		t.Error("CandourEscalated not set")
	}

	// Recording the step stops its reminders.
	now := at(t, "2026-02-04", "09:00")
	if _, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, now); err != nil {
		t.Fatal(err)
	}
	rs := c.Reminders(p, at(t, "2026-02-10", "10:00"))
	if len(only(rs, RemindNotify)) != 0 || len(only(rs, RemindWritten)) != 1 {
		t.Errorf("after notifying: %+v, want the written follow-up only", rs)
	}
}

func TestCandourFirstReminderIsTheMostRelevant(t *testing.T) {
	// Aware Monday 12 January; due Monday 26 January 18:00. A case opened
	// late sends only the reminder that fits now, not the ones it missed.
	tests := []struct {
		opened string
		stage  string // "" for none yet
		occ    string
		wake   string // NextWake before anything is sent
	}{
		{"2026-01-21 10:00", "", "", "2026-01-22 08:00"},
		{"2026-01-23 10:00", StageWarn, "notify:0:1", "2026-01-22 08:00"},
		{"2026-01-26 07:00", StageWarn, "notify:0:1", "2026-01-22 08:00"},
		{"2026-01-26 10:00", StageDue, "notify:0:2", "2026-01-22 08:00"},
		{"2026-01-26 19:00", StageDue, "notify:0:2", "2026-01-22 08:00"},
		{"2026-01-27 09:00", StageOverdue, "notify:0:3", "2026-01-22 08:00"},
		{"2026-02-20 09:00", StageOverdue, "notify:0:3", "2026-01-22 08:00"},
	}
	p := withoutCommunication(t, England)
	for _, tt := range tests {
		now := at(t, tt.opened[:10], tt.opened[11:])
		c := mustOpen(t, p, now, OpenInput{Harm: HarmSevere, Aware: day(t, "2026-01-12")})
		if w := c.NextWake(p); !w.Equal(at(t, tt.wake[:10], tt.wake[11:])) {
			t.Errorf("opened %s: NextWake = %v", tt.opened, w)
		}
		rs := only(c.Reminders(p, now), RemindNotify)
		if tt.stage == "" {
			if len(rs) != 0 {
				t.Errorf("opened %s: %+v, want nothing yet", tt.opened, rs)
			}
			continue
		}
		if len(rs) != 1 || rs[0].Stage != tt.stage || rs[0].Occurrence != tt.occ {
			t.Errorf("opened %s: %+v, want one %s reminder %s", tt.opened, rs, tt.stage, tt.occ)
			continue
		}
		sendAll(t, c, p, c.Reminders(p, now), now)
		// Nothing more until the next stage or repeat.
		if again := c.Reminders(p, now); len(again) != 0 {
			t.Errorf("opened %s: sent, but still owes %+v", tt.opened, again)
		}
		if w := c.NextWake(p); !w.After(now) {
			t.Errorf("opened %s: after sending, NextWake %v is not after now", tt.opened, w)
		}
	}

	// DOMAIN.md's worked example, opened a fortnight late: overdue at once.
	pe := withoutCommunication(t, England)
	now := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, pe, now, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	rs := c.Reminders(pe, now)
	if len(rs) != 2 || rs[0].Stage != StageOverdue || rs[1].Stage != StageOverdue || rs[0].Count != 1 {
		t.Fatalf("late case: %+v, want notify and written overdue", rs)
	}
	sendAll(t, c, pe, rs, now)
	if w := c.NextWake(pe); !w.Equal(at(t, "2026-01-13", "10:00")) {
		t.Errorf("late case: next overdue repeat at %v, want a working day later", w)
	}
}

func TestWalesWrittenFollowUpEscalates(t *testing.T) {
	// In Wales the written follow-up is only due once the notification is
	// recorded. A late notification that was escalated must not stop the
	// written follow-up from escalating in its turn.
	p := withoutCommunication(t, Wales)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmLow})
	for i := 0; i < 8; i++ {
		w := c.NextWake(p)
		sendAll(t, c, p, c.Reminders(p, w), w)
	}
	if !c.CandourEscalated {
		t.Fatal("the overdue notification never escalated")
	}
	if _, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, at(t, "2026-02-09", "11:00")); err != nil {
		t.Fatal(err)
	}
	// Written due five working days later: Monday 16 February, 18:00.
	if !c.WrittenDue.Equal(at(t, "2026-02-16", "18:00")) {
		t.Fatalf("WrittenDue = %v", c.WrittenDue)
	}
	var escalated []string
	for i := 0; i < 8; i++ {
		w := c.NextWake(p)
		rs := c.Reminders(p, w)
		for _, r := range rs {
			if r.Kind != RemindWritten {
				t.Fatalf("unexpected reminder %+v", r)
			}
			if r.Escalate {
				escalated = append(escalated, fmt.Sprintf("%s %d", r.Stage, r.Count))
			}
		}
		sendAll(t, c, p, rs, w)
	}
	if want := []string{"overdue 3"}; !reflect.DeepEqual(escalated, want) {
		t.Errorf("written follow-up escalations: %v, want %v", escalated, want)
	}
}

func TestWarnBeforeInCalendarDaysAcrossClockChange(t *testing.T) {
	// Clocks go forward on Sunday 29 March 2026. A warning three calendar
	// days before a deadline on Monday 30 March falls on Friday 27 March.
	p := withoutCommunication(t, England)
	p.Candour.WarnBefore = Span{3, Day}
	c := &Case{ID: 1, Lead: "console:sam", DutyApplies: true, Opened: at(t, "2026-03-02", "10:00"),
		NotifyDue: at(t, "2026-03-30", "18:00")}
	if w := c.NextWake(p); !w.Equal(at(t, "2026-03-27", "08:00")) {
		t.Errorf("warning at %v, want Friday 27 March 08:00", w)
	}
	p.Candour.WarnBefore = Span{1, Week}
	if w := c.NextWake(p); !w.Equal(at(t, "2026-03-23", "08:00")) {
		t.Errorf("warn_before 1w: warning at %v, want Monday 23 March 08:00", w)
	}
	p.Candour.WarnBefore = Span{36, Hour}
	if w := c.NextWake(p); !w.Equal(at(t, "2026-03-28", "08:00")) {
		t.Errorf("warn_before 36h: warning at %v, want the start of Saturday 28 March", w)
	}
}

func TestScotlandDelayReminder(t *testing.T) {
	p := withoutCommunication(t, Scotland)
	opened := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	sendAll(t, c, p, c.Reminders(p, opened), opened) // the overdue notification and follow-up

	month := at(t, "2026-01-22", "08:00") // a month after aware, at the start of the day
	if rs := only(c.Reminders(p, month.Add(-time.Minute)), RemindDelay); len(rs) != 0 {
		t.Errorf("delay reminder before a month: %+v", rs)
	}
	rs := only(c.Reminders(p, month), RemindDelay)
	want := []Reminder{{Kind: RemindDelay, Stage: StageOverdue, Due: c.NotifyDue, Occurrence: "delay:0"}}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("at a month: %+v, want %+v", rs, want)
	}
	sendAll(t, c, p, rs, month)
	if !c.DelayAsked {
		t.Error("DelayAsked not set")
	}
	for d := 0; d < 30; d++ {
		if rs := only(c.Reminders(p, month.AddDate(0, 0, d)), RemindDelay); len(rs) != 0 {
			t.Fatalf("delay reminder again %d days later: %+v", d, rs)
		}
	}

	// Not in England; not once the family has been told.
	pe := withoutCommunication(t, England)
	e := mustOpen(t, pe, opened, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	if rs := only(e.Reminders(pe, at(t, "2026-03-02", "10:00")), RemindDelay); len(rs) != 0 {
		t.Errorf("England delay reminder: %+v", rs)
	}
	s := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	if _, err := s.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, opened); err != nil {
		t.Fatal(err)
	}
	if rs := only(s.Reminders(p, at(t, "2026-03-02", "10:00")), RemindDelay); len(rs) != 0 {
		t.Errorf("delay reminder after notification: %+v", rs)
	}
}

func TestOccurrenceIdentity(t *testing.T) {
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere})

	// Same state, later moment within the same stage: the same occurrence,
	// so a replica that claims it again does not send it twice.
	a := only(c.Reminders(p, at(t, "2026-01-13", "10:00")), RemindContact)
	b := only(c.Reminders(p, at(t, "2026-01-13", "16:00")), RemindContact)
	if len(a) != 1 || len(b) != 1 || a[0].Occurrence != b[0].Occurrence {
		t.Fatalf("contact occurrences differ for the same state: %+v / %+v", a, b)
	}
	w1 := only(c.Reminders(p, at(t, "2026-01-22", "08:00")), RemindNotify)
	w2 := only(c.Reminders(p, at(t, "2026-01-23", "17:00")), RemindNotify)
	if len(w1) != 1 || len(w2) != 1 || w1[0].Occurrence != w2[0].Occurrence {
		t.Fatalf("warning occurrences differ within the stage: %+v / %+v", w1, w2)
	}

	// Answering starts a new round: a different occurrence even for the
	// same count.
	if _, err := c.LogContact(ContactInput{Next: &When{Span: Span{1, Day}}}, "console:sam", p, at(t, "2026-01-13", "17:00")); err != nil {
		t.Fatal(err)
	}
	after := only(c.Reminders(p, at(t, "2026-01-14", "17:00")), RemindContact)
	if len(after) != 1 || after[0].Occurrence == a[0].Occurrence || after[0].Count != 1 {
		t.Errorf("after a contact: %+v; before %+v", after, a)
	}
}

func TestMarkSentStale(t *testing.T) {
	p := policyFor(t, England)
	worked := at(t, "2026-01-13", "10:30") // the first contact is overdue
	meanwhile := at(t, "2026-01-13", "10:31")
	send := at(t, "2026-01-13", "10:32")
	tests := []struct {
		name string
		kind string
		act  func(c *Case) error
	}{
		{"someone logged a contact", RemindContact, func(c *Case) error {
			_, err := c.LogContact(ContactInput{Via: "phone"}, "console:kit", p, meanwhile)
			return err
		}},
		{"someone snoozed", RemindContact, func(c *Case) error {
			_, err := c.Snooze(Span{1, Day}, "console:kit", p, meanwhile)
			return err
		}},
		{"someone handed over", RemindContact, func(c *Case) error {
			_, err := c.HandOver("console:kit", "console:sam", meanwhile)
			return err
		}},
		{"someone closed the case", RemindContact, func(c *Case) error {
			_, err := c.Close("", "console:kit", meanwhile)
			return err
		}},
		{"someone recorded the notification", RemindNotify, func(c *Case) error {
			_, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:kit", p, meanwhile)
			return err
		}},
		{"someone recorded that candour doesn't apply", RemindNotify, func(c *Case) error {
			_, err := c.RecordCandour(CandourNA, "reassessed", time.Time{}, "console:kit", p, meanwhile)
			return err
		}},
	}
	for _, tt := range tests {
		// Aware long ago, so the notification is overdue too.
		c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
		rs := only(c.Reminders(p, worked), tt.kind)
		if len(rs) != 1 {
			t.Fatalf("%s: reminders %+v", tt.name, rs)
		}
		if err := tt.act(c); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		before := c.Clone()
		if c.MarkSent(rs[0], p, send) {
			t.Errorf("%s: MarkSent on a stale reminder = true", tt.name)
		}
		if !reflect.DeepEqual(c, before) {
			t.Errorf("%s: a stale MarkSent changed the case", tt.name)
		}
	}

	// A reminder that was never owed is not marked either.
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmNone})
	before := c.Clone()
	if c.MarkSent(Reminder{Kind: RemindContact, Occurrence: "contact:0:0"}, p, at(t, "2026-01-12", "11:00")) {
		t.Error("MarkSent before anything was due = true")
	}
	if !reflect.DeepEqual(c, before) {
		t.Error("MarkSent of a reminder not owed changed the case")
	}
}

// TestWakeAndRemindersAgree walks cases through weeks of reminders the way
// the scheduler does, and checks at every step that the case owes nothing
// just before NextWake, something at it, and moves on after MarkSent.
func TestWakeAndRemindersAgree(t *testing.T) {
	opened := at(t, "2026-01-12", "10:00")
	cases := []struct {
		nation Nation
		in     OpenInput
	}{
		{England, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")}},
		{England, OpenInput{Harm: HarmModerate, Every: Span{3, Day}}},
		{Wales, OpenInput{Harm: HarmLow}},
		{Scotland, OpenInput{Harm: HarmDeath, Aware: day(t, "2025-12-19")}},
		{NorthernIreland, OpenInput{Harm: HarmPsychological}},
	}
	for _, tc := range cases {
		p := policyFor(t, tc.nation)
		c := mustOpen(t, p, opened, tc.in)
		kinds := map[string]int{}
		last := opened
		for step := 0; step < 40; step++ {
			w := c.NextWake(p)
			if w.IsZero() {
				t.Fatalf("%s: a case with a contact due never wakes", tc.nation)
			}
			// A wake may lie in the past (a case opened late owes at once);
			// otherwise nothing is owed a moment before it.
			now := w
			if w.After(last) {
				if early := c.Reminders(p, w.Add(-time.Second)); len(early) != 0 {
					t.Fatalf("%s step %d: owes %+v before its wake %v", tc.nation, step, early, w)
				}
			} else {
				now = last
			}
			rs := c.Reminders(p, now)
			if len(rs) == 0 {
				t.Fatalf("%s step %d: woke at %v but owes nothing", tc.nation, step, now)
			}
			for _, r := range rs {
				kinds[r.Kind]++
			}
			sendAll(t, c, p, rs, now)
			if again := c.Reminders(p, now); len(again) != 0 {
				t.Fatalf("%s step %d: still owes %+v after sending", tc.nation, step, again)
			}
			if next := c.NextWake(p); !next.After(now) {
				t.Fatalf("%s step %d: after sending at %v the next wake is %v", tc.nation, step, now, next)
			}
			last = now
		}
		if kinds[RemindContact] == 0 {
			t.Errorf("%s: no contact reminders in %v", tc.nation, kinds)
		}
		if tc.nation != Wales && (kinds[RemindNotify] == 0 || kinds[RemindWritten] == 0) {
			t.Errorf("%s: candour reminders missing: %v", tc.nation, kinds)
		}
		if (tc.nation == Scotland) != (kinds[RemindDelay] == 1) {
			t.Errorf("%s: delay reminders %d", tc.nation, kinds[RemindDelay])
		}
	}
}

// TestMarkSentSurvivesUnrelatedChanges: a reminder that went out must not
// be owed again under a new identity because, meanwhile, someone answered a
// different one; the scheduler would find no sent mark for the new identity
// and send the same reminder twice. Either MarkSent still records it, or
// (during a snooze) it keeps its identity so the sent mark holds it back.
func TestMarkSentSurvivesUnrelatedChanges(t *testing.T) {
	p := policyFor(t, England)
	worked := at(t, "2026-01-13", "10:30") // contact and notification both overdue
	meanwhile := at(t, "2026-01-13", "10:31")
	send := at(t, "2026-01-13", "10:32")
	probe := at(t, "2026-01-15", "10:32") // after any snooze, before the next stage is far off
	tests := []struct {
		name      string
		kind      string
		stillOwed bool // MarkSent must record it
		act       func(c *Case) error
	}{
		{"notification reminder; someone logged a contact", RemindNotify, true, func(c *Case) error {
			_, err := c.LogContact(ContactInput{Via: "phone"}, "console:kit", p, meanwhile)
			return err
		}},
		{"notification reminder; someone handed over", RemindNotify, true, func(c *Case) error {
			_, err := c.HandOver("console:kit", "console:sam", meanwhile)
			return err
		}},
		{"notification reminder; someone agreed a plan", RemindNotify, true, func(c *Case) error {
			_, err := c.SetPlan(Span{1, Week}, "phone", "", "console:kit", p, meanwhile)
			return err
		}},
		{"notification reminder; someone snoozed", RemindNotify, false, func(c *Case) error {
			_, err := c.Snooze(Span{1, Day}, "console:kit", p, meanwhile)
			return err
		}},
		{"written reminder; someone recorded the notification", RemindWritten, true, func(c *Case) error {
			_, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:kit", p, meanwhile)
			return err
		}},
		{"contact reminder; someone recorded that candour doesn't apply", RemindContact, true, func(c *Case) error {
			_, err := c.RecordCandour(CandourNA, "reassessed", time.Time{}, "console:kit", p, meanwhile)
			return err
		}},
		// The notification is contact with the family, so it answers the
		// contact reminder as a logged contact would.
		{"contact reminder; someone recorded the notification", RemindContact, false, func(c *Case) error {
			_, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:kit", p, meanwhile)
			return err
		}},
	}
	for _, tt := range tests {
		c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
		rs := only(c.Reminders(p, worked), tt.kind)
		if len(rs) != 1 {
			t.Fatalf("%s: reminders %+v", tt.name, rs)
		}
		sent := rs[0]
		if err := tt.act(c); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ok := c.MarkSent(sent, p, send)
		if tt.stillOwed && !ok {
			t.Errorf("%s: MarkSent = false for a reminder still owed", tt.name)
		}
		for _, r := range only(c.Reminders(p, probe), tt.kind) {
			if r.Stage == sent.Stage && r.Count == sent.Count && r.Occurrence != sent.Occurrence {
				t.Errorf("%s: the reminder sent as %q is owed again as %q (MarkSent %v)", tt.name, sent.Occurrence, r.Occurrence, ok)
			}
		}
	}
}

// A reminder recorded as sent when it was queued, then held up (the
// platform busy or down), is checked before it goes: what happened to the
// case since decides whether it still chases anything, and the timeline is
// told why not.
func TestStillChasing(t *testing.T) {
	p := policyFor(t, England)
	worked := at(t, "2026-01-13", "10:30") // contact and notification both overdue
	meanwhile := at(t, "2026-01-13", "10:31")
	goes := at(t, "2026-01-13", "10:50")
	tests := []struct {
		name string
		kind string
		act  func(c *Case) error
		ok   bool
		why  string
	}{
		{"contact; nothing happened", RemindContact, nil, true, ""},
		{"notification; nothing happened", RemindNotify, nil, true, ""},
		{"contact; someone involved a colleague", RemindContact, func(c *Case) error {
			_, _, err := c.Involve([]string{"console:kim"}, "console:kit", meanwhile)
			return err
		}, true, ""},
		{"contact; someone logged a contact", RemindContact, func(c *Case) error {
			_, err := c.LogContact(ContactInput{Via: "phone"}, "console:kit", p, meanwhile)
			return err
		}, false, "contact with the family was logged, or the next contact date changed, before it could be sent"},
		{"contact; someone snoozed", RemindContact, func(c *Case) error {
			_, err := c.Snooze(Span{1, Day}, "console:kit", p, meanwhile)
			return err
		}, false, "reminders for the case were snoozed before it could be sent"},
		{"contact; someone handed over", RemindContact, func(c *Case) error {
			_, err := c.HandOver("console:kit", "console:sam", meanwhile)
			return err
		}, false, "the case was handed to a new named contact before it could be sent"},
		{"notification; someone closed the case", RemindNotify, func(c *Case) error {
			_, err := c.Close("", "console:kit", meanwhile)
			return err
		}, false, "the case was closed before it could be sent"},
		{"notification; someone recorded it", RemindNotify, func(c *Case) error {
			_, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:kit", p, meanwhile)
			return err
		}, false, "the step was recorded, or its deadline changed, before it could be sent"},
		{"notification; someone recorded that candour doesn't apply", RemindNotify, func(c *Case) error {
			_, err := c.RecordCandour(CandourNA, "reassessed", time.Time{}, "console:kit", p, meanwhile)
			return err
		}, false, "the step was recorded, or its deadline changed, before it could be sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
			rs := only(c.Reminders(p, worked), tt.kind)
			if len(rs) != 1 {
				t.Fatalf("reminders %+v", rs)
			}
			lead := c.Lead
			sendAll(t, c, p, rs, worked) // recorded as it was queued
			if tt.act != nil {
				if err := tt.act(c); err != nil {
					t.Fatal(err)
				}
			}
			ok, why := c.StillChasing(rs[0].Kind, rs[0].Due, lead, p, goes)
			if ok != tt.ok || why != tt.why {
				t.Errorf("StillChasing = %v, %q; want %v, %q", ok, why, tt.ok, tt.why)
			}
		})
	}

	// Scotland's question about a delayed notification: recorded as asked
	// when queued, it still goes until the notification is made.
	ps := withoutCommunication(t, Scotland)
	c := mustOpen(t, ps, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	month := at(t, "2026-01-22", "08:00")
	sendAll(t, c, ps, only(c.Reminders(ps, month), RemindNotify), month)
	rs := only(c.Reminders(ps, month), RemindDelay)
	if len(rs) != 1 {
		t.Fatalf("delay reminders %+v", rs)
	}
	sendAll(t, c, ps, rs, month)
	if ok, why := c.StillChasing(RemindDelay, rs[0].Due, c.Lead, ps, month.Add(time.Hour)); !ok {
		t.Errorf("the delay question, nothing happened: StillChasing = false, %q", why)
	}
	if _, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:kit", ps, month.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, why := c.StillChasing(RemindDelay, rs[0].Due, c.Lead, ps, month.Add(time.Hour)); ok || why != "the notification was recorded before it could be sent" {
		t.Errorf("the delay question after the notification: StillChasing = %v, %q", ok, why)
	}
}
