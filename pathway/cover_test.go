package pathway

import (
	"strings"
	"testing"
	"time"
)

func TestNewAway(t *testing.T) {
	p := policyFor(t, England)
	loc := p.Location()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, loc) // a Monday
	day := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name      string
		in        AwayInput
		actor     string
		wantErr   string // part of the refusal; "" for none
		wantUntil time.Time
	}{
		{"until with a cover", AwayInput{Person: "console:alex", Cover: "console:sam", Until: day("2026-12-18")}, "console:alex", "", time.Date(2026, 12, 19, 0, 0, 0, 0, loc)},
		{"no cover", AwayInput{Person: "console:alex", Until: day("2026-12-18")}, "console:alex", "", time.Date(2026, 12, 19, 0, 0, 0, 0, loc)},
		{"today only", AwayInput{Person: "console:alex", Until: day("2026-12-07")}, "console:alex", "", time.Date(2026, 12, 8, 0, 0, 0, 0, loc)},
		{"set by the pathway lead", AwayInput{Person: "console:alex", Cover: "console:sam", Until: day("2026-12-18")}, "console:pat", "", time.Date(2026, 12, 19, 0, 0, 0, 0, loc)},
		{"the last allowed day", AwayInput{Person: "console:alex", Until: day("2027-03-07")}, "console:alex", "", time.Date(2027, 3, 8, 0, 0, 0, 0, loc)},
		{"in the past", AwayInput{Person: "console:alex", Until: day("2026-12-04")}, "console:alex", "until=2026-12-04 is in the past. Give the last day away — today or later — such as until=2026-12-14.", time.Time{}},
		{"too far ahead", AwayInput{Person: "console:alex", Until: day("2027-03-08")}, "console:alex", "more than 90 days away. For a longer absence, please hand each case", time.Time{}},
		{"cover is self", AwayInput{Person: "console:alex", Cover: "console:alex", Until: day("2026-12-18")}, "console:alex", "You can't cover for yourself", time.Time{}},
		{"cover is the person away, set by another", AwayInput{Person: "console:alex", Cover: "console:alex", Until: day("2026-12-18")}, "console:pat", "<@console:alex> can't cover for themself", time.Time{}},
		{"no until", AwayInput{Person: "console:alex"}, "console:alex", "Say the last day away with until=", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAway(tt.in, tt.actor, p, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if ErrorCode(err) != Invalid {
					t.Errorf("code = %v, want Invalid", ErrorCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !a.Until.Equal(tt.wantUntil) || !a.From.Equal(now) || a.SetBy != tt.actor || a.Cover != tt.in.Cover {
				t.Errorf("away = %+v, want until %v from %v", a, tt.wantUntil, now)
			}
			if !a.ActiveAt(now) || a.ActiveAt(tt.wantUntil) || !a.ActiveAt(tt.wantUntil.Add(-time.Second)) {
				t.Errorf("ActiveAt wrong around %v", tt.wantUntil)
			}
			if got := a.LastDay(loc); !got.Equal(day(tt.in.Until.Format("2006-01-02"))) {
				t.Errorf("LastDay = %v, want %v", got, tt.in.Until)
			}
		})
	}
}

func TestRouteNudge(t *testing.T) {
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	active := func(person, cover string) Away {
		return Away{Person: person, Cover: cover, From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour)}
	}
	ended := func(person, cover string) Away {
		return Away{Person: person, Cover: cover, From: now.Add(-48 * time.Hour), Until: now.Add(-time.Hour)}
	}
	tests := []struct {
		name    string
		aways   []Away
		lead    string
		wantTo  string
		wantWhy string
	}{
		{"not away", nil, "pat", "alex", RouteNamed},
		{"away with a cover", []Away{active("alex", "sam")}, "pat", "sam", RouteCover},
		{"away, nobody covers", []Away{active("alex", "")}, "pat", "pat", RouteLead},
		{"away, the cover away too", []Away{active("alex", "sam"), active("sam", "")}, "pat", "pat", RouteLead},
		{"away, the cover's leave over", []Away{active("alex", "sam"), ended("sam", "")}, "pat", "sam", RouteCover},
		{"leave over", []Away{ended("alex", "sam")}, "pat", "alex", RouteNamed},
		{"away, no pathway lead", []Away{active("alex", "")}, "", "alex", RouteNamed},
		{"the pathway lead is the one away", []Away{active("alex", "")}, "alex", "alex", RouteNamed},
		{"cover names the person away", []Away{active("alex", "alex")}, "pat", "pat", RouteLead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byPerson := map[string]Away{}
			for _, a := range tt.aways {
				byPerson[a.Person] = a
			}
			r := RouteNudge("alex", tt.lead, func(p string) (Away, bool) { a, ok := byPerson[p]; return a, ok }, now)
			if r.To != tt.wantTo || r.Why != tt.wantWhy {
				t.Errorf("RouteNudge = %s (%s), want %s (%s)", r.To, r.Why, tt.wantTo, tt.wantWhy)
			}
			if r.Why != RouteNamed && r.Away.Person != "alex" {
				t.Errorf("route away %+v lacks the named contact's time away", r.Away)
			}
		})
	}
}
