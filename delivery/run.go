package delivery

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Enqueue queues m unless its key is already known (queued, sent or
// failed); it reports whether it was new. Once it returns nil the message
// is Redis's to keep: it goes, or fails and is said to have failed.
func (q *Queue) Enqueue(ctx context.Context, m Message) (bool, error) {
	r, keepFor, err := q.newRecord(m)
	if err != nil {
		return false, err
	}
	added, err := q.enqueue(ctx, r, keepFor)
	if err == nil && added {
		q.nudge()
	}
	return added, err
}

// newRecord is m as queued now, and how long it is worth sending.
func (q *Queue) newRecord(m Message) (record, time.Duration, error) {
	if m.Key == "" {
		return record{}, 0, errors.New("delivery: a message needs a key")
	}
	now := q.cfg.Clock()
	notAfter := m.NotAfter
	if notAfter.IsZero() {
		notAfter = now.Add(q.cfg.KeepFor)
	}
	reply := m.Reply
	r := record{Key: m.Key, To: m.To, Channel: m.Channel, Reply: &reply, Case: m.Case, Live: m.Live, Reminds: m.Reminds, Queued: now, NotAfter: notAfter, State: stateQueued}
	return r, notAfter.Sub(now), nil
}

// nudge wakes the background sender: something was queued.
func (q *Queue) nudge() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Send queues m and tries it at once, without waiting for the pacing: what
// can go now goes in the caller's turn (so the console's transcript reads in
// order, and a quiet queue adds no delay); the rest is left to the
// background sender. It returns an error when m could not be queued, or
// when the platform refused it for good (a *bot.Undeliverable: now, or
// when the same key was queued before); nil means it went or is queued.
// A refusal for good found later, in the background, goes to
// Config.OnFailed.
//
// Queueing, the pacing's token and the in-flight mark are one round trip
// (begin); a message already past its NotAfter takes the general way
// through Enqueue, where the background sender drops it and says so.
func (q *Queue) Send(ctx context.Context, m Message) error {
	r, keepFor, err := q.newRecord(m)
	if err != nil {
		return err
	}
	if keepFor <= 0 {
		_, err := q.Enqueue(ctx, m)
		return err
	}
	h, wait, known, err := q.begin(ctx, r, m.Covers, keepFor, r.Queued)
	switch {
	case err != nil:
		return err
	case known:
		return q.refusal(ctx, m.Key)
	case wait > 0:
		q.cfg.Metrics.Waited(r.platform())
		q.nudge()
		return nil
	}
	if o, err := q.send(ctx, h, modeQuick); o == outcomeFailed && isFinal(err) {
		return err
	}
	return nil
}

// refusal is the platform's refusal for good of a key queued before, or
// nil.
func (q *Queue) refusal(ctx context.Context, key string) error {
	v, err := q.rdb().Get(ctx, q.keys.msg(key)).Result()
	if err != nil {
		return nil // gone, or unreadable now: nothing to say
	}
	r, err := decode(v)
	if err != nil || r.State != stateFailed || r.Refusal == nil {
		return nil
	}
	return r.Refusal
}

// SendNow queues m and delivers it before returning, waiting for the pacing
// (up to ctx's deadline): nil means the platform has it. A message that did
// not go is taken off the queue and its error returned, so a caller that
// says who was told can rely on the answer; the caller tries again itself.
// A key already known answers with what became of it.
//
// The message is queued held by this call when the pacing lets it go at
// once (begin), so the background sender, woken by anything queued, does
// not race it for its own message. One handed back to wait (for a token, or
// after a 429) may be taken by another worker or replica meanwhile: its
// record then says what became of it, and that is the answer.
func (q *Queue) SendNow(ctx context.Context, m Message) error {
	r, keepFor, err := q.newRecord(m)
	if err != nil {
		return err
	}
	if keepFor <= 0 {
		return ErrTooLate
	}
	h, wait, known, err := q.begin(ctx, r, nil, keepFor, r.Queued)
	switch {
	case err != nil:
		return err
	case known:
		return q.outcome(ctx, m.Key)
	case wait == 0:
		if done, answer := syncAnswer(q.send(ctx, h, modeSync)); done {
			return answer
		}
	}
	for {
		// Waiting for the pacing, or held by another worker.
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return q.giveUp(m.Key, err)
		}
		hs, err := q.claim(ctx, q.cfg.Clock(), 1, m.Key)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			// Not ready yet, or another worker has it: its record says
			// whether that is over.
			if over, answer := q.settled(ctx, m.Key); over {
				return answer
			}
			continue
		}
		if done, answer := syncAnswer(q.attempt(ctx, hs[0], modeSync)); done {
			return answer
		}
	}
}

// syncAnswer is SendNow's answer from an attempt's outcome; done is false
// while the message waits.
func syncAnswer(o outcome, err error) (done bool, answer error) {
	switch o {
	case outcomeSent:
		return true, nil
	case outcomeFailed:
		if err == nil {
			err = errWithdrawn
		}
		return true, err
	}
	return false, nil
}

