package store_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// purgeFixture stores cases in every state a purge must tell apart: closed
// long ago (two, one with a delivery mark, a check-in job and tracking),
// closed lately, and open since long ago.
type purgeFixture struct {
	old, old2, recent, open *pathway.Case
	job                     string
	cutoff, now             time.Time
}

func newPurgeFixture(t *testing.T, st *store.Store, p *pathway.Policy) purgeFixture {
	t.Helper()
	opened := at(t, "2025-01-06 10:00")
	in := func(ref string) pathway.OpenInput {
		return pathway.OpenInput{Ref: ref, Service: "maternity", Harm: pathway.HarmModerate, Involved: []string{"console:ash"}}
	}
	f := purgeFixture{now: at(t, "2026-03-02 03:00")}
	f.cutoff = f.now.AddDate(0, -13, 0)
	f.old = create(t, st, p, opened, in("INC-1"))
	apply(t, st, p, f.old.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, opened.Add(time.Hour))
	})
	// A reminder sent for it: a delivery mark in its partition.
	claims, err := st.ClaimDue(ctx, opened.AddDate(0, 1, 0), time.Minute, 100, "test/purge")
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range claims {
		if id, _ := cl.CaseID(); id == f.old.ID {
			c := mustGet(t, st, cl)
			markSent(t, st, p, cl, c, "contact:0:0")
			if err := st.AckCase(ctx, cl, c, c.Clone(), p, nil, []string{"contact:0:0"}, time.Time{}); err != nil {
				t.Fatal(err)
			}
		} else if err := st.Release(ctx, cl, opened); err != nil {
			t.Fatal(err)
		}
	}
	f.job = "checkin:console:ash:" + strconv.FormatInt(f.old.ID, 10) + ":1"
	if err := st.ScheduleJob(ctx, store.Job{ID: f.job, Kind: "checkin", Person: "console:ash", Case: f.old.ID, At: opened.AddDate(0, 0, 3)}); err != nil {
		t.Fatal(err)
	}
	if err := st.TrackCheckinJob(ctx, "console:ash", f.job, opened.AddDate(0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	f.old = apply(t, st, p, f.old.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Close("", "console:sam", at(t, "2025-01-20 16:00"))
	})
	f.old2 = create(t, st, p, opened.Add(time.Hour), in("INC-2"))
	f.old2 = apply(t, st, p, f.old2.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Close("", "console:sam", at(t, "2025-01-31 09:00"))
	})
	f.recent = create(t, st, p, opened.Add(2*time.Hour), in("INC-3"))
	f.recent = apply(t, st, p, f.recent.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Close("", "console:sam", f.cutoff.Add(24*time.Hour))
	})
	f.open = create(t, st, p, opened.Add(3*time.Hour), in("INC-4"))
	return f
}

// caseKeyRE matches the keys that belong to one case alone.
func caseKeyRE(st *store.Store, id int64) *regexp.Regexp {
	n := strconv.FormatInt(id, 10)
	return regexp.MustCompile(`^` + regexp.QuoteMeta(st.Prefix()) + `\{p\d+\}:(case:` + n + `|sent:` + n + `:.*|sent:j:checkin:.*:` + n + `:\d+:.*)$`)
}

