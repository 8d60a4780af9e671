package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func sentCheckin(t *testing.T, st *store.Store, person, token string) {
	t.Helper()
	c := pathway.Checkin{Token: token, Kind: pathway.CheckinForCase, Case: 7, Service: "maternity", N: 2, Sent: t0}
	if err := st.SaveCheckin(context.Background(), person, c, 14*24*time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestCheckinRoundTrip(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	sentCheckin(t, st, "console:sam", "aaaaaaaaaaaaaaaaaaaa")
	got, ok, err := st.GetCheckin(ctx, "console:sam", "aaaaaaaaaaaaaaaaaaaa")
	if err != nil || !ok {
		t.Fatalf("GetCheckin = %v, %v", ok, err)
	}
	want := pathway.Checkin{Token: "aaaaaaaaaaaaaaaaaaaa", Kind: pathway.CheckinForCase, Case: 7, Service: "maternity", N: 2, Sent: t0}
	if got != want {
		t.Errorf("GetCheckin = %+v, want %+v", got, want)
	}
	// Another person's token finds nothing under this person.
	if _, ok, _ := st.GetCheckin(ctx, "console:lee", "aaaaaaaaaaaaaaaaaaaa"); ok {
		t.Error("a check-in was found under someone it wasn't sent to")
	}
	if err := st.DeleteCheckin(ctx, "console:sam", "aaaaaaaaaaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.GetCheckin(ctx, "console:sam", "aaaaaaaaaaaaaaaaaaaa"); ok {
		t.Error("deleted check-in still found")
	}
}

func TestAnswersAreTheAnswerersAloneAndOncePerCheckin(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	keep := 90 * 24 * time.Hour
	sentCheckin(t, st, "console:sam", "bbbbbbbbbbbbbbbbbbbb")
	a := pathway.CheckinAnswer{At: t0, Value: 2, Label: "Finding it hard"}

	// Someone else holding sam's token writes nothing, anywhere.
	res, err := st.AnswerCheckin(ctx, "console:lee", "bbbbbbbbbbbbbbbbbbbb", a, keep)
	if err != nil || res != pathway.AnswerUnknown {
		t.Fatalf("answer by another person = %v, %v; want AnswerUnknown", res, err)
	}
	for _, p := range []string{"console:sam", "console:lee"} {
		if got, _ := st.CheckinAnswers(ctx, p, keep, t0); len(got) != 0 {
			t.Errorf("%s has answers after a forged answer: %v", p, got)
		}
	}

	if res, err := st.AnswerCheckin(ctx, "console:sam", "bbbbbbbbbbbbbbbbbbbb", a, keep); err != nil || res != pathway.AnswerRecorded {
		t.Fatalf("answer = %v, %v", res, err)
	}
	a2 := pathway.CheckinAnswer{At: t0.Add(time.Minute), Value: 4, Label: "Doing OK"}
	if res, err := st.AnswerCheckin(ctx, "console:sam", "bbbbbbbbbbbbbbbbbbbb", a2, keep); err != nil || res != pathway.AnswerAlready {
		t.Fatalf("second answer = %v, %v; want AnswerAlready", res, err)
	}
	got, err := st.CheckinAnswers(ctx, "console:sam", keep, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Value != 2 || got[0].Label != "Finding it hard" || !got[0].At.Equal(t0) {
		t.Errorf("answers = %+v", got)
	}
	ci, _, _ := st.GetCheckin(ctx, "console:sam", "bbbbbbbbbbbbbbbbbbbb")
	if !ci.Answered {
		t.Error("check-in not marked answered")
	}
	if _, err := st.AnswerCheckin(ctx, "console:sam", "bbbbbbbbbbbbbbbbbbbb", a, 0); err == nil {
		t.Error("an answer with no keep time was accepted")
	}
}

func TestAnswersExpire(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rdb := st.Client()
	key := st.Prefix() + "{u:console:sam}:checkins"
	keep := time.Hour

	sentCheckin(t, st, "console:sam", "cccccccccccccccccccc")
	if _, err := st.AnswerCheckin(ctx, "console:sam", "cccccccccccccccccccc", pathway.CheckinAnswer{At: t0, Value: 1, Label: "Really struggling"}, keep); err != nil {
		t.Fatal(err)
	}
	// The key expires with the newest answer.
	ttl, err := rdb.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > keep {
		t.Errorf("PTTL = %v, want in (0, %v]", ttl, keep)
	}
	if got, _ := st.CheckinAnswers(ctx, "console:sam", keep, t0.Add(30*time.Minute)); len(got) != 1 {
		t.Errorf("within keep: %d answers, want 1", len(got))
	}
	// Past the keep time the answer is gone — removed, not just hidden.
	if got, _ := st.CheckinAnswers(ctx, "console:sam", keep, t0.Add(2*time.Hour)); len(got) != 0 {
		t.Errorf("past keep: %d answers, want 0", len(got))
	}
	if n := rdb.ZCard(ctx, key).Val(); n != 0 {
		t.Errorf("%d expired answers still stored", n)
	}

	// A new answer trims older ones on write, and refreshes the expiry.
	sentCheckin(t, st, "console:sam", "dddddddddddddddddddd")
	sentCheckin(t, st, "console:sam", "eeeeeeeeeeeeeeeeeeee")
	if _, err := st.AnswerCheckin(ctx, "console:sam", "dddddddddddddddddddd", pathway.CheckinAnswer{At: t0, Value: 3, Label: "Getting by"}, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnswerCheckin(ctx, "console:sam", "eeeeeeeeeeeeeeeeeeee", pathway.CheckinAnswer{At: t0.Add(3 * time.Hour), Value: 4, Label: "Doing OK"}, keep); err != nil {
		t.Fatal(err)
	}
	if n := rdb.ZCard(ctx, key).Val(); n != 1 {
		t.Errorf("after a later answer, %d stored, want 1", n)
	}
}

func TestForgetCheckinAnswers(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	keep := 24 * time.Hour
	for i, tok := range []string{"f0000000000000000000", "f1111111111111111111"} {
		sentCheckin(t, st, "console:sam", tok)
		if _, err := st.AnswerCheckin(ctx, "console:sam", tok, pathway.CheckinAnswer{At: t0.Add(time.Duration(i) * time.Minute), Value: 2, Label: "Finding it hard"}, keep); err != nil {
			t.Fatal(err)
		}
	}
	sentCheckin(t, st, "console:lee", "f2222222222222222222")
	if _, err := st.AnswerCheckin(ctx, "console:lee", "f2222222222222222222", pathway.CheckinAnswer{At: t0, Value: 3, Label: "Getting by"}, keep); err != nil {
		t.Fatal(err)
	}
	n, err := st.ForgetCheckinAnswers(ctx, "console:sam", keep, t0.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("forget = %d, %v; want 2", n, err)
	}
	if got, _ := st.CheckinAnswers(ctx, "console:sam", keep, t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("answers after forget: %v", got)
	}
	if got, _ := st.CheckinAnswers(ctx, "console:lee", keep, t0.Add(time.Hour)); len(got) != 1 {
		t.Errorf("forgetting sam's answers touched lee's: %v", got)
	}
}

func TestPersonSettings(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	got, err := st.PersonSettings(ctx, "console:sam")
	if err != nil || got != (pathway.PersonSettings{}) {
		t.Fatalf("new person = %+v, %v", got, err)
	}
	steps := []struct {
		do   func() error
		want pathway.PersonSettings
	}{
		{func() error { return st.SetCheckinsOff(ctx, "console:sam", true) }, pathway.PersonSettings{CheckinsOff: true}},
		{func() error { return st.SetPersonService(ctx, "console:sam", "maternity") }, pathway.PersonSettings{CheckinsOff: true, Service: "maternity"}},
		{func() error { return st.SetPersonService(ctx, "console:sam", "") }, pathway.PersonSettings{CheckinsOff: true, Service: "maternity"}},
		{func() error { return st.SetCheckinsOff(ctx, "console:sam", false) }, pathway.PersonSettings{Service: "maternity"}},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.PersonSettings(ctx, "console:sam"); got != s.want {
			t.Errorf("step %d: %+v, want %+v", i, got, s.want)
		}
	}
}

func TestSnoozeCheckinOnce(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	sentCheckin(t, st, "console:sam", "a1a1a1a1a1a1a1a1a1a1")
	for i, want := range []bool{true, false, false} {
		first, ok, err := st.SnoozeCheckin(ctx, "console:sam", "a1a1a1a1a1a1a1a1a1a1")
		if err != nil || !ok || first != want {
			t.Errorf("snooze %d = %v, %v, %v; want first=%v", i, first, ok, err, want)
		}
	}
	if _, ok, _ := st.SnoozeCheckin(ctx, "console:lee", "a1a1a1a1a1a1a1a1a1a1"); ok {
		t.Error("snoozed a check-in under someone it wasn't sent to")
	}
	if _, ok, _ := st.GetCheckin(ctx, "console:lee", "a1a1a1a1a1a1a1a1a1a1"); ok {
		t.Error("snoozing another person's token created a check-in")
	}
}

func TestMarkCheckinDayIsOncePerDayAcrossReplicas(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.MarkCheckinDay(ctx, "console:sam", "2026-11-26")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("%d firsts, want 1", firsts)
	}
	if ok, _ := st.MarkCheckinDay(ctx, "console:sam", "2026-11-27"); !ok {
		t.Error("the next day was not first")
	}
	if err := st.UnmarkCheckinDay(ctx, "console:sam", "2026-11-26"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.MarkCheckinDay(ctx, "console:sam", "2026-11-26"); !ok {
		t.Error("after unmarking, the day was not first again")
	}
}

func TestTalkRequestMark(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	first, told, err := st.MarkTalkRequest(ctx, "console:sam", "console:jo", time.Hour)
	if err != nil || !first || told != "console:jo" {
		t.Fatalf("first mark = %v, %q, %v", first, told, err)
	}
	first, told, err = st.MarkTalkRequest(ctx, "console:sam", "console:kim", time.Hour)
	if err != nil || first || told != "console:jo" {
		t.Fatalf("second mark = %v, %q, %v; want not first, told console:jo", first, told, err)
	}
	if err := st.ForgetTalkRequest(ctx, "console:sam"); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := st.MarkTalkRequest(ctx, "console:sam", "console:jo", time.Hour); !first {
		t.Error("after forgetting, the request was not first")
	}
}

func TestNextCheckinJob(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, _, ok, err := st.NextCheckinJob(ctx, "console:sam", t0); ok || err != nil {
		t.Fatalf("empty: ok=%v err=%v", ok, err)
	}
	for i, d := range []time.Duration{-time.Hour, 72 * time.Hour, 24 * time.Hour} {
		if err := st.TrackCheckinJob(ctx, "console:sam", "job"+string(rune('a'+i)), t0.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	id, at, ok, err := st.NextCheckinJob(ctx, "console:sam", t0)
	if err != nil || !ok || id != "jobc" || !at.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("next = %q %v %v %v; want jobc a day on", id, at, ok, err)
	}
	if err := st.UntrackCheckinJob(ctx, "console:sam", "jobc"); err != nil {
		t.Fatal(err)
	}
	if id, _, _, _ := st.NextCheckinJob(ctx, "console:sam", t0); id != "jobb" {
		t.Errorf("after untracking, next = %q, want jobb", id)
	}
}

// TestParticipationContract pins the keys the reports helper reads: sets of
// person ids per service and month, expiring after 400 days, with no answers.
func TestParticipationContract(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rdb := st.Client()
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	people := []string{"console:a", "console:b", "console:c", "console:d", "console:e", "console:f"}
	for _, p := range people {
		if err := st.RecordCheckinParticipation(ctx, "maternity", p, false, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range people[:2] {
		if err := st.RecordCheckinParticipation(ctx, "maternity", p, true, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RecordCheckinParticipation(ctx, "", "console:a", false, at); err != nil {
		t.Fatal(err)
	}
	invited := st.Prefix() + "wb:part:maternity:2026-11:invited"
	answered := st.Prefix() + "wb:part:maternity:2026-11:answered"
	none := st.Prefix() + "wb:part:none:2026-11:invited"
	for key, want := range map[string]int{invited: 6, answered: 2, none: 1} {
		members := rdb.SMembers(ctx, key).Val()
		if len(members) != want {
			t.Errorf("%s has %d members, want %d", key, len(members), want)
		}
		for _, m := range members {
			if !strings.HasPrefix(m, "console:") {
				t.Errorf("%s holds %q, not a person id", key, m)
			}
		}
		ttl := rdb.TTL(ctx, key).Val()
		if ttl < 399*24*time.Hour || ttl > 400*24*time.Hour {
			t.Errorf("%s TTL = %v, want 400 days", key, ttl)
		}
	}
	// Counting a person twice changes nothing: sets of people, not events.
	if err := st.RecordCheckinParticipation(ctx, "maternity", "console:a", false, at); err != nil {
		t.Fatal(err)
	}
	if n := rdb.SCard(ctx, invited).Val(); n != 6 {
		t.Errorf("invited = %d after a repeat, want 6", n)
	}
	// The month is at's month in at's own location.
	late := time.Date(2026, 11, 30, 23, 30, 0, 0, time.FixedZone("UTC-1", -3600))
	if err := st.RecordCheckinParticipation(ctx, "maternity", "console:g", false, late); err != nil {
		t.Fatal(err)
	}
	if !rdb.SIsMember(ctx, invited, "console:g").Val() {
		t.Error("a moment on 30 November, local time, was not counted in November")
	}
}
