package handlers

import (
	"context"
	"fmt"
	"strings"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/prompts"
)

func (h *Handler) guidanceCommands() []*command {
	return []*command{
		{
			name:    "prompt",
			grammar: grammar{positional: 1},
			run:     h.prompt,
			notCase: func(word string) bool { _, ok := h.Prompts.Topic(word); return ok },
			usage:   "prompt [topic|case]",
			summary: "words for the hardest conversations; with a case, the card that fits where it is",
			group:   "guidance",
			help:    "Restorative conversation prompts to read before or after a difficult conversation.\n• /hpp prompt — the list of topics\n• /hpp prompt listen — one card\n• /hpp prompt HPP-3 — the card that fits where that case is now",
		},
		{
			name:    "lens",
			grammar: grammar{},
			run:     func(ctx context.Context, req bot.Request, _ Command) (bot.Reply, error) { return h.lens() },
			usage:   "lens",
			summary: "questions for reviewing a process through a harmed patient's eyes",
			group:   "guidance",
			help:    "Questions a team can ask of each step of a process: where could silence, delay or procedure add to the harm?",
		},
		{
			name:    "commitments",
			grammar: grammar{},
			run:     func(ctx context.Context, req bot.Request, _ Command) (bot.Reply, error) { return h.commitments() },
			usage:   "commitments",
			summary: "the six commitments, which are switched on here, and what hppbot does for each",
			group:   "guidance",
			help:    "The six commitments of the Harmed Patient Pathway, which ones your organisation has switched on in hppbot, and what hppbot does for each.",
		},
	}
}

// promptsOn reports whether conversation prompts serve a switched-on
// commitment: they help with communication and with a restorative culture.
func (h *Handler) promptsOn() bool {
	return h.Policy.Enabled(pathway.CommitCommunication) || h.Policy.Enabled(pathway.CommitCulture)
}

func (h *Handler) promptsOff() error {
	return pathway.Errorf(pathway.Invalid, "Conversation prompts belong to the communication and culture commitments, and your organisation hasn't switched those on in hppbot yet. Your pathway lead can switch them on in the policy file (commitments:); /hpp commitments shows what is on.")
}

func (h *Handler) promptList(ctx context.Context, req bot.Request) (bot.Reply, error) {
	if !h.promptsOn() {
		return bot.Reply{}, h.promptsOff()
	}
	var lines []string
	for _, t := range h.Prompts.Topics() {
		lines = append(lines, fmt.Sprintf("• *%s* — %s %s", t.Name, t.Title+".", t.Summary))
	}
	return bot.Reply{
		Text:     "*Conversation prompts* — short cards to read before or after a difficult conversation.",
		Sections: []bot.Section{{Text: strings.Join(lines, "\n")}},
		Note:     "Open one with /hpp prompt <topic>, for example /hpp prompt listen. With a case — /hpp prompt HPP-3 — I'll pick the card that fits where the case is.",
	}, nil
}

func (h *Handler) prompt(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if !h.promptsOn() {
		return bot.Reply{}, h.promptsOff()
	}
	if len(cmd.Args) == 0 {
		return h.promptList(ctx, req)
	}
	arg := cmd.Args[0]
	if t, ok := h.Prompts.Topic(arg); ok {
		return cardReply(t, ""), nil
	}
	if _, err := pathway.ParseCaseID(arg); err == nil {
		c, _, err := h.readCase(ctx, req, arg)
		if err != nil {
			return bot.Reply{}, err
		}
		name, why := h.fittingTopic(c)
		t, ok := h.Prompts.Topic(name)
		if !ok {
			return h.promptList(ctx, req)
		}
		return cardReply(t, fmt.Sprintf("For *%s* %s, this card fits best:", c.Name(), why)), nil
	}
	var names []string
	for _, t := range h.Prompts.Topics() {
		names = append(names, t.Name)
	}
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "I don't have a card called %q. The topics are: %s. Or give a case, such as /hpp prompt HPP-3.", truncate(arg, 30), strings.Join(names, ", "))
}

