package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// The family's preferred time (at= on plan and contact) and a plan of no
// regular contact (plan every=none): see pathway/prefer.go.

// preferOpt reads at=, if given: the canonical time ("" clears it).
func preferOpt(cmd Command) (at string, given bool, err error) {
	v, ok := cmd.Opts["at"]
	if !ok {
		return "", false, nil
	}
	at, err = pathway.ParsePreferredTime(v)
	return at, err == nil, err
}

// withPrefer adds to a change's events the family's preferred time, when
// at= was given and it changed.
func withPrefer(c *pathway.Case, events []pathway.Event, err error, given bool, at, actor string, now time.Time) ([]pathway.Event, error) {
	if err != nil || !given {
		return events, err
	}
	ev, changed, err := c.RecordPreferredTime(at, actor, now)
	if err != nil {
		return nil, err
	}
	if changed {
		events = append(events, ev)
	}
	return events, nil
}

// sayPrefer says back the preferred time when at= was given.
func sayPrefer(c *pathway.Case, given bool) string {
	switch {
	case !given:
		return ""
	case c.PreferAt == "":
		return "no preferred time"
	}
	return "family prefers " + pathway.PreferredTimeWords(c.PreferAt)
}

// preferSentence is the reply's sentence about the preferred time, when
// at= was given.
func preferSentence(c *pathway.Case, given bool) string {
	switch {
	case !given:
		return ""
	case c.PreferAt == "":
		return " No preferred time is kept now."
	}
	return fmt.Sprintf(" The family prefers %s: reminders come at the start of the working day contact is due, and say so.", pathway.PreferredTimeWords(c.PreferAt))
}

// preferOnly is plan with at= and no every=: only the preferred time.
func (h *Handler) preferOnly(ctx context.Context, req bot.Request, id int64, at, note string) (bot.Reply, error) {
	if strings.TrimSpace(note) != "" {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "To change the plan's note, give the plan again with every=, for example: /hpp plan %s every=1w at=17:00 <note>. at= on its own only records the family's preferred time.", pathway.CaseName(id))
	}
	now := h.Clock()
	_, c, _, err := h.updateCase(ctx, req, id, func(c *pathway.Case, _ store.Services) ([]pathway.Event, error) {
		return withPrefer(c, nil, nil, true, at, req.Person, now)
	})
	if err != nil {
		return bot.Reply{}, err
	}
	text := fmt.Sprintf("Noted for *%s*.", c.Name()) + preferSentence(c, true)
	said := sayBack{sayPrefer(c, true)}
	return bot.Reply{Text: text + said.line()}, nil
}

// noRegularContactReply answers plan every=none.
func (h *Handler) noRegularContactReply(c *pathway.Case, via, reason string, preferGiven bool) bot.Reply {
	text := fmt.Sprintf("Plan recorded for *%s*: no regular contact agreed — the family will hear when there is news. I won't remind you about contact unless you set a date with /hpp contact %s next=<date>; %s reminders carry on, and the pathway lead's weekly view lists the case so it isn't forgotten.",
		c.Name(), c.Name(), h.Policy.Candour.Name)
	text += preferSentence(c, preferGiven)
	var said sayBack
	said.add("no regular contact")
	if via != "" {
		said.add("by " + via)
	}
	said.add(sayPrefer(c, preferGiven), sayNote("reason", reason))
	return bot.Reply{Text: text + said.line(), Buttons: []bot.Button{{Label: "Status", Command: "status " + c.Name()}}}
}

// planLine says the agreed plan, for status.
func planLine(c *pathway.Case) string {
	if c.NoRegularContact() {
		line := "Agreed plan: no regular contact — the family will hear when there is news"
		if c.Plan.Note != "" {
			line += " (" + quote(c.Plan.Note, 120) + ")"
		}
		return line
	}
	plan := "Agreed plan: every " + c.Plan.Every.Period()
	if c.Plan.Via != "" {
		plan += " by " + c.Plan.Via
	}
	if c.Plan.Note != "" {
		plan += " — " + quote(c.Plan.Note, 120)
	}
	return plan
}

// describePrefer says what a preferred-time entry records.
func describePrefer(who string, e pathway.Event) string {
	if e.Prefer == pathway.PreferAny || e.Prefer == "" {
		return who + " cleared the family's preferred time for contact."
	}
	return who + " recorded that the family prefers to be contacted " + pathway.PreferredTimeWords(e.Prefer) + "."
}
