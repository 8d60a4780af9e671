package scheduler

import (
	"fmt"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Reminders say what is due and offer help; they never scold. Escalations
// and channel posts name the case, its service and what is overdue — never
// the summary, a note, or anything about the patient.

type messages struct {
	primary message // to the case's named contact
	// What follows is set only when a reminder calls for an escalation.
	overdue  string  // what is overdue and since when, naming no person
	count    int     // which reminder this is, for the lead's heads-up
	lead     string  // the service's pathway lead to ask; "" when there is none other than the named contact
	leadMsg  message // the heads-up to lead
	noLead   string  // why no pathway lead is asked, when none is
	channel  string  // the service's team channel; "" when it has none
	escalate bool
	// unreached: the named contact's message could not be delivered, so
	// they are not sent a note about the escalation either.
	unreached bool
	reason    string // why, in plain words, when unreached
	key       string // the reminder's idempotency key; each message's is built from it
	caseID    int64
	named     string // the case's named contact as the reminders were worked out
	// routed says why the nudge goes to someone other than the named
	// contact (they are away), as the first line of what it says; "" when
	// it goes to them.
	routed string
	toLead bool // routed to the service's pathway lead (nobody covers)
	// serviceLead is the service's pathway lead, when routed (m.lead is
	// set only when they are to be asked to help).
	serviceLead string
}

// messagesFor builds what a case's due reminders send: one message to the
// named contact, and, for those that escalate, what the service's pathway
// lead and channel are to hear. The words that say who was told are built
// by escalationWords from what was delivered.
func (s *Scheduler) messagesFor(c *pathway.Case, rs []pathway.Reminder, svcs store.Services, now time.Time) messages {
	p := s.cfg.Policy
	m := messages{caseID: c.ID, named: c.Lead}
	if len(rs) == 1 {
		m.primary = message{to: c.Lead, reply: s.nudge(c, rs[0], svcs, now)}
	} else {
		m.primary = message{to: c.Lead, reply: s.combinedNudge(c, rs, svcs, now)}
	}
	var overdue []string
	var notify *pathway.Reminder
	for i, r := range rs {
		if !r.Escalate {
			continue
		}
		m.count = max(m.count, reminderNumber(r, c))
		// Both candour steps due the same day are said once.
		if r.Kind == pathway.RemindWritten && notify != nil && s.day(notify.Due) == s.day(r.Due) {
			overdue[len(overdue)-1] = fmt.Sprintf("the %s notification and written follow-up (both due by the end of %s)", dutyName(p), s.day(r.Due))
			continue
		}
		if r.Kind == pathway.RemindNotify {
			notify = &rs[i]
		} else {
			notify = nil
		}
		overdue = append(overdue, s.overdueItem(r, p))
	}
	if len(overdue) == 0 {
		return m
	}
	m.escalate = true
	m.overdue = "overdue — " + joinAnd(overdue)
	svc := svcs[c.Service]
	switch {
	case c.Service == "":
		m.noLead = "the case has no service, so there is no pathway lead to ask"
	case svc.Lead == "":
		m.noLead = fmt.Sprintf("none is set up for %s yet", c.Service)
	case svc.Lead == c.Lead:
		m.noLead = fmt.Sprintf("the named contact is the pathway lead for %s", c.Service)
	default:
		m.lead = svc.Lead
		m.leadMsg = message{to: svc.Lead, reply: bot.Reply{
			Text: fmt.Sprintf("A gentle heads-up about *%s* (%s): %s. %s has had %s. Could you check in with them — they may need a hand, some time, or a handover to a colleague? You can take it on yourself, hand it to someone, or give them until the next working day.",
				c.Name(), serviceName(c), m.overdue, bot.Mention(c.Lead), remindersPhrase(m.count)),
			Buttons: escalationButtons(c),
		}}
	}
	m.channel = svc.Channel
	return m
}

// overdueItem names one overdue thing and when it was due: a contact by
// the time it was due, a candour step by the end of its day.
func (s *Scheduler) overdueItem(r pathway.Reminder, p *pathway.Policy) string {
	switch r.Kind {
	case pathway.RemindNotify, pathway.RemindWritten, pathway.RemindDelay:
		return fmt.Sprintf("the %s (due by the end of %s)", label(r, p), s.day(r.Due))
	}
	return fmt.Sprintf("contact with the family (due %s)", s.when(r.Due))
}

// noteToContact is what the named contact hears about an escalation of
// their case, before the team channel does: who was asked to help (only
// if the message to them went), or why nobody was.
func noteToContact(c *pathway.Case, m messages, leadTold bool) (bot.Reply, bool) {
	var parts []string
	switch {
	case leadTold:
		parts = append(parts, fmt.Sprintf("After %s about *%s*, I've let %s, the pathway lead for %s, know, so they can check in with you and offer a hand. It's support, not blame.",
			remindersPhrase(m.count), c.Name(), bot.Mention(m.lead), c.Service))
	case m.lead != "":
		parts = append(parts, fmt.Sprintf("After %s about *%s*, I tried to let %s, the pathway lead for %s, know so they can offer a hand, but couldn't reach them just now. I'll try again with the next reminder.",
			remindersPhrase(m.count), c.Name(), bot.Mention(m.lead), c.Service))
	}
	if m.channel != "" {
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("After %s about *%s*, I'm letting the %s team channel know, so colleagues can offer a hand;", remindersPhrase(m.count), c.Name(), c.Service))
		} else {
			parts = append(parts, fmt.Sprintf("I'm also letting the %s team channel know;", c.Service))
		}
		parts = append(parts, "it sees only the case id and what is overdue — nothing about you or the patient.")
	}
	if len(parts) == 0 {
		return bot.Reply{}, false
	}
	return bot.Reply{Text: strings.Join(parts, " ")}, true
}

