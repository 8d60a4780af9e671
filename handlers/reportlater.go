package handlers

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// A report reads every case its window can hold. Over a few thousand cases
// that takes longer than a person should wait with nothing on screen (and
// past Slack's three seconds for a large trust), so the report answers at
// once and sends its figures to the person when they are ready.

// reportAtOnceMax is the most cases in the store for which a report is
// worked out while the person waits; with more, it answers at once and the
// figures follow.
const reportAtOnceMax = 5000

// reportLaterTimeout bounds working out figures after the answer: time
// for a million cases on a busy two-core machine.
const reportLaterTimeout = 10 * time.Minute

// reportsAtOnce is how many reports are worked out after their answer at
// the same time; more wait their turn, so fifty leads asking at once on
// Monday morning take turns rather than each slowing all the others (and
// the scheduler and everyone's commands with them).
const reportsAtOnce = 2

// caseCounter says how many cases the store holds, open or closed.
type caseCounter interface {
	CountCases(ctx context.Context) (int64, error)
}

// reportTakesLong reports whether a report should answer at once and send
// its figures later. When the count can't be read, the report is worked
// out while the person waits, as before (and meets the same error).
func (h *Handler) reportTakesLong(ctx context.Context) bool {
	limit := int64(reportAtOnceMax)
	if h.atOnceMax > 0 {
		limit = int64(h.atOnceMax)
	}
	n, err := h.Store.CountCases(ctx)
	return err == nil && n > limit
}

// workingOn is the answer while the figures are worked out.
func workingOn(req bot.Request) bot.Reply {
	where := "to you in a direct message"
	if req.Personal {
		where = "here"
	}
	return bot.Reply{Text: fmt.Sprintf("Working on it — there are many cases to count, so I'll send the figures %s in a moment. You can carry on with anything else meanwhile.", where)}
}

// later works out a reply after the command has answered and sends it to
// the person who asked. A failure is sent as the same kind words the
// command would have answered with; a defect is logged, never shown.
func (h *Handler) later(ctx context.Context, req bot.Request, name string, work func(ctx context.Context) (bot.Reply, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reportLaterTimeout)
	h.background.Go(func() {
		defer cancel()
		start := time.Now()
		reply, err := func() (reply bot.Reply, err error) {
			select {
			case h.reportSlots <- struct{}{}:
				defer func() { <-h.reportSlots }()
			case <-ctx.Done():
				return bot.Reply{}, pathway.Errorf(pathway.Unavailable, "waiting for a turn: %v", ctx.Err())
			}
			defer func() {
				if r := recover(); r != nil {
					h.Log.Error("command panicked", "command", name, "panic", fmt.Sprintf("%T", r), "stack", string(debug.Stack()))
					err = pathway.Errorf(pathway.Internal, "panic (%T)", r)
				}
			}()
			return work(ctx)
		}()
		outcome := "ok"
		if err != nil {
			outcome = string(pathway.ErrorCode(err))
			reply = h.errorReply(name, err)
		}
		if h.Observe != nil {
			h.Observe(name+" (figures sent after)", outcome, time.Since(start))
		}
		if err := h.Messenger.SendDirect(ctx, req.Person, reply); err != nil {
			h.Log.Warn("figures not delivered", "command", name, "err", err)
		}
	})
}

// Wait returns once every reply still being worked out after its command
// answered (a large report's figures) has been sent.
func (h *Handler) Wait() { h.background.Wait() }
