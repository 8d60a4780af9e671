package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

func reportPolicy(t *testing.T) *pathway.Policy {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// seedCases opens n cases a day apart from start, alternating between
// maternity and emergency-dept; every third is closed five days after it
// opened. It returns the cases as stored.
func seedCases(t *testing.T, st *store.Store, p *pathway.Policy, start time.Time, n int) []*pathway.Case {
	t.Helper()
	ctx := context.Background()
	var out []*pathway.Case
	for i := 0; i < n; i++ {
		opened := start.AddDate(0, 0, i)
		svc := "maternity"
		if i%2 == 1 {
			svc = "emergency-dept"
		}
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", i), Service: svc, Harm: pathway.HarmModerate}, "console:sam", p, opened)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
			t.Fatal(err)
		}
		old := c.Clone()
		contact, err := c.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, opened.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveCase(ctx, old, c, p, contact); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			old := c.Clone()
			ev, err := c.Close("", "console:sam", opened.AddDate(0, 0, 5))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.SaveCase(ctx, old, c, p, ev); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, c)
	}
	return out
}

func ids(cases []*pathway.Case) []int64 {
	out := make([]int64, len(cases))
	for i, c := range cases {
		out[i] = c.ID
	}
	slices.Sort(out)
	return out
}

func stores(t *testing.T) map[string]*store.Store {
	embedded, err := store.Embedded(storetest.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { embedded.Close() })
	return map[string]*store.Store{"redis": storetest.New(t), "embedded": embedded}
}

func TestCasesOpenedAndActive(t *testing.T) {
	p := reportPolicy(t)
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Date(2026, 9, 1, 9, 0, 0, 0, p.Location())
			all := seedCases(t, st, p, start, 40)

			from := start.AddDate(0, 0, 10) // cases 10..29 were opened in [from, to)
			to := start.AddDate(0, 0, 30)
			got, err := store.CasesOpenedPaged(st, ctx, from, to, nil, 3)
			if err != nil {
				t.Fatal(err)
			}
			if want := ids(all[10:30]); !slices.Equal(ids(got), want) {
				t.Fatalf("opened in window: %v, want %v", ids(got), want)
			}

			maternity := func(c *pathway.Case) bool { return c.Service == "maternity" }
			got, err = st.CasesOpened(ctx, time.Time{}, time.Time{}, maternity)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 20 {
				t.Fatalf("%d maternity cases, want 20", len(got))
			}

			// Active in [from, to): opened before to and not closed before
			// from. Cases 0..9 closed on day i+5: those with i+5 < 10 (0 and
			// 3) closed before the window; 6 and 9 closed inside it.
			got, err = st.CasesActive(ctx, from, to, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []*pathway.Case
			for i, c := range all[:30] {
				if i%3 == 0 && i+5 < 10 {
					continue
				}
				want = append(want, c)
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("active: %v, want %v", ids(got), ids(want))
			}

			tls, err := st.Timelines(ctx, ids(all))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range all {
				one, err := st.Timeline(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				got := tls[c.ID]
				if len(got) != len(one) || len(got) < 2 {
					t.Fatalf("%s: batched timeline has %d events, single read %d", c.Name(), len(got), len(one))
				}
				for i := range got {
					if got[i].ID != one[i].ID || got[i].Kind != one[i].Kind || !got[i].At.Equal(one[i].At) {
						t.Fatalf("%s event %d differs: %+v vs %+v", c.Name(), i, got[i], one[i])
					}
				}
				if got[0].Kind != pathway.EventOpened || got[1].Kind != pathway.EventContact {
					t.Fatalf("%s events out of order: %v, %v", c.Name(), got[0].Kind, got[1].Kind)
				}
			}
			if tls, err := st.Timelines(ctx, nil); err != nil || len(tls) != 0 {
				t.Fatalf("no ids: %v, %v", tls, err)
			}
		})
	}
}

