package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

func TestCreateCaseAssignsIDs(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	for want := int64(1); want <= 3; want++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", want)}, "console:sam", p, now)
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.CreateCase(ctx, c, p, ev)
		if err != nil || id != want || c.ID != want || c.Version != 1 {
			t.Fatalf("CreateCase = %d, %v; case id %d version %d; want %d", id, err, c.ID, c.Version, want)
		}
		got, err := st.GetCase(ctx, id)
		if err != nil || got.Ref != fmt.Sprintf("INC-%d", want) {
			t.Fatalf("GetCase(%d) = %+v, %v", id, got, err)
		}
	}
}

func TestCreateCaseConcurrent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	const n = 200
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i)}, "console:sam", p, now)
			if err != nil {
				errs[i] = err
				return
			}
			ids[i], errs[i] = st.CreateCase(ctx, c, p, ev)
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatalf("CreateCase %d: %v", i, errs[i])
		}
		if prev, dup := seen[id]; dup {
			t.Fatalf("id %d given to cases %d and %d", id, prev, i)
		}
		seen[id] = i
		if id < 1 || id > n {
			t.Errorf("id %d outside 1..%d", id, n)
		}
	}
	if cnt, err := st.CountOpen(ctx); err != nil || cnt != n {
		t.Errorf("CountOpen = %d, %v; want %d", cnt, err, n)
	}
	// Each id holds the case that was given it.
	for id, i := range seen {
		c, err := st.GetCase(ctx, id)
		if err != nil || c.Ref != fmt.Sprintf("INC-%d", i) || c.ID != id {
			t.Errorf("GetCase(%d) = %+v, %v; want INC-%d", id, c, err, i)
		}
	}
}

func TestCreateCaseOverAnExistingID(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	create(t, st, p, now, pathway.OpenInput{Ref: "INC-1"})
	// An older deployment's data under the same prefix: the counter is behind.
	if err := st.Client().Set(ctx, st.Prefix()+"seq", 0, 0).Err(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, st)
	c, ev, _ := pathway.Open(pathway.OpenInput{Ref: "INC-2"}, "console:sam", p, now)
	_, err := st.CreateCase(ctx, c, p, ev)
	if pathway.ErrorCode(err) != pathway.Internal {
		t.Fatalf("CreateCase over case 1: %v", err)
	}
	after := snapshot(t, st)
	delete(before, st.Prefix()+"seq")
	delete(after, st.Prefix()+"seq")
	if d := diffSnapshots(before, after); len(d) != 0 {
		t.Errorf("a refused create wrote %v", d)
	}
	if got, _ := st.GetCase(ctx, 1); got.Ref != "INC-1" {
		t.Errorf("case 1 was overwritten: %+v", got)
	}
}

