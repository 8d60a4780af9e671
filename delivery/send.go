package delivery

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"hppbot/bot"
)

// sendTimeout bounds one call to a platform; the lease is longer.
const sendTimeout = 30 * time.Second

// recoveryWindow is how far before a send's in-flight mark the platform's
// history is searched for it (clocks differ a little).
const recoveryWindow = 2 * time.Minute

// maxSleep is the longest a background worker waits for a token while
// holding a message; a longer wait hands the message back.
const maxSleep = 2 * time.Second

// outcome is what became of one attempt.
type outcome int

const (
	outcomeSent    outcome = iota // the platform has it
	outcomeWaiting                // handed back to be tried later
	outcomeFailed                 // it will not go
)

// mode is how an attempt treats waiting and failure.
type mode int

const (
	modeBackground mode = iota // waits briefly for a token; a failure is retried later
	modeQuick                  // never waits: what would wait is left to the background
	modeSync                   // waits for tokens; a failure takes the message off the queue
)

// attempt tries to deliver one held message. It returns the platform's
// refusal when the message was handed back or failed because of one (nil
// when it only waits for the pacing).
func (q *Queue) attempt(ctx context.Context, h held, md mode) (outcome, error) {
	now := q.cfg.Clock()
	m := h.rec.message()
	platform := m.Platform()
	tooLate := !h.rec.NotAfter.IsZero() && now.After(h.rec.NotAfter)
	if !h.rec.InFlight.IsZero() {
		// A send began and its end is not known: asked first, even when
		// too late, as a message that went is not to be called lost.
		o, done, doubt := q.recover(ctx, h, tooLate)
		if done {
			return o, nil
		}
		// It did not go (or can't be known, and is counted so once): from
		// here it is a message like any other, handed back unmarked, but
		// one that may have gone is kept as such.
		h.rec.InFlight = time.Time{}
		h.rec.Doubt = h.rec.Doubt || doubt
	}
	if tooLate {
		return q.drop(ctx, h, "too late", ErrTooLate, "a message was no longer worth sending and was dropped; the next reminder replaces it")
	}
	for {
		wait, err := q.take(ctx, m.To, now)
		if err != nil {
			return q.later(ctx, h, now, "store", q.cfg.Backoff), nil
		}
		if wait == 0 {
			break
		}
		q.cfg.Metrics.Waited(platform)
		if md == modeQuick || (md == modeBackground && wait > maxSleep) {
			return q.later(ctx, h, now, "", wait), nil
		}
		if sleep(ctx, wait) != nil {
			return q.later(ctx, h, now, "", 0), nil
		}
		now = q.cfg.Clock()
	}
	if md != modeQuick && len(m.Reminds) > 0 && q.cfg.Wanted != nil {
		// It waited: what it reminds of may have been done meanwhile.
		// Asked here, as it is about to go, once a try (not on each hand-
		// back for the pacing); a reminder dropped leaves its token unused.
		if wanted, err := q.cfg.Wanted(ctx, m); err == nil && !wanted {
			return q.drop(ctx, h, "no longer due", ErrNoLongerDue, "a queued reminder was dropped: the case changed before it could go")
		}
	}
	// The mark goes before the platform is called: a crash from here on
	// leaves the message in doubt, not lost, and recovery knows to ask. It
	// renews the lease, so a send that starts late in it is not taken over
	// (and, on Teams, sent again) while under way.
	h.rec.InFlight = now
	h.rec.Attempts++
	if err := q.mark(ctx, h, now); err != nil {
		if !errors.Is(err, errLost) {
			q.cfg.Log.Warn("could not mark a message as being sent; it is tried again", "key", m.Key, "err", err)
		}
		return outcomeWaiting, nil
	}
	return q.send(ctx, h, md)
}

