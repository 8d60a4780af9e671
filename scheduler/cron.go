package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"hppbot/pathway"
)

// Start runs the ticks, the digest, the weekly view and the nightly purge on
// cron until Stop.
func (s *Scheduler) Start() error {
	loc := s.cfg.Policy.Location()
	logger := cronLogger{s.cfg.Log}
	s.cron = cron.New(cron.WithLocation(loc), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := s.cron.AddFunc(fmt.Sprintf("@every %s", s.cfg.Every), func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Lease)
		defer cancel()
		s.tick(ctx)
	}); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(s.digestSpec(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Digest(ctx, s.cfg.Clock()); err != nil {
			s.cfg.Log.Warn("digest could not be sent", "err", cause(err))
		}
	}); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(s.digestSpec(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Weekly(ctx, s.cfg.Clock()); err != nil {
			s.cfg.Log.Warn("weekly views could not be sent", "err", cause(err))
		}
	}); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(purgeSpec, s.purge); err != nil {
		return err
	}
	s.cron.Start()
	if s.outbox != nil {
		s.outbox.Start()
	}
	return nil
}

// tick is one run of the cron: it skips while Redis does not answer,
// saying so once per outage, and says when it answers again.
func (s *Scheduler) tick(ctx context.Context) {
	if _, err := s.Tick(ctx, s.cfg.Clock()); err != nil {
		s.cfg.Metrics.TickError()
		if s.outage.Add(1) == 1 {
			s.cfg.Log.Warn("reminders paused: the store is not answering; what falls due waits and is caught up when it answers", "err", cause(err))
		}
		return
	}
	if n := s.outage.Swap(0); n > 0 {
		s.cfg.Log.Info("the store answers again; reminders are catching up", "ticks_skipped", n)
	}
	s.noticeGap(ctx, s.cfg.Clock())
	s.catchUp(ctx, s.cfg.Clock())
}

// catchUp sends today's digest and this week's view if their minute passed
// with no replica running (a deploy at 09:00, say): on the first tick in
// working hours after it, once a day per process. Each is marked once per
// service and day or week in Redis, so what went on time is not sent again.
// A try that fails is tried again on the next tick.
func (s *Scheduler) catchUp(ctx context.Context, now time.Time) {
	p := s.cfg.Policy
	loc := p.Location()
	day := now.In(loc).Format("2006-01-02")
	s.mu.Lock()
	done := s.caughtUp == day
	s.mu.Unlock()
	if done || !p.Calendar.IsWorkingDay(now) || !p.Calendar.InWorkingHours(now) || now.Before(pathway.Midnight(now, loc).Add(p.DigestAt)) {
		return
	}
	if err := s.Digest(ctx, now); err != nil {
		s.cfg.Log.Warn("digest could not be caught up; trying again on the next tick", "err", cause(err))
		return
	}
	if err := s.Weekly(ctx, now); err != nil {
		s.cfg.Log.Warn("weekly views could not be caught up; trying again on the next tick", "err", cause(err))
		return
	}
	s.mu.Lock()
	s.caughtUp = day
	s.mu.Unlock()
}

// Stop stops the cron and waits for a running tick: the sends in flight
// finish and are recorded, and the claims it had not reached are released
// so another replica can take them straight away. A sent reminder that
// could not be recorded (Redis not answering) is tried once more.
func (s *Scheduler) Stop() {
	s.stopping.Store(true)
	if s.cron != nil {
		<-s.cron.Stop().Done()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.recordUnrecorded(ctx); err != nil {
		s.cfg.Log.Error("stopping with sent reminders not recorded, because the store is not answering; they may be sent again", "count", s.unrecordedCount(), "err", cause(err))
	}
	if s.outbox != nil {
		s.outbox.Stop()
	}
}

// digestSpec is the cron line for the policy's digest time of day.
func (s *Scheduler) digestSpec() string {
	d := s.cfg.Policy.DigestAt
	return fmt.Sprintf("%d %d * * *", int(d/time.Minute)%60, int(d/time.Hour))
}

// cronLogger puts the cron library's own lines into the scheduler's log.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", cause(err))...)
}
