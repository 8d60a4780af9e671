package scheduler

import (
	"context"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// PurgeBatch is the most closed cases one purge batch removes; a run takes
// batch after batch until none is due or PurgeBudget is spent, so a
// backlog (the first run after switching retention on) is worked through
// over a few nights without holding Redis for long.
const PurgeBatch = 200

// PurgeBudget bounds one night's purge run.
const PurgeBudget = 5 * time.Minute

// purgeSpec runs the purge nightly at 02:30 local time, out of the way of
// working hours and the morning digest.
const purgeSpec = "30 2 * * *"

// Purge removes the closed cases that have been kept the policy's
// closed_case_keep, in batches, and returns their audit lines. It logs one
// line per case: its id and dates, nothing of its content.
func (s *Scheduler) Purge(ctx context.Context, now time.Time) ([]store.PurgeRecord, error) {
	p := s.cfg.Policy
	var out []store.PurgeRecord
	for {
		recs, err := s.cfg.Store.Purge(ctx, p.PurgeCutoff(now), now, PurgeBatch, p.PurgeAuditTTL(now))
		for _, r := range recs {
			s.cfg.Log.Info("closed case purged after its retention", "case", pathway.CaseName(r.Case), "closed", r.Closed.Format(time.DateOnly))
		}
		out = append(out, recs...)
		if err != nil || len(recs) < PurgeBatch || ctx.Err() != nil {
			return out, err
		}
	}
}

// purge is the nightly run.
func (s *Scheduler) purge() {
	ctx, cancel := context.WithTimeout(context.Background(), PurgeBudget)
	defer cancel()
	if _, err := s.Purge(ctx, s.cfg.Clock()); err != nil {
		s.cfg.Log.Warn("purge of closed cases stopped; it carries on next night", "err", cause(err))
	}
}