// drop takes h off the queue for good, for reason (counted), and tells
// Config.OnFailed with err; logged as said. One that may have gone already
// (Doubt: the platform can't say, and the person may have acted on it) is
// given up quietly: never said not to have gone.
func (q *Queue) drop(ctx context.Context, h held, reason string, err error, said string) (outcome, error) {
	platform := h.rec.platform()
	q.cfg.Metrics.Failed(platform, reason)
	if h.rec.Doubt {
		q.cfg.Log.Info("a message that may have gone before a crash is given up; it is not sent again", "key", h.rec.Key, "platform", platform, "reason", reason)
		q.finished(ctx, h, stateFailed, reason+"; it may have gone")
		return outcomeFailed, err
	}
	q.cfg.Log.Info(said, "key", h.rec.Key, "platform", platform, "queued", h.rec.Queued)
	q.fail(ctx, h, reason, err, true)
	return outcomeFailed, err
}

// send calls the platform for h, held and marked in flight, and records
// what it said.
func (q *Queue) send(ctx context.Context, h held, md mode) (outcome, error) {
	m := h.rec.message()
	platform := m.Platform()
	// A send under way finishes even if the replica is stopping.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	sctx, sent := bot.WithSent(sctx)
	err := q.cfg.Sender.SendKeyed(sctx, m.To, m.Channel, m.Key, m.Reply)
	cancel()
	if ref, ok := sent(); err == nil && ok && len(m.Live) > 0 && q.cfg.OnSent != nil {
		ref.To, ref.Channel = m.To, m.Channel
		q.cfg.OnSent(context.WithoutCancel(ctx), m, ref)
	}
	if err != nil && md == modeSync && !isFinal(err) && !isThrottled(err) {
		// The caller says who was told from this answer: what did not go
		// now is not left to go later.
		h.rec.InFlight = time.Time{}
		q.cfg.Metrics.Retried(platform, "withdrawn")
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		q.finished(rctx, h, stateFailed, "withdrawn: the sender tries again itself")
		return outcomeFailed, err
	}
	return q.settle(ctx, h, err, md), err
}

// isThrottled reports whether err is a 429: wait, then send.
func isThrottled(err error) bool {
	var later *bot.RetryLater
	return errors.As(err, &later) && later.Throttled
}

// isFinal reports whether err is a refusal for good.
func isFinal(err error) bool {
	_, final := bot.AsUndeliverable(err)
	return final
}

// settle records what the platform said to a send.
func (q *Queue) settle(ctx context.Context, h held, err error, md mode) outcome {
	m := h.rec.message()
	platform := m.Platform()
	now := q.cfg.Clock()
	// Finishing must not be cut short by a stopping replica: the platform
	// has answered, and what it said is recorded.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err == nil {
		q.cfg.Metrics.Sent(platform)
		q.finished(rctx, h, stateSent, "")
		return outcomeSent
	}
	var later *bot.RetryLater
	gone, final := bot.AsUndeliverable(err)
	switch {
	case errors.As(err, &later):
		// The platform answered, so nothing was posted.
		h.rec.InFlight = time.Time{}
		if later.Throttled {
			wait := later.After
			if wait <= 0 {
				wait = time.Second
			}
			if perr := q.pause(rctx, m.To, now, wait); perr != nil {
				q.cfg.Log.Warn("could not pause a conversation's sends", "err", perr)
			}
			return q.later(rctx, h, now, "throttled", wait)
		}
		return q.later(rctx, h, now, "unavailable", max(later.After, q.backoff(h.rec.Attempts)))
	case final:
		q.cfg.Metrics.Failed(platform, gone.Reason)
		h.rec.Refusal = &gone
		// A quick attempt's caller hears of it from Send itself.
		q.fail(rctx, h, gone.Reason, err, md != modeQuick)
		return outcomeFailed
	case errors.Is(err, bot.ErrNoRoute):
		// No chat platform is configured for it (yet): it waits, as the
		// platform may be configured, until it is too late.
		h.rec.InFlight = time.Time{}
		return q.later(rctx, h, now, "no_route", q.cfg.MaxBackoff)
	case errors.Is(err, bot.ErrNotReachable):
		h.rec.InFlight = time.Time{}
		q.tell(rctx, m, err)
		return q.later(rctx, h, now, "not_reachable", q.backoff(h.rec.Attempts))
	}
	// No answer, or one that can't be read: it may have gone. The mark
	// stays, so the next attempt asks first (or counts the doubt).
	q.cfg.Log.Info("a send had no clear answer; it is checked and tried again", "key", m.Key, "platform", platform, "err", err)
	return q.later(rctx, h, now, "unanswered", q.backoff(h.rec.Attempts))
}

