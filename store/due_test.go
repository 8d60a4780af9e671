package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// members lists the members of claims, sorted.
func members(claims []store.Claim) []string {
	var out []string
	for _, c := range claims {
		out = append(out, c.Member)
	}
	sort.Strings(out)
	return out
}

// addDue puts raw members in the due index with a pipeline: for claim tests
// that need no case behind them.
func addDue(t testing.TB, st *store.Store, score time.Time, ids ...int64) {
	t.Helper()
	pipe := st.Client().Pipeline()
	for i, id := range ids {
		pipe.ZAdd(ctx, partKey(st, id, "due"), redis.Z{Score: float64(score.Unix()), Member: strconv.FormatInt(id, 10)})
		if (i+1)%1000 == 0 {
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func leaseHolder(t testing.TB, st *store.Store, id int64) (string, bool) {
	t.Helper()
	v, err := st.Client().HGet(ctx, partKey(st, id, "lease"), strconv.FormatInt(id, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return v, true
}

func TestClaimDue(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	// First contacts due Tue, Wed and Thu at 10:00.
	c1 := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	create(t, st, p, at(t, "2026-01-13 10:00"), pathway.OpenInput{})
	c3 := create(t, st, p, at(t, "2026-01-14 10:00"), pathway.OpenInput{})
	now := at(t, "2026-01-14 10:00")
	const lease = 2 * time.Minute

	claims, err := st.ClaimDue(ctx, now, lease, 10, "sched-a/1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := members(claims), []string{"1", "2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("claimed %v, want %v (due at or before now)", got, want)
	}
	for _, cl := range claims {
		id, ok := cl.CaseID()
		if !ok || cl.Partition != int(id%store.Partitions) || cl.Token != "sched-a/1" {
			t.Errorf("claim %+v", cl)
		}
		if score, _ := dueScore(t, st, id); score != now.Add(lease).Unix() {
			t.Errorf("case %d: score %d, want the lease expiry %d", id, score, now.Add(lease).Unix())
		}
		if holder, _ := leaseHolder(t, st, id); holder != "sched-a/1" {
			t.Errorf("case %d: lease held by %q", id, holder)
		}
	}
	if score, _ := dueScore(t, st, c3.ID); score != c3.NextWake(p).Unix() {
		t.Errorf("case 3 moved: %d", score)
	}

	// Another scheduler at the same moment gets nothing; nor before the lease ends.
	for _, when := range []time.Time{now, now.Add(lease - time.Second)} {
		if again, err := st.ClaimDue(ctx, when, lease, 10, "sched-b/1"); err != nil || len(again) != 0 {
			t.Errorf("second claim at %v: %v, %v", when, members(again), err)
		}
	}
	// Once the lease has run out (the first scheduler died), they are claimed again.
	redelivered, err := st.ClaimDue(ctx, now.Add(lease), lease, 10, "sched-b/2")
	if err != nil || !reflect.DeepEqual(members(redelivered), []string{"1", "2"}) {
		t.Fatalf("after the lease: %v, %v", members(redelivered), err)
	}
	if holder, _ := leaseHolder(t, st, c1.ID); holder != "sched-b/2" {
		t.Errorf("lease now held by %q", holder)
	}
}

func TestClaimDueLimitIsPerPartition(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := at(t, "2026-01-14 10:00")
	// 1, 17 and 33 share partition 1; 2 is in partition 2.
	addDue(t, st, now.Add(-time.Hour), 1, 17, 33, 2)
	first, err := st.ClaimDue(ctx, now, time.Minute, 2, "a")
	if err != nil || len(first) != 3 {
		t.Fatalf("first claim: %v, %v; want two from partition 1 and one from 2", members(first), err)
	}
	second, err := st.ClaimDue(ctx, now, time.Minute, 2, "a")
	if err != nil || len(second) != 1 {
		t.Fatalf("second claim: %v, %v", members(second), err)
	}
	all := append(members(first), members(second)...)
	sort.Strings(all)
	if !reflect.DeepEqual(all, []string{"1", "17", "2", "33"}) {
		t.Errorf("claimed %v", all)
	}
}

func TestClaimDueConcurrentExactlyOnce(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := at(t, "2026-01-14 10:00")
	const due = 1000
	var dueIDs, laterIDs []int64
	for i := int64(1); i <= due; i++ {
		dueIDs = append(dueIDs, i)
	}
	for i := int64(due + 1); i <= due+500; i++ {
		laterIDs = append(laterIDs, i)
	}
	addDue(t, st, now.Add(-time.Minute), dueIDs...)
	addDue(t, st, now.Add(time.Hour), laterIDs...)

	var mu sync.Mutex
	got := map[string]string{}
	var dups []string
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ; round++ {
				token := fmt.Sprintf("sched-%d/%d", w, round)
				claims, err := st.ClaimDue(ctx, now, time.Minute, 20, token)
				if err != nil {
					t.Error(err)
					return
				}
				if len(claims) == 0 {
					return
				}
				mu.Lock()
				for _, cl := range claims {
					if prev, ok := got[cl.Member]; ok {
						dups = append(dups, cl.Member+" by "+prev+" and "+token)
					}
					got[cl.Member] = token
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(dups) > 0 {
		t.Errorf("claimed twice: %v", dups)
	}
	if len(got) != due {
		t.Errorf("claimed %d members, want %d", len(got), due)
	}
	for m := range got {
		if n, _ := strconv.Atoi(m); n > due {
			t.Errorf("claimed %s, which is not due", m)
		}
	}
}

// sendDue works out and "sends" what a claimed case owes at now, as the
// scheduler does, returning the changed case, its events and the marks.
func sendDue(t testing.TB, p *pathway.Policy, old *pathway.Case, now time.Time) (*pathway.Case, []pathway.Event, []string) {
	t.Helper()
	c := old.Clone()
	var events []pathway.Event
	var marks []string
	for _, r := range old.Reminders(p, now) {
		if !c.MarkSent(r, p, now) {
			t.Fatalf("MarkSent(%+v) = false", r)
		}
		events = append(events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventReminder, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: []string{old.Lead}})
		marks = append(marks, r.Occurrence)
	}
	if len(marks) == 0 {
		t.Fatalf("case %d owes nothing at %v", old.ID, now)
	}
	return c, events, marks
}

func claimOne(t testing.TB, st *store.Store, now time.Time, token string) store.Claim {
	t.Helper()
	claims, err := st.ClaimDue(ctx, now, 5*time.Minute, 10, token)
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue at %v: %v, %v", now, members(claims), err)
	}
	return claims[0]
}

func TestAckCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	now := at(t, "2026-01-13 10:05")
	cl := claimOne(t, st, now, "sched-a/1")

	loaded, err := st.Load(ctx, []store.Claim{cl})
	if err != nil || loaded.Cases[c.ID] == nil || len(loaded.Jobs) != 0 {
		t.Fatalf("Load = %+v, %v", loaded, err)
	}
	old := loaded.Cases[c.ID]
	occ := old.Reminders(p, now)[0].Occurrence
	if sent, err := st.WasSent(ctx, []store.SentQuery{{Partition: cl.Partition, Member: cl.Member, Occurrence: occ}}); err != nil || sent[0] {
		t.Fatalf("WasSent before sending = %v, %v", sent, err)
	}
	next, events, marks := sendDue(t, p, old, now)
	if err := st.AckCase(ctx, cl, old, next, p, events, marks, time.Time{}); err != nil {
		t.Fatal(err)
	}

	if _, held := leaseHolder(t, st, c.ID); held {
		t.Error("lease still held after the acknowledgement")
	}
	wake := next.NextWake(p) // a working day after the nudge
	if score, _ := dueScore(t, st, c.ID); score != wake.Unix() || !wake.Equal(at(t, "2026-01-14 10:05")) {
		t.Errorf("due score %d, want the next nudge %v", score, wake)
	}
	// The case itself records the nudge: what it owes next is another
	// occurrence, and no mark is left behind (one is, when the write is
	// refused: TestAckCaseConflictStillMarksSent).
	if sent, _ := st.WasSent(ctx, []store.SentQuery{{Partition: cl.Partition, Member: cl.Member, Occurrence: occ}}); sent[0] {
		t.Error("a mark was written, though the case records the nudge")
	}
	got, _ := st.GetCase(ctx, c.ID)
	if got.ContactNudges != 1 || got.Version != 2 {
		t.Errorf("case after the acknowledgement: nudges %d version %d", got.ContactNudges, got.Version)
	}
	for _, r := range got.Reminders(p, wake) {
		if r.Occurrence == occ {
			t.Errorf("the case owes %s again at %v", occ, wake)
		}
	}
	tl, _ := st.Timeline(ctx, c.ID)
	if len(tl) != 2 || tl[1].Kind != pathway.EventReminder || tl[1].Step != pathway.RemindContact {
		t.Errorf("timeline = %+v", tl)
	}

	// A failed send waits: the next time is no earlier than notBefore.
	now2 := wake
	cl = claimOne(t, st, now2, "sched-a/2")
	old = mustGet(t, st, cl)
	next, events, marks = sendDue(t, p, old, now2)
	retry := at(t, "2026-01-15 12:00")
	if err := st.AckCase(ctx, cl, old, next, p, events, marks, retry); err != nil {
		t.Fatal(err)
	}
	if score, _ := dueScore(t, st, c.ID); score != retry.Unix() {
		t.Errorf("due score %d, want notBefore %v (later than NextWake %v)", score, retry, next.NextWake(p))
	}
}

func TestAckCaseConflictStillMarksSent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	now := at(t, "2026-01-13 10:05")
	cl := claimOne(t, st, now, "sched-a/1")
	old := mustGet(t, st, cl)
	next, events, marks := sendDue(t, p, old, now)

	// While the nudge goes out, the lead logs the contact.
	answered := apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, now.Add(time.Second))
	})

	err := st.AckCase(ctx, cl, old, next, p, events, marks, time.Time{})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("AckCase over a changed case: %v, want ErrConflict", err)
	}
	// The message went, so its mark is kept; nothing else of the ack is.
	sent, err := st.WasSent(ctx, []store.SentQuery{
		{Partition: cl.Partition, Member: cl.Member, Occurrence: marks[0]},
		{Partition: cl.Partition, Member: cl.Member, Occurrence: "contact:9:9"},
	})
	if err != nil || !reflect.DeepEqual(sent, []bool{true, false}) {
		t.Errorf("WasSent = %v, %v", sent, err)
	}
	got, _ := st.GetCase(ctx, c.ID)
	if !reflect.DeepEqual(got, store.UTCCase(answered)) {
		t.Errorf("the conflicting ack overwrote the case: %+v", got)
	}
	if tl, _ := st.Timeline(ctx, c.ID); len(tl) != 2 || tl[1].Kind != pathway.EventContact {
		t.Errorf("timeline = %+v", tl)
	}
	if holder, _ := leaseHolder(t, st, c.ID); holder != "sched-a/1" {
		t.Errorf("lease after the failed ack: %q", holder)
	}

	// The scheduler reads again: the reminder was answered, so it records
	// nothing more and sets the case's next time from the fresh case.
	fresh := mustGet(t, st, cl)
	redo := fresh.Clone()
	if redo.MarkSent(old.Reminders(p, now)[0], p, now) {
		t.Error("MarkSent of an answered reminder = true")
	}
	if err := st.AckCase(ctx, cl, fresh, redo, p, nil, marks, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, held := leaseHolder(t, st, c.ID); held {
		t.Error("lease still held")
	}
	if score, _ := dueScore(t, st, c.ID); score != answered.NextWake(p).Unix() {
		t.Errorf("due score %d, want the next contact %v", score, answered.NextWake(p))
	}
}

