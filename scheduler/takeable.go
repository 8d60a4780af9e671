package scheduler

import (
	"hppbot/bot"
	"hppbot/pathway"
)

// escalationButtons are what the pathway lead can do about an escalation
// straight from it. Each carries the case id in its command line, and runs
// through the same guard and permission checks as the typed command.
func escalationButtons(c *pathway.Case) []bot.Button {
	return []bot.Button{
		{Label: "I'll take it", Command: "take " + c.Name(), Style: "primary"},
		{Label: "Hand to…", Command: "lead " + c.Name(), Form: bot.HandOverForm(c.Name())},
		// A working day, not a calendar one: on a Friday it is Monday.
		{Label: "Remind them tomorrow", Command: "snooze " + c.Name() + " 1wd"},
		{Label: "Status", Command: "status " + c.Name()},
	}
}
