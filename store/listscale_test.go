package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// TestListOpenChoosesTheEarliestDeadlines holds a person's or a service's
// list to what reading every case would give: from each partition, the
// limit earliest by deadline (ties by id as text, as Redis orders them)
// among the chosen open cases, whichever way the script finds them — by
// looking up the sets' members (a few cases beside the partition's) or by
// walking the open index in deadline order (a set holding most of it). The
// count beside the list is of the same cases, with no limit.
func TestListOpenChoosesTheEarliestDeadlines(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	mon := at(t, "2026-01-12 10:00")
	rng := rand.New(rand.NewPCG(21, 8))
	const n = 480 // 30 a partition
	var all []*pathway.Case
	for i := 0; i < n; i++ {
		svc := "surgery" // most cases: a lead of a large service
		switch {
		case i%16 == 3:
			svc = "maternity" // a few
		case i%5 == 0:
			svc = "renal"
		}
		in := pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Service: svc, Lead: fmt.Sprintf("console:p%d", i%7)}
		c := create(t, st, p, mon.Add(time.Duration(rng.IntN(20*24))*time.Hour), in)
		if i%9 == 0 {
			c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", c.Lead, mon.AddDate(0, 1, 0)) })
		}
		all = append(all, c)
	}
	// What reading every case gives.
	want := func(f store.CaseFilter, limit int) (chosen []int64, count int) {
		per := map[int][]*pathway.Case{}
		for _, c := range all {
			if !c.IsOpen() {
				continue
			}
			in := f.All || slices.Contains(f.Services, c.Service)
			for _, person := range f.People {
				in = in || c.IsOn(person)
			}
			if !in || (!f.DueBefore.IsZero() && c.Deadline().Unix() > f.DueBefore.Unix()) {
				continue
			}
			count++
			pt := int(c.ID % store.Partitions)
			per[pt] = append(per[pt], c)
		}
		for _, cs := range per {
			slices.SortFunc(cs, func(a, b *pathway.Case) int {
				if d := a.Deadline().Unix() - b.Deadline().Unix(); d != 0 {
					return int(d)
				}
				return compareText(strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10))
			})
			for _, c := range cs[:min(limit, len(cs))] {
				chosen = append(chosen, c.ID)
			}
		}
		slices.Sort(chosen)
		return chosen, count
	}
	due := mon.AddDate(0, 0, 8)
	for _, f := range []store.CaseFilter{
		{Services: []string{"surgery"}},
		{Services: []string{"surgery"}, DueBefore: due},
		{Services: []string{"maternity"}},
		{Services: []string{"maternity"}, DueBefore: due},
		{Services: []string{"renal", "maternity"}},
		{Services: []string{"renal", "maternity"}, DueBefore: due},
		{People: []string{"console:p3"}, Services: []string{"surgery"}},
		{People: []string{"console:p3"}, DueBefore: due},
		{All: true, DueBefore: due},
		{People: []string{"console:sam"}},                 // the opener of every case: a set holding the whole open index
		{People: []string{"console:sam"}, DueBefore: due}, // and up to a time
		{People: []string{"console:nobody"}, Services: []string{"maternity"}, DueBefore: due},
	} {
		for _, limit := range []int{1, 4, 200} {
			f.Limit = limit
			got, err := st.ListOpen(ctx, f)
			if err != nil {
				t.Fatalf("ListOpen(%+v): %v", f, err)
			}
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			wantIDs, wantCount := want(f, limit)
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("ListOpen(%+v) chose %v, want %v", f, ids, wantIDs)
			}
			if n, err := st.CountOpenMatching(ctx, f); err != nil || n != int64(wantCount) {
				t.Errorf("CountOpenMatching(%+v) = %d, %v; want %d", f, n, err, wantCount)
			}
		}
	}
}

func compareText(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
