package scheduler

import (
	"context"
	"fmt"
	"time"

	"hppbot/bot"
)

// When no scheduler ran for a while in working hours — every replica was
// down, or none could reach Redis — reminders due in that time go out late,
// all at once, and people who relied on hppbot for a deadline then were not
// reminded on time. So the first tick after such a gap says so to each
// service's pathway lead (or, where a service has none, its team channel),
// once, with what to check.

// gapToTell is the least gap between ticks (every 30 seconds) that is told:
// long enough that a restart or a failover is not.
const gapToTell = 10 * time.Minute

// noticeGap records this tick and, after a gap of gapToTell or more that
// took in working time, tells who can check. It runs on the server's
// ticks, not the console's, which jump through time on purpose.
func (s *Scheduler) noticeGap(ctx context.Context, now time.Time) {
	prev, err := s.cfg.Store.Heartbeat(ctx, now)
	if err != nil || prev.IsZero() || now.Sub(prev) < gapToTell {
		return
	}
	cal := s.cfg.Policy.Calendar
	if !cal.NextWorkingStart(prev).Before(now) {
		s.cfg.Log.Info("no scheduler ran for a while, outside working hours; nothing was late", "from", prev, "to", now)
		return
	}
	s.cfg.Log.Warn("no scheduler ran for a while in working hours: reminders due then go out late; telling each service's pathway lead", "from", prev, "to", now)
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		s.cfg.Log.Warn("could not tell anyone that reminders were late", "err", cause(err))
		return
	}
	told := map[string]bool{}
	for _, svc := range svcs {
		to, channel := svc.Lead, false
		if to == "" {
			to, channel = svc.Channel, true
		}
		if to == "" || told[to] {
			continue
		}
		told[to] = true
		m := message{to: to, channel: channel, reply: s.gapNotice(prev, now), key: fmt.Sprintf("gap:%d:%s", prev.UnixMilli(), to)}
		if err := s.deliver(ctx, m); err != nil {
			s.cfg.Log.Warn("could not tell a service that reminders were late", "err", cause(err))
		}
	}
}

// gapNotice says hppbot was not working from prev to now, and what to do.
func (s *Scheduler) gapNotice(prev, now time.Time) bot.Reply {
	return bot.Reply{
		Text: fmt.Sprintf("hppbot wasn't working %s (%s), so reminders that fell due in that time are only going out now, and some may arrive together.", s.span(prev, now), gapLength(now.Sub(prev))),
		Note: fmt.Sprintf("If anyone was relying on hppbot for a contact with a family or a %s step in that time, please check your service's cases today: /hpp list overdue shows what is waiting.", s.cfg.Policy.Candour.Name),
	}
}

// span says when a gap was: "between 09:30 and 11:30 on Wed 25 Nov 2026",
// or, across days, "from Wed 25 Nov 2026, 16:00 to Thu 26 Nov 2026, 10:00".
func (s *Scheduler) span(from, to time.Time) string {
	loc := s.cfg.Policy.Location()
	if s.day(from) == s.day(to) {
		return fmt.Sprintf("between %s and %s on %s", from.In(loc).Format("15:04"), to.In(loc).Format("15:04"), s.day(from))
	}
	return fmt.Sprintf("from %s to %s", s.when(from), s.when(to))
}

// gapLength says how long a gap was, in the largest whole unit that reads
// well: "45 minutes", "about 3 hours", "about 2 days".
func gapLength(d time.Duration) string {
	switch {
	case d < 90*time.Minute:
		return plural(int(d.Round(time.Minute)/time.Minute), "minute", "minutes")
	case d < 36*time.Hour:
		return "about " + plural(int(d.Round(time.Hour)/time.Hour), "hour", "hours")
	}
	return "about " + plural(int(d.Round(24*time.Hour)/(24*time.Hour)), "day", "days")
}
