package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// setAsideLog keeps what the store set aside.
type setAsideLog struct {
	mu   sync.Mutex
	seen []store.Unreadable
}

func (l *setAsideLog) note(_ context.Context, u store.Unreadable) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, u)
}

func (l *setAsideLog) take() []store.Unreadable {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.seen
	l.seen = nil
	return out
}

// openThree opens three cases led by console:sam in service "ward-7", each
// due a reminder at now.
func openThree(t *testing.T, st *store.Store, p *pathway.Policy, now time.Time) []int64 {
	t.Helper()
	var ids []int64
	for i := 1; i <= 3; i++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Service: "ward-7", Harm: pathway.HarmModerate}, "console:sam", p, now.Add(-30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.CreateCase(ctx, c, p, ev)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestUnreadableCaseIsSetAside(t *testing.T) {
	p := englandPolicy(t)
	now := at(t, "2026-03-02 10:00")
	other := func(st *store.Store, ids []int64) string {
		data, err := st.Client().Get(ctx, st.CaseKey(ids[0])).Result()
		if err != nil {
			t.Fatal(err)
		}
		return data // a good record, but of another case
	}
	tests := []struct {
		name   string
		record func(st *store.Store, ids []int64) string
	}{
		{"text that is not JSON", func(*store.Store, []int64) string { return "not a case record {" }},
		{"JSON of the wrong shape", func(*store.Store, []int64) string { return `["a","list"]` }},
		{"a field of the wrong type", func(*store.Store, []int64) string { return `{"v":1,"id":"two"}` }},
		{"an empty object", func(*store.Store, []int64) string { return `{}` }},
		{"a plan without a cadence", func(_ *store.Store, ids []int64) string {
			return fmt.Sprintf(`{"v":1,"id":%d,"p":{"a":1700000000}}`, ids[1])
		}},
		{"another case's record", other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.New(t)
			var log setAsideLog
			st.OnUnreadable(log.note)
			ids := openThree(t, st, p, now)
			bad := ids[1]
			if err := st.Client().Set(ctx, st.CaseKey(bad), tt.record(st, ids), 0).Err(); err != nil {
				t.Fatal(err)
			}
			want := store.Unreadable{Key: st.CaseKey(bad), Case: bad, Kind: "case"}
			checkSetAside := func(what string) {
				t.Helper()
				got := log.take()
				if len(got) == 0 || slices.IndexFunc(got, func(u store.Unreadable) bool { return u != want }) >= 0 {
					t.Errorf("%s set aside %+v, want only %+v", what, got, want)
				}
			}

			// One case: a clear refusal naming it, never its content.
			for name, read := range map[string]func() error{
				"GetCase":            func() error { _, err := st.GetCase(ctx, bad); return err },
				"GetCaseAndServices": func() error { _, _, err := st.GetCaseAndServices(ctx, bad); return err },
			} {
				err := read()
				if pathway.ErrorCode(err) != pathway.Unreadable {
					t.Fatalf("%s = %v, want an Unreadable error", name, err)
				}
				msg := pathway.ErrorMessage(err)
				if !strings.Contains(msg, pathway.CaseName(bad)) || !strings.Contains(msg, "admins have been told") || strings.Contains(msg, "{") {
					t.Errorf("%s says %q", name, msg)
				}
				checkSetAside(name)
			}

			// Lists: the others, and how many were left out.
			for _, f := range []store.CaseFilter{{All: true}, {People: []string{"console:sam"}}, {Services: []string{"ward-7"}}, {All: true, DueBefore: now.Add(365 * 24 * time.Hour)}} {
				cases, unreadable, err := st.ListOpenCounted(ctx, f)
				if err != nil || unreadable != 1 || len(cases) != 2 || slices.ContainsFunc(cases, func(c *pathway.Case) bool { return c.ID == bad }) {
					t.Fatalf("ListOpenCounted(%+v) = %d cases, %d unreadable, %v; want 2 and 1", f, len(cases), unreadable, err)
				}
				checkSetAside("ListOpenCounted")
			}
			if cases, err := st.ListOpen(ctx, store.CaseFilter{All: true}); err != nil || len(cases) != 2 {
				t.Fatalf("ListOpen = %d cases, %v", len(cases), err)
			}
			log.take()

			// Reports.
			cases, unreadable, err := st.CasesOpenedCounted(ctx, time.Time{}, time.Time{}, nil)
			if err != nil || unreadable != 1 || len(cases) != 2 {
				t.Fatalf("CasesOpenedCounted = %d cases, %d unreadable, %v", len(cases), unreadable, err)
			}
			checkSetAside("CasesOpenedCounted")
			cases, unreadable, err = st.CasesActiveCounted(ctx, now.Add(-90*24*time.Hour), now, nil)
			if err != nil || unreadable != 1 || len(cases) != 2 {
				t.Fatalf("CasesActiveCounted = %d cases, %d unreadable, %v", len(cases), unreadable, err)
			}
			checkSetAside("CasesActiveCounted")
			if cases, err := store.CasesOpenedPaged(st, ctx, time.Time{}, time.Time{}, nil, 1); err != nil || len(cases) != 2 {
				t.Fatalf("CasesOpened paged by 1 = %d cases, %v", len(cases), err)
			}
			log.take()

			// The scheduler's read: the others loaded, the bad one named.
			loaded := claimAllAndLoad(t, st, now)
			if len(loaded.Cases) != 2 || loaded.Cases[bad] != nil || !loaded.Unreadable[fmt.Sprint(bad)] || len(loaded.Unreadable) != 1 {
				t.Fatalf("Load = cases %v, unreadable %v", loaded.Cases, loaded.Unreadable)
			}
			checkSetAside("Load")
		})
	}
}

