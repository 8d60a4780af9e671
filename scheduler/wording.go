package scheduler

import (
	"fmt"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Repeated reminders change their words as they go, so nobody reads the
// same message three times in a row — a reminder that says the same thing
// every day is one people learn to ignore. The first says what is due; the
// repeats before the escalation take turns; the one that escalates says it
// is time to ask for a hand; after it, the repeats come more slowly (the
// policy's nudge_repeat_after_escalation), say who now knows and can help,
// and take turns again.

// phase is where a reminder stands in its round.
type phase int

const (
	phaseFirst     phase = iota // the first reminder
	phaseRepeat                 // a repeat before the escalation
	phaseEscalates              // the reminder that escalates
	phaseAfter                  // a repeat after the escalation
)

// phaseOf places reminder number n (1-based) of a round.
func (s *Scheduler) phaseOf(n int) phase {
	k := s.cfg.Policy.EscalateAfter
	switch {
	case n <= 1:
		return phaseFirst
	case n <= k:
		return phaseRepeat
	case n == k+1:
		return phaseEscalates
	}
	return phaseAfter
}

// turn picks one of several wordings for reminder number n: repeats in the
// same phase take turns.
func turn(n, of int) int {
	if of <= 0 {
		return 0
	}
	return ((n % of) + of) % of
}

// helperLine says who knows about a case's unanswered reminders and can
// help, from what was delivered: the people the escalation reached, else
// the channel it was posted to. It is "" when nobody has been told.
func helperLine(told []string, channel bool) string {
	switch {
	case len(told) > 0:
		return fmt.Sprintf("The pathway lead, %s, knows and can help.", mentions(told))
	case channel:
		return "Your team channel knows, so colleagues can offer a hand."
	}
	return ""
}

// contactHelper is who was told about a case's unanswered contact nudges.
func contactHelper(c *pathway.Case) string {
	if !c.Escalated {
		return ""
	}
	return helperLine(c.EscalatedTo, c.EscalatedChannel != "")
}

// candourHelper is who was told about an overdue candour step: the case
// records only that the escalation went, so it is the service's pathway
// lead when there is one other than the named contact (the escalation is
// recorded only once they were told), else the team channel.
func candourHelper(c *pathway.Case, svcs store.Services) string {
	if !c.CandourEscalated {
		return ""
	}
	svc := svcs[c.Service]
	if c.Service != "" && svc.Lead != "" && svc.Lead != c.Lead {
		return helperLine([]string{svc.Lead}, false)
	}
	return helperLine(nil, svc.Channel != "")
}

// slowerPace is how often reminders repeat after an escalation, when that
// is slower than before it; the escalation's timeline entry records it, so
// the record shows when and why the reminders slowed down.
func (s *Scheduler) slowerPace() pathway.Span {
	p := s.cfg.Policy
	if slow := p.RepeatAfter(p.EscalateAfter + 1); slow != p.NudgeRepeat {
		return slow
	}
	return pathway.Span{}
}

// paceLine says how often reminders come from now on, when they have
// slowed down after the escalation; the first reminder after it says so.
func (s *Scheduler) paceLine() string {
	p := s.cfg.Policy
	slow := s.slowerPace()
	if slow.IsZero() {
		return ""
	}
	return fmt.Sprintf("I'll remind you every %s from now on, rather than every %s.", slow.Period(), p.NudgeRepeat.Period())
}

// contactWords is what a contact nudge says after its first sentence.
func (s *Scheduler) contactWords(c *pathway.Case, r pathway.Reminder) string {
	n := r.Count
	handover := fmt.Sprintf("/hpp lead %s @name", c.Name())
	switch s.phaseOf(n) {
	case phaseFirst:
		text := " Even a short call or message to say when they'll next hear from us helps — silence is hard for families."
		if c.Contacts == 0 {
			text += " This would be the first contact recorded."
		}
		return text
	case phaseRepeat:
		if turn(n, 2) == 0 {
			return fmt.Sprintf("\nThis is reminder %d. If today is full, a two-line message to say when they'll next hear from you is enough for now. If something's in the way, that's all right: snooze for a day, or hand over to a colleague with %s.", n, handover)
		}
		return fmt.Sprintf("\nReminder %d. Families tell us the waiting is the hardest part, so even \"no news yet\" helps. If this isn't yours to do any more, hand it over with %s.", n, handover)
	case phaseEscalates:
		return fmt.Sprintf("\nThis is reminder %d. If it's stuck, now is a good time to ask for a hand — that's what your pathway lead is there for, and it's support, not blame. If it has happened, log it and the reminders stop.", n)
	}
	var text string
	switch turn(n-s.cfg.Policy.EscalateAfter-2, 3) {
	case 0:
		text = "\nThis is still waiting after " + remindersPhrase(n-1) + "."
		if h := contactHelper(c); h != "" {
			text += " " + h
		}
		if pace := s.paceLine(); pace != "" && n == s.cfg.Policy.EscalateAfter+2 {
			text += " " + pace
		}
	case 1:
		text = "\nA quieter reminder: if the contact has happened, log it and these stop; if it can't happen yet, agree a plan with the family (/hpp plan) or snooze for a day."
		if h := contactHelper(c); h != "" {
			text += " " + h
		}
	default:
		text = fmt.Sprintf("\nIf someone else is better placed to keep in touch now, that's all right — hand over with %s.", handover)
		if h := contactHelper(c); h != "" {
			text += " " + h
		}
	}
	return text
}

// candourOverdueWords is what an overdue candour reminder says after its
// first sentence, by which overdue reminder it is.
func (s *Scheduler) candourOverdueWords(c *pathway.Case, r pathway.Reminder, svcs store.Services) string {
	n := r.Count
	switch s.phaseOf(n) {
	case phaseFirst:
		return " If it has happened, please record it. If something is in the way, your pathway lead can help."
	case phaseRepeat:
		if turn(n, 2) == 0 {
			return " If it's done, record it and this reminder stops. If the family can't be reached yet, your pathway lead can help you decide the next step."
		}
		return " It may already be done and not yet recorded — if so, one tap records it. If it's stuck, your pathway lead can help."
	case phaseEscalates:
		return " If it's stuck, now is a good time to ask for a hand — that's what your pathway lead is there for, and it's support, not blame. If it has happened, record it and the reminders stop."
	}
	helper := candourHelper(c, svcs)
	var text string
	switch turn(n-s.cfg.Policy.EscalateAfter-2, 3) {
	case 0:
		text = " It's still waiting to be recorded."
		if helper != "" {
			text += " " + helper
		}
		if pace := s.paceLine(); pace != "" && n == s.cfg.Policy.EscalateAfter+2 {
			text += " " + pace
		}
	case 1:
		text = " A quieter reminder: if the family has been told, record it and these stop."
		if helper != "" {
			text += " " + helper
		}
	default:
		text = " Whatever is holding it up, you don't have to sort it out alone."
		if helper != "" {
			text += " " + helper
		}
	}
	return text
}

// combinedClosing is the last line of a nudge about several things at once.
func (s *Scheduler) combinedClosing(c *pathway.Case, n int, svcs store.Services) string {
	helper := contactHelper(c)
	if helper == "" {
		helper = candourHelper(c, svcs)
	}
	if s.phaseOf(n) == phaseAfter && helper != "" {
		switch turn(n, 2) {
		case 0:
			return helper + " Each one you record stops its reminder."
		default:
			return "A quieter reminder: each one you record stops its reminder. " + helper
		}
	}
	switch turn(n, 3) {
	case 0:
		return "If something's in the way, that's all right: snooze for a day, or your pathway lead can help. Each one you record stops its reminder."
	case 1:
		return "Each one you record stops its reminder. If one of them is stuck, your pathway lead can help."
	default:
		return "One at a time is fine — each one you record stops its reminder. If you need a day, snooze."
	}
}

func mentions(people []string) string {
	out := make([]string, 0, len(people))
	for _, p := range people {
		out = append(out, bot.Mention(p))
	}
	return joinAnd(out)
}
