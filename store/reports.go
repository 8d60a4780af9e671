package store

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// Reads for the learning reports. A report looks at many cases at once, so
// these page through the per-partition "all" index (case id scored by the
// time it was opened) and read cases and timelines in pipelines: a few round
// trips for thousands of cases, never one per case.

// reportPage is how many case ids are read from each partition per round trip.
const reportPage = 500

// timelineBatch is how many timelines are read per pipeline: one script
// call per partition, about 100 cases each.
const timelineBatch = 1600

// CasesOpened returns the cases opened in [from, to) that keep accepts (nil
// keeps every case). A zero from or to leaves that end open. The first
// round trip reads a page of ids from each partition; each later one reads
// the cases behind the previous page together with the next page of ids.
func (s *Store) CasesOpened(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool) ([]*pathway.Case, error) {
	cases, _, err := s.casesOpened(ctx, from, to, keep, reportPage)
	return cases, err
}

// CasesOpenedCounted is CasesOpened that also says how many cases could not
// be read and were set aside (see unreadable.go): a report names them.
func (s *Store) CasesOpenedCounted(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool) (cases []*pathway.Case, unreadable int, err error) {
	return s.casesOpened(ctx, from, to, keep, reportPage)
}

func (s *Store) casesOpened(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, pageSize int) (out []*pathway.Case, unreadable int, err error) {
	unreadable, err = s.scanOpened(ctx, from, to, keep, pageSize, func(cases []*pathway.Case) error {
		out = append(out, cases...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, unreadable, nil
}

// scanOpened reads the cases opened in [from, to) that keep accepts and
// hands them to emit one round trip's worth at a time, in the order of the
// pages read (each partition's cases by time opened, the partitions in
// turn). It keeps none of them itself. An error from emit stops the scan.
func (s *Store) scanOpened(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, pageSize int, emit func([]*pathway.Case) error) (unreadable int, err error) {
	// The index scores whole seconds, so the range is widened to the
	// seconds that hold from and to, and each case's own time decides: a
	// case opened earlier in the second a report runs is counted.
	lo := strconv.FormatInt(from.Unix(), 10)
	if outer := keep; !from.IsZero() || !to.IsZero() {
		keep = func(c *pathway.Case) bool {
			if (!from.IsZero() && c.Opened.Before(from)) || (!to.IsZero() && !c.Opened.Before(to)) {
				return false
			}
			return outer == nil || outer(c)
		}
	}
	// Pages are read by rank, from the first case opened at or after from:
	// reading by score with an offset would make Redis step over every
	// case already read, for every page (at a million cases, most of a
	// report's time).
	ranks := make([]int64, Partitions)
	if !from.IsZero() {
		pipe := s.rdb.Pipeline()
		before := make([]*redis.IntCmd, Partitions)
		for pt := range before {
			before[pt] = pipe.ZCount(ctx, s.allKey(pt), "-inf", "("+lo)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, unavailable(err)
		}
		for pt, c := range before {
			ranks[pt] = c.Val()
		}
	}
	last := math.Inf(1)
	if !to.IsZero() {
		last = float64(to.Unix())
	}
	pending := make([]bool, Partitions) // partitions with more ids to read
	for pt := range pending {
		pending[pt] = true
	}
	ids := make([][]string, Partitions) // ids read but whose cases are not yet fetched
	for {
		pipe := s.rdb.Pipeline()
		pages := make([]*redis.ZSliceCmd, Partitions)
		gets := make([]*redis.SliceCmd, Partitions)
		work := false
		for pt := 0; pt < Partitions; pt++ {
			if len(ids[pt]) > 0 {
				keys := make([]string, len(ids[pt]))
				for i, id := range ids[pt] {
					keys[i] = s.part(pt) + "case:" + id
				}
				gets[pt] = pipe.MGet(ctx, keys...)
				work = true
			}
			if pending[pt] {
				pages[pt] = pipe.ZRangeWithScores(ctx, s.allKey(pt), ranks[pt], ranks[pt]+int64(pageSize)-1)
				work = true
			}
		}
		if !work {
			return unreadable, nil
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return 0, unavailable(err)
		}
		var out []*pathway.Case
		for pt := 0; pt < Partitions; pt++ {
			if gets[pt] != nil {
				for i, v := range gets[pt].Val() {
					data, ok := v.(string)
					if !ok {
						continue // removed since it was indexed
					}
					id, _ := strconv.ParseInt(ids[pt][i], 10, 64)
					c, ok := s.readCase(ctx, id, []byte(data))
					if !ok {
						unreadable++
						continue
					}
					if keep == nil || keep(c) {
						out = append(out, c)
					}
				}
				ids[pt] = nil
			}
			if pages[pt] != nil {
				page := pages[pt].Val()
				ranks[pt] += int64(len(page))
				pending[pt] = len(page) == pageSize
				ids[pt] = make([]string, 0, len(page))
				for _, z := range page {
					if z.Score > last {
						pending[pt] = false
						break
					}
					member, _ := z.Member.(string)
					ids[pt] = append(ids[pt], member)
				}
			}

		}
		if len(out) > 0 {
			if err := emit(out); err != nil {
				return unreadable, err
			}
		}
	}
}

// CasesActive returns the cases that were open at some time in [from, to):
// opened before to, and still open or closed at or after from — the cases
// whose timelines can hold events in the window. keep filters them further.
func (s *Store) CasesActive(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool) ([]*pathway.Case, error) {
	cases, _, err := s.CasesActiveCounted(ctx, from, to, keep)
	return cases, err
}

// CasesActiveCounted is CasesActive that also says how many cases could not
// be read and were set aside. A case that cannot be read cannot be placed
// in time, so every one the read meets is counted.
func (s *Store) CasesActiveCounted(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool) ([]*pathway.Case, int, error) {
	return s.CasesOpenedCounted(ctx, time.Time{}, to, func(c *pathway.Case) bool {
		if !c.IsOpen() && c.Closed.Before(from) {
			return false
		}
		return keep == nil || keep(c)
	})
}

// Timelines reads the timelines of several cases, oldest event first, in
// pipelines of timelineBatch cases.
func (s *Store) Timelines(ctx context.Context, ids []int64) (map[int64][]pathway.Event, error) {
	out, _, err := s.TimelinesCounted(ctx, ids)
	return out, err
}

// TimelinesCounted is Timelines that also says how many entries could not
// be read and were left out (see unreadable.go): a report names them.
func (s *Store) TimelinesCounted(ctx context.Context, ids []int64) (map[int64][]pathway.Event, int, error) {
	out := make(map[int64][]pathway.Event, len(ids))
	unreadable := 0
	for start := 0; start < len(ids); start += timelineBatch {
		batch := ids[start:min(start+timelineBatch, len(ids))]
		n, err := s.timelines(ctx, batch, out, true)
		if err != nil {
			return nil, 0, err
		}
		unreadable += n
	}
	return out, unreadable, nil
}

func (s *Store) timelines(ctx context.Context, ids []int64, out map[int64][]pathway.Event, retry bool) (unreadable int, err error) {
	byPart := make([][]any, Partitions)
	for _, id := range ids {
		pt := partition(id)
		byPart[pt] = append(byPart[pt], id)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.Cmd, Partitions)
	for pt, part := range byPart {
		if len(part) > 0 {
			cmds[pt] = timelinesScript.EvalSha(ctx, pipe, []string{s.timelineKey(pt), s.streamKey(pt)}, part...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		if retry && isNoScript(err) {
			if err := timelinesScript.Load(ctx, s.rdb).Err(); err != nil {
				return 0, unavailable(err)
			}
			return s.timelines(ctx, ids, out, false)
		}
		return 0, unavailable(err)
	}
	for pt, part := range byPart {
		if cmds[pt] == nil {
			continue
		}
		res, err := cmds[pt].Slice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return 0, unavailable(err)
		}
		for i, v := range part {
			id := v.(int64)
			var entries []any
			if i < len(res) {
				entries, _ = res[i].([]any)
			}
			events, n := s.decodeEntries(ctx, id, entries)
			out[id] = events
			unreadable += n
		}
	}
	return unreadable, nil
}

// Check-in participation. The check-ins write, for each service (or "none")
// and calendar month, the set of people invited to a check-in and the set
// who answered one:
//
//	<prefix>wb:part:<service>:<yyyy-mm>:invited
//	<prefix>wb:part:<service>:<yyyy-mm>:answered
//
// Reports read only how many distinct people are in them, never who.

func (s *Store) participationKey(service, month, which string) string {
	return s.prefix + "wb:part:" + service + ":" + month + ":" + which
}

// CheckinParticipation counts the distinct people invited to check-ins in a
// service, and those who answered one, over the calendar months (in from's
// time zone) that overlap [from, to).
func (s *Store) CheckinParticipation(ctx context.Context, service string, from, to time.Time) (invited, answered int, err error) {
	return s.CheckinParticipationIn(ctx, []string{service}, from, to)
}

// CheckinParticipationIn is CheckinParticipation over several services,
// counting each person once. The month sets carry no hash tag, so on a
// Redis Cluster they live in different slots: they are read with pipelined
// SMEMBERS and joined here rather than with SUNION.
func (s *Store) CheckinParticipationIn(ctx context.Context, services []string, from, to time.Time) (invited, answered int, err error) {
	months := Months(from, to)
	if len(services) == 0 || len(months) == 0 {
		return 0, 0, nil
	}
	pipe := s.rdb.Pipeline()
	var inv, ans []*redis.StringSliceCmd
	for _, svc := range services {
		if svc == "" {
			svc = "none"
		}
		for _, m := range months {
			inv = append(inv, pipe.SMembers(ctx, s.participationKey(svc, m, "invited")))
			ans = append(ans, pipe.SMembers(ctx, s.participationKey(svc, m, "answered")))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, unavailable(err)
	}
	count := func(cmds []*redis.StringSliceCmd) int {
		seen := map[string]struct{}{}
		for _, c := range cmds {
			for _, person := range c.Val() {
				seen[person] = struct{}{}
			}
		}
		return len(seen)
	}
	return count(inv), count(ans), nil
}

// Months lists the calendar months (yyyy-mm, in from's time zone) that
// overlap [from, to).
func Months(from, to time.Time) []string {
	if from.IsZero() || !to.After(from) {
		return nil
	}
	loc := from.Location()
	end := to.In(loc)
	y, m, _ := from.Date()
	var out []string
	for t := time.Date(y, m, 1, 0, 0, 0, 0, loc); t.Before(end) && len(out) < 240; t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}