// A case key that holds something other than text (which MGET reads as
// nothing, as if the case had gone) is set aside too, not taken for gone.
func TestACaseKeyOfAnotherTypeIsSetAsideByTheScheduler(t *testing.T) {
	p := englandPolicy(t)
	now := at(t, "2026-03-02 10:00")
	st := storetest.New(t)
	var log setAsideLog
	st.OnUnreadable(log.note)
	ids := openThree(t, st, p, now)
	bad, gone := ids[1], ids[2]
	if err := st.Client().Del(ctx, st.CaseKey(bad), st.CaseKey(gone)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.Client().HSet(ctx, st.CaseKey(bad), "not", "a case").Err(); err != nil {
		t.Fatal(err)
	}
	loaded := claimAllAndLoad(t, st, now)
	if len(loaded.Cases) != 1 || loaded.Cases[ids[0]] == nil || !loaded.Unreadable[fmt.Sprint(bad)] || len(loaded.Unreadable) != 1 {
		t.Errorf("Load = cases %v, unreadable %v; want case %d read, %d unreadable and %d gone", loaded.Cases, loaded.Unreadable, ids[0], bad, gone)
	}
	if got, want := log.take(), []store.Unreadable{{Key: st.CaseKey(bad), Case: bad, Kind: "case"}}; !slices.Equal(got, want) {
		t.Errorf("set aside %+v, want %+v", got, want)
	}
}

// claimAllAndLoad claims openThree's three cases, due within the year from
// now, and loads them as the scheduler does.
func claimAllAndLoad(t *testing.T, st *store.Store, now time.Time) store.Claimed {
	t.Helper()
	claims, err := st.ClaimDue(ctx, now.Add(365*24*time.Hour), time.Minute, 10, "sched/1")
	if err != nil || len(claims) != 3 {
		t.Fatalf("ClaimDue = %v, %v; want the three cases", claims, err)
	}
	loaded, err := st.Load(ctx, claims)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return loaded
}

// What MGET found nothing for is gone, of another type (set aside), or a
// record written since (read again).
func TestWhatTheSchedulersReadFoundNothingFor(t *testing.T) {
	p := englandPolicy(t)
	st := storetest.New(t)
	var log setAsideLog
	st.OnUnreadable(log.note)
	ids := openThree(t, st, p, at(t, "2026-03-02 10:00"))
	gone, hash, written := ids[0], ids[1], ids[2]
	if err := st.Client().Del(ctx, st.CaseKey(gone), st.CaseKey(hash)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.Client().HSet(ctx, st.CaseKey(hash), "not", "a case").Err(); err != nil {
		t.Fatal(err)
	}
	again, unreadable, err := store.NotStrings(st, ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, []int64{written}) {
		t.Errorf("read again: %v; want only %d", again, written)
	}
	if len(unreadable) != 1 || !unreadable[fmt.Sprint(hash)] {
		t.Errorf("unreadable: %v; want only %d (%d is gone)", unreadable, hash, gone)
	}
	if got := log.take(); len(got) != 1 || got[0].Case != hash {
		t.Errorf("set aside %+v; want only %d", got, hash)
	}
}

func TestUnreadableEventIsSetAside(t *testing.T) {
	st := storetest.New(t)
	var log setAsideLog
	st.OnUnreadable(log.note)
	p := englandPolicy(t)
	now := at(t, "2026-03-02 10:00")
	ids := openThree(t, st, p, now)
	id := ids[0]
	entry, err := store.AddRawEntry(st, ctx, id, "this is not an event")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddRawEntry(st, ctx, id, `{"t":"yesterday"}`); err != nil {
		t.Fatal(err)
	}
	events, unreadable, err := st.TimelineCounted(ctx, id)
	if err != nil || unreadable != 2 || len(events) != 1 || events[0].Kind != pathway.EventOpened {
		t.Fatalf("TimelineCounted = %+v, %d unreadable, %v; want the opening event and 2", events, unreadable, err)
	}
	got := log.take()
	if len(got) != 2 || got[0] != (store.Unreadable{Key: store.StreamKey(st, id), Entry: entry, Case: id, Kind: "event"}) {
		t.Errorf("set aside %+v, want the two bad entries, the first %s", got, entry)
	}
	log.take()
	all, unreadable, err := st.TimelinesCounted(ctx, ids)
	if err != nil || unreadable != 2 || len(all[id]) != 1 || len(all[ids[1]]) != 1 {
		t.Fatalf("TimelinesCounted = %v, %d unreadable, %v", all, unreadable, err)
	}
	if got := log.take(); len(got) != 2 {
		t.Errorf("TimelinesCounted set aside %+v, want the two bad entries", got)
	}
	if all, err := st.Timelines(ctx, ids); err != nil || len(all[id]) != 1 {
		t.Fatalf("Timelines = %v, %v", all, err)
	}
}

func TestRecordFromANewerVersionIsRead(t *testing.T) {
	st := storetest.New(t)
	var log setAsideLog
	st.OnUnreadable(log.note)
	p := englandPolicy(t)
	now := at(t, "2026-03-02 10:00")
	ids := openThree(t, st, p, now)
	id := ids[0]
	data, err := st.Client().Get(ctx, st.CaseKey(id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	newer := strings.TrimSuffix(data, "}") + `,"zz":{"a":[1,2]},"zy":"a field this version doesn't know"}`
	if err := st.Client().Set(ctx, st.CaseKey(id), newer, 0).Err(); err != nil {
		t.Fatal(err)
	}
	eventData := fmt.Sprintf(`{"k":%q,"t":%d,"a":"console:sam","zz":[{"x":1}]}`, pathway.EventContact, now.Unix())
	if _, err := store.AddRawEntry(st, ctx, id, eventData); err != nil {
		t.Fatal(err)
	}
	c, err := st.GetCase(ctx, id)
	if err != nil || c.ID != id || c.Ref != "INC-1" {
		t.Fatalf("GetCase = %+v, %v", c, err)
	}
	cases, unreadable, err := st.ListOpenCounted(ctx, store.CaseFilter{All: true})
	if err != nil || unreadable != 0 || len(cases) != 3 {
		t.Fatalf("ListOpenCounted = %d cases, %d unreadable, %v", len(cases), unreadable, err)
	}
	events, err := st.Timeline(ctx, id)
	if err != nil || len(events) != 2 || events[1].Kind != pathway.EventContact || !events[1].At.Equal(now) {
		t.Fatalf("Timeline = %+v, %v", events, err)
	}
	// Saving it again works, from the version read.
	if err := st.SaveCase(ctx, c, c.Clone(), p); err != nil {
		t.Fatalf("SaveCase: %v", err)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("set aside %+v, want nothing", got)
	}
}

func TestUnreadableJobIsSetAside(t *testing.T) {
	st := storetest.New(t)
	var log setAsideLog
	st.OnUnreadable(log.note)
	now := at(t, "2026-03-02 10:00")
	for _, id := range []string{"good", "bad"} {
		if err := st.ScheduleJob(ctx, store.Job{ID: id, Kind: "checkin", Person: "console:sam", At: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Client().HSet(ctx, store.JobsKey(st, "bad"), "j:bad", "not a job").Err(); err != nil {
		t.Fatal(err)
	}
	claims, err := st.ClaimDue(ctx, now, time.Minute, 10, "sched/1")
	if err != nil || len(claims) != 2 {
		t.Fatalf("ClaimDue = %v, %v", claims, err)
	}
	loaded, err := st.Load(ctx, claims)
	if err != nil || len(loaded.Jobs) != 1 || !loaded.Unreadable["j:bad"] {
		t.Fatalf("Load = %+v, %v", loaded, err)
	}
	if got := log.take(); len(got) != 1 || got[0] != (store.Unreadable{Key: store.JobsKey(st, "bad"), Entry: "j:bad", Kind: "job"}) {
		t.Errorf("set aside %+v", got)
	}
}