func TestGetCaseRoundTrip(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	opened := at(t, "2026-01-12 10:00")
	c := create(t, st, p, opened, pathway.OpenInput{
		Ref: "INC-3001", Service: "maternity", Harm: pathway.HarmSevere, Summary: "Delayed escalation of a deteriorating patient",
		Lead: "console:kit", Involved: []string{"console:ash", "console:bo"}, Every: pathway.Span{N: 1, Unit: pathway.Week},
		Aware: at(t, "2026-01-09 00:00"),
	})
	steps := []func(c *pathway.Case) (pathway.Event, error){
		func(c *pathway.Case) (pathway.Event, error) {
			return c.LogContact(pathway.ContactInput{Via: "meeting", Note: "Met at the family's request"}, "console:kit", p, at(t, "2026-01-13 11:00"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.SetPlan(pathway.Span{N: 3, Unit: pathway.Day}, "phone", "Afternoons", "console:kit", p, at(t, "2026-01-13 11:05"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.RecordCandour(pathway.CandourNotified, "", time.Time{}, "console:kit", p, at(t, "2026-01-13 11:10"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.RecordCandour(pathway.CandourUpdate, "Shared the timeline", time.Time{}, "console:kit", p, at(t, "2026-01-14 09:00"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.RecordFamily("support", "", "console:kit", p, at(t, "2026-01-14 09:10"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.RecordParallel("complaint", "", "console:kit", at(t, "2026-01-14 09:20"))
		},
		func(c *pathway.Case) (pathway.Event, error) {
			return c.Snooze(pathway.Span{N: 1, Unit: pathway.Day}, "console:kit", p, at(t, "2026-01-14 09:30"))
		},
	}
	for _, step := range steps {
		c = apply(t, st, p, c.ID, step)
	}
	got, err := st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := store.UTCCase(c); !reflect.DeepEqual(got, want) {
		t.Errorf("GetCase:\n got %+v\nwant %+v", got, want)
	}
	if got.Version != int64(len(steps)+1) {
		t.Errorf("Version = %d after %d writes", got.Version, len(steps)+1)
	}

	_, err = st.GetCase(ctx, 999)
	if pathway.ErrorCode(err) != pathway.NotFound || !strings.Contains(pathway.ErrorMessage(err), "HPP-999") {
		t.Errorf("GetCase of an unknown case: %v", err)
	}
}

func TestGetCaseAndServices(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Service: "maternity"})
	svc := pathway.Service{Name: "maternity", Lead: "console:lee", Channel: "console:#maternity", Wellbeing: "console:wen", SetBy: "console:admin", SetAt: at(t, "2026-01-02 09:00")}
	if err := st.SaveService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	got, svcs, err := st.GetCaseAndServices(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, store.UTCCase(c)) {
		t.Errorf("case = %+v", got)
	}
	if s := svcs["maternity"]; s.Lead != "console:lee" || !s.SetAt.Equal(svc.SetAt) || len(svcs) != 1 {
		t.Errorf("services = %+v", svcs)
	}

	_, svcs, err = st.GetCaseAndServices(ctx, 42)
	if pathway.ErrorCode(err) != pathway.NotFound || len(svcs) != 1 {
		t.Errorf("unknown case: services %v, %v", svcs, err)
	}

	// No services set up: an empty table, not an error.
	empty := storetest.New(t)
	c2 := create(t, empty, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	if _, svcs, err := empty.GetCaseAndServices(ctx, c2.ID); err != nil || len(svcs) != 0 {
		t.Errorf("no services: %v, %v", svcs, err)
	}
}

func TestSaveCaseConflictWritesNothing(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Service: "maternity", Harm: pathway.HarmSevere})

	// Two people read version 1; the first saves.
	old, err := st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := old.Clone()
	ev, err := first.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, at(t, "2026-01-13 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCase(ctx, old, first, p, ev); err != nil {
		t.Fatal(err)
	}
	if first.Version != 2 {
		t.Errorf("Version after save = %d", first.Version)
	}

	// The second saves over the version it read: refused, and nothing is
	// written — not the case, not an event, not an index entry.
	before := snapshot(t, st)
	second := old.Clone()
	ev1, err := second.HandOver("console:kit", "console:sam", at(t, "2026-01-13 09:01"))
	if err != nil {
		t.Fatal(err)
	}
	ev2, err := second.Close("", "console:kit", at(t, "2026-01-13 09:02"))
	if err != nil {
		t.Fatal(err)
	}
	err = st.SaveCase(ctx, old, second, p, ev1, ev2)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}
	if second.Version != old.Version {
		t.Errorf("a refused save left Version %d, want %d", second.Version, old.Version)
	}
	if d := diffSnapshots(before, snapshot(t, st)); len(d) != 0 {
		t.Errorf("a refused save wrote %v", d)
	}
	got, _ := st.GetCase(ctx, c.ID)
	if !reflect.DeepEqual(got, store.UTCCase(first)) {
		t.Errorf("case after the refused save = %+v", got)
	}
	tl, err := st.Timeline(ctx, c.ID)
	if err != nil || len(tl) != 2 {
		t.Errorf("timeline has %d events, want 2 (opened, contact): %v", len(tl), err)
	}

	// Re-read and redo: it goes through.
	fresh, _ := st.GetCase(ctx, c.ID)
	redo := fresh.Clone()
	ev1, _ = redo.HandOver("console:kit", "console:sam", at(t, "2026-01-13 09:03"))
	if err := st.SaveCase(ctx, fresh, redo, p, ev1); err != nil || redo.Version != 3 {
		t.Errorf("redo: %v, version %d", err, redo.Version)
	}
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Summary: "Fall on the ward", Involved: []string{"console:ash"}})
	other := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Ref: "INC-9"})
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone", Note: "First call"}, "console:sam", p, at(t, "2026-01-13 09:00"))
	})
	apply(t, st, p, other.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "letter"}, "console:sam", p, at(t, "2026-01-13 09:30"))
	})
	// Several events in one save keep their order.
	old, _ := st.GetCase(ctx, c.ID)
	nc := old.Clone()
	e1, _ := nc.RecordCandour(pathway.CandourNotified, "", time.Time{}, "console:sam", p, at(t, "2026-01-13 10:00"))
	e2 := pathway.Event{At: at(t, "2026-01-13 10:00"), Actor: pathway.Bot, Kind: pathway.EventReminder, Step: "notify", Stage: "warn", Due: nc.NotifyDue, People: []string{"console:sam"}}
	e3, _ := nc.Close("Resolved with the family", "console:sam", at(t, "2026-01-13 10:05"))
	if err := st.SaveCase(ctx, old, nc, p, e1, e2, e3); err != nil {
		t.Fatal(err)
	}

	tl, err := st.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []pathway.EventKind{pathway.EventOpened, pathway.EventContact, pathway.EventCandour, pathway.EventReminder, pathway.EventClosed}
	if len(tl) != len(kinds) {
		t.Fatalf("timeline = %+v", tl)
	}
	ids := map[string]bool{}
	for i, e := range tl {
		if e.Kind != kinds[i] || e.Case != c.ID || e.ID == "" || ids[e.ID] {
			t.Errorf("event %d = %+v, want kind %s with a fresh id", i, e, kinds[i])
		}
		ids[e.ID] = true
		if i > 0 && e.At.Before(tl[i-1].At) {
			t.Errorf("event %d at %v is before the one before it", i, e.At)
		}
	}
	if tl[0].Note != "Fall on the ward" || !reflect.DeepEqual(tl[0].People, []string{"console:ash"}) {
		t.Errorf("opened event = %+v", tl[0])
	}
	if tl[1].Note != "First call" || tl[1].Via != "phone" || !tl[1].At.Equal(at(t, "2026-01-13 09:00")) {
		t.Errorf("contact event = %+v", tl[1])
	}
	if tl[3].Actor != pathway.Bot || tl[3].Stage != "warn" || !tl[3].Due.Equal(nc.NotifyDue) {
		t.Errorf("reminder event = %+v", tl[3])
	}
	if otl, _ := st.Timeline(ctx, other.ID); len(otl) != 2 || otl[1].Via != "letter" {
		t.Errorf("the other case's timeline = %+v", otl)
	}
	if none, err := st.Timeline(ctx, 404); err != nil || len(none) != 0 {
		t.Errorf("timeline of an unknown case = %v, %v", none, err)
	}
}

func TestIndexesFollowTheCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	opened := at(t, "2026-01-12 10:00")
	c := create(t, st, p, opened, pathway.OpenInput{Service: "maternity", Lead: "console:kit", Involved: []string{"console:ash"}, Harm: pathway.HarmSevere})
	id := strconv.FormatInt(c.ID, 10)
	open := partKey(st, c.ID, "open")
	person := func(who string) string { return partKey(st, c.ID, "u:"+who) }
	service := partKey(st, c.ID, "s:maternity")

	check := func(when string, c *pathway.Case, wantOpen bool, people []string, absent []string) {
		t.Helper()
		score, ok := dueScore(t, st, c.ID)
		if wake := c.NextWake(p); wantOpen != ok || ok && score != wake.Unix() {
			t.Errorf("%s: due score %d (%v), want NextWake %v", when, score, ok, wake)
		}
		oscore, ok := zscore(t, st, open, id)
		if wantOpen != ok || ok && oscore != c.Deadline().Unix() {
			t.Errorf("%s: open score %d (%v), want deadline %v", when, oscore, ok, c.Deadline())
		}
		if _, ok := zscore(t, st, partKey(st, c.ID, "all"), id); !ok {
			t.Errorf("%s: not in the all index", when)
		}
		for _, who := range people {
			if !isMember(t, st, person(who), id) {
				t.Errorf("%s: not in %s's set", when, who)
			}
		}
		for _, who := range absent {
			if isMember(t, st, person(who), id) {
				t.Errorf("%s: still in %s's set", when, who)
			}
		}
		if isMember(t, st, service, id) != wantOpen {
			t.Errorf("%s: in the service set = %v", when, !wantOpen)
		}
	}
	check("opened", c, true, []string{"console:kit", "console:sam", "console:ash"}, nil)

	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Next: &pathway.When{Span: pathway.Span{N: 2, Unit: pathway.Day}}}, "console:kit", p, at(t, "2026-01-12 15:00"))
	})
	check("after a contact", c, true, []string{"console:kit"}, nil)

	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.HandOver("console:lee", "console:kit", at(t, "2026-01-12 16:00"))
	})
	check("handed over", c, true, []string{"console:lee", "console:sam", "console:ash"}, []string{"console:kit"})

	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		ev, _, err := c.Involve([]string{"console:bo"}, "console:lee", at(t, "2026-01-12 16:05"))
		return ev, err
	})
	check("involved", c, true, []string{"console:bo"}, nil)

	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Close("", "console:lee", at(t, "2026-01-13 10:00"))
	})
	check("closed", c, false, nil, []string{"console:lee", "console:sam", "console:ash", "console:bo"})
	if n, _ := st.CountOpen(ctx); n != 0 {
		t.Errorf("CountOpen after close = %d", n)
	}

	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Reopen("console:lee", p, at(t, "2026-01-14 10:00"))
	})
	check("reopened", c, true, []string{"console:lee", "console:sam", "console:ash", "console:bo"}, []string{"console:kit"})
	if n, _ := st.CountOpen(ctx); n != 1 {
		t.Errorf("CountOpen after reopen = %d", n)
	}
}

