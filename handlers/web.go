package handlers

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
)

// The web view: /hpp web sends a private one-time link to the read-only
// pages (package web), and the pages read cases through Read and
// LearningFigures below — the commands' own code, so a page says what chat
// says and refuses what chat refuses.

// SignInLink makes a private one-time link to the web pages for a person:
// the address and when it stops working. Nil: the pages are off.
type SignInLink func(ctx context.Context, person string) (link string, expires time.Time, err error)

// WebOn reports whether the web pages are on (HPP_PUBLIC_URL is set), so
// a surface offers the button that sends a link only then.
func (h *Handler) WebOn() bool { return h.SignInLink != nil }

func (h *Handler) webCommand() *command {
	return &command{
		name:    "web",
		grammar: grammar{},
		run:     func(ctx context.Context, req bot.Request, _ Command) (bot.Reply, error) { return h.web(ctx, req) },
		noArgs:  h.web,
		usage:   "web",
		summary: "a private link to your cases in the browser (read-only)",
		group:   "views",
		help: "Sends you a private link to the web view: your cases, a case's whole timeline and its candour record, and, for pathway leads and admins, the service overview and the learning report — the same as in chat, on a bigger screen.\n" +
			"The link is only for you, works once, and only for 10 minutes; it signs you in on the browser you open it in. Don't forward it.",
	}
}

func (h *Handler) web(ctx context.Context, req bot.Request) (bot.Reply, error) {
	if h.SignInLink == nil {
		text := "The web view isn't switched on here yet — please ask an hppbot admin if it would help you. Until then, /hpp list shows your cases and /hpp status <case> shows one in full."
		if h.isAdmin(req.Person) {
			text += " As an admin: set HPP_PUBLIC_URL to the address people reach hppbot at, over https (docs/operations.md says how)."
		}
		return bot.Reply{Text: text}, nil
	}
	link, expires, err := h.SignInLink(ctx, req.Person)
	if err != nil {
		return bot.Reply{}, err
	}
	mins := int(expires.Sub(h.Clock()).Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	return bot.Reply{
		Text:     "Here is your private link to the web view: " + link,
		Sections: []bot.Section{{Text: fmt.Sprintf("It works once, for the next %s, and only for you — it signs you in on the browser you open it in. Please don't forward it. If it has run out, /hpp web gives you a new one.", plural(mins, "minute", "minutes"))}},
		Note:     "The pages are read-only: to change a case, use the commands here as usual.",
	}, nil
}

// readable are the commands Read runs: the ones that only show what is
// recorded.
var readable = map[string]bool{"status": true, "timeline": true, "export": true, "report": true}

// Read runs a read-only command line (status, timeline, export or report)
// for the web pages, as person: the command's own code, with the same rule
// for who may see what. A case is named by its id. The whole timeline is
// one page. It is not counted as a chat command. A refusal is a
// pathway.Forbidden error, a case that does not exist pathway.NotFound.
func (h *Handler) Read(ctx context.Context, person, line string) (reply bot.Reply, err error) {
	name, rest := commandWord(line)
	defer func() {
		if r := recover(); r != nil {
			h.Log.Error("web read panicked", "command", name, "panic", fmt.Sprintf("%T", r), "stack", string(debug.Stack()))
			reply, err = bot.Reply{}, pathway.Errorf(pathway.Internal, "panic (%T)", r)
		}
	}()
	c, ok := h.cmds[name]
	if !ok || !readable[name] {
		return bot.Reply{}, pathway.Errorf(pathway.Internal, "%q is not a read the web pages may run", name)
	}
	cmd, err := parse(name, rest, c.grammar, "web")
	if err != nil {
		return bot.Reply{}, err
	}
	req := bot.Request{Person: person, Surface: "web", Text: line}
	if name == "timeline" {
		if len(cmd.Args) == 0 {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which case?")
		}
		return h.timelineOf(ctx, req, cmd.Args[0], 1, wholeTimeline)
	}
	return c.run(ctx, req, cmd)
}

// wholeTimeline is a page size no timeline reaches: the web page shows
// every event at once.
const wholeTimeline = 1 << 30

// LearningFigures are a learning report's figures as the report command
// computes them, for a chart drawn in another format (the web page's SVG).
func (h *Handler) LearningFigures(ctx context.Context, person, service string, days int) (f report.Figures, label string, err error) {
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return report.Figures{}, "", err
	}
	scope, err := h.scopeFor(person, service, svcs)
	if err != nil {
		return report.Figures{}, "", err
	}
	now := h.Clock()
	from := pathway.Midnight(now, h.Policy.Location()).AddDate(0, 0, -days)
	f, _, _, _, _, err = h.windowFigures(ctx, scope, from, now)
	return f, scope.label(), err
}
