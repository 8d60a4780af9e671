package scheduler

import (
	"context"
	"sort"
	"time"

	"hppbot/pathway"
)

// Digest posts each service's overdue items to its channel, once a working
// day across every replica. A service with nothing overdue gets nothing.
func (s *Scheduler) Digest(ctx context.Context, now time.Time) error {
	p := s.cfg.Policy
	if !p.Calendar.IsWorkingDay(now) {
		return nil
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		return err
	}
	cases, err := s.cfg.Store.Overdue(ctx, now)
	if err != nil {
		return err
	}
	byService := map[string][]*pathway.Case{}
	for _, c := range cases {
		if c.Service != "" && svcs[c.Service].Channel != "" {
			byService[c.Service] = append(byService[c.Service], c)
		}
	}
	names := make([]string, 0, len(byService))
	for n := range byService {
		names = append(names, n)
	}
	sort.Strings(names)
	day := now.In(p.Location()).Format("2006-01-02")
	for _, name := range names {
		key := "digest:" + name + ":" + day
		first, err := s.cfg.Store.MarkOnce(ctx, key, 48*time.Hour)
		if err != nil {
			return err
		}
		if !first {
			continue
		}
		m := message{to: svcs[name].Channel, channel: true, reply: s.digestReply(name, byService[name], now), key: key}
		if err := s.deliver(ctx, m); err != nil {
			s.cfg.Log.Warn("digest not delivered", "service", name, "err", cause(err))
			_ = s.cfg.Store.ForgetMark(ctx, key)
		}
	}
	return nil
}