func TestLeasedCaseKeepsItsDueScore(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	now := at(t, "2026-01-13 10:05")
	claims, err := st.ClaimDue(ctx, now, 5*time.Minute, 10, "sched-a/1")
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v", claims, err)
	}
	leased := now.Add(5 * time.Minute).Unix()

	// A command while the scheduler holds the case: the case changes, but
	// the due score stays at the lease's expiry for the scheduler to set.
	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, now.Add(time.Minute))
	})
	if score, ok := dueScore(t, st, c.ID); !ok || score != leased {
		t.Errorf("due score %d (%v) after a command on a leased case, want the lease expiry %d", score, ok, leased)
	}
	// Other indexes still move.
	if score, _ := zscore(t, st, partKey(st, c.ID, "open"), strconv.FormatInt(c.ID, 10)); score != c.Deadline().Unix() {
		t.Errorf("open score %d, want %d", score, c.Deadline().Unix())
	}

	// Once the lease is released, commands move it again.
	if err := st.Release(ctx, claims[0], now); err != nil {
		t.Fatal(err)
	}
	c = apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.SetPlan(pathway.Span{N: 2, Unit: pathway.Day}, "", "", "console:sam", p, now.Add(2*time.Minute))
	})
	if score, _ := dueScore(t, st, c.ID); score != c.NextWake(p).Unix() {
		t.Errorf("after release, due score %d, want NextWake %v", score, c.NextWake(p))
	}
}

