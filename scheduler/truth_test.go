package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// Every sentence that says the pathway lead was told or asked is built
// from a delivery to that lead, and the named contact hears about an
// escalation no later than the team channel does. Where nobody could be
// asked, the words say who could not and why.
func TestEscalationWordsComeFromDeliveries(t *testing.T) {
	const told = "pathway lead has been asked to help"
	tests := []struct {
		name       string
		svc        *pathway.Service // nil: the case has no service
		leadFails  bool
		wantLead   bool   // a heads-up reached the pathway lead
		wantNote   string // in the named contact's note; "" for no note
		wantPost   string // in the channel post; "" for no post
		escalated  bool
		escalateTo []string
	}{
		{name: "no service", svc: nil},
		{name: "service with no lead or channel", svc: &pathway.Service{Name: "maternity"}},
		{name: "channel but no lead", svc: &pathway.Service{Name: "maternity", Channel: "console:maternity"},
			wantNote: "letting the maternity team channel know", wantPost: "none is set up for maternity", escalated: true},
		{name: "named contact is the lead", svc: &pathway.Service{Name: "maternity", Lead: "console:lee", Channel: "console:maternity"},
			wantNote: "letting the maternity team channel know", wantPost: "the named contact is the pathway lead", escalated: true},
		{name: "lead and channel", svc: &pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"},
			wantLead: true, wantNote: "I've let <@console:pat>", wantPost: told, escalated: true, escalateTo: []string{"console:pat"}},
		{name: "lead cannot be reached", svc: &pathway.Service{Name: "maternity", Lead: "console:pat", Channel: "console:maternity"}, leadFails: true,
			wantNote: "couldn't reach them", wantPost: "couldn't be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, wed)
			ctx := context.Background()
			in := pathway.OpenInput{Ref: "INC-7"}
			if tt.svc != nil {
				if err := e.st.SaveService(ctx, *tt.svc); err != nil {
					t.Fatal(err)
				}
				in.Service = tt.svc.Name
			}
			if tt.leadFails {
				e.rec.fail = func(to string) error {
					if to == "console:pat" {
						return errors.New("not reachable")
					}
					return nil
				}
			}
			c := e.openCase(t, in)
			e.runUntil(t, time.Date(2026, 11, 30, 17, 0, 0, 0, london))

			if got := len(e.rec.to("console:pat")) > 0; got != tt.wantLead && !tt.leadFails {
				t.Errorf("pathway lead reached = %v; want %v", got, tt.wantLead)
			}
			var noteAt, postAt = -1, -1
			for i, s := range e.rec.all {
				text := s.reply.PlainText()
				if strings.Contains(text, told) && (!tt.wantLead || tt.leadFails) {
					t.Errorf("%q said with no delivery to a pathway lead: %s", told, text)
				}
				if strings.Contains(text, "I've let") && (!tt.wantLead || tt.leadFails) {
					t.Errorf("the named contact was told the lead knows, with no delivery to a lead: %s", text)
				}
				if s.to == "console:lee" && tt.wantNote != "" && strings.Contains(text, tt.wantNote) && noteAt < 0 {
					noteAt = i
				}
				if s.channel && tt.wantPost != "" && strings.Contains(text, tt.wantPost) && postAt < 0 {
					postAt = i
				}
			}
			if tt.wantNote != "" && noteAt < 0 {
				t.Errorf("no note to the named contact saying %q", tt.wantNote)
			}
			if tt.wantPost != "" && postAt < 0 {
				t.Errorf("no channel post saying %q", tt.wantPost)
			}
			if noteAt >= 0 && postAt >= 0 && noteAt > postAt {
				t.Errorf("the channel heard of the escalation before the named contact")
			}
			got, err := e.st.GetCase(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Escalated != tt.escalated || strings.Join(got.EscalatedTo, ",") != strings.Join(tt.escalateTo, ",") {
				t.Errorf("case escalated=%v to %v; want %v to %v", got.Escalated, got.EscalatedTo, tt.escalated, tt.escalateTo)
			}
		})
	}
}

// The digest's note gives the command that shows a case, with a case it
// lists, not the command that opens a new one.
func TestDigestNoteShowsACase(t *testing.T) {
	e := newEnv(t, wed)
	c := &pathway.Case{ID: 3}
	r := e.s.digestReply("maternity", []*pathway.Case{c}, wed)
	if strings.Contains(r.Note, "open a case") || !strings.Contains(r.Note, "/hpp status "+c.Name()) {
		t.Errorf("digest note = %q", r.Note)
	}
}

// The escalation names what is overdue in plain words, with the day a
// candour step was due by (no time of day nobody set), and both candour
// steps due the same day once.
func TestEscalationSaysWhatIsOverdueInPlainWords(t *testing.T) {
	e := newEnv(t, wed)
	c := &pathway.Case{ID: 1, Lead: "console:lee", Service: "maternity"}
	due := time.Date(2026, 12, 18, 23, 59, 0, 0, london)
	rs := []pathway.Reminder{
		{Kind: pathway.RemindNotify, Stage: pathway.StageOverdue, Due: due, Count: 3, Escalate: true},
		{Kind: pathway.RemindWritten, Stage: pathway.StageOverdue, Due: due, Count: 3, Escalate: true},
	}
	m := e.s.messagesFor(c, rs, nil, wed)
	if want := "overdue — the Duty of Candour notification and written follow-up (both due by the end of Fri 18 Dec 2026)"; m.overdue != want {
		t.Errorf("overdue = %q; want %q", m.overdue, want)
	}
}
