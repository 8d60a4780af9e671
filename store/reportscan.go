package store

import (
	"context"
	"time"

	"hppbot/pathway"
)

// A report over many cases reads them a page at a time with their
// timelines and keeps only what it counts (report.Tally): the process's
// memory stays the same whether a service has a thousand cases or a
// hundred thousand.

// scanPage is how many case ids EachActive reads from each partition per
// round trip: with 16 partitions, at most 1,600 cases and their timelines
// are held at once.
const scanPage = 100

// EachActive calls fn with the cases that were open at some time in
// [from, to) (as CasesActive) and keep accepts, a page at a time, with
// their timelines (oldest event first). fn must not keep the page. It says
// how many cases and how many timeline entries could not be read and were
// left out (see unreadable.go).
func (s *Store) EachActive(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, fn func(cases []*pathway.Case, timelines map[int64][]pathway.Event)) (badCases, badEntries int, err error) {
	return s.eachActive(ctx, from, to, keep, scanPage, fn)
}

func (s *Store) eachActive(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, page int, fn func(cases []*pathway.Case, timelines map[int64][]pathway.Event)) (badCases, badEntries int, err error) {
	active := func(c *pathway.Case) bool {
		if !c.IsOpen() && c.Closed.Before(from) {
			return false
		}
		return keep == nil || keep(c)
	}
	// Two steps at once: while one page's timelines are read and counted
	// here, the next page of cases is read and decoded beside it, so Redis
	// and the decoding overlap rather than take turns. fn is called here, a
	// page at a time, in order; at most three pages are held.
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan []*pathway.Case, 1)
	var scanned int // the cases the scan could not read
	var scanErr error
	var scanPanic any // the scan's panic, raised again here
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(pages)
		defer func() { scanPanic = recover() }()
		scanned, scanErr = s.scanOpened(ctx, time.Time{}, to, active, page, func(cases []*pathway.Case) error {
			select {
			case pages <- cases:
				return nil
			case <-ctx.Done():
				return unavailable(ctx.Err())
			}
		})
	}()
	// However this returns (an error, fn's panic), the scan stops first.
	defer func() {
		cancel()
		for range pages {
		}
		<-done
	}()
	for cases := range pages {
		ids := make([]int64, len(cases))
		for i, c := range cases {
			ids[i] = c.ID
		}
		timelines, bad, err := s.TimelinesCounted(ctx, ids)
		if err != nil {
			return 0, 0, err
		}
		badEntries += bad
		fn(cases, timelines)
	}
	<-done
	if scanPanic != nil {
		panic(scanPanic)
	}
	if scanErr != nil {
		return 0, 0, scanErr
	}
	return scanned, badEntries, nil
}

// EachOpened calls fn with the cases opened in [from, to) (a zero end is
// open) that keep accepts, a page at a time (as EachActive, without
// timelines). fn must not keep the page. It says how many cases could not
// be read and were left out.
func (s *Store) EachOpened(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, fn func(cases []*pathway.Case)) (unreadable int, err error) {
	return s.scanOpened(ctx, from, to, keep, scanPage, func(cases []*pathway.Case) error {
		fn(cases)
		return nil
	})
}

// CountCases returns how many cases the store holds, open or closed (not
// purged): one round trip.
func (s *Store) CountCases(ctx context.Context) (int64, error) {
	return s.countAcross(ctx, s.allKey)
}