// recover deals with a message found in flight: its sender died, or had no
// answer. done is false when it is to be sent, or, tooLate, dropped (and
// then not counted as sent again); doubt is true when it may have gone (the
// platform can't be asked).
func (q *Queue) recover(ctx context.Context, h held, tooLate bool) (o outcome, done, doubt bool) {
	m := h.rec.message()
	platform := m.Platform()
	found, err := q.cfg.Sender.Delivered(ctx, m.To, m.Channel, m.Key, h.rec.InFlight.Add(-recoveryWindow))
	switch {
	case errors.Is(err, bot.ErrCannotAsk):
		if tooLate {
			return 0, false, true
		}
		q.cfg.Metrics.Recovered(platform, "resent_in_doubt")
		q.cfg.Log.Info("a message may have gone before a crash and the platform can't be asked; sending it again", "key", m.Key, "platform", platform)
		return 0, false, true
	case err != nil && tooLate:
		// Past its time, and the platform can't say now: it is given up as
		// one that may have gone (attempt drops it, saying nothing of it),
		// rather than asked about for as long as its record is kept.
		q.cfg.Log.Info("could not ask the platform whether a message went, and it is too late to send; it is given up", "key", m.Key, "platform", platform, "err", err)
		return 0, false, true
	case err != nil:
		q.cfg.Log.Info("could not ask the platform whether a message went; asking again later", "key", m.Key, "platform", platform, "err", err)
		var later *bot.RetryLater
		if errors.As(err, &later) && later.Throttled {
			return q.later(ctx, h, q.cfg.Clock(), "throttled", max(later.After, time.Second)), true, false
		}
		return q.later(ctx, h, q.cfg.Clock(), "unanswered", q.backoff(h.rec.Attempts)), true, false
	case found:
		q.cfg.Metrics.Recovered(platform, "found")
		q.finished(ctx, h, stateSent, "")
		return outcomeSent, true, false
	}
	if !tooLate {
		q.cfg.Metrics.Recovered(platform, "resent")
	}
	return 0, false, false
}

// later hands h back to be tried after wait; why, if set, is counted as a
// retry.
func (q *Queue) later(ctx context.Context, h held, now time.Time, why string, wait time.Duration) outcome {
	if why != "" {
		q.cfg.Metrics.Retried(h.rec.platform(), why)
	}
	if err := q.update(context.WithoutCancel(ctx), h, now.Add(wait)); err != nil && !errors.Is(err, errLost) {
		q.cfg.Log.Warn("could not hand a message back; it is tried again when its lease runs out", "key", h.rec.Key, "err", err)
	}
	return outcomeWaiting
}

// fail takes a message that will not go off the queue, logs it, and, with
// tell, says so to Config.OnFailed.
func (q *Queue) fail(ctx context.Context, h held, reason string, err error, tell bool) {
	q.finished(ctx, h, stateFailed, reason)
	q.cfg.Log.Warn("a message will not be delivered", "key", h.rec.Key, "platform", h.rec.platform(), "reason", reason)
	if tell {
		q.tell(ctx, h.rec.message(), err)
	}
}

func (q *Queue) tell(ctx context.Context, m Message, err error) {
	if q.cfg.OnFailed != nil {
		q.cfg.OnFailed(ctx, m, err)
	}
}

// backoff is the wait after the nth attempt met an outage: doubling from
// Backoff to MaxBackoff, with a quarter of jitter either way.
func (q *Queue) backoff(attempts int) time.Duration {
	d := q.cfg.Backoff
	for i := 1; i < attempts && d < q.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, q.cfg.MaxBackoff)
	return d*3/4 + time.Duration(rand.Int64N(int64(d)/2+1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
