package scheduler

import (
	"context"
	"errors"
	"sync"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// sendRecord is a send that happened and is to be recorded in Redis: a
// case's reminders, or a job's run.
type sendRecord struct {
	claim      store.Claim
	c          *pathway.Case // nil for a job
	done       []pathway.Reminder
	events     []pathway.Event
	marks      []string
	now        time.Time
	notBefore  time.Time
	job        *store.Job
	occurrence string // the job's run
}

// maxAcksInFlight bounds the acknowledgements a tick has waiting at once.
const maxAcksInFlight = 256

// ackGroup is a tick's acknowledgements in flight. They are written in the
// background while the workers go on sending, so under load they travel to
// Redis together; the tick waits for all of them before it returns.
type ackGroup struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

func newAckGroup() *ackGroup { return &ackGroup{sem: make(chan struct{}, maxAcksInFlight)} }

// goAck runs fn in the background, waiting first while maxAcksInFlight are.
func (g *ackGroup) goAck(fn func()) {
	g.sem <- struct{}{}
	g.wg.Add(1)
	go func() {
		defer func() { <-g.sem; g.wg.Done() }()
		fn()
	}()
}

// wait returns when every acknowledgement started has finished.
func (g *ackGroup) wait() { g.wg.Wait() }

// acknowledge records what was sent on the case and sets its next time. If
// someone changed the case meanwhile, it reads it again and reapplies what is
// still current: a reminder answered in the meantime is not counted. If Redis
// does not answer, the record is kept and made before the next claim.
func (s *Scheduler) acknowledge(ctx context.Context, it *item, rec reminded, now, notBefore time.Time) {
	r := sendRecord{claim: it.claim, c: it.c, done: rec.done, events: rec.events, marks: rec.marks, now: now, notBefore: notBefore}
	it.acks.goAck(func() {
		if err := s.ack(ctx, r); isUnavailable(err) {
			s.cfg.Log.Warn("could not record a sent reminder; it is kept and recorded when the store answers", "case", it.c.Name(), "err", cause(err))
			s.keep(r)
		}
	})
}

// ack records one send. An Unavailable error means try again later; any
// other failure is logged here and the claim is left to run out.
func (s *Scheduler) ack(ctx context.Context, r sendRecord) error {
	if r.job != nil {
		err := s.cfg.Store.AckJob(ctx, r.claim, r.occurrence)
		if err != nil && !isUnavailable(err) {
			s.cfg.Log.Warn("could not finish a job", "kind", r.job.Kind, "err", cause(err))
		}
		return err
	}
	old := r.c
	for attempt := 0; attempt < 4; attempt++ {
		c := old.Clone()
		for _, rem := range r.done {
			c.MarkSent(rem, s.cfg.Policy, r.now)
		}
		err := s.cfg.Store.AckCase(ctx, r.claim, old, c, s.cfg.Policy, r.events, r.marks, r.notBefore)
		if err == nil || isUnavailable(err) {
			return err
		}
		if !errors.Is(err, store.ErrConflict) {
			s.cfg.Log.Warn("could not record a sent reminder; it is marked sent and will be tidied on the next claim", "case", old.Name(), "err", cause(err))
			return err
		}
		fresh, err := s.cfg.Store.GetCase(ctx, old.ID)
		if isUnavailable(err) {
			return err
		}
		if err != nil {
			s.cfg.Log.Warn("could not re-read a case after a conflict", "case", old.Name(), "err", cause(err))
			return err
		}
		old = fresh
	}
	s.cfg.Log.Warn("case kept changing while recording a reminder; it will be claimed again", "case", old.Name())
	return nil
}
