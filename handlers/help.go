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
		name:    "help",
		grammar: grammar{positional: 1},
		run: func(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
			if len(cmd.Args) == 0 {
				return h.helpOverview(), nil
			}
			name := strings.ToLower(strings.TrimPrefix(cmd.Args[0], "/"))
			c, ok := h.cmds[name]
			if !ok || name == "help" {
				return h.unknownCommand(name), nil
			}
			text := fmt.Sprintf("*/hpp %s*\n%s", c.usage, c.help)
			if c.findsCase {
				text += "\nThe case can be its id (HPP-3) or its incident reference (INC-1042); if the reference names more than one case you can see, I ask which."
			}
			return bot.Reply{Text: text}, nil
		},
		usage:   "help [command]",
		summary: "this list, or more about one command",
	}
}

func (h *Handler) helpOverview() bot.Reply {
	var sections []bot.Section
	for _, g := range helpGroups {
		var lines []string
		var names []string
		for name, c := range h.cmds {
			if c.group == g.key {
				names = append(names, name)
			}
		}
		sort.Slice(names, func(i, j int) bool { return helpOrder(names[i]) < helpOrder(names[j]) })
		for _, name := range names {
			c := h.cmds[name]
			lines = append(lines, fmt.Sprintf("• /hpp %s — %s", c.usage, c.summary))
		}
		if len(lines) > 0 {
			sections = append(sections, bot.Section{Title: g.title, Text: strings.Join(lines, "\n")})
		}
	}
	return bot.Reply{
		Text:     "*hppbot* helps you keep the promise of open, timely, kind communication with a patient and family after harm — and looks after the staff involved.",
		Sections: sections,
		Note: "Cases are known by their case id (HPP-12) and your incident reference — never a patient's name, NHS number, date of birth or address. " +
			"Wherever a command takes a case, the incident reference works too: /hpp status INC-1042. " +
			"Settings such as harm=severe or next=3d can go anywhere in the line, even after your note; to keep an = in a note, write it with a space (BP 90/60). " +
			"Lengths of time: 90min, 36h, 3d, 2w, 2wd (working days) or 1mo. /hpp help <command> tells you more about one command.",
	}
}

// helpOrder keeps the help list in the order people meet the commands.
func helpOrder(name string) int {
	order := []string{"open", "contact", "plan", "candour", "family", "lead", "involve", "snooze", "close", "reopen", "correct", "strike",
		"status", "list", "timeline", "export", "prompt", "lens", "commitments", "checkin", "support", "wellbeing", "report", "service"}
	for i, n := range order {
		if n == name {
			return i
		}
	}
	return len(order)
}

func (h *Handler) unknownCommand(name string) bot.Reply {
	best, bestD := "", 3
	for n := range h.cmds {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	text := fmt.Sprintf("I don't know the command %q.", truncate(name, 30))
	if best != "" {
		text += fmt.Sprintf(" Did you mean /hpp %s? That one %s.", best, h.cmds[best].summary)
	}
	reply := h.helpOverview()
	reply.Text = text + "\n\n" + reply.Text
	return reply
}

// usageHint is the one-line usage of a command, for error messages.
func usageHint(name string) string {
	return fmt.Sprintf("Type /hpp help %s to see how it works.", name)
}
