package scheduler

import (
	"context"
	"time"
)

// Result says what a tick did.
type Result struct {
	Claimed  int
	Sent     int // reminders and jobs delivered
	Failed   int // sends that will be retried
	Deferred bool
}

// Tick claims what is due at now and delivers it. Outside working hours it
// claims nothing: the items wait, deferred, for the next working period.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (Result, error) {
	if s.stopping.Load() {
		return Result{}, nil
	}
	// What went out while Redis was not answering is recorded first, so
	// it can't be claimed and sent again.
	if err := s.recordUnrecorded(ctx); err != nil {
		return Result{}, err
	}
	if !s.cfg.Policy.Calendar.InWorkingHours(now) {
		return Result{Deferred: true}, s.countDeferred(ctx, now)
	}
	s.cfg.Metrics.Deferred(0)
	claims, err := s.claim(ctx, now)
	res := Result{Claimed: len(claims)}
	if err != nil || len(claims) == 0 {
		return res, err
	}
	work, svcs, err := s.prepare(ctx, claims, now)
	if err != nil {
		s.releaseAll(claims, now)
		return res, err
	}
	s.cfg.Metrics.Reminders("due", len(work))
	s.reportLag(work, now)
	res.Sent, res.Failed = s.sendAll(ctx, work, svcs, now)
	s.countOutcomes(res)
	return res, nil
}

// countDeferred tells the metrics how many due items wait for working hours.
func (s *Scheduler) countDeferred(ctx context.Context, now time.Time) error {
	n, err := s.cfg.Store.CountDue(ctx, now)
	if err != nil {
		return err
	}
	s.cfg.Metrics.Deferred(int(n))
	return nil
}

// reportLag tells the metrics how late the oldest item of the tick is,
// counted from when it could first have gone: waiting for working hours is
// policy, not lag.
func (s *Scheduler) reportLag(work []*item, now time.Time) {
	var oldest time.Time
	for _, it := range work {
		for _, due := range it.dues() {
			if oldest.IsZero() || due.Before(oldest) {
				oldest = due
			}
		}
	}
	if oldest.IsZero() {
		return
	}
	if from := s.cfg.Policy.Calendar.NextWorkingStart(oldest); now.After(from) {
		s.cfg.Metrics.Lag(now.Sub(from))
	} else {
		s.cfg.Metrics.Lag(0)
	}
}

// countOutcomes tells the metrics what the tick's sends came to.
func (s *Scheduler) countOutcomes(res Result) {
	if res.Sent > 0 {
		s.cfg.Metrics.Reminders("sent", res.Sent)
	}
	if res.Failed > 0 {
		s.cfg.Metrics.Reminders("failed", res.Failed)
	}
}