// channelPost is the team channel's post about an escalation. It says the
// pathway lead was asked only when the message to them went.
func channelPost(c *pathway.Case, m messages, leadTold bool) bot.Reply {
	text := fmt.Sprintf("*%s* (%s): %s.", c.Name(), serviceName(c), m.overdue)
	switch {
	case leadTold:
		text += " The pathway lead has been asked to help."
	case m.lead != "":
		text += " The pathway lead couldn't be reached just now; I'll try again with the next reminder. If you can, offer the named contact a hand."
	default:
		text += " No pathway lead has been asked: " + m.noLead + ". If you can, offer the named contact a hand."
	}
	return bot.Reply{Text: text}
}

func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// combinedNudge is one message for several things a case owes at once.
func (s *Scheduler) combinedNudge(c *pathway.Case, rs []pathway.Reminder, svcs store.Services, now time.Time) bot.Reply {
	var lines []string
	buttons := []bot.Button{}
	n := 0
	for _, r := range rs {
		n = max(n, reminderNumber(r, c))
		lines = append(lines, "• "+s.reminderLine(c, r, now))
		switch r.Kind {
		case pathway.RemindContact:
			buttons = append(buttons, bot.Button{Label: "Log contact", Command: "contact " + c.Name(), Style: "primary", Form: bot.ContactForm(c.Name())})
		case pathway.RemindNotify:
			buttons = append(buttons, bot.Button{Label: "Record notification", Command: "candour " + c.Name() + " " + pathway.CandourNotified})
		case pathway.RemindWritten:
			buttons = append(buttons, bot.Button{Label: "Record written follow-up", Command: "candour " + c.Name() + " " + pathway.CandourWritten})
		}
	}
	buttons = append(buttons,
		bot.Button{Label: "Snooze 1 day", Command: "snooze " + c.Name() + " 1d"},
		bot.Button{Label: "Show prompts", Command: "prompt " + c.Name()})
	text := fmt.Sprintf("For *%s* (%s), a few things are waiting:\n%s\n%s",
		c.Name(), c.Ref, strings.Join(lines, "\n"), s.combinedClosing(c, n, svcs))
	return bot.Reply{Text: text, Buttons: buttons}
}

// reminderLine says in one line what a reminder is about.
func (s *Scheduler) reminderLine(c *pathway.Case, r pathway.Reminder, now time.Time) string {
	p := s.cfg.Policy
	switch r.Kind {
	case pathway.RemindContact:
		if r.Stage == pathway.StageDue && now.Before(r.Due) {
			return fmt.Sprintf("Contact with the family is due today (%s).", s.when(r.Due))
		}
		if r.Stage == pathway.StageDue {
			return fmt.Sprintf("Contact with the family is due now (%s).", s.when(r.Due))
		}
		return fmt.Sprintf("Contact with the family was due %s.", s.when(r.Due))
	case pathway.RemindNotify, pathway.RemindWritten:
		what := dutyName(p) + " notification"
		if r.Kind == pathway.RemindWritten {
			what = dutyName(p) + " written follow-up"
		}
		switch r.Stage {
		case pathway.StageWarn:
			return fmt.Sprintf("The %s is due by the end of %s (%s).", what, s.day(r.Due), workingDaysLeft(p, now, r.Due))
		case pathway.StageDue:
			return fmt.Sprintf("The %s is due by the end of today.", what)
		}
		return fmt.Sprintf("The %s was due by the end of %s.", what, s.day(r.Due))
	case pathway.RemindDelay:
		return fmt.Sprintf("It's over a month since becoming aware, and the %s notification isn't recorded: please write down the reason for the delay with /hpp candour %s delay <the reason>.", dutyName(p), c.Name())
	}
	return "Something needs attention."
}

func serviceName(c *pathway.Case) string {
	if c.Service == "" {
		return "no service set"
	}
	return c.Service
}

// reminderNumber is which reminder about r this is.
func reminderNumber(r pathway.Reminder, c *pathway.Case) int {
	if r.Kind == pathway.RemindContact {
		return c.ContactNudges + 1
	}
	return r.Count
}

func remindersPhrase(n int) string {
	if n <= 1 {
		return "a reminder"
	}
	return fmt.Sprintf("%d reminders", n)
}

