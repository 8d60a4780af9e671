package store_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// seededScan is a store with n cases opened from start on, for the scans.
func seededScan(t *testing.T, n int) (*store.Store, time.Time) {
	t.Helper()
	st := storetest.New(t)
	p := reportPolicy(t)
	start := time.Date(2026, 6, 1, 10, 0, 0, 0, p.Location())
	seedCases(t, st, p, start, n)
	return st, start
}

// TestEachActiveMatchesCasesActive: reading a page at a time gives every
// case CasesActive gives, once each, with the timelines Timelines gives,
// whatever the page size (one case a partition, a few, more than there are).
func TestEachActiveMatchesCasesActive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, start := seededScan(t, 90)
	now := start.AddDate(0, 0, 100)
	for _, w := range []struct {
		name string
		from time.Time
		keep func(*pathway.Case) bool
	}{
		{"every case, from the start", start, nil},
		{"the last 30 days", now.AddDate(0, 0, -30), nil},
		{"maternity, the last 60 days", now.AddDate(0, 0, -60), func(c *pathway.Case) bool { return c.Service == "maternity" }},
	} {
		want, err := st.CasesActive(ctx, w.from, now, w.keep)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(want))
		wantCases := map[int64]*pathway.Case{}
		for i, c := range want {
			ids[i] = c.ID
			wantCases[c.ID] = c
		}
		wantTimelines, err := st.Timelines(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []int{1, 3, 1000} {
			gotCases := map[int64]*pathway.Case{}
			gotTimelines := map[int64][]pathway.Event{}
			pages := 0
			bad, badEntries, err := store.EachActivePaged(st, ctx, w.from, now, w.keep, page, func(cs []*pathway.Case, tl map[int64][]pathway.Event) {
				pages++
				for _, c := range cs {
					if gotCases[c.ID] != nil {
						t.Errorf("%s, page %d: case %d given twice", w.name, page, c.ID)
					}
					gotCases[c.ID] = c
					gotTimelines[c.ID] = tl[c.ID]
				}
			})
			if err != nil || bad != 0 || badEntries != 0 {
				t.Fatalf("%s, page %d: %d, %d, %v", w.name, page, bad, badEntries, err)
			}
			if !reflect.DeepEqual(gotCases, wantCases) || !reflect.DeepEqual(gotTimelines, wantTimelines) {
				t.Errorf("%s, page %d: %d cases in %d pages, want the %d CasesActive gives with their timelines", w.name, page, len(gotCases), pages, len(wantCases))
			}
			if page == 1 && len(want) > store.Partitions && pages < 2 {
				t.Errorf("%s: one case a partition came in %d page(s)", w.name, pages)
			}
		}
	}
}

// failingHook fails every command while on, as Redis would if it stopped
// answering.
type failingHook struct{ on atomic.Bool }

func (h *failingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.on.Load() {
			cmd.SetErr(errNotAnswering)
			return errNotAnswering
		}
		return next(ctx, cmd)
	}
}
func (h *failingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.on.Load() {
			for _, c := range cmds {
				c.SetErr(errNotAnswering)
			}
			return errNotAnswering
		}
		return next(ctx, cmds)
	}
}

var errNotAnswering = errors.New("i/o timeout")

// TestEachActiveStopsWhenRedisStopsAnswering: a scan that loses Redis part
// way (the next page is being read while the last is counted) ends with an
// Unavailable error, once, and counts no page after the failure.
func TestEachActiveStopsWhenRedisStopsAnswering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, start := seededScan(t, 90)
	rdb, ok := st.Client().(*redis.Client)
	if !ok {
		t.Skip("needs a plain Redis client to stop")
	}
	hook := &failingHook{}
	rdb.AddHook(hook)
	t.Cleanup(func() { hook.on.Store(false) })
	for _, after := range []int{1, 2} {
		hook.on.Store(false)
		pages := 0
		_, _, err := store.EachActivePaged(st, ctx, start, start.AddDate(0, 0, 100), nil, 1, func([]*pathway.Case, map[int64][]pathway.Event) {
			if pages++; pages == after {
				hook.on.Store(true)
			}
		})
		if pathway.ErrorCode(err) != pathway.Unavailable {
			t.Errorf("Redis gone after %d page(s): %v; want Unavailable", after, err)
		}
		if pages != after {
			t.Errorf("Redis gone after %d page(s): %d pages counted", after, pages)
		}
	}
}

// TestEachActiveRaisesFnsPanicToItsCaller: a panic in fn reaches
// EachActive's caller (whose recover turns a report's panic into a kind
// answer), and the scan beside it stops.
func TestEachActiveRaisesFnsPanicToItsCaller(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, start := seededScan(t, 40)
	pages := 0
	defer func() {
		if r := recover(); r != "counting went wrong" {
			t.Errorf("recovered %v; want fn's panic", r)
		}
		if pages != 1 {
			t.Errorf("fn ran %d times; want 1 (the scan stops)", pages)
		}
	}()
	store.EachActivePaged(st, ctx, start, start.AddDate(0, 0, 100), nil, 1, func([]*pathway.Case, map[int64][]pathway.Event) {
		pages++
		panic("counting went wrong")
	})
	t.Error("EachActive returned after fn panicked")
}

// TestEachActiveEndsUnavailableWhenItsTimeRunsOut: a report whose time
// runs out part way (its context ends) is told Redis did not answer in
// time, never "something went wrong".
func TestEachActiveEndsUnavailableWhenItsTimeRunsOut(t *testing.T) {
	t.Parallel()
	st, start := seededScan(t, 40)
	for _, after := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		pages := 0
		_, _, err := store.EachActivePaged(st, ctx, start, start.AddDate(0, 0, 100), nil, 1, func([]*pathway.Case, map[int64][]pathway.Event) {
			if pages++; pages == after {
				cancel()
			}
		})
		cancel()
		if pathway.ErrorCode(err) != pathway.Unavailable {
			t.Errorf("time out after %d page(s): %v (%s); want Unavailable", after, err, pathway.ErrorCode(err))
		}
		if pages != after {
			t.Errorf("time out after %d page(s): %d pages counted", after, pages)
		}
	}
}
