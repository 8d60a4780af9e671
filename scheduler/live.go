package scheduler

import (
	"context"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
)

// One live nudge per case and person: once a reminder has gone, the
// earlier reminder about the same case in the same chat is collapsed to
// one line without buttons ("Replaced by a newer reminder below."), so a
// named contact's chat holds one current nudge per case, not a stack. The
// newer one is posted first, so it still notifies.
//
// A bundle (one message about several cases) is collapsed only once none
// of its cases still has it as their live nudge: while any is still open
// there, it stays as it is, buttons and all. Escalation posts in a team
// channel are recorded (so taking one on can update it) but never
// collapsed.

// sent hears from the delivery queue where a message with live cases went.
func (s *Scheduler) sent(ctx context.Context, m delivery.Message, ref bot.MessageRef) {
	ctx, cancel := context.WithTimeout(ctx, updateWithin)
	defer cancel()
	replaced, err := s.cfg.Store.SetLive(ctx, ref, m.Live)
	if err != nil {
		s.cfg.Log.Warn("could not record where a reminder went; the earlier one stays as it is", "key", m.Key, "err", err)
		return
	}
	if m.Channel {
		return
	}
	u, ok := s.cfg.Messenger.(bot.Updater)
	if !ok {
		return
	}
	for _, old := range replaced {
		still, err := s.cfg.Store.LiveElsewhere(ctx, old)
		if err != nil || still {
			continue
		}
		// Updating twice says the same: harmless after a crash or on
		// another replica.
		if err := u.UpdateMessage(ctx, old, bot.Replaced); err != nil {
			s.cfg.Log.Info("could not collapse an earlier reminder; it stays as it is", "key", m.Key, "err", err)
		}
	}
}

// updateWithin bounds recording a sent message and collapsing the ones it
// replaces (one attempt each: a failure leaves the earlier one as it was).
const updateWithin = 20 * time.Second

// caseIDs is the cases of a bundle's parts.
func caseIDs(parts []*bundlePart) []int64 {
	ids := make([]int64, len(parts))
	for i, p := range parts {
		ids[i] = p.it.c.ID
	}
	return ids
}
