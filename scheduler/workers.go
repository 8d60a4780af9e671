package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"hppbot/store"
)

// sendAll delivers the tick's work on the worker pool and returns how many
// messages went and how many failed, once every send and its
// acknowledgement has finished. Claims not reached because the scheduler is
// stopping (or the tick ran out of time) are handed back untouched.
func (s *Scheduler) sendAll(ctx context.Context, work []*item, svcs store.Services, now time.Time) (sent, failed int) {
	acks := newAckGroup()
	var sentN, failedN atomic.Int64
	skipped := s.runWorkers(ctx, bundle(work), func(it *item) {
		it.acks = acks
		ok, f := s.processBundle(ctx, it, svcs, now)
		sentN.Add(int64(ok))
		failedN.Add(int64(f))
	})
	acks.wait()
	if len(skipped) > 0 {
		s.releaseAll(skipped, now)
		s.cfg.Log.Info("stopping: claims not reached were handed back", "count", len(skipped))
	}
	return int(sentN.Load()), int(failedN.Load())
}

// runWorkers runs fn on each item, up to s.cfg.Workers at once, in the
// order given. Once Stop is called or ctx is done, the items not yet started
// are not run: their claims are returned instead.
func (s *Scheduler) runWorkers(ctx context.Context, work []*item, fn func(*item)) (skipped []store.Claim) {
	var wg sync.WaitGroup
	var skipMu sync.Mutex
	queue := make(chan *item)
	for w := 0; w < min(s.cfg.Workers, len(work)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				if s.stopping.Load() || ctx.Err() != nil {
					skipMu.Lock()
					skipped = append(skipped, it.claims()...)
					skipMu.Unlock()
					continue
				}
				fn(it)
			}
		}()
	}
	for _, it := range work {
		queue <- it
	}
	close(queue)
	wg.Wait()
	return skipped
}
