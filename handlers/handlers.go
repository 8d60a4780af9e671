// Package handlers turns a command line from any surface into a reply:
// platform-neutral bot.Request in, bot.Reply out. It holds the grammar parser,
// one file per command family, and the rules for who may do what.
//
// It never logs what people typed: only the command name and the outcome.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/prompts"
	"hppbot/store"
)

// Store is what handlers needs from storage: the small interfaces declared
// beside the commands that use them. *store.Store is the one in use.
type Store interface {
	caseStore
	nameStore
	serviceStore
	reportStore
	personStore
	checkinStore
	jobStore
	talkStore
	purgeStore
	refStore
	reachStore
	awayStore
}

// nameStore gives the cache of people's display names: remembered as they
// use hppbot, looked up for exports.
type nameStore interface {
	Names() *store.Names
}

// Config wires a Handler.
type Config struct {
	Store     Store
	Policy    *pathway.Policy
	Messenger bot.Messenger // for messages to other people (handovers, escalations)
	// Outbox queues what a job sends on its own (check-ins), to be paced
	// and sent once; nil: sent straight through Messenger.
	Outbox Outbox
	// Admins may set up services and see every case. Entries are person ids
	// or a platform's own ids ("U123", "sam").
	Admins []string
	// EveryoneAdmin makes everyone an admin: the console with no HPP_ADMINS.
	EveryoneAdmin bool
	Clock         func() time.Time
	Log           *slog.Logger
	// Observe, when set, is told each command's name, outcome and duration.
	Observe func(command, outcome string, took time.Duration)
	// Prompts is the conversation-prompt library; nil means the built-in cards.
	Prompts *prompts.Library
	// SignInLink makes /hpp web's private link to the web pages; nil: the
	// pages are off, and /hpp web says so kindly.
	SignInLink SignInLink
}

// Handler answers commands.
type Handler struct {
	Config
	names *store.Names
	cmds  map[string]*command
	// background is the replies worked out after their command answered
	// (see reportlater.go).
	background  sync.WaitGroup
	reportSlots chan struct{} // reports being worked out after their answer
	atOnceMax   int           // tests: reportAtOnceMax when 0
}

// command is one command word and how to run it.
type command struct {
	name    string
	grammar grammar
	run     func(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error)
	usage   string // the command with its arguments
	summary string // one line
	help    string // more detail, with examples
	group   string // for the help list
	noArgs  func(ctx context.Context, req bot.Request) (bot.Reply, error)
	// findsCase: the first word names a case, by id or incident reference
	// (set from usage; see takesCase). notCase, when set, makes the case
	// optional: a first word it takes (a prompt topic) is left alone.
	findsCase bool
	notCase   func(word string) bool
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Messenger == nil {
		cfg.Messenger = bot.Router{}
	}
	if cfg.Prompts == nil {
		lib, err := prompts.Load("")
		if err != nil {
			// The built-in cards are tested; this cannot happen in a built binary.
			cfg.Log.Error("built-in prompts did not load", "err", err)
		}
		cfg.Prompts = lib
	}
	h := &Handler{Config: cfg, cmds: map[string]*command{}, reportSlots: make(chan struct{}, reportsAtOnce)}
	if cfg.Store != nil {
		h.names = cfg.Store.Names()
	}
	for _, c := range h.caseCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.correctionCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.viewCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.serviceCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.guidanceCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.learningCommands() {
		h.cmds[c.name] = c
	}
	for _, c := range h.wellbeingCommands() {
		h.cmds[c.name] = c
	}
	h.cmds["take"] = h.takeCommand()
	h.cmds["purge"] = h.purgeCommand()
	h.cmds["web"] = h.webCommand()
	h.cmds["away"] = h.awayCommand()
	h.cmds["help"] = h.helpCommand()
	for _, c := range h.cmds {
		c.findsCase = takesCase(c.usage)
	}
	return h
}

// Handle answers one command. It never panics on input: a defect is logged
// and the person gets a kind message saying nothing was changed.
func (h *Handler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	reply, _ := h.Run(ctx, req)
	return reply
}

