package report

import (
	"testing"
	"time"

	"hppbot/pathway"
)

// BenchmarkCompute works out a two-year report over 5,000 cases of 20
// events each: what one large service might hold.
func BenchmarkCompute(b *testing.B) {
	loc, _ := time.LoadLocation("Europe/London")
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
	from := now.AddDate(0, 0, -730)
	var cases []*pathway.Case
	timelines := map[int64][]pathway.Event{}
	for i := range 5000 {
		opened := from.Add(time.Duration(i) * 3 * time.Hour)
		c := &pathway.Case{ID: int64(i + 1), Opened: opened, Aware: pathway.Midnight(opened, loc), FirstContact: opened.Add(30 * time.Hour),
			DutyApplies: i%2 == 0, NotifyDue: opened.Add(14 * 24 * time.Hour), Notified: opened.Add(time.Duration(i%20) * 24 * time.Hour)}
		for j := range 20 {
			at := opened.Add(time.Duration(j) * 7 * 24 * time.Hour)
			timelines[c.ID] = append(timelines[c.ID], pathway.Event{At: at, Kind: pathway.EventContact, Due: at.Add(time.Duration(j%3-1) * time.Hour)})
		}
		cases = append(cases, c)
	}
	in := Input{Cases: cases, Timelines: timelines, From: from, To: now, Now: now, Loc: loc}
	b.ReportAllocs()
	for b.Loop() {
		f := Compute(in)
		if f.Contacts.Den == 0 {
			b.Fatal("nothing counted")
		}
	}
}