func TestListOpen(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	mon := at(t, "2026-01-12 10:00")
	// Next contact: a Tue, b Wed, d Thu (each opened a day later); c is closed.
	create(t, st, p, mon, pathway.OpenInput{Ref: "INC-A", Service: "maternity"})
	create(t, st, p, mon.AddDate(0, 0, 1), pathway.OpenInput{Ref: "INC-B", Lead: "console:kit", Service: "emergency-dept", Involved: []string{"console:ash"}})
	c := create(t, st, p, mon, pathway.OpenInput{Ref: "INC-C", Lead: "console:lee", Service: "maternity"})
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) { return c.Close("", "console:lee", mon) })
	create(t, st, p, mon.AddDate(0, 0, 2), pathway.OpenInput{Ref: "INC-D", Lead: "console:lee"})

	refs := func(cs []*pathway.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Ref)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"everything open, earliest deadline first", store.CaseFilter{All: true}, []string{"INC-A", "INC-B", "INC-D"}},
		{"a person: lead or opener", store.CaseFilter{People: []string{"console:sam"}}, []string{"INC-A", "INC-B", "INC-D"}},
		{"a person: involved", store.CaseFilter{People: []string{"console:ash"}}, []string{"INC-B"}},
		{"a person whose other case is closed", store.CaseFilter{People: []string{"console:lee"}}, []string{"INC-D"}},
		{"nobody's", store.CaseFilter{People: []string{"console:nobody"}}, nil},
		{"a service", store.CaseFilter{Services: []string{"maternity"}}, []string{"INC-A"}},
		{"two services", store.CaseFilter{Services: []string{"emergency-dept", "maternity"}}, []string{"INC-A", "INC-B"}},
		{"people or services", store.CaseFilter{People: []string{"console:lee"}, Services: []string{"emergency-dept"}}, []string{"INC-B", "INC-D"}},
		{"due before Wednesday noon", store.CaseFilter{All: true, DueBefore: at(t, "2026-01-14 12:00")}, []string{"INC-A", "INC-B"}},
		{"mine, due before Tuesday noon", store.CaseFilter{People: []string{"console:sam"}, DueBefore: at(t, "2026-01-13 12:00")}, []string{"INC-A"}},
		{"an empty filter chooses nothing", store.CaseFilter{}, nil},
	}
	for _, tt := range tests {
		got, err := st.ListOpen(ctx, tt.f)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(refs(got), tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, refs(got), tt.want)
		}
		// The count is of the same cases, with no limit.
		if n, err := st.CountOpenMatching(ctx, tt.f); err != nil || n != int64(len(tt.want)) {
			t.Errorf("%s: CountOpenMatching = %d, %v; want %d", tt.name, n, err, len(tt.want))
		}
	}
	if n, err := st.CountOpen(ctx); err != nil || n != 3 {
		t.Errorf("CountOpen = %d, %v", n, err)
	}
	overdue, err := st.Overdue(ctx, at(t, "2026-01-14 12:00"))
	if err != nil || !reflect.DeepEqual(refs(overdue), []string{"INC-A", "INC-B"}) {
		t.Errorf("Overdue = %v, %v", refs(overdue), err)
	}
}

func TestListOpenAcrossPartitions(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	const n = 40 // more than two per partition
	for i := 0; i < n; i++ {
		create(t, st, p, now.Add(time.Duration(i)*time.Minute), pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Service: "maternity"})
	}
	all, err := st.ListOpen(ctx, store.CaseFilter{All: true})
	if err != nil || len(all) != n {
		t.Fatalf("ListOpen all = %d, %v", len(all), err)
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Deadline().Before(all[j].Deadline()) }) {
		t.Error("not earliest deadline first")
	}
	for _, f := range []store.CaseFilter{{People: []string{"console:sam"}}, {Services: []string{"maternity"}}} {
		got, err := st.ListOpen(ctx, f)
		if err != nil || len(got) != n {
			t.Errorf("ListOpen(%+v) = %d, %v", f, len(got), err)
		}
	}
	// The limit is per partition: 40 cases over 16 partitions is at most 3 each.
	limited, err := st.ListOpen(ctx, store.CaseFilter{All: true, Limit: 2})
	if err != nil || len(limited) != 2*store.Partitions {
		t.Errorf("ListOpen with Limit 2 = %d, %v; want %d", len(limited), err, 2*store.Partitions)
	}
	// What exists is counted, not what a limited list fetched.
	for _, f := range []store.CaseFilter{{All: true, Limit: 2}, {People: []string{"console:sam"}, Limit: 2}, {Services: []string{"maternity"}, Limit: 2}} {
		if got, err := st.CountOpenMatching(ctx, f); err != nil || got != n {
			t.Errorf("CountOpenMatching(%+v) = %d, %v; want %d", f, got, err, n)
		}
	}
}

