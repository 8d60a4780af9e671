package store_test

import (
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store/storetest"
)

func TestAwayRecords(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	now := at(t, "2026-12-07 10:00")
	if _, ok, err := st.Away(ctx, "console:alex"); ok || err != nil {
		t.Fatalf("Away before any = %v, %v", ok, err)
	}
	a := pathway.Away{Person: "console:alex", Cover: "console:sam", From: now, Until: now.Add(72 * time.Hour), SetBy: "console:alex", Cases: []int64{3, 9}}
	if err := st.SaveAway(ctx, a, now); err != nil {
		t.Fatal(err)
	}
	got, ok, err := st.Away(ctx, "console:alex")
	if err != nil || !ok || !got.From.Equal(a.From) || !got.Until.Equal(a.Until) || got.Cover != a.Cover || len(got.Cases) != 2 {
		t.Fatalf("Away = %+v, %v, %v; want %+v", got, ok, err, a)
	}
	all, err := st.Aways(ctx, []string{"console:alex", "console:sam"})
	if err != nil || len(all) != 1 || all["console:alex"].Cover != "console:sam" {
		t.Fatalf("Aways = %+v, %v", all, err)
	}
	// A newer time away replaces it; ending the older one leaves it alone.
	newer := a
	newer.From, newer.Until = now.Add(time.Hour), now.Add(96*time.Hour)
	if err := st.SaveAway(ctx, newer, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ended, err := st.EndAway(ctx, "console:alex", got.From); err != nil || ended {
		t.Errorf("EndAway of a replaced time away = %v, %v", ended, err)
	}
	cur, _, _ := st.Away(ctx, "console:alex")
	if ended, err := st.EndAway(ctx, "console:alex", cur.From); err != nil || !ended {
		t.Errorf("EndAway of the current one = %v, %v", ended, err)
	}
	if _, ok, _ := st.Away(ctx, "console:alex"); ok {
		t.Error("the time away is still kept after it ended")
	}
	if ended, err := st.EndAway(ctx, "console:alex", cur.From); err != nil || ended {
		t.Errorf("EndAway again = %v, %v", ended, err)
	}
}

func TestAppendEvents(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2026-12-07 10:00")
	c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-1", Lead: "console:alex"}, "console:alex", p, now)
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.CreateCase(ctx, c, p, ev)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.GetCase(ctx, id)
	away := pathway.Event{At: now, Actor: "console:alex", Kind: pathway.EventAway, Step: pathway.AwayStart, People: []string{"console:alex", "console:sam"}, Next: now.Add(48 * time.Hour)}
	if ok, err := st.AppendEvents(ctx, id, p, away); err != nil || !ok {
		t.Fatalf("AppendEvents = %v, %v", ok, err)
	}
	events, err := st.Timeline(ctx, id)
	if err != nil || len(events) != 2 {
		t.Fatalf("timeline = %+v, %v", events, err)
	}
	if e := events[1]; e.Kind != pathway.EventAway || e.Step != pathway.AwayStart || len(e.People) != 2 || !e.Next.Equal(away.Next) {
		t.Errorf("recorded %+v, want %+v", e, away)
	}
	after, _ := st.GetCase(ctx, id)
	if !after.NextContact.Equal(before.NextContact) || after.Lead != before.Lead {
		t.Error("appending an entry changed the case")
	}
	if ok, err := st.AppendEvents(ctx, 999999, p, away); err != nil || ok {
		t.Errorf("AppendEvents on no case = %v, %v", ok, err)
	}
}
