package console_test

import (
	"strings"
	"testing"
)

// TestCoverAcceptance is issue 22's cover for leave and weekly view, piped
// through the console: the named contact goes away with a cover, the nudge
// (at the start of the day, with the family's preferred time) goes to the
// cover, who logs the contact; the time away ends by itself and the next
// nudge goes to the named contact again; the pathway lead's weekly view
// comes on Monday morning and matches list week.
func TestCoverAcceptance(t *testing.T) {
	out := run(t, wednesday,
		"/hpp service maternity lead=@pat channel=#maternity",
		":as @sam",
		"/hpp list",
		":as @alex",
		"/hpp open INC-31 service=maternity harm=low Fall on ward 4",
		"/hpp plan HPP-1 every=1w at=17:00 Weekday evenings after work suit them",
		"/hpp away until=2026-11-25 cover=@sam",
		"/hpp away until=2026-11-27 cover=@alex",
		"/hpp away until=2026-11-27 cover=@sam",
		":advance 1d",
		":as @sam",
		":press 1",
		":advance 1w",
		":as @alex",
		"/hpp timeline HPP-1",
		"/hpp plan HPP-1 every=none the family asked to hear only when there is news",
		":as @pat",
		"/hpp list week",
		":advance 5d",
	)
	for _, want := range []string{
		"You can't cover for yourself while you're away.",
		"[DM @sam] @alex is away until the end of Fri 27 Nov 2026 and has asked you to cover. Until then, the reminders for these cases come to you:",
		"[DM @sam] You're covering for @alex, who is away until the end of Fri 27 Nov 2026.\n  Contact with the family for HPP-1 (INC-31) is due today (Thu 26 Nov 2026, 10:00). The family prefers around 17:00.",
		"Contact logged for HPP-1.",
		"[DM @sam] @alex is back: reminders for HPP-1 go to them again. Thank you for covering.",
		"[DM @alex] Contact with the family for HPP-1 (INC-31) is due today (Thu 3 Dec 2026, 10:00). The family prefers around 17:00.",
		"@alex is away until the end of Fri 27 Nov 2026; @sam covers the reminders. @alex stays the named contact.",
		"@alex's time away ended after Fri 27 Nov 2026, as planned; reminders go to them again.",
		"[DM @pat] Your week in maternity, from Mon 30 Nov 2026: 1 open case.",
		"No regular contact agreed (1)\n• HPP-1 (INC-31)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	// Between the start and the end of the time away, no nudge reaches @alex.
	start, end := strings.Index(out, "/hpp away until=2026-11-27 cover=@sam"), strings.Index(out, "@alex is back")
	if start < 0 || end < start || strings.Contains(out[start:end], "[DM @alex] Contact with the family") {
		t.Errorf("a nudge reached @alex while they were away:\n%s", out)
	}
	// After every=none, no contact nudge comes in the last five days.
	if i := strings.Index(out, "every=none"); i < 0 || strings.Contains(out[i:], "Contact with the family for HPP-1") {
		t.Errorf("a contact nudge came after no regular contact was agreed")
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "[DM @pat] Your week") || strings.HasPrefix(line, "[#") {
			if strings.Contains(line, "Fall on ward") || strings.Contains(line, "evenings after work") {
				t.Errorf("a view or channel post carries case text: %s", line)
			}
		}
	}
	golden(t, "cover.txt", out)
}
