package store_test

import (
	"context"
	"fmt"
	"testing"

	"hppbot/bot"
	"hppbot/store"
	"hppbot/store/storetest"
)

// The live nudge: a newer message about a case replaces the older one's
// entry, a bundle stays live while any of its cases still points at it,
// and recording the same message twice replaces nothing.
func TestLiveNudges(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	const sam = "slack:U0SAM"
	ref := func(id string) bot.MessageRef { return bot.MessageRef{To: sam, Conv: "D0SAM", ID: id} }
	steps := []struct {
		name     string
		ref      bot.MessageRef
		cases    []int64
		replaced []string // ids of the refs replaced
	}{
		{"first nudge", ref("1.1"), []int64{1}, nil},
		{"the same nudge again (a retry)", ref("1.1"), []int64{1}, nil},
		{"a bundle about 1 and 2", ref("2.1"), []int64{1, 2}, []string{"1.1"}},
		{"a nudge about 1 alone", ref("3.1"), []int64{1}, []string{"2.1"}},
		{"nothing", ref("4.1"), nil, nil},
	}
	for _, s := range steps {
		got, err := st.SetLive(ctx, s.ref, s.cases)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(got) != len(s.replaced) {
			t.Fatalf("%s: replaced %v; want %v", s.name, got, s.replaced)
		}
		for i := range got {
			if got[i].ID != s.replaced[i] || got[i].To != sam {
				t.Errorf("%s: replaced %v; want %v", s.name, got, s.replaced)
			}
		}
	}
	// The bundle is still case 2's live message.
	if still, err := st.LiveElsewhere(ctx, ref("2.1")); err != nil || !still {
		t.Errorf("bundle live elsewhere = %v, %v; want true", still, err)
	}
	live, ok, err := st.Live(ctx, sam, 2)
	if err != nil || !ok || live.ID != "2.1" || live.Cases != 2 {
		t.Errorf("case 2's live message = %+v %v %v; want the bundle about 2 cases", live, ok, err)
	}
	if err := st.DoneLive(ctx, sam, 2); err != nil {
		t.Fatal(err)
	}
	if still, err := st.LiveElsewhere(ctx, ref("2.1")); err != nil || still {
		t.Errorf("bundle live elsewhere after its last case was done = %v, %v; want false", still, err)
	}
	if _, ok, err := st.Live(ctx, sam, 2); err != nil || ok {
		t.Errorf("case 2 still has a live message: %v %v", ok, err)
	}
	if ttl := st.Client().TTL(ctx, st.Prefix()+"{u:"+sam+"}:live").Val(); ttl <= 0 || ttl > store.LiveFor {
		t.Errorf("live hash TTL %s; want up to %s", ttl, store.LiveFor)
	}
	// What can't be read is no live message, never a panic.
	st.Client().HSet(ctx, st.Prefix()+"{u:"+sam+"}:live", "9", "{not json")
	if _, ok, err := st.Live(ctx, sam, 9); err != nil || ok {
		t.Errorf("an unreadable entry: %v %v; want none", ok, err)
	}
}

// Lives reads several people's live message about one case at once,
// leaving out those with none.
func TestLivesReadsSeveralPeopleAtOnce(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	for _, r := range []struct {
		ref   bot.MessageRef
		cases []int64
	}{
		{bot.MessageRef{To: "slack:U0SAM", Conv: "D0SAM", ID: "1.1"}, []int64{7}},
		{bot.MessageRef{To: "slack:U0PAT", Conv: "D0PAT", ID: "2.1"}, []int64{7, 8}},
		{bot.MessageRef{To: "slack:U0KIM", Conv: "D0KIM", ID: "3.1"}, []int64{8}},
	} {
		if _, err := st.SetLive(ctx, r.ref, r.cases); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		people []string
		id     int64
		want   map[string]string // person → message id
	}{
		{[]string{"slack:U0SAM", "slack:U0PAT", "slack:U0KIM"}, 7, map[string]string{"slack:U0SAM": "1.1", "slack:U0PAT": "2.1"}},
		{[]string{"slack:U0KIM"}, 8, map[string]string{"slack:U0KIM": "3.1"}},
		{[]string{"slack:U0NOBODY"}, 7, map[string]string{}},
		{nil, 7, map[string]string{}},
	}
	for _, tc := range tests {
		got, err := st.Lives(ctx, tc.people, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for p, r := range got {
			ids[p] = r.ID
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("Lives(%v, %d) = %v; want %v", tc.people, tc.id, ids, tc.want)
		}
	}
}
