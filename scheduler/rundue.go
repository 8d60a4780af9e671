package scheduler

import (
	"context"
	"fmt"
	"time"

	"hppbot/pathway"
)

// RunDue runs everything that falls due up to until, in order, moving the
// clock to each moment it is delivered: the console's :advance. The digest
// runs on each working morning passed.
func (s *Scheduler) RunDue(ctx context.Context, until time.Time, setClock func(time.Time)) error {
	cal := s.cfg.Policy.Calendar
	now := s.cfg.Clock()
	s.mu.Lock()
	if s.digested.IsZero() || s.digested.After(now) {
		s.digested = now
	}
	s.mu.Unlock()
	for guard := 0; guard < 100000; guard++ {
		next, ok, err := s.cfg.Store.NextDue(ctx)
		if err != nil {
			return err
		}
		var at time.Time
		if ok {
			if next.Before(now) {
				next = now
			}
			at = cal.NextWorkingStart(next)
		}
		digestAt := s.nextDigest()
		isDigest := !digestAt.After(until) && (at.IsZero() || !digestAt.After(at))
		if isDigest {
			at = digestAt
		}
		if at.IsZero() || at.After(until) {
			setClock(until)
			return s.drain(ctx)
		}
		if at.After(now) {
			setClock(at)
			now = at
		}
		if isDigest {
			s.mu.Lock()
			s.digested = at.Add(time.Minute)
			s.mu.Unlock()
			if err := s.Digest(ctx, at); err != nil {
				return err
			}
			if err := s.Weekly(ctx, at); err != nil {
				return err
			}
			continue
		}
		res, err := s.Tick(ctx, now)
		if err != nil {
			return err
		}
		// What the delivery queue holds and is ready by now goes too: a
		// send the platform refused for a moment is tried again as time
		// passes, as a server's background senders would.
		if err := s.drain(ctx); err != nil {
			return err
		}
		if res.Claimed == 0 {
			// Nothing could be claimed at this moment (a lease not yet run
			// out): step past it.
			now = now.Add(time.Minute)
			setClock(now)
		}
	}
	return fmt.Errorf("scheduler: too many reminders to run at once")
}

// nextDigest is the next digest time after the last one the console ran.
func (s *Scheduler) nextDigest() time.Time {
	s.mu.Lock()
	from := s.digested
	s.mu.Unlock()
	cal := s.cfg.Policy.Calendar
	d := pathway.Midnight(from, s.cfg.Policy.Location())
	for i := 0; i < 30; i++ {
		at := d.Add(s.cfg.Policy.DigestAt)
		if cal.IsWorkingDay(d) && !at.Before(from) {
			return at
		}
		d = d.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// drain sends what the delivery queue holds that is ready by now.
func (s *Scheduler) drain(ctx context.Context) error {
	if s.outbox == nil {
		return nil
	}
	_, err := s.outbox.Drain(ctx)
	return err
}
