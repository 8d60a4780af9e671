package store_test

import (
	"testing"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// A strike is an entry of its own: the entry it names stays in the timeline
// and reads back struck, in Timeline and in Timelines (the reports).
func TestStruckEntryReadsBackStruck(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Harm: pathway.HarmLow})
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, at(t, "2026-01-13 09:00"))
	})
	tl, err := st.Timeline(ctx, c.ID)
	if err != nil || len(tl) != 2 || tl[1].No != 2 || tl[1].Struck() {
		t.Fatalf("timeline = %+v, %v", tl, err)
	}
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.Strike(tl, 2, "logged on the wrong case", "console:jo", p, at(t, "2026-01-13 10:00"))
	})
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		ev, err := c.Correct(pathway.CorrectInput{Psych: func() *pathway.Harm { h := pathway.HarmModerate; return &h }(),
			Reason: "regraded"}, "console:jo", p, at(t, "2026-01-13 11:00"))
		return ev[0], err
	})
	got, err := st.GetCase(ctx, c.ID)
	if err != nil || got.Contacts != 0 || got.Psych != pathway.HarmModerate {
		t.Fatalf("case after the strike = %+v, %v", got, err)
	}
	all, err := st.Timelines(ctx, []int64{c.ID})
	if err != nil {
		t.Fatal(err)
	}
	for name, tl := range map[string][]pathway.Event{"Timeline": mustTimeline(t, st, c.ID), "Timelines": all[c.ID]} {
		if len(tl) != 4 || !tl[1].Struck() || tl[1].CountsAsContact() || tl[1].StruckBy.Note != "logged on the wrong case" || tl[2].Strikes != 2 {
			t.Errorf("%s = %+v", name, tl)
		}
		if e := tl[3]; e.Kind != pathway.EventCorrected || e.Step != "psych" || e.From != "" || e.To != "moderate" {
			t.Errorf("%s: correction = %+v", name, e)
		}
	}
}

func mustTimeline(t *testing.T, st *store.Store, id int64) []pathway.Event {
	t.Helper()
	tl, err := st.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// An entry that can't be read still has its number, so the entries after
// it keep theirs: the number a strike names never shifts.
func TestUnreadableEntryKeepsTheNumbering(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	p := englandPolicy(t)
	c := create(t, st, p, at(t, "2026-01-12 10:00"), pathway.OpenInput{Harm: pathway.HarmLow})
	if _, err := store.AddRawEntry(st, ctx, c.ID, "not an event"); err != nil {
		t.Fatal(err)
	}
	apply(t, st, p, c.ID, func(c *pathway.Case) (pathway.Event, error) {
		return c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, at(t, "2026-01-13 09:00"))
	})
	tl := mustTimeline(t, st, c.ID)
	if len(tl) != 2 || tl[0].No != 1 || tl[1].No != 3 || tl[1].Kind != pathway.EventContact {
		t.Fatalf("timeline = %+v", tl)
	}
}