// fittingTopic picks the card for where a case is now, and says why.
func (h *Handler) fittingTopic(c *pathway.Case) (topic, why string) {
	p := h.Policy
	switch {
	case !c.IsOpen():
		return "involve", "(closed)"
	case c.Contacts == 0:
		return "first-contact", "(no contact with the family logged yet)"
	case c.Notified.IsZero() && c.NotNeeded == "":
		return "apology", "(contact logged, but no apology recorded yet)"
	case c.Plan == nil:
		return "keep-in-touch", "(no plan agreed with the family yet)"
	case c.CandourActive() && c.Written.IsZero():
		return "written", "(the written follow-up isn't recorded yet)"
	case len(c.Parallel) > 0 && p.Enabled(pathway.CommitParallel):
		return "avoid", "(the family has started another process — a time when defensive words creep in)"
	case p.Enabled(pathway.CommitInvestigation) && c.Family["questions"].IsZero():
		return "involve", "(the family's questions aren't recorded as taken into the investigation yet)"
	}
	return "listen", "(things are on track — keep listening)"
}

func cardReply(t prompts.Topic, intro string) bot.Reply {
	text := t.Text()
	if intro != "" {
		text = intro + "\n\n" + text
	}
	note := "Other cards: /hpp prompt"
	if t.Source != prompts.BuiltIn {
		note = "This card is your organisation's own wording. " + note
	}
	return bot.Reply{Text: text, Note: note}
}

func (h *Handler) lens() (bot.Reply, error) {
	if !h.Policy.Enabled(pathway.CommitCulture) {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "The harmed-patient lens belongs to the culture commitment, which your organisation hasn't switched on in hppbot yet. Your pathway lead can switch it on in the policy file (commitments:).")
	}
	t, ok := h.Prompts.Topic("lens")
	if !ok {
		return bot.Reply{}, pathway.Errorf(pathway.Internal, "the lens card is missing")
	}
	return cardReply(t, ""), nil
}

func (h *Handler) commitments() (bot.Reply, error) {
	var sections []bot.Section
	on := 0
	for _, c := range h.Prompts.Commitments() {
		state := "✓ switched on"
		if h.Policy.Enabled(c.Key) {
			on++
		} else {
			state = "not switched on yet"
		}
		sections = append(sections, bot.Section{
			Title: fmt.Sprintf("%d. %s — %s", c.Number, c.Title, state),
			Text:  c.Meaning + "\nWhat hppbot does: " + c.WhatHppbotDoes,
		})
	}
	return bot.Reply{
		Text:     fmt.Sprintf("*The six commitments of the Harmed Patient Pathway* — %d of 6 switched on here.", on),
		Sections: sections,
		Note:     h.Prompts.Adoption(),
	}, nil
}

// preparePrompt is the short version of the prepare card for the reply to
// open: the questions, and where to find the words.
func (h *Handler) preparePrompt(name string) bot.Section {
	const (
		intro  = "Think about who should be there, what is known so far and what isn't, and what the family may need from you."
		words  = "Words for the conversation itself: /hpp prompt first-contact. When you have spoken, log it: /hpp contact "
		logTip = " via=phone next=7d <a short note>"
	)
	// Written into one buffer of the right size: this section goes with
	// every case opened.
	var questions []string
	if t, ok := h.Prompts.Topic("prepare"); ok && h.promptsOn() {
		questions = t.Questions
	}
	size := len(intro) + len(words) + len(name) + len(logTip) + 1
	for _, q := range questions {
		size += len(q) + len("• \n")
	}
	var b strings.Builder
	b.Grow(size)
	wrote := false
	for _, q := range questions {
		if q = strings.TrimSpace(q); q != "" {
			b.WriteString("• ")
			b.WriteString(q)
			b.WriteByte('\n')
			wrote = true
		}
	}
	if !wrote {
		b.WriteString(intro + "\n")
	}
	b.WriteString(words)
	b.WriteString(name)
	b.WriteString(logTip)
	return bot.Section{Title: "Before the first conversation", Text: b.String()}
}