func label(r pathway.Reminder, p *pathway.Policy) string {
	switch r.Kind {
	case pathway.RemindNotify:
		return p.Candour.Label + " notification"
	case pathway.RemindWritten:
		return p.Candour.Label + " written follow-up"
	case pathway.RemindDelay:
		return p.Candour.Label + " notification"
	}
	return "contact with the family"
}

func (s *Scheduler) when(t time.Time) string {
	return pathway.FormatTime(t, s.cfg.Policy.Location())
}

func (s *Scheduler) day(t time.Time) string {
	return pathway.FormatDay(t, s.cfg.Policy.Location())
}

// nudge is the private message to the named contact.
func (s *Scheduler) nudge(c *pathway.Case, r pathway.Reminder, svcs store.Services, now time.Time) bot.Reply {
	p := s.cfg.Policy
	name := fmt.Sprintf("*%s* (%s)", c.Name(), c.Ref)
	snooze := bot.Button{Label: "Snooze 1 day", Command: "snooze " + c.Name() + " 1d"}
	prompts := bot.Button{Label: "Show prompts", Command: "prompt " + c.Name()}
	switch r.Kind {
	case pathway.RemindContact:
		var text string
		switch {
		case r.Stage == pathway.StageDue && now.Before(r.Due):
			// Nudged at the start of the day it is due (the family prefers a time).
			text = fmt.Sprintf("Contact with the family for %s is due today (%s).", name, s.when(r.Due))
		case r.Stage == pathway.StageDue:
			text = fmt.Sprintf("Contact with the family for %s is due now (%s).", name, s.when(r.Due))
		default:
			text = fmt.Sprintf("Contact with the family for %s was due %s.", name, s.when(r.Due))
		}
		text += s.contactWords(c, r)
		return bot.Reply{Text: text, Buttons: []bot.Button{
			{Label: "Log contact", Command: "contact " + c.Name(), Style: "primary", Form: bot.ContactForm(c.Name())},
			snooze, prompts,
		}}
	case pathway.RemindNotify, pathway.RemindWritten:
		what := "notification — telling the family, in person or by phone or video, what happened, and saying sorry"
		step := pathway.CandourNotified
		if r.Kind == pathway.RemindWritten {
			what = "written follow-up — a letter that repeats what was said, the apology, what is being looked into and the support on offer"
			step = pathway.CandourWritten
		}
		var when string
		switch r.Stage {
		case pathway.StageWarn:
			when = fmt.Sprintf("is due by the end of %s (%s)", s.day(r.Due), workingDaysLeft(p, now, r.Due))
		case pathway.StageDue:
			when = "is due by the end of today"
		default:
			when = fmt.Sprintf("was due by the end of %s", s.day(r.Due))
		}
		text := fmt.Sprintf("For %s, the %s %s %s.", name, dutyName(p), what, when)
		if r.Stage == pathway.StageOverdue {
			text += s.candourOverdueWords(c, r, svcs)
		} else {
			text += " If it's done, record it and this reminder stops."
		}
		record := bot.Button{Label: "Record it", Command: "candour " + c.Name() + " " + step, Style: "primary"}
		return bot.Reply{Text: text, Buttons: []bot.Button{record, snooze, prompts}}
	case pathway.RemindDelay:
		return bot.Reply{Text: fmt.Sprintf("It's over a month since the organisation became aware of the harm in %s, and the %s notification isn't recorded yet. Scotland's guidance asks for the reason for the delay to be written down: /hpp candour %s delay <the reason>. If the family has been told, record it with /hpp candour %s notified.",
			name, dutyName(p), c.Name(), c.Name())}
	}
	return bot.Reply{Text: fmt.Sprintf("%s needs attention.", name)}
}

func workingDaysLeft(p *pathway.Policy, now, due time.Time) string {
	n := p.Calendar.WorkingDaysBetween(now, due)
	switch n {
	case 0:
		return "today"
	case 1:
		return "1 working day left"
	}
	return fmt.Sprintf("%d working days left", n)
}

// digestReply lists a service's overdue items by case id only.
func (s *Scheduler) digestReply(service string, cases []*pathway.Case, now time.Time) bot.Reply {
	p := s.cfg.Policy
	var lines []string
	for _, c := range cases {
		var parts []string
		for _, d := range c.Overdue(now) {
			parts = append(parts, fmt.Sprintf("%s (since %s)", d.Label(p), s.day(d.Due)))
		}
		lines = append(lines, fmt.Sprintf("• *%s* — %s", c.Name(), strings.Join(parts, "; ")))
	}
	return bot.Reply{
		Text:     fmt.Sprintf("Good morning. In %s, %s overdue today:", service, plural(len(cases), "case has something", "cases have something")),
		Sections: []bot.Section{{Text: strings.Join(lines, "\n")}},
		Note:     fmt.Sprintf("Case ids only — to see one, use /hpp status <case>, for example /hpp status %s. Thank you for keeping in touch with these families.", cases[0].Name()),
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// dutyName names the duty in running text ("Duty of Candour", "Being
// Open"): the heading's label, such as "Being Open (not statutory)", breaks
// a sentence.
func dutyName(p *pathway.Policy) string {
	if p.Candour.Name != "" {
		return p.Candour.Name
	}
	return p.Candour.Label
}
