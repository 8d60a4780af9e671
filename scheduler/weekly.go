package scheduler

import (
	"context"
	"fmt"
	"sort"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// WeekViewFunc builds a service's weekly view for its pathway lead: the
// same function answers `list week` (handlers.WeekView).
type WeekViewFunc func(ctx context.Context, service string, now time.Time) (bot.Reply, error)

// weekMarkTTL keeps a week's mark past the end of the week.
const weekMarkTTL = 8 * 24 * time.Hour

// Weekly sends each service's pathway lead one private weekly view, on the
// first working morning of the week (a bank holiday Monday moves it to
// Tuesday), once per service per week across every replica. It does
// nothing without a WeekView, on another day, or for a service with no
// pathway lead.
func (s *Scheduler) Weekly(ctx context.Context, now time.Time) error {
	if s.cfg.WeekView == nil || !s.firstWorkingDayOfWeek(now) {
		return nil
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(svcs))
	for name, svc := range svcs {
		if svc.Lead != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	year, week := now.In(s.cfg.Policy.Location()).ISOWeek()
	for _, name := range names {
		key := fmt.Sprintf("weekly:%s:%d-W%02d", name, year, week)
		first, err := s.cfg.Store.MarkOnce(ctx, key, weekMarkTTL)
		if err != nil {
			return err
		}
		if !first {
			continue
		}
		reply, err := s.cfg.WeekView(ctx, name, now)
		if err == nil {
			err = s.deliver(ctx, message{to: svcs[name].Lead, reply: reply, key: key})
		}
		if err != nil {
			s.cfg.Log.Warn("weekly view not delivered; it is tried again at the next run", "service", name, "err", cause(err))
			_ = s.cfg.Store.ForgetMark(ctx, key)
		}
	}
	return nil
}

// firstWorkingDayOfWeek reports whether now falls on the first working day
// of its week (Monday to Sunday).
func (s *Scheduler) firstWorkingDayOfWeek(now time.Time) bool {
	cal := s.cfg.Policy.Calendar
	day := pathway.Midnight(now, s.cfg.Policy.Location())
	if !cal.IsWorkingDay(day) {
		return false
	}
	for d := day.AddDate(0, 0, -1); d.Weekday() != time.Sunday; d = d.AddDate(0, 0, -1) {
		if cal.IsWorkingDay(d) {
			return false
		}
	}
	return true
}