// outcome is what became of a key queued before, as SendNow answers: nil
// when it went or is being sent by whoever queued it first, the platform's
// refusal or errWithdrawn when it did not go.
func (q *Queue) outcome(ctx context.Context, key string) error {
	st, err := q.State(ctx, key)
	if err != nil {
		return err
	}
	_, answer := q.answerFor(ctx, key, st)
	return answer
}

// settled reports whether the message under key is finished, and if so
// SendNow's answer: nil when it went.
func (q *Queue) settled(ctx context.Context, key string) (over bool, answer error) {
	st, err := q.State(ctx, key)
	if err != nil {
		return false, nil // asked again on the next turn
	}
	return q.answerFor(ctx, key, st)
}

// answerFor is SendNow's answer for a message in state st, and whether it
// is over (sent or failed).
func (q *Queue) answerFor(ctx context.Context, key, st string) (over bool, answer error) {
	switch st {
	case stateSent:
		return true, nil
	case stateFailed:
		if err := q.refusal(ctx, key); err != nil {
			return true, err
		}
		return true, errWithdrawn
	}
	return false, nil
}

// giveUp ends a SendNow whose time ran out (err): the message is taken off
// the queue unless another worker is sending it. Its record has the last
// word: a message that went meanwhile is nil, whatever the clock says.
func (q *Queue) giveUp(key string, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q.withdraw(ctx, key)
	if over, answer := q.settled(ctx, key); over {
		return answer
	}
	return err
}

// errWithdrawn is a message taken off the queue before it went.
var errWithdrawn = errors.New("delivery: the message did not go")

// withdraw takes a queued message that has not gone off the queue, whenever
// it is next due, unless another worker holds it (its lease not run out):
// that one's send is under way, and its record will say how it ended.
func (q *Queue) withdraw(ctx context.Context, key string) {
	hs, err := q.claimKey(ctx, q.cfg.Clock(), key, true)
	if err != nil {
		return
	}
	for _, h := range hs {
		q.finished(ctx, h, stateFailed, "withdrawn: the sender tries again itself")
	}
}

// Drain sends what is ready now, waiting for the pacing, until nothing is
// ready; it returns how many messages it tried. The console and tests use
// it; a server runs Start.
func (q *Queue) Drain(ctx context.Context) (int, error) {
	tried := 0
	for ctx.Err() == nil {
		hs, err := q.claim(ctx, q.cfg.Clock(), 64, "")
		if err != nil {
			return tried, err
		}
		if len(hs) == 0 {
			return tried, nil
		}
		for _, h := range hs {
			q.attempt(ctx, h, modeBackground)
			tried++
		}
	}
	return tried, ctx.Err()
}

// Start runs the background sender until Stop.
func (q *Queue) Start() {
	q.runMu.Lock()
	defer q.runMu.Unlock()
	if q.running {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	q.running, q.stop, q.done = true, cancel, make(chan struct{})
	go q.run(ctx)
}

// Stop ends the background sender: the sends in flight finish and are
// recorded; what was claimed and not started is handed back.
func (q *Queue) Stop() {
	q.runMu.Lock()
	if !q.running {
		q.runMu.Unlock()
		return
	}
	q.running = false
	cancel, done := q.stop, q.done
	q.runMu.Unlock()
	cancel()
	<-done
}

// run claims what is ready whenever a worker is free, and gives each
// worker one message at a time.
func (q *Queue) run(ctx context.Context) {
	defer close(q.done)
	work := make(chan held)
	var wg sync.WaitGroup
	for range q.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				if ctx.Err() != nil {
					q.handBack(h)
					continue
				}
				q.attempt(ctx, h, modeBackground)
			}
		}()
	}
	defer wg.Wait()
	defer close(work)
	failing := false
	for ctx.Err() == nil {
		hs, err := q.claim(ctx, q.cfg.Clock(), q.cfg.Workers, "")
		if err != nil {
			if !failing && ctx.Err() == nil {
				q.cfg.Log.Warn("the delivery queue can't reach the store; messages wait in it", "err", err)
			}
			failing = true
			q.idle(ctx, q.cfg.Backoff)
			continue
		}
		failing = false
		if len(hs) == 0 {
			q.idle(ctx, q.cfg.Poll)
			continue
		}
		for i, h := range hs {
			select {
			case work <- h:
			case <-ctx.Done():
				for _, rest := range hs[i:] {
					q.handBack(rest)
				}
				return
			}
		}
	}
}

// idle waits for d, or until a message is queued here.
func (q *Queue) idle(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-q.wake:
	case <-t.C:
	}
}

// handBack returns a claimed message that was not started, ready now.
func (q *Queue) handBack(h held) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.update(ctx, h, q.cfg.Clock()); err != nil && !errors.Is(err, errLost) {
		q.cfg.Log.Warn("could not hand a message back; it is tried again when its lease runs out", "key", h.rec.Key, "err", err)
	}
}
