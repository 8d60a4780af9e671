package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// item is one claim being worked on.
type item struct {
	claim     store.Claim
	c         *pathway.Case // nil when the case is gone or the claim is a job
	reminders []pathway.Reminder
	job       *store.Job
	// unreadable: the case's or job's record could not be read; it is set
	// aside (left for later) and the rest of the tick carries on.
	unreadable bool
	sent       map[store.SentQuery]bool // the tick's "already sent?" answers
	acks       *ackGroup                // the tick's acknowledgements in flight
	// bundled are the person's other cases due in this tick, sent with
	// this one as one message (bundle.go).
	bundled []*item
	// aways is who of the tick's named contacts is away (cover.go).
	aways *awayBook
}

// claim takes up to s.cfg.Batch items due at now per partition, each under
// a lease held with this tick's own token.
func (s *Scheduler) claim(ctx context.Context, now time.Time) ([]store.Claim, error) {
	token := fmt.Sprintf("%s/%d", s.instance, s.seq.Add(1))
	claims, err := s.cfg.Store.ClaimDue(ctx, now, s.cfg.Lease, s.cfg.Batch, token)
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// prepare reads what the claims are about, works out what each owes at now,
// and asks the store in one go which of those were already sent.
func (s *Scheduler) prepare(ctx context.Context, claims []store.Claim, now time.Time) ([]*item, store.Services, error) {
	// The reads that don't depend on each other go at once: the tick sends
	// nothing until they are all in.
	var svcs store.Services
	var svcErr error
	var wg sync.WaitGroup
	wg.Go(func() { svcs, svcErr = s.cfg.Store.Services(ctx) })
	loaded, err := s.cfg.Store.Load(ctx, claims)
	wg.Wait()
	if err != nil {
		return nil, nil, err
	}
	if svcErr != nil {
		return nil, nil, svcErr
	}
	work := make([]*item, 0, len(claims))
	var queries []store.SentQuery
	for _, cl := range claims {
		it := s.newItem(cl, loaded, now)
		queries = append(queries, it.owed()...)
		work = append(work, it)
	}
	var book *awayBook
	wg.Go(func() { book = s.readAways(ctx, work) })
	sent, err := s.wasSent(ctx, queries)
	wg.Wait()
	if err != nil {
		return nil, nil, err
	}
	for _, it := range work {
		it.sent, it.aways = sent, book
	}
	return work, svcs, nil
}

// newItem is a claim with the case or job it is about, and the reminders
// the case owes at now.
func (s *Scheduler) newItem(cl store.Claim, loaded store.Claimed, now time.Time) *item {
	it := &item{claim: cl, unreadable: loaded.Unreadable[cl.Member]}
	if id, ok := cl.CaseID(); ok {
		it.c = loaded.Cases[id]
		if it.c != nil {
			it.reminders = it.c.Reminders(s.cfg.Policy, now)
		}
	} else if j, ok := loaded.Jobs[cl.JobID()]; ok {
		it.job = &j
	}
	return it
}

// owed is what the store is asked about this item: has each of its
// reminders, or its job's run, already been sent?
func (it *item) owed() []store.SentQuery {
	var qs []store.SentQuery
	for _, r := range it.reminders {
		qs = append(qs, it.sentQuery(r.Occurrence))
	}
	if it.job != nil {
		qs = append(qs, it.sentQuery(jobOccurrence(*it.job)))
	}
	return qs
}

// dues are when each thing the item owes fell due.
func (it *item) dues() []time.Time {
	var dues []time.Time
	for _, r := range it.reminders {
		dues = append(dues, r.Due)
	}
	if it.job != nil {
		dues = append(dues, it.job.At)
	}
	return dues
}

// sentQuery is how the store is asked whether occurrence of this claim went.
func (it *item) sentQuery(occurrence string) store.SentQuery {
	return store.SentQuery{Partition: it.claim.Partition, Member: it.claim.Member, Occurrence: occurrence}
}

// wasSent says whether occurrence of this claim was already sent, by
// another replica or by a run that crashed before acknowledging it.
func (it *item) wasSent(occurrence string) bool { return it.sent[it.sentQuery(occurrence)] }

// wasSent asks the store in one round trip which of qs were already sent,
// and keys each answer by its query so it is looked up, not counted out.
func (s *Scheduler) wasSent(ctx context.Context, qs []store.SentQuery) (map[store.SentQuery]bool, error) {
	answers, err := s.cfg.Store.WasSent(ctx, qs)
	if err != nil {
		return nil, err
	}
	if len(answers) != len(qs) {
		return nil, fmt.Errorf("scheduler: the store answered %d of %d sent queries", len(answers), len(qs))
	}
	sent := make(map[store.SentQuery]bool, len(qs))
	for i, q := range qs {
		sent[q] = answers[i]
	}
	return sent, nil
}

// releaseAll hands claims back, due at now. It uses its own context: the
// tick's may be the reason for stopping. A claim it can't release (Redis not
// answering) is claimed again when its lease runs out.
func (s *Scheduler) releaseAll(claims []store.Claim, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, cl := range claims {
		if err := s.cfg.Store.Release(ctx, cl, now); err != nil {
			s.cfg.Log.Warn("could not hand back a claim; it is claimed again when its lease runs out", "member", cl.Member, "err", cause(err))
			return
		}
	}
}
