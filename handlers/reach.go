package handlers

import (
	"context"

	"hppbot/bot"
)

// reachStore forgets that someone could not be reached (the scheduler
// marks it when a platform refuses hppbot's messages to them for good, and
// tells their pathway lead once).
type reachStore interface {
	ClearUnreachable(ctx context.Context, person string) error
}

// inTouch clears the mark that person could not be reached: any command,
// button or form from them, on any surface, shows hppbot can reach them
// again, and a later failure is told again. Best effort: a failure here
// only means the pathway lead is not told again about a later one.
func (h *Handler) inTouch(ctx context.Context, req bot.Request) {
	if req.Person == "" || h.Store == nil {
		return
	}
	if err := h.Store.ClearUnreachable(ctx, req.Person); err != nil {
		h.Log.Debug("could not clear an unreachable mark", "err", err)
	}
}