func TestRelease(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	now := at(t, "2026-01-13 10:05")

	// Released at a time: due then, not leased.
	cl := claimOne(t, st, now, "a/1")
	later := now.Add(10 * time.Minute)
	if err := st.Release(ctx, cl, later); err != nil {
		t.Fatal(err)
	}
	if score, _ := dueScore(t, st, c.ID); score != later.Unix() {
		t.Errorf("score %d, want %v", score, later)
	}
	if _, held := leaseHolder(t, st, c.ID); held {
		t.Error("still leased")
	}

	// Released by someone whose lease it no longer is: nothing changes.
	cl = claimOne(t, st, later, "a/2")
	stale := cl
	stale.Token = "a/1"
	if err := st.Release(ctx, stale, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if holder, _ := leaseHolder(t, st, c.ID); holder != "a/2" {
		t.Errorf("a stale release changed the lease: %q", holder)
	}
	if score, ok := dueScore(t, st, c.ID); !ok || score != later.Add(5*time.Minute).Unix() {
		t.Errorf("a stale release moved the score: %d %v", score, ok)
	}

	// Released with no time: out of the index.
	if err := st.Release(ctx, cl, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := dueScore(t, st, c.ID); ok {
		t.Error("still in the due index")
	}
	if _, held := leaseHolder(t, st, c.ID); held {
		t.Error("still leased")
	}
}

func TestDropAndLoadMissing(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := at(t, "2026-01-14 10:00")
	// Members whose case or job has gone.
	addDue(t, st, now.Add(-time.Hour), 99)
	pt := 5
	if err := st.Client().ZAdd(ctx, fmt.Sprintf("%s{p%d}:due", st.Prefix(), pt), redis.Z{Score: float64(now.Unix() - 60), Member: "j:gone"}).Err(); err != nil {
		t.Fatal(err)
	}
	claims, err := st.ClaimDue(ctx, now, time.Minute, 10, "a")
	if err != nil || len(claims) != 2 {
		t.Fatalf("claims %v, %v", members(claims), err)
	}
	loaded, err := st.Load(ctx, claims)
	if err != nil || len(loaded.Cases) != 0 || len(loaded.Jobs) != 0 {
		t.Fatalf("Load of missing members = %+v, %v", loaded, err)
	}
	for _, cl := range claims {
		if err := st.Drop(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	if next, ok, err := st.NextDue(ctx); err != nil || ok {
		t.Errorf("after dropping everything, NextDue = %v, %v, %v", next, ok, err)
	}
	if n := st.Client().HLen(ctx, partKey(st, 99, "lease")).Val(); n != 0 {
		t.Errorf("%d leases left", n)
	}
	if loaded, err := st.Load(ctx, nil); err != nil || loaded.Cases == nil || loaded.Jobs == nil {
		t.Errorf("Load(nil) = %+v, %v", loaded, err)
	}
}

func TestNextDue(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	if _, ok, err := st.NextDue(ctx); ok || err != nil {
		t.Fatalf("NextDue of an empty index: %v, %v", ok, err)
	}
	create(t, st, p, at(t, "2026-01-13 10:00"), pathway.OpenInput{})
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{})
	next, ok, err := st.NextDue(ctx)
	if err != nil || !ok || !next.Equal(c.NextWake(p)) {
		t.Errorf("NextDue = %v, %v, %v; want %v", next, ok, err, c.NextWake(p))
	}
	job := at(t, "2026-01-12 18:00")
	if err := st.ScheduleJob(ctx, store.Job{ID: "checkin:x", Kind: "checkin", At: job}); err != nil {
		t.Fatal(err)
	}
	if next, _, _ := st.NextDue(ctx); !next.Equal(job) {
		t.Errorf("NextDue with an earlier job = %v, want %v", next, job)
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	first := at(t, "2026-01-13 10:00")
	j := store.Job{ID: "checkin:7:console:ash:1", Kind: "checkin", Person: "console:ash", Case: 7, At: first, Data: map[string]string{"n": "1"}}
	if err := st.ScheduleJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.GetJob(ctx, j.ID)
	if err != nil || !ok || got.ID != j.ID || got.Kind != j.Kind || got.Person != j.Person || got.Case != 7 || !got.At.Equal(first) || got.Data["n"] != "1" {
		t.Fatalf("GetJob = %+v, %v, %v", got, ok, err)
	}

	// Scheduling the same id again moves it rather than adding another.
	moved := at(t, "2026-01-14 10:00")
	j.At = moved
	if err := st.ScheduleJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.GetJob(ctx, j.ID); !got.At.Equal(moved) {
		t.Errorf("after rescheduling, At = %v", got.At)
	}
	if claims, _ := st.ClaimDue(ctx, first, time.Minute, 10, "a"); len(claims) != 0 {
		t.Errorf("claimed at the old time: %v", members(claims))
	}
	claims, err := st.ClaimDue(ctx, moved, time.Minute, 10, "a")
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimDue = %v, %v", members(claims), err)
	}
	cl := claims[0]
	if _, isCase := cl.CaseID(); isCase || cl.Member != "j:"+j.ID || cl.JobID() != j.ID {
		t.Errorf("claim %+v", cl)
	}
	loaded, err := st.Load(ctx, claims)
	if err != nil || loaded.Jobs[j.ID].Person != "console:ash" || len(loaded.Cases) != 0 {
		t.Fatalf("Load = %+v, %v", loaded, err)
	}
	occ := fmt.Sprintf("run:%d", moved.Unix())
	if err := st.AckJob(ctx, cl, occ); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.GetJob(ctx, j.ID); ok {
		t.Error("job still there after AckJob")
	}
	if sent, _ := st.WasSent(ctx, []store.SentQuery{{Partition: cl.Partition, Member: cl.Member, Occurrence: occ}}); !sent[0] {
		t.Error("job run not marked sent")
	}
	if _, ok, _ := st.NextDue(ctx); ok {
		t.Error("acknowledged job still due")
	}

	// A job acknowledged by someone whose lease ran out is marked, not removed.
	j2 := store.Job{ID: "checkin:7:console:bo:1", Kind: "checkin", Person: "console:bo", At: first}
	if err := st.ScheduleJob(ctx, j2); err != nil {
		t.Fatal(err)
	}
	old := claimOneJob(t, st, first, "a/1")
	claimOneJob(t, st, first.Add(time.Minute), "b/1")
	if err := st.AckJob(ctx, old, "run:x"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.GetJob(ctx, j2.ID); !ok {
		t.Error("a stale AckJob removed the job another scheduler holds")
	}

	// Cancelled: gone from the jobs and the due index.
	if err := st.CancelJob(ctx, j2.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.GetJob(ctx, j2.ID); ok {
		t.Error("cancelled job still there")
	}
	if _, ok, _ := st.NextDue(ctx); ok {
		t.Error("cancelled job still due")
	}
	if err := st.CancelJob(ctx, "never-scheduled"); err != nil {
		t.Errorf("cancelling an unknown job: %v", err)
	}
	if _, ok, err := st.GetJob(ctx, "never-scheduled"); ok || err != nil {
		t.Errorf("GetJob of an unknown job: %v, %v", ok, err)
	}

	for _, bad := range []store.Job{{Kind: "checkin", At: first}, {ID: "x", At: first}} {
		if err := st.ScheduleJob(ctx, bad); pathway.ErrorCode(err) != pathway.Internal {
			t.Errorf("ScheduleJob(%+v) = %v", bad, err)
		}
	}
}

func claimOneJob(t testing.TB, st *store.Store, now time.Time, token string) store.Claim {
	t.Helper()
	claims, err := st.ClaimDue(ctx, now, time.Minute, 10, token)
	if err != nil || len(claims) != 1 || claims[0].JobID() == "" {
		t.Fatalf("ClaimDue at %v: %v, %v", now, members(claims), err)
	}
	return claims[0]
}

func TestWasSentEmpty(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	if got, err := st.WasSent(ctx, nil); err != nil || got != nil {
		t.Errorf("WasSent(nil) = %v, %v", got, err)
	}
}

// TestAClaimOutsideThePartitionsIsRefused: a Claim's fields are open to
// any caller; one naming a partition that does not exist is refused, never
// a panic, and changes nothing.
func TestAClaimOutsideThePartitionsIsRefused(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := at(t, "2026-01-14 10:00")
	for _, pt := range []int{-1, store.Partitions, store.Partitions + 40} {
		for _, member := range []string{"j:checkin-1", "42"} {
			cl := store.Claim{Partition: pt, Member: member, Token: "t"}
			calls := []struct {
				name string
				run  func() error
			}{
				{"Load", func() error { _, err := st.Load(ctx, []store.Claim{cl}); return err }},
				{"Drop", func() error { return st.Drop(ctx, cl) }},
				{"Release", func() error { return st.Release(ctx, cl, now) }},
				{"AckJob", func() error { return st.AckJob(ctx, cl, "o1") }},
				{"WasSent", func() error {
					_, err := st.WasSent(ctx, []store.SentQuery{{Partition: pt, Member: member, Occurrence: "o1"}})
					return err
				}},
			}
			for _, c := range calls {
				if err := c.run(); pathway.ErrorCode(err) != pathway.Internal {
					t.Errorf("%s(partition %d, %s) = %v, want an Internal error", c.name, pt, member, err)
				}
			}
		}
	}
}

// BenchmarkClaimDue claims 1,000 due cases among 10,000 in the index. Each
// round claims them with a one-second lease and the next round is a second
// later, so every round finds the same 1,000 due again.
func BenchmarkClaimDue(b *testing.B) {
	st := storetest.New(b)
	start := at(b, "2026-01-14 10:00")
	const total, due = 10000, 1000
	var dueIDs, laterIDs []int64
	for i := int64(1); i <= total; i++ {
		if i%(total/due) == 0 {
			dueIDs = append(dueIDs, i)
		} else {
			laterIDs = append(laterIDs, i)
		}
	}
	addDue(b, st, start.Add(-time.Minute), dueIDs...)
	addDue(b, st, start.AddDate(50, 0, 0), laterIDs...)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		claims, err := st.ClaimDue(ctx, start.Add(time.Duration(i)*time.Second), time.Second, due, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if len(claims) != due {
			b.Fatalf("round %d claimed %d, want %d", i, len(claims), due)
		}
	}
}
