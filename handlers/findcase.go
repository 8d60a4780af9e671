package handlers

import (
	"context"
	"fmt"
	"strings"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// Finding a case by what the person has in hand. Wherever a command takes a
// case, the incident reference from the risk system works as well as the
// case id: it is looked up before the command runs, among the cases the
// person may see, and stands in for the case id when it names exactly one.
// Several: the person is asked which, with their ids. None: the same answer
// whether or not someone else's case has that reference, so a lookup never
// tells anyone a case exists that they may not see.
//
// A word that reads as a case id (HPP-12, hpp-12, 12) is a case id. When
// no case has that id and the word is only digits, it is looked up as a
// reference too (numberAsRef): some risk systems number incidents 48213.

// refStore finds cases by their incident reference.
type refStore interface {
	CasesByRef(ctx context.Context, ref string) ([]*pathway.Case, error)
}

// maxChoices bounds the cases offered as buttons when a reference names
// several; the message lists them all.
const maxChoices = 10

// maxButtonLine is the longest command line a button carries (Slack keeps
// a button's value to 2,000 characters).
const maxButtonLine = 2000

// takesCase reports whether a command's first word names a case: its usage
// says so ("status <case>", "prompt [topic|case]"). New commands that
// follow the usage convention find cases by reference with no more work.
func takesCase(usage string) bool {
	_, rest, _ := strings.Cut(usage, " ")
	first, _, _ := strings.Cut(rest, " ")
	return first == "<case>" || strings.Contains(first, "|case]") || strings.Contains(first, "[case|")
}

// findCase puts the case id in place of an incident reference in cmd's
// first word. It returns a reply instead when the reference names several
// cases the person may see.
func (h *Handler) findCase(ctx context.Context, req bot.Request, c *command, cmd Command, rest string) (Command, *bot.Reply, error) {
	if !c.findsCase || len(cmd.Args) == 0 {
		return cmd, nil, nil
	}
	word := cmd.Args[0]
	if _, err := pathway.ParseCaseID(word); err == nil {
		return cmd, nil, nil
	}
	optional := c.notCase != nil
	if !pathway.LooksLikeRef(word) || optional && c.notCase(word) {
		return cmd, nil, nil // the command says what is wrong, as before
	}
	cases, err := h.visibleByRef(ctx, req.Person, word)
	if err != nil {
		return cmd, nil, err
	}
	switch len(cases) {
	case 0:
		if optional {
			return cmd, nil, nil
		}
		return cmd, nil, pathway.Errorf(pathway.NotFound, "%q isn't a case id, and no case you can see has it as its incident reference. Case ids look like HPP-12 — /hpp list shows the cases you're on.", truncate(word, 50))
	case 1:
		args := append([]string(nil), cmd.Args...)
		args[0] = cases[0].Name()
		cmd.Args = args
		return cmd, nil, nil
	}
	r := h.whichCase(cmd.Name, rest, word, cases)
	return cmd, &r, nil
}

// visibleByRef returns the cases with reference ref that person may see,
// lowest id first.
func (h *Handler) visibleByRef(ctx context.Context, person, ref string) ([]*pathway.Case, error) {
	cases, err := h.Store.CasesByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	var svcs store.Services
	out := cases[:0]
	for _, c := range cases {
		if svcs == nil && !h.isAdmin(person) && !c.IsOn(person) && c.Service != "" {
			if svcs, err = h.Store.Services(ctx); err != nil {
				return nil, err
			}
		}
		if h.canAct(person, c, svcs) {
			out = append(out, c)
		}
	}
	return out, nil
}

// whichCase asks which of several cases with one reference was meant; each
// button runs the same command with that case's id.
func (h *Handler) whichCase(name, rest, ref string, cases []*pathway.Case) bot.Reply {
	lines := make([]string, 0, len(cases))
	var buttons []bot.Button
	for _, c := range cases {
		lines = append(lines, "• "+caseChoice(h, c))
		if len(buttons) < maxChoices {
			if line := withCaseID(name, rest, ref, c.Name()); len(line) <= maxButtonLine {
				buttons = append(buttons, bot.Button{Label: c.Name(), Command: line})
			}
		}
	}
	return bot.Reply{
		Text:     fmt.Sprintf("More than one case you can see has the incident reference %s. Which one did you mean?", cases[0].Ref),
		Sections: []bot.Section{{Text: strings.Join(lines, "\n")}},
		Note:     fmt.Sprintf("Nothing has been changed. Choose one, or type the command again with the case id, for example /hpp %s %s.", name, cases[0].Name()),
		Buttons:  buttons,
	}
}

// caseChoice is one line of a list to choose a case from.
func caseChoice(h *Handler, c *pathway.Case) string {
	parts := []string{"*" + c.Name() + "*", c.Ref}
	if c.Service != "" {
		parts = append(parts, c.Service)
	}
	if c.Harm != "" {
		parts = append(parts, c.Harm.Label())
	}
	parts = append(parts, "named contact "+bot.Mention(c.Lead), "opened "+h.day(c.Opened))
	if !c.IsOpen() {
		parts = append(parts, "closed")
	}
	line := strings.Join(parts, " · ")
	if c.Summary != "" {
		line += " — " + quote(c.Summary, 60)
	}
	return line
}

// withCaseID is the command line name+rest with the word ref (the first
// word that is exactly ref) replaced by id.
func withCaseID(name, rest, ref, id string) string {
	for _, t := range tokenize(rest) {
		if t.text == ref {
			return name + " " + rest[:t.start] + id + rest[t.end:]
		}
	}
	return name + " " + id
}

// numberAsRef looks up cmd's first word as a reference when it is only
// digits, so it was read as a case id that no case has. ok is false when
// it names no case the person may see: the "can't find" answer stands.
func (h *Handler) numberAsRef(ctx context.Context, req bot.Request, c *command, cmd Command, rest string) (Command, *bot.Reply, bool) {
	if !c.findsCase || len(cmd.Args) == 0 {
		return cmd, nil, false
	}
	word := cmd.Args[0]
	if strings.Trim(word, "0123456789") != "" || !pathway.LooksLikeRef(word) {
		return cmd, nil, false
	}
	cases, err := h.visibleByRef(ctx, req.Person, word)
	if err != nil || len(cases) == 0 {
		return cmd, nil, false
	}
	if len(cases) > 1 {
		r := h.whichCase(cmd.Name, rest, word, cases)
		return cmd, &r, true
	}
	args := append([]string(nil), cmd.Args...)
	args[0] = cases[0].Name()
	cmd.Args = args
	return cmd, nil, true
}
