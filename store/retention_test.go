package store_test

import (
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// A person's settings are kept for the policy's settings_keep after each
// change, and without a keep time set they stay, as before.
func TestSettingsKeep(t *testing.T) {
	t.Parallel()
	keep := 400 * 24 * time.Hour
	tests := []struct {
		name  string
		keep  time.Duration
		write func(t *testing.T, st *store.Store, person string)
	}{
		{"check-ins off", keep, func(t *testing.T, st *store.Store, person string) {
			if err := st.SetCheckinsOff(ctx, person, true); err != nil {
				t.Fatal(err)
			}
		}},
		{"service remembered", keep, func(t *testing.T, st *store.Store, person string) {
			if err := st.SetPersonService(ctx, person, "maternity"); err != nil {
				t.Fatal(err)
			}
		}},
		{"recorded as involved", keep, func(t *testing.T, st *store.Store, person string) {
			p := englandPolicy(t)
			c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-7", Service: "maternity", Harm: pathway.HarmModerate, Involved: []string{person}}, "console:sam", p, at(t, "2026-01-12 10:00"))
			if err != nil {
				t.Fatal(err)
			}
			plan := func(c *pathway.Case) []*store.Checkins {
				return []*store.Checkins{{Person: person, Service: "maternity"}}
			}
			if _, err := st.CreateCaseWith(ctx, c, p, ev, plan); err != nil {
				t.Fatal(err)
			}
		}},
		{"involved in a case with no service, settings already there", keep, func(t *testing.T, st *store.Store, person string) {
			st.KeepSettings(0)
			if err := st.SetCheckinsOff(ctx, person, true); err != nil {
				t.Fatal(err)
			}
			st.KeepSettings(keep)
			p := englandPolicy(t)
			c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-8", Harm: pathway.HarmModerate, Involved: []string{person}}, "console:sam", p, at(t, "2026-01-12 10:00"))
			if err != nil {
				t.Fatal(err)
			}
			plan := func(c *pathway.Case) []*store.Checkins { return []*store.Checkins{{Person: person}} }
			if _, err := st.CreateCaseWith(ctx, c, p, ev, plan); err != nil {
				t.Fatal(err)
			}
		}},
		{"no keep time set", 0, func(t *testing.T, st *store.Store, person string) {
			if err := st.SetCheckinsOff(ctx, person, true); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := storetest.New(t)
			st.KeepSettings(tt.keep)
			person := "console:ash"
			tt.write(t, st, person)
			key := st.Prefix() + "{u:" + person + "}:prefs"
			ttl, err := st.Client().PTTL(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.keep == 0 && ttl != -1:
				t.Errorf("with no keep time, settings expire in %v", ttl)
			case tt.keep > 0 && (ttl <= tt.keep-time.Minute || ttl > tt.keep):
				t.Errorf("settings expire in %v, want %v", ttl, tt.keep)
			}
		})
	}
}
