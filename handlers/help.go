package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hppbot/bot"
)

// helpGroups orders the help list; a command's group puts it in one.
var helpGroups = []struct{ key, title string }{
	{"cases", "Cases"},
	{"views", "Seeing where things are"},
	{"guidance", "Guidance for the conversations"},
	{"wellbeing", "Looking after staff"},
	{"learning", "Learning"},
	{"setup", "Setting up"},
}

func (h *Handler) helpCommand() *command {
	return &command{
		name: "help",
		// Words after the command are let pass: "help checkin history"
		// explains checkin rather than refusing the extra word.
		grammar: grammar{positional: 1, text: true},
		run: func(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
			if len(cmd.Args) == 0 {
				return h.helpOverview(), nil
			}
			name := strings.ToLower(strings.TrimPrefix(cmd.Args[0], "/"))
			if strings.EqualFold(name, "hpp") && cmd.Text != "" {
				// "help /hpp status": the command is the next word.
				name, _, _ = strings.Cut(strings.ToLower(cmd.Text), " ")
			}
			c, ok := h.cmds[name]
			if !ok || c.summary == "" {
				return h.unknownCommand(name), nil
			}
			text := fmt.Sprintf("*/hpp %s*\n%s", c.usage, c.help)
			if c.help == "" {
				text = fmt.Sprintf("*/hpp %s*\n%s.", c.usage, c.summary)
			}
			if c.findsCase {
				text += "\nThe case can be its id (HPP-3) or its incident reference (INC-1042); if the reference names more than one case you can see, I ask which."
			}
			if len(c.grammar.options) > 0 && c.grammar.text {
				text += "\nSettings (word=value) can go anywhere in the line, even after your note; to keep an = in a note, write a space instead of it (BP 90/60)."
			}
			if strings.Contains(c.usage, "<dur") || strings.Contains(c.usage, "=<dur>") || strings.Contains(c.usage, "|dur>") {
				text += "\nLengths of time: 90min, 36h, 3d, 2w, 2wd (working days) or 1mo."
			}
			return bot.Reply{Text: text}, nil
		},
		usage:   "help [command]",
		summary: "the list of commands, or how one command works",
		help:    "On its own, the list of commands by what they're for. With a command's name (/hpp help contact), how that command works and an example.",
	}
}

// helpOverview is short enough to read on a phone: each group's command
// names on one line, and how to learn more about one.
func (h *Handler) helpOverview() bot.Reply {
	var lines []string
	for _, g := range helpGroups {
		var names []string
		for name, c := range h.cmds {
			if c.group == g.key {
				names = append(names, name)
			}
		}
		sort.Slice(names, func(i, j int) bool { return helpOrder(names[i]) < helpOrder(names[j]) })
		if len(names) > 0 {
			lines = append(lines, fmt.Sprintf("%s: %s", g.title, strings.Join(names, " · ")))
		}
	}
	return bot.Reply{
		Text: "*hppbot* helps you keep the promise of open, timely, kind communication with a patient and family after harm — and looks after the staff involved.\n\n" +
			strings.Join(lines, "\n") +
			"\n\nType /hpp help and a command's name to see how it works, for example /hpp help open.",
		Note: "Cases are known by their case id (HPP-12) and your incident reference — never a patient's name, NHS number, date of birth or address. " +
			"Wherever a command takes a case, the incident reference works too: /hpp status INC-1042.",
	}
}

// helpOrder keeps the help list in the order people meet the commands.
func helpOrder(name string) int {
	order := []string{"open", "contact", "plan", "candour", "family", "lead", "involve", "snooze", "close", "reopen", "correct", "strike", "take", "away",
		"status", "list", "timeline", "export", "prompt", "lens", "commitments", "checkin", "support", "wellbeing", "report", "service"}
	for i, n := range order {
		if n == name {
			return i
		}
	}
	return len(order)
}

// unknownCommand answers a command word hppbot doesn't know: the nearest
// command and its usage line when one is close, otherwise the short list.
func (h *Handler) unknownCommand(name string) bot.Reply {
	best, bestD := "", 3
	for n, c := range h.cmds {
		if c.summary == "" {
			continue // hidden commands (button answers) are never suggested
		}
		if d := editDistance(name, n); d < bestD || d == bestD && best != "" && n < best {
			best, bestD = n, d
		}
	}
	text := fmt.Sprintf("I don't know the command %q.", truncate(name, 30))
	if best != "" {
		c := h.cmds[best]
		return bot.Reply{Text: fmt.Sprintf("%s Did you mean /hpp %s?\n/hpp %s — %s", text, best, c.usage, c.summary)}
	}
	reply := h.helpOverview()
	reply.Text = text + "\n\n" + reply.Text
	return reply
}

// usageHint is the one-line usage of a command, for error messages.
func usageHint(name string) string {
	return fmt.Sprintf("Type /hpp help %s to see how it works.", name)
}
