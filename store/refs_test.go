package store_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

func caseIDs(cs []*pathway.Case) []int64 {
	out := make([]int64, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestCasesByRef(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	a := create(t, st, p, now, pathway.OpenInput{Ref: "INC-1", Service: "maternity"})
	b := create(t, st, p, now, pathway.OpenInput{Ref: "inc-1", Service: "emergency"})
	create(t, st, p, now, pathway.OpenInput{Ref: "INC-10", Service: "maternity"})
	closed := create(t, st, p, now, pathway.OpenInput{Ref: "W2", Service: "maternity"})
	apply(t, st, p, closed.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Close("", "console:sam", now.Add(time.Hour))
	})
	tests := []struct {
		ref  string
		want []int64
	}{
		{"INC-1", []int64{a.ID, b.ID}},
		{"Inc-1", []int64{a.ID, b.ID}},
		{" inc-1 ", []int64{a.ID, b.ID}},
		{"INC-10", []int64{3}},
		{"w2", []int64{closed.ID}}, // closed cases are found too
		{"INC-2", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := st.CasesByRef(ctx, tt.ref)
		if err != nil {
			t.Fatalf("CasesByRef(%q): %v", tt.ref, err)
		}
		if ids := caseIDs(got); !slices.Equal(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
			t.Errorf("CasesByRef(%q) = %v, want %v", tt.ref, ids, tt.want)
		}
	}
}

// A corrected reference is found at once, and the old one no longer finds
// the case: the index follows the case's Ref on every save.
func TestCasesByRefFollowsACorrectedRef(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	c := create(t, st, p, now, pathway.OpenInput{Ref: "INC-7"})
	old, err := st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	fixed := old.Clone()
	fixed.Ref = "INC-70"
	if err := st.SaveCase(ctx, old, fixed, p); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string][]int64{"INC-7": nil, "INC-70": {c.ID}} {
		got, err := st.CasesByRef(ctx, ref)
		if err != nil || !slices.Equal(caseIDs(got), want) && len(want)+len(got) > 0 {
			t.Errorf("after the correction CasesByRef(%q) = %v, %v; want %v", ref, caseIDs(got), err, want)
		}
	}
	if n, err := st.Client().SCard(ctx, partKey(st, c.ID, "incref:INC-7")).Result(); err != nil || n != 0 {
		t.Errorf("the old reference's set still holds %d ids (%v)", n, err)
	}
	// A change of case only (inc-70) keeps the case in the same set.
	old, _ = st.GetCase(ctx, c.ID)
	lower := old.Clone()
	lower.Ref = "inc-70"
	if err := st.SaveCase(ctx, old, lower, p); err != nil {
		t.Fatal(err)
	}
	if got, err := st.CasesByRef(ctx, "INC-70"); err != nil || !slices.Equal(caseIDs(got), []int64{c.ID}) {
		t.Errorf("after inc-70, CasesByRef(INC-70) = %v, %v", caseIDs(got), err)
	}
}

// Cases written before the index existed are found: the first lookup
// indexes each partition not yet marked, and marks it.
func TestCasesByRefBackfillsOlderCases(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	var want []int64
	for i := 0; i < 40; i++ {
		ref := fmt.Sprintf("OLD-%d", i%3)
		c := create(t, st, p, now, pathway.OpenInput{Ref: ref})
		if i%3 == 1 {
			want = append(want, c.ID)
		}
	}
	forgetRefIndex(t, st)
	got, err := st.CasesByRef(ctx, "old-1")
	if err != nil || !slices.Equal(caseIDs(got), want) {
		t.Fatalf("CasesByRef(old-1) on older data = %v, %v; want %v", caseIDs(got), err, want)
	}
	for pt := 0; pt < store.Partitions; pt++ {
		k := fmt.Sprintf("%s{p%d}:refs:indexed", st.Prefix(), pt)
		if n, err := st.Client().Exists(ctx, k).Result(); err != nil || n != 1 {
			t.Errorf("partition %d is not marked indexed after the lookup (%v)", pt, err)
		}
	}

	// In chunks smaller than a partition, the backfill reaches every case.
	forgetRefIndex(t, st)
	if err := store.IndexRefsChunked(st, ctx, 1); err != nil {
		t.Fatal(err)
	}
	for ref, n := range map[string]int{"OLD-0": 14, "OLD-1": 13, "OLD-2": 13} {
		got, err := st.CasesByRef(ctx, ref)
		if err != nil || len(got) != n {
			t.Errorf("after a backfill in chunks of 1, CasesByRef(%q) = %d cases, %v; want %d", ref, len(got), err, n)
		}
	}
	// Running it again changes nothing.
	before := snapshot(t, st)
	if err := st.IndexRefs(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, st); !maps.Equal(before, after) {
		t.Error("IndexRefs run twice changed the store")
	}

	// IndexRefs passes over partitions already marked, and indexes those
	// that are not.
	forgetRefIndex(t, st)
	for pt := 0; pt < store.Partitions; pt++ {
		if err := st.Client().Set(ctx, fmt.Sprintf("%s{p%d}:refs:indexed", st.Prefix(), pt), "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	marked := snapshot(t, st)
	if err := st.IndexRefs(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, st); !maps.Equal(marked, after) {
		t.Error("IndexRefs indexed partitions already marked")
	}
	forgetRefIndex(t, st)
	if err := st.IndexRefs(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Client().Exists(ctx, partKey(st, want[0], "incref:OLD-1")).Result(); err != nil || n != 1 {
		t.Errorf("IndexRefs did not index partitions not marked (%v)", err)
	}
}

// An index entry that no longer matches its case (a backfill racing a
// correction) never names a case under the wrong reference.
func TestCasesByRefChecksEachCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	a := create(t, st, p, now, pathway.OpenInput{Ref: "INC-1"})
	b := create(t, st, p, now, pathway.OpenInput{Ref: "INC-2"})
	if err := st.Client().SAdd(ctx, partKey(st, b.ID, "incref:INC-1"), b.ID).Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.Client().SAdd(ctx, partKey(st, 999, "incref:INC-1"), 999).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := st.CasesByRef(ctx, "INC-1")
	if err != nil || !slices.Equal(caseIDs(got), []int64{a.ID}) {
		t.Errorf("CasesByRef(INC-1) = %v, %v; want [%d]", caseIDs(got), err, a.ID)
	}
}

func TestCasesByRefWithRedisDown(t *testing.T) {
	t.Parallel()
	st, err := store.Connect("redis://127.0.0.1:1/0", storetest.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CasesByRef(ctx, "INC-1"); pathway.ErrorCode(err) != pathway.Unavailable {
		t.Errorf("CasesByRef with Redis down: %v, want Unavailable", err)
	}
}

// forgetRefIndex removes the reference index and its marks, as data from
// before the index would be.
func forgetRefIndex(t testing.TB, st *store.Store) {
	t.Helper()
	for _, k := range keys(t, st) {
		if strings.Contains(k, ":incref:") || strings.HasSuffix(k, ":refs:indexed") {
			if err := st.Client().Del(ctx, k).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