func TestCheckinParticipation(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/London")
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			rdb := st.Client()
			key := func(svc, month, which string) string {
				return st.Prefix() + "wb:part:" + svc + ":" + month + ":" + which
			}
			add := func(k string, people ...string) {
				for _, p := range people {
					if err := rdb.SAdd(ctx, k, p).Err(); err != nil {
						t.Fatal(err)
					}
				}
			}
			add(key("maternity", "2026-09", "invited"), "console:a", "console:b", "console:c")
			add(key("maternity", "2026-10", "invited"), "console:c", "console:d") // c again: counted once
			add(key("maternity", "2026-11", "invited"), "console:e")
			add(key("maternity", "2026-10", "answered"), "console:c", "console:d")
			add(key("maternity", "2026-08", "invited"), "console:old1", "console:old2") // before the window
			add(key("emergency-dept", "2026-10", "invited"), "console:x", "console:c")
			add(key("none", "2026-10", "invited"), "console:y")

			from := time.Date(2026, 9, 15, 0, 0, 0, 0, loc)
			to := time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
			inv, ans, err := st.CheckinParticipation(ctx, "maternity", from, to)
			if err != nil {
				t.Fatal(err)
			}
			if inv != 5 || ans != 2 {
				t.Fatalf("maternity: invited %d answered %d, want 5 and 2", inv, ans)
			}
			inv, _, err = st.CheckinParticipation(ctx, "emergency-dept", from, to)
			if err != nil || inv != 2 {
				t.Fatalf("emergency-dept: invited %d (%v), want 2", inv, err)
			}
			inv, _, err = st.CheckinParticipationIn(ctx, []string{"maternity", "emergency-dept", ""}, from, to)
			if err != nil || inv != 7 {
				t.Fatalf("across services: invited %d (%v), want 7 (a–e, x, y)", inv, err)
			}
			inv, ans, err = st.CheckinParticipation(ctx, "paediatrics", from, to)
			if err != nil || inv != 0 || ans != 0 {
				t.Fatalf("a service with no check-ins: %d %d %v", inv, ans, err)
			}
		})
	}
}

func TestMonths(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	tests := []struct {
		from, to time.Time
		want     []string
	}{
		{time.Date(2026, 9, 15, 0, 0, 0, 0, loc), time.Date(2026, 11, 25, 0, 0, 0, 0, loc), []string{"2026-09", "2026-10", "2026-11"}},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, loc), time.Date(2026, 12, 1, 0, 0, 0, 0, loc), []string{"2026-11"}},
		{time.Date(2026, 12, 20, 0, 0, 0, 0, loc), time.Date(2027, 1, 3, 0, 0, 0, 0, loc), []string{"2026-12", "2027-01"}},
		{time.Date(2026, 12, 20, 0, 0, 0, 0, loc), time.Date(2026, 12, 20, 0, 0, 0, 0, loc), nil},
	}
	for _, tt := range tests {
		if got := store.Months(tt.from, tt.to); !slices.Equal(got, tt.want) {
			t.Errorf("Months(%s, %s) = %v, want %v", tt.from.Format("2006-01-02"), tt.to.Format("2006-01-02"), got, tt.want)
		}
	}
}

// A report run in the same second as an open counts the case: the index
// scores whole seconds, the window's ends do not.
func TestCasesOpenedInTheSameSecond(t *testing.T) {
	p := reportPolicy(t)
	ctx := context.Background()
	opened := time.Date(2026, 9, 1, 9, 0, 0, 0, p.Location())
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-7", Harm: pathway.HarmModerate}, "console:sam", p, opened)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name     string
				from, to time.Time
				want     int
			}{
				{"to later in the same second", opened.Add(-time.Hour), opened.Add(200 * time.Millisecond), 1},
				{"to earlier in the same second", opened.Add(-time.Hour), opened.Add(-200 * time.Millisecond), 0},
				{"to exactly at the open", opened.Add(-time.Hour), opened, 0},
				{"from earlier in the same second", opened.Add(-200 * time.Millisecond), opened.Add(time.Hour), 1},
				{"from later in the same second", opened.Add(200 * time.Millisecond), opened.Add(time.Hour), 0},
			} {
				got, err := st.CasesOpened(ctx, tc.from, tc.to, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tc.want {
					t.Errorf("%s: %d cases, want %d", tc.name, len(got), tc.want)
				}
				active, err := st.CasesActive(ctx, tc.from, tc.to, nil)
				if err != nil {
					t.Fatal(err)
				}
				wantActive := tc.want
				if tc.from.After(opened) {
					wantActive = 1 // still open, so active in a later window too
				}
				if len(active) != wantActive {
					t.Errorf("%s: %d active, want %d", tc.name, len(active), wantActive)
				}
			}
		})
	}
}
