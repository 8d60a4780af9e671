package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// When a platform says a message can't reach someone, and won't until
// someone acts (bot.Undeliverable: a deactivated account, an app turned off
// by an admin, a chat that is gone), sending it again every few minutes
// helps nobody. Instead the reminder is recorded on the case as "not
// delivered", with the reason in plain words, and counts as given, so the
// case's reminders carry on to the escalation path (the pathway lead hears
// after the usual number of unanswered reminders). The service's pathway
// lead is told once that the person can't be reached and how to fix it (a
// mark per person in Redis; the team channel is told instead when the
// service has no pathway lead other than the person). Any message from the
// person to hppbot clears the mark (handlers), so a later failure is told
// again.

// notOpened is what a bare bot.ErrNotReachable means: a surface that knows
// no way to reach the person yet.
var notOpened = bot.Undeliverable{Reason: "they haven't opened hppbot yet", Fix: "ask them to open hppbot and say hello", Code: "not_opened"}

// finalFailure says whether err means the person can't be reached until
// someone acts, and why.
func finalFailure(err error) (bot.Undeliverable, bool) {
	if u, ok := bot.AsUndeliverable(err); ok {
		return u, true
	}
	if errors.Is(err, bot.ErrNotReachable) {
		return notOpened, true
	}
	return bot.Undeliverable{}, false
}

// undelivered records on rec that the reminders in pending did not reach
// person, for the reason u gives.
func undelivered(rec *reminded, pending []pathway.Reminder, person string, u bot.Undeliverable, now time.Time) {
	for _, r := range pending {
		rec.events = append(rec.events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventUndelivered, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: []string{person}, Why: u.Reason})
	}
}

// cannotReach tells whoever can help, once for each person (until the
// person is next in touch), that hppbot can't reach person on case c, and
// how to fix it: the service's pathway lead, or, when there is none other
// than the person, the team channel (which hears the case id only, not
// who). A failed telling is forgotten, so the next failure tries again.
func (s *Scheduler) cannotReach(ctx context.Context, c *pathway.Case, person string, u bot.Undeliverable, svcs store.Services, now time.Time) {
	svc := svcs[c.Service]
	m := message{to: svc.Lead, reply: unreachableToLead(c, person, u)}
	if svc.Lead == "" || svc.Lead == person {
		m = message{to: svc.Channel, channel: true, reply: unreachableToChannel(c, u)}
	}
	if m.to == "" {
		s.cfg.Log.Warn("someone on a case can't be reached, and its service has no pathway lead or channel to tell", "case", c.Name(), "code", u.Code)
		return
	}
	// One message each time the person can't be reached, whoever is told:
	// the mark below makes it once until they are in touch again, and the
	// key is the mark's (its time), so a second time the same day, after
	// they were in touch, is a message of its own.
	m.key = "unreachable:" + person + ":" + m.to + ":" + strconv.FormatInt(now.UnixMilli(), 10)
	first, err := s.cfg.Store.TellUnreachableOnce(ctx, person, m.to)
	if err != nil || !first {
		return
	}
	s.cfg.Log.Info("someone on a case can't be reached through hppbot; telling who can help", "case", c.Name(), "code", u.Code, "channel", m.channel)
	if err := s.deliver(ctx, m); err != nil {
		s.cfg.Log.Warn("could not tell anyone that someone can't be reached", "case", c.Name(), "err", cause(err))
		_ = s.cfg.Store.ForgetUnreachableTold(ctx, person, m.to)
	}
}

// unreachableToLead is the pathway lead's message: who can't be reached,
// on which case, why, what to do about it, and what happens meanwhile.
func unreachableToLead(c *pathway.Case, person string, u bot.Undeliverable) bot.Reply {
	text := fmt.Sprintf("I can't reach %s through hppbot, so messages about *%s* (%s) aren't getting to them: %s.\nTo fix it: %s.\nMeanwhile their reminders are recorded on the case and, if they stay unanswered, come to you as usual. I'll say this once; it clears as soon as %s next uses hppbot.",
		bot.Mention(person), c.Name(), serviceName(c), u.Reason, fixFor(c, u), bot.Mention(person))
	return bot.Reply{Text: text, Buttons: []bot.Button{{Label: "Status", Command: "status " + c.Name()}}}
}

// unreachableToChannel is the team channel's message when the service has
// no pathway lead to tell: the case id and what to do, naming nobody.
func unreachableToChannel(c *pathway.Case, u bot.Undeliverable) bot.Reply {
	return bot.Reply{Text: fmt.Sprintf("Someone named on *%s* can't be reached through hppbot: %s. Could someone help — %s? /hpp status %s shows who is named. Their reminders are recorded on the case meanwhile.",
		c.Name(), u.Reason, fixFor(c, u), c.Name())}
}

// fixFor fills the case and service into a surface's fix.
func fixFor(c *pathway.Case, u bot.Undeliverable) string {
	fix := strings.ReplaceAll(u.Fix, "<case>", c.Name())
	if c.Service != "" {
		fix = strings.ReplaceAll(fix, "<name>", c.Service)
	}
	return fix
}

// unreachedHeadsUp is the pathway lead's escalation when the named contact
// (or whoever covers for them while they are away) could not be reached:
// the reminders did not get to them, so the lead is asked to step in rather
// than to check in. It names the person the reminders were sent to.
func unreachedHeadsUp(c *pathway.Case, m messages, u bot.Undeliverable) bot.Reply {
	reached := fmt.Sprintf("I couldn't reach %s, the named contact, through hppbot (%s), so %s didn't get to them.", bot.Mention(c.Lead), u.Reason, remindersPhrase(m.count))
	if to := m.primary.to; to != "" && to != c.Lead {
		reached = fmt.Sprintf("I couldn't reach %s through hppbot (%s). They are covering for %s, the named contact, who is away, so %s didn't get to anyone.", bot.Mention(to), u.Reason, bot.Mention(c.Lead), remindersPhrase(m.count))
	}
	return bot.Reply{
		Text: fmt.Sprintf("A heads-up about *%s* (%s): %s. %s Could you make sure someone is in touch with the family — perhaps hand the case to a colleague with /hpp lead %s @name?",
			c.Name(), serviceName(c), m.overdue, reached, c.Name()),
		Buttons: escalationButtons(c),
	}
}