// Run is Handle that also returns the error an error reply stands for (nil
// when the command worked), so a surface can show a form's mistake on the
// field it belongs to.
func (h *Handler) Run(ctx context.Context, req bot.Request) (reply bot.Reply, err error) {
	ctx, afterAnswer := h.withAfter(ctx)
	defer afterAnswer()
	start := time.Now()
	name, rest := commandWord(req.Text)
	outcome := "ok"
	defer func() {
		if r := recover(); r != nil {
			// The panic's value could hold what was typed: log its type and
			// where it happened, never the value.
			h.Log.Error("command panicked", "command", commandLabel(name, h.cmds), "panic", fmt.Sprintf("%T", r), "stack", string(debug.Stack()))
			outcome = "internal"
			err = pathway.Errorf(pathway.Internal, "panic (%T)", r)
			reply = bot.Reply{Text: pathway.ErrorMessage(err)}
		}
		if h.Observe != nil {
			h.Observe(commandLabel(name, h.cmds), outcome, time.Since(start))
		}
	}()
	if req.Name != "" && h.names != nil {
		h.names.Remember(ctx, req.Person, req.Name)
	}
	h.inTouch(ctx, req)
	if len(req.Text) > MaxLine {
		outcome = string(pathway.Invalid)
		err = pathway.Errorf(pathway.Invalid, "That message is too long for me to read. Please keep commands under 4,000 characters — a short note is enough; the full story belongs in your risk system.")
		return bot.Reply{Text: pathway.ErrorMessage(err)}, err
	}
	if name == "" {
		return h.helpOverview(), nil
	}
	c, ok := h.cmds[name]
	if !ok {
		outcome = "unknown"
		return h.unknownCommand(name), nil
	}
	if strings.TrimSpace(rest) == "" && c.noArgs != nil {
		reply, err = c.noArgs(ctx, req)
	} else {
		var cmd Command
		cmd, err = parse(name, rest, c.grammar, req.Surface)
		var ask *bot.Reply
		if err == nil {
			cmd, ask, err = h.findCase(ctx, req, c, cmd, rest)
		}
		if ask != nil {
			return *ask, nil
		}
		if err == nil {
			reply, err = c.run(ctx, req, cmd)
		}
		if pathway.ErrorCode(err) == pathway.NotFound {
			// A reference that is only digits reads as a case id; when no
			// case has that id, it may still be a reference.
			if byRef, ask, ok := h.numberAsRef(ctx, req, c, cmd, rest); ok {
				if ask != nil {
					return *ask, nil
				}
				reply, err = c.run(ctx, req, byRef)
			}
		}
	}
	if err != nil {
		outcome = string(pathway.ErrorCode(err))
		return h.errorReply(name, err), err
	}
	return reply, nil
}

func commandLabel(name string, cmds map[string]*command) string {
	if _, ok := cmds[name]; ok {
		return name
	}
	if name == "" {
		return "help"
	}
	return "unknown"
}

// errorReply turns an error into what the person sees. Internal errors are
// logged (without the command's text) and never shown.
func (h *Handler) errorReply(name string, err error) bot.Reply {
	code := pathway.ErrorCode(err)
	switch code {
	case pathway.Internal:
		h.Log.Error("command failed", "command", name, "err", err)
	case pathway.Unavailable:
		h.Log.Warn("store unavailable", "command", name, "err", errors.Unwrap(err))
		if readOnly[name] {
			return bot.Reply{Text: unavailableRead(name)}
		}
		// A write says nothing was saved, and only that: never the cause.
		return bot.Reply{Text: pathway.NothingSaved}
	}
	return bot.Reply{Text: pathway.ErrorMessage(err)}
}

// readOnly are the commands that only show what is recorded: when the
// records can't be reached, they say what they couldn't show and that
// nothing changed, not that nothing was saved.
var readOnly = map[string]bool{
	"status": true, "list": true, "timeline": true, "export": true, "report": true,
	"prompt": true, "lens": true, "commitments": true, "help": true, "support": true, "": true,
}

// unavailableRead is what a read says when the store did not answer.
func unavailableRead(name string) string {
	switch name {
	case "status":
		return "I couldn't show the case just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."
	case "timeline":
		return "I couldn't show the case's timeline just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."
	case "list":
		return "I couldn't show the list just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."
	}
	return pathway.NothingChanged
}

// isAdmin reports whether a person is an hppbot admin (pathway.Access).
func (h *Handler) isAdmin(person string) bool { return h.Access().IsAdmin(person) }

// canAct reports whether a person may read and change a case: the one rule
// in pathway.Access, which the web pages use too.
func (h *Handler) canAct(person string, c *pathway.Case, svcs store.Services) bool {
	return h.Access().MayAct(person, c, svcs[c.Service].Lead)
}