func BenchmarkSaveCase(b *testing.B) {
	st := storetest.New(b)
	p := englandPolicy(b)
	now := at(b, "2026-01-12 10:00")
	// The saves go round 100 cases, so each case's timeline grows as a
	// busy case's does (a few hundred events at most), not without end.
	cases := make([]*pathway.Case, 100)
	for i := range cases {
		cases[i] = create(b, st, p, now, pathway.OpenInput{Service: "maternity", Harm: pathway.HarmSevere, Involved: []string{"console:ash", "console:bo"}})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		next := c.Clone()
		next.Updates++
		ev := pathway.Event{At: now.Add(time.Duration(i) * time.Second), Actor: "console:sam", Kind: pathway.EventCandour, Step: pathway.CandourUpdate, Note: "Shared the timeline"}
		if err := st.SaveCase(ctx, c, next, p, ev); err != nil {
			b.Fatal(err)
		}
		cases[i%len(cases)] = next
	}
}

// RecentTimeline reads only the latest entries recorded, in Timeline's
// order: a check on what was just done costs the same on a long case.
func TestRecentTimeline(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	c := create(t, st, p, now, pathway.OpenInput{Ref: "INC-1"})
	for i := 1; i <= 30; i++ {
		apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
			return c.LogContact(pathway.ContactInput{Via: "phone", Note: fmt.Sprintf("call %d", i)}, "console:sam", p, now.Add(time.Duration(i)*time.Minute))
		})
	}
	all, err := st.Timeline(ctx, c.ID)
	if err != nil || len(all) != 31 {
		t.Fatalf("Timeline: %d events, %v", len(all), err)
	}
	for _, tc := range []struct{ n, want int }{{1, 1}, {5, 5}, {31, 31}, {100, 31}, {0, 31}} {
		got, err := st.RecentTimeline(ctx, c.ID, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Fatalf("RecentTimeline(%d): %d events, want %d", tc.n, len(got), tc.want)
		}
		for i, e := range got {
			if want := all[len(all)-tc.want+i]; e.ID != want.ID || e.Note != want.Note {
				t.Errorf("RecentTimeline(%d)[%d] = %q, want %q", tc.n, i, e.Note, want.Note)
			}
		}
	}
	if got, err := st.RecentTimeline(ctx, 999, 5); err != nil || len(got) != 0 {
		t.Errorf("a case with no timeline: %v, %v", got, err)
	}
}

// CaseVersion reads a case's version from the head of its record; a record
// whose head can't be read says so (the caller then reads the whole case),
// and a missing case is not found.
func TestCaseVersionReadsOnlyTheHead(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Ref: "INC-3101", Service: "maternity", Lead: "console:kit"})
	old := c.Clone()
	ev, err := c.LogContact(pathway.ContactInput{Via: "phone"}, "console:kit", p, at(t, "2026-01-13 11:00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCase(ctx, old, c, p, ev); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := st.CaseVersion(ctx, c.ID); err != nil || !ok || v != 2 {
		t.Fatalf("CaseVersion = %d, %v, %v; want 2, true, nil", v, ok, err)
	}
	if _, _, err := st.CaseVersion(ctx, c.ID+100); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("a missing case: %v; want not found", err)
	}
	if err := st.Client().Set(ctx, st.CaseKey(c.ID), "not a case record", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.CaseVersion(ctx, c.ID); err != nil || ok {
		t.Errorf("an unreadable head: ok %v, err %v; want false, nil", ok, err)
	}
}
