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
// to say its contact was logged, by whom and when, without buttons.
func (h *Handler) markLogged(ctx context.Context, c *pathway.Case, by string, at time.Time, people ...string) {
	text := fmt.Sprintf("*%s*: contact logged by %s at %s — thank you.", c.Name(), bot.Mention(by), at.In(h.Policy.Location()).Format("15:04"))
	h.settleLive(ctx, c, text, people...)
}

// markHandedOn changes the former named contact's live reminder about c
// to say the case is with someone else now, without buttons, so an old
// button is not pressed for a case that has moved on.
func (h *Handler) markHandedOn(ctx context.Context, c *pathway.Case, from, to string) {
	if from == "" || from == to {
		return
	}
	h.settleLive(ctx, c, fmt.Sprintf("*%s* is with %s now, as its named contact — nothing more is needed from you here. Thank you.", c.Name(), bot.Mention(to)), from)
}

// settleLive changes the live reminder about c in each of people's chats
// to text, without buttons. A bundle (one message about several cases) is
// changed only once none of its other cases is still open in it; until
// then it stays as it was. A failure is logged, never shown, and never
// stops the command.
func (h *Handler) settleLive(ctx context.Context, c *pathway.Case, text string, people ...string) {
	ls, u, ok := h.liveUpdates()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, updateWithin)
	defer cancel()
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
