package handlers_test

import (
	"strings"
	"testing"
	"time"

	"hppbot/handlers"
	"hppbot/pathway"
)

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

// A wellbeing contact set up on the service of a case the person is on is
// found: "none is set up" is said only after looking everywhere one could be.
func TestTalkFindsTheContactOnTheServiceOfTheirCase(t *testing.T) {
	e := newWB(t, wed)
	e.as("admin", "/hpp service maternity lead=@pat wellbeing=@wendy")
	e.as("sam", "/hpp open INC-2 service=maternity harm=moderate")
	sup := e.as("sam", "/hpp support")
	r := e.press("sam", sup, "I'd like to talk to someone")
	if !strings.Contains(r.Text, "<@console:wendy>") || strings.Contains(all(r), "isn't a wellbeing contact") {
		t.Errorf("talk from someone on a maternity case:\n%s", all(r))
	}
}

// With no contact anywhere, the person hears where to get support now and
// no admin command; the admins are told separately, once a day, without
// the person's name, and the reply says so only because they were.
func TestTalkWithNoContactTellsAdminsSeparately(t *testing.T) {
	e := newWB(t, wed)
	sup := e.as("sam", "/hpp support")
	r := e.press("sam", sup, "I'd like to talk to someone")
	if r.Note != "" || strings.Contains(all(r), "/hpp service") {
		t.Errorf("a clinician is shown an admin command:\n%s", all(r))
	}
	if !strings.Contains(r.Text, "I've let the hppbot admins know") || !strings.Contains(all(r), "116 123") {
		t.Errorf("no-contact reply:\n%s", all(r))
	}
	e.press("sam", sup, "I'd like to talk to someone")
	var toAdmin []string
	for _, m := range e.sent.sent {
		if m.to == "console:admin" {
			toAdmin = append(toAdmin, m.reply.Text)
		}
	}
	if len(toAdmin) != 1 || strings.Contains(toAdmin[0], "sam") || !strings.Contains(toAdmin[0], "wellbeing=@someone") {
		t.Errorf("admins told %q; want one notice naming nobody, with the command", toAdmin)
	}
	// When no admin could be told, the reply doesn't say they were.
	e2 := newWB(t, wed)
	e2.sent.fail["console:admin"] = true
	sup2 := e2.as("sam", "/hpp support")
	if r := e2.press("sam", sup2, "I'd like to talk to someone"); strings.Contains(r.Text, "admins know") {
		t.Errorf("says the admins know when the message to them failed:\n%s", r.Text)
	}
}
