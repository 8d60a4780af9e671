package handlers

import (
	"context"
	"fmt"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// An escalation the pathway lead gets can be acted on at once: "I'll take
// it" (take), "Hand to…" (lead, with a form to pick the person) and
// "Remind them tomorrow" (snooze a working day). Each button is a command
// line carrying the case id, run through the same guard as typed commands.

func (h *Handler) takeCommand() *command {
	return &command{
		name:    "take",
		grammar: grammar{positional: 1},
		run:     h.take,
		usage:   "take <case>",
		summary: "take a case on as acting named contact (pathway leads)",
		group:   "cases",
		help: "For the service's pathway lead (or an admin), usually from an escalation: you become the case's acting named contact, so its reminders come to you. " +
			"The named contact until now and you are both told, the timeline records it, and the team channel hears the case has been taken on. " +
			"To hand it on later, use /hpp lead <case> @name.\nExample: /hpp take HPP-3",
	}
}

// mayTake reports whether a person may take a case on, or hand it to
// someone, from an escalation: the pathway lead of the case's service, or
// an admin.
func (h *Handler) mayTake(person string, c *pathway.Case, svcs store.Services) bool {
	return h.isAdmin(person) || (c.Service != "" && svcs[c.Service].Lead == person)
}

func (h *Handler) take(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	id, err := caseArg(cmd, "For example: /hpp take HPP-3")
	if err != nil {
		return bot.Reply{}, err
	}
	now := h.Clock()
	old, c, svcs, err := h.updateCase(ctx, req, id, func(c *pathway.Case, svcs store.Services) ([]pathway.Event, error) {
		if !h.mayTake(req.Person, c, svcs) {
			return nil, refuseTake(c, svcs)
		}
		if c.Lead == req.Person {
			return nil, pathway.Errorf(pathway.Invalid, "You're already the named contact for %s, so its reminders come to you. /hpp status %s shows what is due.", c.Name(), c.Name())
		}
		ev, err := c.HandOver(req.Person, req.Person, now)
		ev.Step = pathway.LeadActing
		return []pathway.Event{ev}, err
	})
	if err != nil {
		return bot.Reply{}, err
	}
	var told, notTold []string
	if h.tell(ctx, old.Lead, bot.Reply{Text: fmt.Sprintf("%s, the pathway lead for %s, has taken on *%s* (%s) as acting named contact, so you don't have to carry it alone. Its reminders go to them from now on. Thank you for what you've done for this family — if you'd like it back later, they can hand it back with /hpp lead %s and your name.",
		bot.Mention(req.Person), serviceOf(c), c.Name(), c.Ref, c.Name())}) {
		told = append(told, old.Lead)
	} else {
		notTold = append(notTold, old.Lead)
	}
	h.markHandedOn(ctx, old, c, svcs, old.Lead, req.Person)
	posted := h.escalationTaken(ctx, old, svcs, "the pathway lead has taken this on")
	text := fmt.Sprintf("You're now the acting named contact for *%s* (%s): its reminders come to you. Next contact %s.%s", c.Name(), c.Ref, h.dueText(c.NextContact, now), toldNote(told, notTold))
	if posted {
		text += " I'm letting the team channel know it's taken care of."
	}
	said := sayBack{"acting named contact " + bot.Mention(old.Lead) + " → " + bot.Mention(req.Person)}
	return bot.Reply{Text: text + said.line(), Buttons: caseButtons(c.Name())}, nil
}

// refuseTake says who may take a case on, and what to do instead.
func refuseTake(c *pathway.Case, svcs store.Services) error {
	if lead := svcs[c.Service].Lead; c.Service != "" && lead != "" {
		return pathway.Errorf(pathway.Forbidden, "Only the %s pathway lead, %s, or an admin can take %s on from an escalation. If you'd like to be its named contact, ask %s to hand it to you with /hpp lead %s and your name.",
			c.Service, bot.Mention(lead), c.Name(), bot.Mention(c.Lead), c.Name())
	}
	return pathway.Errorf(pathway.Forbidden, "Only a service's pathway lead or an admin can take a case on from an escalation. If you'd like to be the named contact for %s, ask %s to hand it to you with /hpp lead %s and your name.",
		c.Name(), bot.Mention(c.Lead), c.Name())
}

func serviceOf(c *pathway.Case) string {
	if c.Service == "" {
		return "this case"
	}
	return c.Service
}

// escalationTaken tells the team channel that heard about a case's
// unanswered reminders that someone has taken it on (what is said names no
// person), after the command's answer (afterAnswer). It reports whether
// there is a channel to tell.
//
// Where the escalation post's platform id is known (the delivery queue
// recorded it; see scheduler/live.go) the post itself is changed to say so,
// its buttons gone. Otherwise — an older post, a surface that can't update,
// a post about several cases of which others are still open, or an update
// that failed — a short follow-up is posted instead.
func (h *Handler) escalationTaken(ctx context.Context, old *pathway.Case, svcs store.Services, what string) bool {
	channel := old.EscalatedChannel
	if channel == "" && old.CandourEscalated {
		channel = svcs[old.Service].Channel
	}
	if channel == "" || (!old.Escalated && !old.CandourEscalated) {
		return false
	}
	r := bot.Reply{Text: fmt.Sprintf("*%s* (%s): %s. Thank you to everyone who offered a hand.", old.Name(), serviceOf(old), what)}
	h.afterAnswer(ctx, "telling the team channel", func(ctx context.Context) {
		if h.updateEscalation(ctx, old, channel, r) {
			return
		}
		if err := h.postOwn(ctx, noticeKey("channel"), channel, r); err != nil {
			h.Log.Warn("could not tell the team channel an escalation was taken on", "case", old.Name(), "err", err)
		}
	})
	return true
}

// updateEscalation changes the channel's escalation post about c to r; it
// reports whether it did.
func (h *Handler) updateEscalation(ctx context.Context, c *pathway.Case, channel string, r bot.Reply) bool {
	ls, u, ok := h.liveUpdates()
	if !ok {
		return false
	}
	ref, found, err := ls.Live(ctx, channel, c.ID)
	if err != nil || !found || ref.Cases > 1 {
		return false
	}
	if err := u.UpdateMessage(ctx, ref, r); err != nil {
		h.Log.Info("could not update the escalation post; posting a follow-up instead", "case", c.Name(), "err", err)
		return false
	}
	if err := ls.DoneLive(ctx, channel, c.ID); err != nil {
		h.Log.Info("could not mark an escalation post as done with", "case", c.Name(), "err", err)
	}
	return true
}
