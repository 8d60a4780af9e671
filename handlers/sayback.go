package handlers

import (
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// A reply that changes a case ends with one line saying back what the
// command was read as — "Understood: harm severe · named contact @alex ·
// aware Thu 3 Dec" — so a misreading (a setting taken as text, a typo, the
// wrong unit) is seen at once rather than weeks later. It is built from what
// was read, and says so when something was not given.

// sayBack is the say-back line made of parts; empty parts are left out.
type sayBack []string

func (s *sayBack) add(parts ...string) {
	for _, p := range parts {
		if p != "" {
			*s = append(*s, p)
		}
	}
}

// line is the say-back, to go on a line of its own after a reply's text.
func (s sayBack) line() string {
	return "\nUnderstood: " + strings.Join(s, " · ")
}

// sayNote says back a note, shortened: the text that remained once options
// were taken out of it.
func sayNote(label, note string) string {
	if strings.TrimSpace(note) == "" {
		return "no " + label
	}
	return label + " " + quote(note, 50)
}

// shortDay writes a date briefly, "Thu 3 Dec", with the year when it isn't
// this year.
func (h *Handler) shortDay(t time.Time) string {
	loc := h.Policy.Location()
	layout := "Mon 2 Jan"
	if t.In(loc).Year() != h.Clock().In(loc).Year() {
		layout = "Mon 2 Jan 2006"
	}
	return t.In(loc).Format(layout)
}

// sayOn says back when a step happened: today, or the on= date.
func (h *Handler) sayOn(on time.Time) string {
	if on.IsZero() || !pathway.Midnight(on, h.Policy.Location()).Before(pathway.Midnight(h.Clock(), h.Policy.Location())) {
		return "today"
	}
	return "on " + h.shortDay(on)
}

// sayOpened says back an open: the harm level, candour, aware date, service,
// named contact, staff involved, cadence and summary.
func (h *Handler) sayOpened(c *pathway.Case, in pathway.OpenInput) string {
	var s sayBack
	switch {
	case c.Harm != "":
		s.add("harm " + string(c.Harm))
	case c.Psych == "":
		s.add("harm not given")
	}
	if c.Psych != "" {
		psych := "psych " + string(c.Psych)
		if c.Prolonged != "" {
			psych += ", prolonged " + string(c.Prolonged)
		}
		s.add(psych)
	}
	if in.Candour != "" {
		s.add("candour " + string(in.Candour))
	}
	s.add("aware "+h.shortDay(c.Aware), "named contact "+bot.Mention(c.Lead))
	if c.Service != "" {
		s.add("service " + c.Service)
	}
	if len(c.Involved) > 0 {
		s.add("involved " + mentions(c.Involved))
	}
	if !in.Every.IsZero() {
		s.add("in touch every " + in.Every.Period())
	}
	s.add(sayNote("summary", in.Summary))
	return s.line()
}

// sayContact says back a contact: how, when, where the next due time came
// from, and the note.
func (h *Handler) sayContact(c *pathway.Case, in pathway.ContactInput) string {
	var s sayBack
	if in.Via != "" {
		s.add("by " + in.Via)
	}
	s.add(h.sayOn(in.On))
	switch {
	case in.Next != nil && !in.Next.Date.IsZero():
		s.add("next on " + h.shortDay(in.Next.Date) + ", as you asked")
	case in.Next != nil:
		s.add("next in " + in.Next.Span.Human() + ", as you asked")
	case c.NoRegularContact():
		s.add("no next contact: no regular contact agreed")
	case c.Plan != nil:
		s.add("next by the plan, every " + c.Plan.Every.Period())
	default:
		s.add("next by the usual " + h.Policy.DefaultEvery.Human())
	}
	s.add(sayNote("note", in.Note))
	return s.line()
}

// candourStepWords names a candour step in a say-back.
func candourStepWords(step string) string {
	switch step {
	case pathway.CandourNotified:
		return "notification"
	case pathway.CandourWritten:
		return "written follow-up"
	case pathway.CandourUpdate:
		return "update"
	case pathway.CandourNA:
		return "duty doesn't apply"
	}
	return step
}
