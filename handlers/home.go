package handlers

import (
	"context"
	"fmt"
	"strings"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Home is a person's own page (Slack's App Home; a Teams personal tab could
// show the same): the open cases they are on, overdue first, each with what
// is due, and their wellbeing check-in setting. It is read-only and changes
// nothing.
func (h *Handler) Home(ctx context.Context, person string) bot.Reply {
	reply := h.homeCases(ctx, person)
	reply.Sections = append(reply.Sections, h.homeWellbeing(ctx, person))
	return reply
}

// homeWellbeing shows the person's own check-in setting, with the button
// that changes it. It never shows answers.
func (h *Handler) homeWellbeing(ctx context.Context, person string) bot.Section {
	settings, err := h.Store.PersonSettings(ctx, person)
	if err != nil {
		return bot.Section{Title: "My wellbeing check-ins", Text: "I couldn't read your setting just now. /hpp wellbeing shows it."}
	}
	if settings.CheckinsOff {
		return bot.Section{Title: "My wellbeing check-ins", Text: "Off — you won't get private check-ins after an incident. /hpp wellbeing on turns them back on; /hpp support lists where to get support any time."}
	}
	return bot.Section{Title: "My wellbeing check-ins", Text: "On — if you're recorded as involved in a case, I'll check in privately a few times. Only you see your answers. /hpp wellbeing off turns them off; /hpp checkin starts one now."}
}

func (h *Handler) homeCases(ctx context.Context, person string) bot.Reply {
	now := h.Clock()
	cases, err := h.Store.ListOpen(ctx, store.CaseFilter{People: []string{person}})
	open := bot.Button{Label: "Open a case", Command: "open", Style: "primary", Form: bot.OpenForm()}
	if err != nil {
		if pathway.ErrorCode(err) == pathway.Internal {
			h.Log.Error("home page failed", "err", err)
		} else {
			h.Log.Warn("store unavailable", "command", "home", "err", err)
		}
		return bot.Reply{Text: "*My open cases*\nI couldn't reach my records just now, so I can't show your cases. Please look again in a minute."}
	}
	if len(cases) == 0 {
		return bot.Reply{
			Text:    "*My open cases*\nYou have no open cases. When a patient has been harmed, open a case with the incident reference from your risk system and I'll help you keep in touch with the family.",
			Buttons: h.withWebButton([]bot.Button{open}),
			Note:    "Only you can see this page. /hpp help lists everything I can do.",
		}
	}
	var overdue, onTime []string
	for i, c := range cases {
		if i == listMax {
			onTime = append(onTime, fmt.Sprintf("…and %d more. /hpp list shows them all.", len(cases)-listMax))
			break
		}
		if len(c.Overdue(now)) > 0 {
			overdue = append(overdue, h.listLine(c, now))
		} else {
			onTime = append(onTime, h.listLine(c, now))
		}
	}
	head := "*My open cases* — " + plural(len(cases), "case", "cases")
	if len(overdue) > 0 {
		head += fmt.Sprintf(", %d with something overdue", len(overdue))
	}
	var sections []bot.Section
	if len(overdue) > 0 {
		sections = append(sections, bot.Section{Title: "Overdue", Text: strings.Join(overdue, "\n")})
	}
	if len(onTime) > 0 {
		sections = append(sections, bot.Section{Title: "Coming up", Text: strings.Join(onTime, "\n")})
	}
	return bot.Reply{
		Text:     head,
		Sections: sections,
		Buttons:  h.withWebButton([]bot.Button{open, {Label: "Overdue cases I can see", Command: "list overdue"}}),
		Note:     "Only you can see this page. /hpp status <case> shows a case in full; /hpp help lists everything I can do.",
	}
}

// withWebButton adds the button that sends a private link to the web
// pages, when they are on.
func (h *Handler) withWebButton(buttons []bot.Button) []bot.Button {
	if !h.WebOn() {
		return buttons
	}
	return append(buttons, bot.Button{Label: "Open in the browser", Command: "web"})
}
