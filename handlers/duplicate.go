package handlers

import (
	"context"
	"fmt"

	"hppbot/bot"
	"hppbot/pathway"
)

// No silent duplicates: opening a case for an incident reference that an
// open case in the same service already has asks first, and opens nothing
// until the person says again=yes (a button carries the same command line
// with it, so the console, Slack and Teams, typed or from a form, all ask
// and confirm the same way).

// alreadyOpen returns the question to ask when c's reference is already
// open in c's service, or nil when it is not.
func (h *Handler) alreadyOpen(ctx context.Context, req bot.Request, c *pathway.Case, cmd Command) (*bot.Reply, error) {
	cases, err := h.Store.CasesByRef(ctx, c.Ref)
	if err != nil {
		return nil, err
	}
	var same []*pathway.Case
	for _, o := range cases {
		if o.IsOpen() && o.Service == c.Service {
			same = append(same, o)
		}
	}
	if len(same) == 0 {
		return nil, nil
	}
	names := make([]string, len(same))
	for i, o := range same {
		names[i] = o.Name()
	}
	first := same[0]
	text := fmt.Sprintf("%s is already open as %s — open another case for it?", first.Ref, joinAnd(names))
	where := ""
	if c.Service != "" {
		where = " in " + c.Service
	}
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return nil, err
	}
	next := fmt.Sprintf("%s was opened%s on %s. If it's the same incident, carry on in %s: /hpp status %s. If it's a separate harm or another patient, open another case.", first.Name(), where, h.day(first.Opened), first.Name(), first.Name())
	if !h.canAct(req.Person, first, svcs) {
		// Someone not on the case learns its id, so the same incident isn't
		// opened twice, and nothing else of it.
		next = fmt.Sprintf("If it's the same incident, ask the people on %s to add you (/hpp involve %s and your name) rather than opening another. If it's a separate harm or another patient, open another case.", first.Name(), first.Name())
	}
	rest := withAgain(req.Text, cmd)
	buttons := []bot.Button{}
	if line := "open " + rest; len(line) <= maxButtonLine {
		buttons = append(buttons, bot.Button{Label: "Open another case", Command: line})
	}
	if h.canAct(req.Person, first, svcs) {
		buttons = append(buttons, bot.Button{Label: "Show " + first.Name(), Command: "status " + first.Name()})
	}
	return &bot.Reply{
		Text:     text,
		Sections: []bot.Section{{Text: next}},
		Note:     fmt.Sprintf("Nothing has been opened yet. To open another, press the button or add again=yes to the command: /hpp open %s again=yes …", c.Ref),
		Buttons:  buttons,
	}, nil
}

// withAgain is the open command's line after its word, with again=yes
// straight after the reference, where every version of the grammar reads
// it as an option.
func withAgain(line string, cmd Command) string {
	_, rest := commandWord(line)
	ref := ""
	if len(cmd.Args) > 0 {
		ref = cmd.Args[0]
	}
	for _, t := range tokenize(rest) {
		if t.text == ref {
			return rest[:t.end] + " again=yes" + rest[t.end:]
		}
	}
	return ref + " again=yes " + rest
}

func derefReply(r *bot.Reply) bot.Reply {
	if r == nil {
		return bot.Reply{}
	}
	return *r
}
