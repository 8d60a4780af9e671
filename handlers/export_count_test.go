package handlers

import (
	"testing"
	"time"

	"hppbot/pathway"
)

// A reminder recorded when queued and then recorded as not delivered is
// counted once, as not delivered; a refusal on the first try (recorded
// only as not delivered) and reminders to someone else are counted as they
// are.
func TestRemindersWentCountsEachReminderOnce(t *testing.T) {
	due := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	rem := func(day int, to string) pathway.Event {
		return pathway.Event{Kind: pathway.EventReminder, Step: pathway.RemindContact, Due: due.AddDate(0, 0, day), People: []string{to}}
	}
	undel := func(day int, to string) pathway.Event {
		e := rem(day, to)
		e.Kind = pathway.EventUndelivered
		return e
	}
	tests := []struct {
		name              string
		events            []pathway.Event
		went, undelivered int
	}{
		{"two that went", []pathway.Event{rem(0, "console:lee"), rem(1, "console:lee")}, 2, 0},
		{"one queued, then not delivered", []pathway.Event{rem(0, "console:lee"), rem(1, "console:lee"), undel(1, "console:lee")}, 1, 1},
		{"refused on the first try (recorded only as not delivered)", []pathway.Event{rem(0, "console:lee"), undel(1, "console:lee")}, 1, 1},
		{"not delivered to someone else", []pathway.Event{rem(0, "console:lee"), undel(0, "console:sam")}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			went, undelivered := remindersWent(tc.events)
			if went != tc.went || undelivered != tc.undelivered {
				t.Errorf("remindersWent = %d, %d; want %d, %d", went, undelivered, tc.went, tc.undelivered)
			}
		})
	}
}
