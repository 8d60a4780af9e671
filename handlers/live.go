package handlers

import (
	"context"
	"fmt"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// liveStore keeps where the live nudge (or escalation post) about a case
// is in a chat (store.Store; see scheduler/live.go).
type liveStore interface {
	Live(ctx context.Context, to string, id int64) (bot.MessageRef, bool, error)
	LiveElsewhere(ctx context.Context, ref bot.MessageRef) (bool, error)
	DoneLive(ctx context.Context, to string, id int64) error
}

// updateWithin bounds changing sent messages from a command: it never
// holds the command's answer up for long.
const updateWithin = 10 * time.Second

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
// to say its contact was logged, by whom and when, without buttons. A
// bundle (one message about several cases) is changed only once none of
// its other cases is still open in it; until then it stays as it was.
// A failure is logged, never shown, and never stops the command.
func (h *Handler) markLogged(ctx context.Context, c *pathway.Case, by string, at time.Time, people ...string) {
	ls, u, ok := h.liveUpdates()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, updateWithin)
	defer cancel()
	when := at.In(h.Policy.Location()).Format("15:04")
	seen := map[string]bool{}
	for _, p := range people {
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		ref, found, err := ls.Live(ctx, p, c.ID)
		if err != nil || !found {
			continue
		}
		if err := ls.DoneLive(ctx, p, c.ID); err != nil {
			h.Log.Info("could not mark a reminder as done with", "case", c.Name(), "err", err)
			continue
		}
		text := fmt.Sprintf("*%s*: contact logged by %s at %s — thank you.", c.Name(), bot.Mention(by), when)
		if ref.Cases > 1 {
			still, err := ls.LiveElsewhere(ctx, ref)
			if err != nil || still {
				continue
			}
			text = fmt.Sprintf("*%s*: contact logged by %s at %s — thank you. The other cases in this reminder are logged too, or have a newer reminder.", c.Name(), bot.Mention(by), when)
		}
		if err := u.UpdateMessage(ctx, ref, bot.Reply{Text: text}); err != nil {
			h.Log.Info("could not change a reminder to say its contact was logged", "case", c.Name(), "err", err)
		}
	}
}
