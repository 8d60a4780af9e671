package scheduler

import (
	"context"
	"fmt"
	"time"

	"hppbot/store"
)

// HandleJob registers the function that runs jobs of a kind.
func (s *Scheduler) HandleJob(kind string, fn JobFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[kind] = fn
}

// Schedule adds a one-off job: run it at j.At for j.Person. A job with the
// same id is moved.
func (s *Scheduler) Schedule(ctx context.Context, j store.Job) error {
	return s.cfg.Store.ScheduleJob(ctx, j)
}

// jobOccurrence names one run of a job, for the mark that stops a second run.
func jobOccurrence(j store.Job) string { return fmt.Sprintf("run:%d", j.At.Unix()) }

// runJob runs a claimed job once: a run already marked is only finished, a
// kind nobody handles is dropped, and a failed run waits to be tried again.
func (s *Scheduler) runJob(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	j := *it.job
	occ := jobOccurrence(j)
	if it.wasSent(occ) {
		s.finishJob(ctx, it.claim, j, occ)
		return 0, 0
	}
	s.mu.Lock()
	fn := s.jobs[j.Kind]
	s.mu.Unlock()
	if fn == nil {
		s.cfg.Log.Warn("no handler for a job; dropping it", "kind", j.Kind)
		_ = s.cfg.Store.Drop(ctx, it.claim)
		return 0, 0
	}
	if err := fn(ctx, j, now); err != nil {
		s.cfg.Log.Warn("job failed; will try again", "kind", j.Kind, "err", err)
		if u, final := finalFailure(err); final && j.Case != 0 && j.Person != "" {
			if c, err := s.cfg.Store.GetCase(ctx, j.Case); err == nil {
				s.cannotReach(ctx, c, j.Person, u, svcs, now)
			}
		}
		_ = s.cfg.Store.Release(ctx, it.claim, now.Add(s.cfg.Retry))
		return 0, 1
	}
	s.finishJob(ctx, it.claim, j, occ)
	return 1, 0
}

// finishJob marks a job's run sent and removes it; if Redis does not
// answer, that is kept and done before the next claim.
func (s *Scheduler) finishJob(ctx context.Context, cl store.Claim, j store.Job, occurrence string) {
	r := sendRecord{claim: cl, job: &j, occurrence: occurrence}
	if err := s.ack(ctx, r); isUnavailable(err) {
		s.cfg.Log.Warn("could not record a finished job; it is kept and recorded when the store answers", "kind", j.Kind, "err", cause(err))
		s.keep(r)
	}
}
