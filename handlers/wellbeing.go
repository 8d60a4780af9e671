package handlers

import (
	"context"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// personStore holds what a person has chosen about check-ins.
type personStore interface {
	PersonSettings(ctx context.Context, person string) (pathway.PersonSettings, error)
	SetCheckinsOff(ctx context.Context, person string, off bool) error
}

// Wellbeing check-ins for staff involved in harm (SPEC hard rule 2).
//
// Everyone recorded as involved in a case is told once, privately, and then
// gets a few private check-ins on the policy's schedule: one question, a
// one-tap scale, "I'd like to talk to someone" and "Not now". Answers are
// stored under the person alone (store/people.go) and read back only by
// `checkin history` for that same person. No case, event, timeline, report,
// escalation or log line carries an answer, a score or a check-in token; the
// only thing that leaves the person is participation (sent, answered) as
// sets of ids for aggregate reports, and — when they ask and confirm — one
// sentence to their wellbeing contact saying they'd like a conversation.
//
// Buttons run commands as the person who presses them. The hidden
// sub-commands (checkin answer|notnow|talk|talk-yes|talk-no) always act for
// the presser: an answer is saved under Request.Person, and the token only
// finds a check-in among that person's own, so a button carrying anyone
// else's token or id writes nothing.
//
// The rules a check-in keeps (its schedule, how long answers are kept, its
// tokens, its question and scale) are in pathway/checkin.go. Here, one idea
// a file: wellbeing.go the commands and a person's setting; checkin.go a
// check-in, its answers and a person's own history; involved.go telling
// and scheduling the people recorded as involved; checkinjob.go the
// scheduled check-in; support.go where support is and the hand-off to a
// wellbeing contact.

func (h *Handler) wellbeingCommands() []*command {
	return []*command{
		{
			name:    "checkin",
			grammar: grammar{positional: 3},
			run:     h.checkin,
			noArgs:  h.startCheckin,
			usage:   "checkin [history|forget]",
			summary: "a private check-in on how you're doing; see or erase your own answers",
			group:   "wellbeing",
			help: "• /hpp checkin — a private check-in now: one question, one tap\n" +
				"• /hpp checkin history — your own answers, with their dates; nobody else can see them\n" +
				"• /hpp checkin forget — erase all your answers (you'll be asked to confirm)\n" +
				"If you were recorded as involved in a case, hppbot also checks in privately a few times over the following weeks. /hpp wellbeing off stops that.",
		},
		{
			name:    "support",
			grammar: grammar{},
			run:     func(ctx context.Context, req bot.Request, _ Command) (bot.Reply, error) { return h.support(ctx, req) },
			noArgs:  h.support,
			usage:   "support",
			summary: "where to get support, including urgent help",
			group:   "wellbeing",
			help:    "Lists the support your organisation offers staff, and where to get urgent help. Nobody is told that you looked.",
		},
		{
			name:    "wellbeing",
			grammar: grammar{positional: 1},
			run:     h.wellbeing,
			noArgs:  h.wellbeingSetting,
			usage:   "wellbeing [on|off]",
			summary: "switch your private check-ins on or off",
			group:   "wellbeing",
			help:    "• /hpp wellbeing off — no more check-ins from hppbot\n• /hpp wellbeing on — check-ins again\n• /hpp wellbeing — shows your setting\nYou can always start one yourself with /hpp checkin.",
		},
	}
}

// deliveredAt is when the scheduler will deliver something due at t.
func (h *Handler) deliveredAt(t time.Time) time.Time {
	return h.Policy.Calendar.NextWorkingStart(t)
}

// wellbeingSetting is /hpp wellbeing: the person's setting.
func (h *Handler) wellbeingSetting(ctx context.Context, req bot.Request) (bot.Reply, error) {
	settings, err := h.Store.PersonSettings(ctx, req.Person)
	if err != nil {
		return bot.Reply{}, err
	}
	if settings.CheckinsOff {
		return bot.Reply{
			Text:    "Check-ins are *off* for you: I won't send any. You can still start one yourself with /hpp checkin, and /hpp support shows where help is.",
			Buttons: []bot.Button{{Label: "Turn check-ins on", Command: "wellbeing on"}},
		}, nil
	}
	return bot.Reply{
		Text:    "Check-ins are *on* for you. If you're recorded as involved in a case, I check in privately a few times over the following weeks; only you see your answers.",
		Buttons: []bot.Button{{Label: "Turn check-ins off", Command: "wellbeing off"}},
	}, nil
}

// wellbeing is /hpp wellbeing on|off.
func (h *Handler) wellbeing(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	switch strings.ToLower(cmd.Args[0]) {
	case "off":
		if err := h.Store.SetCheckinsOff(ctx, req.Person, true); err != nil {
			return bot.Reply{}, err
		}
		return bot.Reply{Text: "Check-ins are off — I won't send you any more. That's completely fine. You can still start one yourself (/hpp checkin) or see where support is (/hpp support), and /hpp wellbeing on turns them back on."}, nil
	case "on":
		if err := h.Store.SetCheckinsOff(ctx, req.Person, false); err != nil {
			return bot.Reply{}, err
		}
		return bot.Reply{Text: "Check-ins are on. I'll check in privately when you're recorded as involved in a case, and any check-ins still planned for you will come as before. Only you see your answers."}, nil
	}
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "wellbeing takes on or off, for example: /hpp wellbeing off. /hpp wellbeing on its own shows your setting.")
}
