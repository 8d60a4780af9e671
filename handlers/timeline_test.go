package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// grow adds n reminder events to a case, a minute apart after now, in one
// save: a busy case without n commands.
func (f *fixture) grow(t testing.TB, id int64, n int) {
	t.Helper()
	ctx := context.Background()
	old, err := f.st.GetCase(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c := old.Clone()
	events := make([]pathway.Event, n)
	for i := range events {
		events[i] = pathway.Event{At: f.clock.Now().Add(time.Duration(i+1) * time.Minute), Actor: pathway.Bot, Kind: pathway.EventReminder,
			Step: "notify", Stage: "warn", Due: c.NotifyDue, People: []string{"console:sam"}}
	}
	if err := f.st.SaveCase(ctx, old, c, f.h.Policy, events...); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Duration(n+1) * time.Minute)
}

// A long timeline shows its latest events, page=N goes back, and it points
// to export for the whole record; a short one is shown whole, as before.
func TestTimelinePages(t *testing.T) {
	f := newFixture(t)
	f.as("sam", "open INC-40 harm=moderate Fall on the ward") // HPP-1: 1 event
	f.as("sam", "open INC-41 harm=moderate Fall in the bay")  // HPP-2: 1 + 120 = 121 events
	f.grow(t, 2, 120)

	tests := []struct {
		line          string
		want, notWant []string
		first, last   int // entry numbers shown first and last; 0: none
		lines         int // event lines shown
	}{
		{line: "timeline HPP-1", first: 1, last: 1, lines: 1,
			want:    []string{"*Timeline of HPP-1* (INC-40) — 1 event, oldest first\n"},
			notWant: []string{"page", "/hpp export"}},
		{line: "timeline HPP-2", first: 72, last: 121, lines: 50,
			want: []string{"*Timeline of HPP-2* (INC-41) — 121 events, oldest first; showing events 72–121, page 1 of 3",
				"Older events: /hpp timeline HPP-2 page=2. The whole record, every event: /hpp export HPP-2."},
			notWant: []string{"Newer events"}},
		{line: "timeline HPP-2 page=2", first: 22, last: 71, lines: 50,
			want: []string{"showing events 22–71, page 2 of 3",
				"Older events: /hpp timeline HPP-2 page=3. Newer events: /hpp timeline HPP-2 page=1. The whole record, every event: /hpp export HPP-2."}},
		{line: "timeline HPP-2 page=3", first: 1, last: 21, lines: 21,
			want:    []string{"showing events 1–21, page 3 of 3", "Newer events: /hpp timeline HPP-2 page=2. The whole record, every event: /hpp export HPP-2."},
			notWant: []string{"Older events"}},
		{line: "timeline HPP-2 page=4",
			want: []string{"HPP-2 has 121 events, which is 3 pages of 50; page=4 is past the oldest. /hpp timeline HPP-2 page=3 shows the oldest events."}},
		{line: "timeline HPP-2 page=0",
			want: []string{"page= is a number from 1: page=1 is the latest 50 events, page=2 the 50 before them. For example: /hpp timeline HPP-3 page=2"}},
		{line: "timeline HPP-2 page=last",
			want: []string{"page= is a number from 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got := text(f.as("sam", tc.line))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("has %q:\n%s", w, got)
				}
			}
			if n := strings.Count(got, "\n• "); n != tc.lines {
				t.Errorf("%d event lines, want %d:\n%s", n, tc.lines, got)
			}
			if tc.first == 0 {
				return
			}
			first, last := fmt.Sprintf("(entry %d)", tc.first), fmt.Sprintf("(entry %d)", tc.last)
			if !strings.Contains(got, first) || !strings.Contains(got, last) || strings.Index(got, first) > strings.Index(got, last) {
				t.Errorf("want entries %d to %d, oldest first:\n%s", tc.first, tc.last, got)
			}
			if before := fmt.Sprintf("(entry %d)", tc.first-1); tc.first > 1 && strings.Contains(got, before) {
				t.Errorf("shows %s, from the page before", before)
			}
			if after := fmt.Sprintf("(entry %d)", tc.last+1); strings.Contains(got, after) {
				t.Errorf("shows %s, from the page after", after)
			}
		})
	}
}

// A 5,000-event case's timeline is one page of 50 events: a few kilobytes,
// where it was one answer of about 130 KB.
func TestTimelineOfAVeryLongCaseIsSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 events")
	}
	f := newFixture(t)
	if f.st.IsEmbedded() {
		// miniredis finds each stream entry by reading the stream from the
		// start: 5,000 of them take longer than a read may wait.
		t.Skip("5,000 events need a real Redis (set REDIS_URL)")
	}
	f.as("sam", "open INC-42 harm=moderate Fall on the ward")
	f.grow(t, 1, 4999)
	r := f.as("sam", "timeline HPP-1")
	got := text(r)
	if !strings.Contains(got, "5000 events, oldest first; showing events 4951–5000, page 1 of 100") || !strings.Contains(got, "/hpp export HPP-1") {
		t.Fatalf("timeline:\n%.2000s", got)
	}
	if len(got) > 16*1024 {
		t.Errorf("the latest page is %d bytes, want at most 16 KB", len(got))
	}
	t.Logf("5,000-event timeline, page 1: %d bytes of text", len(got))
}
