package handlers

import (
	"errors"
	"fmt"
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
		{"only the channel", pathway.Case{Escalated: true, EscalatedChannel: "console:maternity"}, " (the team channel has been told; no pathway lead was asked)"},
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

// A list says how many cases there are and how many it shows: the count
// is of what exists, not of what was fetched.
func TestListSaysHowManyThereAreAndHowManyItShows(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	var cases []*pathway.Case
	for i := 1; i <= 40; i++ {
		cases = append(cases, &pathway.Case{ID: int64(i), Ref: "INC-1", Lead: "console:lee", Opened: now})
	}
	tests := []struct {
		name  string
		total int
		want  string
	}{
		{"all fetched", 40, "*Open cases you can see* — 40 cases; showing the first 30"},
		{"more exist than were fetched", 100000, "*Open cases you can see* — 100,000 cases; showing the first 30"},
		{"not counted", -1, "*Open cases you can see* — more than 40; showing the first 30"},
	}
	for _, tt := range tests {
		r := f.h.listReply("all", "", cases, tt.total, now, 0)
		if !strings.HasPrefix(r.Text, tt.want) {
			t.Errorf("%s: %q; want it to start %q", tt.name, r.Text, tt.want)
		}
		if !strings.Contains(text(r), "narrow the list") {
			t.Errorf("%s: no way to see the others:\n%s", tt.name, text(r))
		}
	}
	if r := f.h.listReply("all", "", cases[:3], 3, now, 0); r.Text != "*Open cases you can see* — 3 cases" {
		t.Errorf("a whole list: %q", r.Text)
	}
}

// When the records can't be reached, a read says what it couldn't show and
// that nothing changed; a change says nothing was saved; neither shows the
// cause.
func TestUnavailableSaysReadOrWriteAndNoCause(t *testing.T) {
	f := newFixture(t)
	err := pathway.ErrUnavailable(errors.New("redis: connection refused"))
	tests := []struct{ command, want string }{
		{"status", "I couldn't show the case just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."},
		{"list", "I couldn't show the list just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."},
		{"report", pathway.NothingChanged},
		{"contact", pathway.NothingSaved},
		{"open", pathway.NothingSaved},
	}
	for _, tt := range tests {
		got := f.h.errorReply(tt.command, fmt.Errorf("reading: %w", err)).Text
		if got != tt.want || strings.Contains(got, "redis") {
			t.Errorf("%s: %q; want %q", tt.command, got, tt.want)
		}
	}
}

// A handover says someone has been told only when the message to them
// went; whoever couldn't be reached is named, with what to do.
func TestHandoverSaysWhoWasToldFromDeliveries(t *testing.T) {
	tests := []struct {
		name      string
		fail      map[string]bool
		want, not []string
	}{
		{"both reached", nil, []string{"<@console:alex> and <@console:lee> have been told."}, []string{"couldn't reach"}},
		{"new contact not reached", map[string]bool{"console:alex": true}, []string{"<@console:lee> has been told.", "I couldn't reach <@console:alex> just now — please let them know yourself."}, []string{"<@console:alex> has been told", "have been told"}},
		{"nobody reached", map[string]bool{"console:alex": true, "console:lee": true}, []string{"I couldn't reach <@console:alex> and <@console:lee> just now"}, []string{"been told"}},
	}
	for _, tt := range tests {
		f := newFixture(t)
		f.as("lee", "/hpp open INC-1 harm=low Fall")
		f.sent.fail = tt.fail
		got := text(f.as("admin", "/hpp lead HPP-1 @alex"))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", tt.name, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: says %q:\n%s", tt.name, n, got)
			}
		}
	}
}

// Staff added to a case are said to have been told only when the message
// to them went.
func TestInvolvedSaysTheyWereToldFromDeliveries(t *testing.T) {
	f := newFixture(t)
	f.sent.fail = map[string]bool{"console:sam": true}
	got := text(f.as("lee", "/hpp open INC-1 harm=low involved=@sam Fall"))
	if strings.Contains(got, "I've let them know") || !strings.Contains(got, "I couldn't reach <@console:sam> just now") {
		t.Errorf("open with an unreachable involved colleague:\n%s", got)
	}
}