// Access is the rule deciding who may see and change a case, as this
// Handler applies it: other readers of cases (the web pages) use this one.
func (h *Handler) Access() pathway.Access {
	return pathway.Access{Admins: h.Admins, EveryoneAdmin: h.EveryoneAdmin}
}

func (h *Handler) refuseCase(c *pathway.Case, svcs store.Services) error {
	who := "its named contact, " + bot.Mention(c.Lead) + ","
	if lead := svcs[c.Service].Lead; lead != "" {
		who = "its named contact, " + bot.Mention(c.Lead) + ", or the " + c.Service + " pathway lead, " + bot.Mention(lead) + ","
	}
	return pathway.Errorf(pathway.Forbidden, "%s is only open to the people on it, its service's pathway lead and admins. If you need to be on it, ask %s to add you with /hpp involve %s and your name.", c.Name(), who, c.Name())
}

// maxAttempts bounds retries when two people change a case at once.
const maxAttempts = 5

// updateCase reads a case, checks the person may act on it, applies change
// and saves, retrying if someone else changed the case in between.
func (h *Handler) updateCase(ctx context.Context, req bot.Request, id int64, change func(c *pathway.Case, svcs store.Services) ([]pathway.Event, error)) (old, updated *pathway.Case, svcs store.Services, err error) {
	return h.updateCaseWith(ctx, req, id, change, nil)
}

// updateCaseWith is updateCase that writes the check-ins plan gives for the
// changed case in the same round trip as the case.
func (h *Handler) updateCaseWith(ctx context.Context, req bot.Request, id int64, change func(c *pathway.Case, svcs store.Services) ([]pathway.Event, error), plan func(c *pathway.Case) []*store.Checkins) (old, updated *pathway.Case, svcs store.Services, err error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		old, svcs, err = h.Store.GetCaseAndServices(ctx, id)
		if err != nil {
			return nil, nil, nil, err
		}
		if !h.canAct(req.Person, old, svcs) && !h.covers(ctx, req.Person, old) {
			return nil, nil, nil, h.refuseCase(old, svcs)
		}
		updated = old.Clone()
		events, err := change(updated, svcs)
		if err != nil {
			return nil, nil, nil, err
		}
		var plans []*store.Checkins
		if plan != nil {
			plans = plan(updated)
		}
		err = h.Store.SaveCaseWith(ctx, old, updated, h.Policy, events, plans)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		return old, updated, svcs, nil
	}
	return nil, nil, nil, pathway.Errorf(pathway.Conflict, "Several people are updating this case right now, so nothing was saved. Please try again in a moment.")
}

// readCase reads a case the person may see.
func (h *Handler) readCase(ctx context.Context, req bot.Request, arg string) (*pathway.Case, store.Services, error) {
	id, err := pathway.ParseCaseID(arg)
	if err != nil {
		return nil, nil, err
	}
	c, svcs, err := h.Store.GetCaseAndServices(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !h.canAct(req.Person, c, svcs) && !h.covers(ctx, req.Person, c) {
		return nil, nil, h.refuseCase(c, svcs)
	}
	return c, svcs, nil
}

// tell sends someone else a private message about a command that has
// already taken effect (a handover, a snooze, cover), through the delivery
// queue: paced within the platform's limits, tried again through a brief
// outage, sent once. It reports whether it went or is queued to go; a
// reply may say someone was told only when tell said so. A failure (it
// could not be queued, or the platform refused it for good) is logged,
// not shown.
func (h *Handler) tell(ctx context.Context, person string, r bot.Reply) bool {
	if person == "" {
		return false
	}
	if err := h.sendOwn(ctx, noticeKey("dm"), person, r); err != nil {
		h.Log.Warn("could not send a message", "to", person, "err", err)
		return false
	}
	return true
}

// Commands lists the command words, for surfaces that register them.
func (h *Handler) Commands() []string {
	out := make([]string, 0, len(h.cmds))
	for name := range h.cmds {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// HasCommand reports whether a word is a command.
func (h *Handler) HasCommand(word string) bool {
	_, ok := h.cmds[strings.ToLower(word)]
	return ok
}

// caseArg checks a command's first word is a case id.
func caseArg(cmd Command, usage string) (int64, error) {
	if len(cmd.Args) == 0 {
		return 0, pathway.Errorf(pathway.Invalid, "Which case? %s", usage)
	}
	return pathway.ParseCaseID(cmd.Args[0])
}

func uniq(list []string) []string {
	var out []string
	for _, v := range list {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
