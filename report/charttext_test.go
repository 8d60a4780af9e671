package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestChartTextStatesTheFigures(t *testing.T) {
	s, in := knownSet(t)
	f := Compute(in)
	d := NewChartData(f, s.loc)
	words := ChartText(f, s.loc)
	text := strings.Join(words, "\n")
	// Every week with a bar is stated with both its figures; the rest are counted.
	stated := 0
	for i, w := range d.Weeks {
		if d.OnTime[i] == 0 && d.Late[i] == 0 {
			continue
		}
		stated++
		want := "Week of " + w.In(s.loc).Format("2 Jan 2006") + ": " + itoa(d.OnTime[i]) + " on time, " + itoa(d.Late[i]) + " late."
		if !strings.Contains(text, want) {
			t.Errorf("the words don't say %q", want)
		}
	}
	if quiet := len(d.Weeks) - stated; quiet > 0 && !strings.Contains(text, "The other "+itoa(float64(quiet))) {
		t.Errorf("the %d weeks with no contacts aren't counted", quiet)
	}
	// Every first-contact point is stated, to the tenth of a day.
	for _, fc := range f.FirstContacts {
		if v := fmt.Sprintf("%.1f", fc.Days); !strings.Contains(text, v) {
			t.Errorf("the words don't give the first contact of %s (%s days)", fc.At, v)
		}
	}
	if !strings.Contains(text, "median") {
		t.Error("the weekly median line isn't stated")
	}
}

func TestChartTextEmpty(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		f    Figures
		want []string
	}{
		{"no weeks", Figures{}, []string{"no weeks"}},
		{"quiet weeks", Compute(Input{From: now.AddDate(0, 0, -28), To: now, Now: now}), []string{"No contacts were logged in any of these weeks.", "No first contacts were logged"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Join(ChartText(c.f, nil), "\n")
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q missing from:\n%s", w, text)
				}
			}
		})
	}
}

func itoa(v float64) string { return fmt.Sprintf("%.0f", v) }
