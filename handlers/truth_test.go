package handlers

import (
	"hppbot/pathway"
	"strings"
	"testing"
)

// Status gives the reason the duty is not applying that is true for the
// case: the person's own choice, or the harm level.
func TestStatusSaysWhyTheDutyIsNotApplying(t *testing.T) {
	tests := []struct {
		open, want, not string
	}{
		{"open INC-4 harm=psychological candour=no", "candour=no was chosen", "at this harm level"},
		{"open INC-5 harm=low", "Not applying at this harm level", "candour=no"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		f.as("lee", tt.open)
		s := text(f.as("lee", "status HPP-1"))
		if !strings.Contains(s, tt.want) || strings.Contains(s, tt.not) {
			t.Errorf("%s: status should say %q and not %q:\n%s", tt.open, tt.want, tt.not, s)
		}
	}
}

// Status says the pathway lead has been told only when a delivery to them
// is recorded on the case.
func TestStatusSaysWhoWasToldFromDeliveries(t *testing.T) {
	tests := []struct {
		name string
		c    pathway.Case
		want string
	}{
		{"not escalated", pathway.Case{}, ""},
		{"escalated with no delivery recorded", pathway.Case{Escalated: true}, ""},
		{"lead told", pathway.Case{Escalated: true, EscalatedTo: []string{"console:pat"}, EscalatedChannel: "console:maternity"}, " (the pathway lead, <@console:pat>, has been told)"},
		{"only the channel", pathway.Case{Escalated: true, EscalatedChannel: "console:maternity"}, " (the team channel has been told; no pathway lead was set up to ask)"},
	}
	for _, tt := range tests {
		if got := escalatedText(&tt.c); got != tt.want {
			t.Errorf("%s: %q; want %q", tt.name, got, tt.want)
		}
	}
}

// The timeline writes a channel as a channel, not as a person.
func TestEscalationEntryWritesAChannelAsAChannel(t *testing.T) {
	got := escalationEntry(pathway.Event{People: []string{"console:pat"}, Channel: "console:maternity"}, "contact with the family overdue")
	if want := "hppbot let <@console:pat> know and posted in <#console:maternity>: contact with the family overdue."; got != want {
		t.Errorf("%q; want %q", got, want)
	}
}
