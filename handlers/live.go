package handlers

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// liveStore keeps where the live nudge (or escalation post) about a case
// is in a chat (store.Store; see scheduler/live.go).
type liveStore interface {
	Live(ctx context.Context, to string, id int64) (bot.MessageRef, bool, error)
	Lives(ctx context.Context, people []string, id int64) (map[string]bot.MessageRef, error)
	LiveElsewhere(ctx context.Context, ref bot.MessageRef) (bool, error)
	DoneLive(ctx context.Context, to string, id int64) error
}

// updateWithin bounds changing the messages a command's effect makes
// out of date (afterAnswer).
const updateWithin = 10 * time.Second

// afterAnswer runs work once the command has answered, in the background:
// changing messages already sent asks the platform, which may take
// seconds, and that must never hold a clinician's answer up. A command's
// work runs in the order it was asked for, one piece after another; Wait
// returns once it has run (the console waits, so its transcript keeps one
// order). A failure in it is logged, never shown.
func (h *Handler) afterAnswer(ctx context.Context, what string, work func(ctx context.Context)) {
	if l, ok := ctx.Value(afterKey{}).(*afterList); ok {
		l.mu.Lock()
		l.work = append(l.work, afterWork{what, work})
		l.mu.Unlock()
		return
	}
	h.runAfter(ctx, []afterWork{{what, work}})
}

// afterKey holds a command's afterList in its context.
type afterKey struct{}

// afterList is the work a command asked to run after its answer.
type afterList struct {
	mu   sync.Mutex
	work []afterWork
}

type afterWork struct {
	what string
	work func(ctx context.Context)
}

// withAfter gives a command's context a list for afterAnswer, and returns
// what starts the list's work once the command has answered.
func (h *Handler) withAfter(ctx context.Context) (context.Context, func()) {
	l := &afterList{}
	return context.WithValue(ctx, afterKey{}, l), func() {
		l.mu.Lock()
		work := l.work
		l.work = nil
		l.mu.Unlock()
		if len(work) > 0 {
			h.runAfter(ctx, work)
		}
	}
}

// runAfter runs work, in order, in the background.
func (h *Handler) runAfter(ctx context.Context, work []afterWork) {
	ctx = context.WithoutCancel(ctx)
	h.background.Go(func() {
		for _, w := range work {
			func() {
				defer func() {
					if r := recover(); r != nil {
						h.Log.Error("work after a command's answer panicked", "what", w.what, "panic", fmt.Sprintf("%T", r))
					}
				}()
				ctx, cancel := context.WithTimeout(ctx, updateWithin)
				defer cancel()
				w.work(ctx)
			}()
		}
	})
}

// liveUpdates is where the handler can change a message it sent: the store
// knows where it is and the surface can update it. ok is false when
// either can't.
func (h *Handler) liveUpdates() (liveStore, bot.Updater, bool) {
	ls, ok := h.Store.(liveStore)
	if !ok {
		return nil, nil, false
	}
	u, ok := h.Messenger.(bot.Updater)
	return ls, u, ok
}

// markLogged changes the live reminder about c in each of people's chats
// to say its contact was logged, by whom and when, without buttons; and so
// too the ones others may hold about it (alsoHolding).
func (h *Handler) markLogged(ctx context.Context, old, c *pathway.Case, svcs store.Services, by string, at time.Time, people ...string) {
	ls, u, ok := h.liveUpdates()
	if !ok {
		return
	}
	text := fmt.Sprintf("*%s*: contact logged by %s at %s — thank you.", c.Name(), bot.Mention(by), at.In(h.Policy.Location()).Format("15:04"))
	h.afterAnswer(ctx, "settling reminders", func(ctx context.Context) {
		h.settle(ctx, ls, u, c, text, append(people, h.alsoHolding(ctx, c, svcs[c.Service].Lead, wasEscalated(old), people...)...))
	})
}

// wasEscalated says whether the pathway lead may have had a heads-up
// about old.
func wasEscalated(old *pathway.Case) bool { return old.Escalated || old.CandourEscalated }

// markHandedOn changes the former named contact's live reminder about c
// to say the case is with someone else now, without buttons, so an old
// button is not pressed for a case that has moved on; and so too the ones
// others may hold about it (alsoHolding). The new named contact's own
// (a pathway lead who took the case on) says so.
func (h *Handler) markHandedOn(ctx context.Context, old, c *pathway.Case, svcs store.Services, from, to string) {
	if from == "" || from == to {
		return
	}
	ls, u, ok := h.liveUpdates()
	if !ok {
		return
	}
	moved := fmt.Sprintf("*%s* is with %s now, as its named contact — nothing more is needed from you here. Thank you.", c.Name(), bot.Mention(to))
	h.afterAnswer(ctx, "settling reminders", func(ctx context.Context) {
		h.settle(ctx, ls, u, c, moved, append([]string{from}, h.alsoHolding(ctx, c, svcs[c.Service].Lead, wasEscalated(old), from, to)...))
		h.settle(ctx, ls, u, c, fmt.Sprintf("*%s*: you're its named contact now — its reminders come to you.", c.Name()), []string{to})
	})
}

// alsoHolding are the others who may hold a live reminder about c, apart
// from those named: whoever covers for the named contact (or for those
// named), and the service's pathway lead — when the case was escalated
// (their heads-up) or someone on it has time away (the nudges go to the
// lead with nobody free to cover). Who can't be read is left out: a
// message left as it was is better than a command that fails.
func (h *Handler) alsoHolding(ctx context.Context, c *pathway.Case, pathwayLead string, escalated bool, named ...string) []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(named, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	people := []string{c.Lead}
	for _, p := range named {
		if !slices.Contains(people, p) {
			people = append(people, p)
		}
	}
	aways, err := h.Store.Aways(ctx, people)
	if err != nil {
		aways = nil
	}
	if escalated || len(aways) > 0 {
		add(pathwayLead)
	}
	for _, p := range people {
		add(aways[p].Cover)
	}
	return out
}

// settle changes the live reminder about c in each of people's chats to
// text, without buttons. A bundle (one message about several cases) is
// changed only once none of its other cases is still open in it; until
// then it stays as it was. It runs after the command's answer
// (afterAnswer); a failure is logged, never shown, and never stops the
// command.
func (h *Handler) settle(ctx context.Context, ls liveStore, u bot.Updater, c *pathway.Case, text string, people []string) {
	var distinct []string
	for _, p := range people {
		if p != "" && !slices.Contains(distinct, p) {
			distinct = append(distinct, p)
		}
	}
	live, err := ls.Lives(ctx, distinct, c.ID)
	if err != nil {
		h.Log.Info("could not read which reminders about a case are live; they stay as they are", "case", c.Name(), "err", err)
		return
	}
	for _, p := range distinct {
		ref, found := live[p]
		if !found {
			continue
		}
		if err := ls.DoneLive(ctx, p, c.ID); err != nil {
			h.Log.Info("could not mark a reminder as done with", "case", c.Name(), "err", err)
			continue
		}
		say := text
		if ref.Cases > 1 {
			still, err := ls.LiveElsewhere(ctx, ref)
			if err != nil || still {
				continue
			}
			say += " The other cases in this reminder are done with too, or have a newer reminder."
		}
		if err := u.UpdateMessage(ctx, ref, bot.Reply{Text: say}); err != nil {
			h.Log.Info("could not change a reminder that is done with", "case", c.Name(), "err", err)
		}
	}
}