func TestDuePurgeListsWithoutDeleting(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	f := newPurgeFixture(t, st, p)
	before := snapshot(t, st)
	due, err := st.DuePurge(ctx, f.cutoff, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range due {
		ids = append(ids, c.ID)
	}
	if len(ids) != 2 || ids[0] != f.old.ID || ids[1] != f.old2.ID {
		t.Errorf("due for purge: %v, want [%d %d] (longest closed first)", ids, f.old.ID, f.old2.ID)
	}
	if d := diffSnapshots(before, snapshot(t, st)); len(d) > 0 {
		t.Errorf("listing changed the store: %v", d)
	}
	limited, err := st.DuePurge(ctx, f.cutoff, 1)
	if err != nil || len(limited) != 1 || limited[0].ID != f.old.ID {
		t.Errorf("limit 1: %v, %v", limited, err)
	}
}

func TestPurgeRemovesEveryKeyOfTheCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	f := newPurgeFixture(t, st, p)
	// The fixture really wrote what the purge must find.
	for _, k := range []string{partKey(st, f.old.ID, "sent:"+strconv.FormatInt(f.old.ID, 10)+":contact:0:0")} {
		if n, _ := st.Client().Exists(ctx, k).Result(); n != 1 {
			t.Fatalf("fixture: %s not written", k)
		}
	}
	if _, ok, _ := st.GetJob(ctx, f.job); !ok {
		t.Fatal("fixture: job not written")
	}
	if !isMember(t, st, partKey(st, f.old.ID, "incref:INC-1"), strconv.FormatInt(f.old.ID, 10)) {
		t.Fatal("fixture: the reference index does not hold the case")
	}
	before := snapshot(t, st)

	got, err := st.Purge(ctx, f.cutoff, f.now, 10, 20*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Case != f.old.ID || got[1].Case != f.old2.ID {
		t.Fatalf("purged %+v, want cases %d and %d", got, f.old.ID, f.old2.ID)
	}

	after := snapshot(t, st)
	for _, c := range []*pathway.Case{f.old, f.old2} {
		id := strconv.FormatInt(c.ID, 10)
		own := caseKeyRE(st, c.ID)
		for k := range after {
			if own.MatchString(k) {
				t.Errorf("case %d: key %s left after the purge", c.ID, k)
			}
		}
		// Shared keys of its partition no longer name it.
		if n, _ := st.Client().HExists(ctx, partKey(st, c.ID, "tl"), id).Result(); n {
			t.Errorf("case %d: still in the timeline index", c.ID)
		}
		for _, name := range []string{"due", "open", "all"} {
			if _, ok := zscore(t, st, partKey(st, c.ID, name), id); ok {
				t.Errorf("case %d: still in %s", c.ID, name)
			}
		}
		for _, set := range []string{"u:console:ash", "u:console:sam", "s:maternity", "incref:" + c.Ref} {
			if isMember(t, st, partKey(st, c.ID, set), id) {
				t.Errorf("case %d: still in %s", c.ID, set)
			}
		}
		entries, err := st.Client().XRange(ctx, partKey(st, c.ID, "events"), "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Values["c"] == id {
				t.Errorf("case %d: timeline entry %s left in the stream", c.ID, e.ID)
			}
		}
		if _, err := st.GetCase(ctx, c.ID); pathway.ErrorCode(err) != pathway.NotFound {
			t.Errorf("case %d: GetCase after purge: %v", c.ID, err)
		}
	}
	if _, ok, _ := st.GetJob(ctx, f.job); ok {
		t.Error("the purged case's check-in job is still scheduled")
	}
	if jobID, _, ok, _ := st.NextCheckinJob(ctx, "console:ash", time.Time{}); ok {
		t.Errorf("the purged case's job %s is still tracked for the person", jobID)
	}

	// Every change is to a purged case's own key or to a key its partition
	// shares; the cases not due are untouched.
	for _, d := range diffSnapshots(before, after) {
		k := d[strings.Index(d, " ")+1:]
		if caseKeyRE(st, f.recent.ID).MatchString(k) || caseKeyRE(st, f.open.ID).MatchString(k) {
			t.Errorf("a case not due was touched: %s", d)
		}
	}
	for _, c := range []*pathway.Case{f.recent, f.open} {
		if _, err := st.GetCase(ctx, c.ID); err != nil {
			t.Errorf("case %d should be kept: %v", c.ID, err)
		}
		if tl, err := st.Timeline(ctx, c.ID); err != nil || len(tl) == 0 {
			t.Errorf("case %d timeline: %d entries, %v", c.ID, len(tl), err)
		}
	}

	// One audit line per purged case: id, reference, closed and purged
	// dates, nothing else.
	log, err := st.PurgeLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 {
		t.Fatalf("audit lines: %+v", log)
	}
	for i, c := range []*pathway.Case{f.old, f.old2} {
		want := store.PurgeRecord{Case: c.ID, Ref: c.Ref, Closed: c.Closed.UTC().Truncate(time.Second), Purged: f.now.UTC()}
		if log[i] != want {
			t.Errorf("audit line %d: %+v, want %+v", i, log[i], want)
		}
		entries, _ := st.Client().XRange(ctx, partKey(st, c.ID, "purged"), "-", "+").Result()
		for _, e := range entries {
			for field := range e.Values {
				if field != "c" && field != "r" && field != "cl" && field != "p" {
					t.Errorf("audit line holds %q", field)
				}
			}
		}
	}

	// A second run finds nothing and writes nothing.
	before = snapshot(t, st)
	again, err := st.Purge(ctx, f.cutoff, f.now, 10, 20*365*24*time.Hour)
	if err != nil || len(again) != 0 {
		t.Errorf("second run: %+v, %v", again, err)
	}
	if d := diffSnapshots(before, snapshot(t, st)); len(d) > 0 {
		t.Errorf("second run changed the store: %v", d)
	}
}

func TestPurgeCaseLeavesAChangedCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	f := newPurgeFixture(t, st, p)
	stale := f.old.Clone()
	apply(t, st, p, f.old.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Reopen("console:sam", p, f.now)
	})
	before := snapshot(t, st)
	ok, err := st.PurgeCase(ctx, stale, f.now, time.Hour)
	if err != nil || ok {
		t.Errorf("PurgeCase of a reopened case: %v, %v", ok, err)
	}
	if d := diffSnapshots(before, snapshot(t, st)); len(d) > 0 {
		t.Errorf("a reopened case was touched: %v", d)
	}
	if _, err := st.PurgeCase(ctx, f.open, f.now, time.Hour); pathway.ErrorCode(err) != pathway.Internal {
		t.Errorf("PurgeCase of an open case: %v", err)
	}
}

// The purge's keys all carry the case's partition tag (one slot on a
// Cluster): every key the script names is in the case's partition.
func TestPurgeKeysShareTheCasePartition(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	f := newPurgeFixture(t, st, p)
	for _, c := range []*pathway.Case{f.old, f.old2} {
		keys := store.PurgeKeys(st, c, []string{partKey(st, c.ID, "sent:"+strconv.FormatInt(c.ID, 10)+":x")})
		tag := "{p" + strconv.FormatInt(c.ID%store.Partitions, 10) + "}"
		for _, k := range keys {
			if !strings.HasPrefix(k, st.Prefix()+tag+":") {
				t.Errorf("case %d: key %s is outside its partition %s", c.ID, k, tag)
			}
		}
		if len(keys) < 10 {
			t.Errorf("case %d: only %d keys named: %v", c.ID, len(keys), keys)
		}
	}
}
