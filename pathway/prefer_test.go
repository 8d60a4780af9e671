package pathway

import (
	"strings"
	"testing"
	"time"
)

func TestParsePreferredTime(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"17:00", "17:00", true},
		{"9:30", "09:30", true},
		{"17.30", "17:30", true},
		{"00:00", "00:00", true},
		{"23:59", "23:59", true},
		{"evening", "evening", true},
		{"Morning", "morning", true},
		{" afternoon ", "afternoon", true},
		{"any", "", true},
		{"24:00", "", false},
		{"17:60", "", false},
		{"5pm", "", false},
		{"17", "", false},
		{"17:0", "", false},
		{"117:00", "", false},
		{":30", "", false},
		{"night", "", false},
		{"", "", false},
		{"１７:００", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePreferredTime(tt.in)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("ParsePreferredTime(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "at=evening (17:00–20:00)") {
				t.Errorf("refusal %q doesn't say what to type", err)
			}
		})
	}
}

func FuzzParsePreferredTime(f *testing.F) {
	for _, s := range []string{"17:00", "9:30", "evening", "any", "24:00", "1:2:3", "", "１７:００", "17.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParsePreferredTime(s)
		if err != nil {
			if got != "" {
				t.Fatalf("error with a value %q", got)
			}
			return
		}
		// What is accepted reads back as itself, and has words.
		again, err := ParsePreferredTime(got)
		if got == "" {
			return
		}
		if err != nil || again != got {
			t.Fatalf("%q → %q → %q, %v", s, got, again, err)
		}
		if PreferredTimeWords(got) == "" {
			t.Fatalf("no words for %q", got)
		}
	})
}

func TestPreferredTimeWords(t *testing.T) {
	for in, want := range map[string]string{"17:00": "around 17:00", "evening": "the evening (17:00–20:00)", "morning": "the morning (08:00–12:00)", "": ""} {
		if got := PreferredTimeWords(in); got != want {
			t.Errorf("PreferredTimeWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// With a preferred time, the first contact reminder comes at the start of
// working hours on the day it is due; candour reminders don't move.
func TestPreferredTimeFirstReminder(t *testing.T) {
	p := policyFor(t, England)
	loc := p.Location()
	opened := time.Date(2026, 12, 7, 14, 30, 0, 0, loc) // Monday
	c, _, err := Open(OpenInput{Ref: "INC-1", Harm: HarmModerate, Every: Span{N: 2, Unit: Day}}, "console:alex", p, opened)
	if err != nil {
		t.Fatal(err)
	}
	due := c.NextContact
	if want := time.Date(2026, 12, 8, 14, 30, 0, 0, loc); !due.Equal(want) {
		t.Fatalf("next contact %v, want %v", due, want)
	}
	notifyBefore := c.NextWake(p)
	before := c.Clone()
	if ev, ok, err := c.RecordPreferredTime("17:00", "console:alex", opened); err != nil || !ok || ev.Kind != EventPrefer || ev.Prefer != "17:00" {
		t.Fatalf("RecordPreferredTime = %+v %v %v", ev, ok, err)
	}
	if _, ok, _ := c.RecordPreferredTime("17:00", "console:alex", opened); ok {
		t.Error("the same time again counted as a change")
	}
	if got, want := c.contactFire(p), time.Date(2026, 12, 8, 8, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("first contact reminder at %v, want the start of the day it is due, %v", got, want)
	}
	if got := before.contactFire(p); !got.Equal(due) {
		t.Errorf("without a preferred time the reminder is at %v, want %v", got, due)
	}
	if !c.NotifyDue.Equal(before.NotifyDue) || !c.WrittenDue.Equal(before.WrittenDue) || c.NextWake(p).After(notifyBefore) {
		t.Error("candour deadlines moved with the preferred time")
	}
	rs := c.Reminders(p, time.Date(2026, 12, 8, 8, 0, 0, 0, loc))
	if len(only(rs, RemindContact)) != 1 || only(rs, RemindContact)[0].Stage != StageDue {
		t.Errorf("reminders at 08:00 on the due day = %+v", rs)
	}
	if ev, ok, _ := c.RecordPreferredTime("", "console:alex", opened); !ok || ev.Prefer != PreferAny || c.PreferAt != "" {
		t.Errorf("clearing = %+v %v", ev, ok)
	}
}

// No regular contact: nothing about contact is due until next= is set;
// candour carries on; the timeline reads the same.
func TestNoRegularContact(t *testing.T) {
	p := policyFor(t, England)
	loc := p.Location()
	opened := time.Date(2026, 12, 7, 10, 0, 0, 0, loc)
	c, open, err := Open(OpenInput{Ref: "INC-1", Harm: HarmModerate}, "console:alex", p, opened)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetNoRegularContact("", "", "console:alex", opened); err == nil || !strings.Contains(err.Error(), "every=none the family asked to hear only when there is news") {
		t.Fatalf("no reason: err = %v", err)
	}
	ev, err := c.SetNoRegularContact("phone", "the family asked to hear only when there is news", "console:alex", opened)
	if err != nil {
		t.Fatal(err)
	}
	if !c.NoRegularContact() || !c.NextContact.IsZero() || ev.Step != PlanNone {
		t.Fatalf("case %+v, event %+v", c, ev)
	}
	later := opened.AddDate(0, 0, 30)
	if len(only(c.Reminders(p, later), RemindContact)) != 0 {
		t.Error("a contact reminder with no regular contact agreed")
	}
	if len(only(c.Reminders(p, later), RemindNotify)) == 0 {
		t.Error("candour reminders stopped with no regular contact agreed")
	}
	contact, err := c.LogContact(ContactInput{}, "console:alex", p, opened.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !c.NextContact.IsZero() || !contact.Next.IsZero() {
		t.Errorf("a contact under no regular contact set the next one: %v", c.NextContact)
	}
	w := When{Span: Span{N: 5, Unit: Day}}
	withNext, err := c.LogContact(ContactInput{Next: &w}, "console:alex", p, opened.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.NextContact.IsZero() {
		t.Error("next= under no regular contact was not kept")
	}
	ev.ID, contact.ID, withNext.ID = "", "", ""
	events := []Event{open, ev, contact, withNext}
	if due := DueThen(events[:3], opened.Add(90*time.Minute), false, p); !due.IsZero() {
		t.Errorf("DueThen after no regular contact = %v, want nothing due", due)
	}
	if due := DueThen(events, opened.Add(3*time.Hour), false, p); !due.Equal(withNext.Next) {
		t.Errorf("DueThen after next= = %v, want %v", due, withNext.Next)
	}
	// A regular plan again brings reminders back.
	if _, err := c.SetPlan(Span{N: 1, Unit: Week}, "", "", "console:alex", p, opened.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c.NoRegularContact() || c.NextContact.IsZero() {
		t.Errorf("plan every=1w after none: %+v", c.Plan)
	}
}
