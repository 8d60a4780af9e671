package console_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sunday is 6 December 2026, 05:15 in London.
var sunday = time.Date(2026, 12, 6, 5, 15, 0, 0, time.UTC)

// TestDatesAcceptance is issue 18's acceptance for dates and times: started
// at 05:15 on a Sunday, every due time the replies show falls inside working
// hours; a contact backdated with on= sorts into the timeline where it
// happened, with no invented time, and the export judges it against what was
// due then.
func TestDatesAcceptance(t *testing.T) {
	files := t.TempDir()
	out := runWithFiles(t, sunday, files,
		"/hpp open INC-20 harm=moderate Fall on ward",
		"/hpp open INC-21 harm=severe aware=2026-11-02 Found at a review",
		"/hpp contact HPP-1 via=phone next=4h Called the daughter",
		"/hpp snooze HPP-2 1d",
		"/hpp plan HPP-2 every=1d via=phone",
		":advance 3d",
		"/hpp contact HPP-1 via=meeting Met both parents",
		"/hpp contact HPP-1 via=letter on=2026-12-08 Letter with the meeting notes",
		"/hpp contact HPP-1 on=2026-12-01 Before we knew",
		"/hpp contact HPP-1 on=2026-12-10 Tomorrow",
		"/hpp contact HPP-1 next=2026-12-25 Christmas",
		"/hpp contact HPP-1 next=180d Far off",
		"/hpp timeline HPP-1",
		"/hpp export HPP-1",
	)
	for _, want := range []string{
		"• First contact with the family: due Mon 7 Dec, 08:00 (in 1 day)",
		"by the end of Mon 16 Nov 2026 — 10 working days after becoming aware on Mon 2 Nov 2026 — overdue: please tell the family as soon as you can, then record it with /hpp candour HPP-2 notified",
		"Contact logged for HPP-1 (phone). Next contact due Mon 7 Dec, 08:00 (in 1 day). next=4h would fall on Sun 6 Dec, 09:15, which isn't a working day here, so I've set it for the next working morning.",
		"Reminders for HPP-2 are snoozed until Mon 7 Dec, 08:00.",
		"Plan recorded for HPP-2: in touch every 1 day by phone. Next contact due Mon 7 Dec, 08:00 (in 1 day). 1 day from now would fall at Mon 7 Dec, 05:15, outside working hours, so I've set it for the next working morning.",
		"Contact logged for HPP-1 (letter), dated Tue 8 Dec 2026.",
		"on=2026-12-01 is before Sun 6 Dec 2026, the day your organisation became aware of the harm",
		"on=2026-12-10 is in the future. Record things once they have happened: give the date it took place, today (Wed 9 Dec 2026) or earlier, such as on=2026-12-08.",
		"Fri 25 Dec 2026 isn't a working day here, so I've set it for the next working morning.",
		"next=180d is more than three months away. If the family asked for that, note it, but please agree at least a check-in every few weeks — try next=4w.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}

	// Every due time shown falls on a working day, in working hours.
	dueAt := regexp.MustCompile(`(?:due|until) (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w{3}(?: \d{4})?, (\d\d):(\d\d)`)
	for _, m := range dueAt.FindAllStringSubmatch(out, -1) {
		h, _ := strconv.Atoi(m[2])
		if m[1] == "Sat" || m[1] == "Sun" || h < 8 || h >= 18 {
			t.Errorf("a due time outside working hours: %q", m[0])
		}
	}

	// The timeline, oldest first: the backdated entries sit on their days,
	// shown as the day alone.
	i := strings.Index(out, "Timeline of HPP-1")
	if i < 0 {
		t.Fatalf("no timeline:\n%s", out)
	}
	tl := out[i:]
	order := []string{
		"• Sun 6 Dec, 05:15 — @you opened the case",
		"• Sun 6 Dec, 05:15 — @you logged a contact with the family by phone (on time); next due Mon 7 Dec, 08:00.",
		"• Tue 8 Dec — @you logged a contact with the family by letter (it had been due Mon 7 Dec, 08:00)",
		// Logged before the letter was, the meeting was judged late; the
		// letter of the 8th means the family had heard from us the day before.
		"• Wed 9 Dec, 05:15 — @you logged a contact with the family by meeting (on time); next due Wed 16 Dec, 08:00.",
	}
	last := -1
	for _, want := range order {
		j := strings.Index(tl, want)
		if j < 0 {
			t.Errorf("timeline lacks %q", want)
			continue
		}
		if j < last {
			t.Errorf("timeline has %q out of order", want)
		}
		last = j
	}
	if strings.Contains(tl, "Tue 8 Dec, 08:00 — @you") {
		t.Errorf("a backdated entry shows an invented time:\n%s", tl)
	}

	// The export judges the letter against what was due on 8 December.
	md, err := os.ReadFile(filepath.Join(files, "HPP-1-candour-record.md"))
	if err != nil {
		t.Fatalf("the export was not written: %v\n%s", err, out)
	}
	for _, want := range []string{
		"1. Sun 6 Dec 2026, 05:15 — By phone, logged by you; on time (due Mon 7 Dec 2026, 08:00)",
		"2. Tue 8 Dec 2026 — By letter, logged by you; after its due time of Mon 7 Dec 2026, 08:00",
		"3. Wed 9 Dec 2026, 05:15 — By meeting, logged by you; on time (due Tue 15 Dec 2026, 18:00)",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	golden(t, "dates.txt", strings.ReplaceAll(out, files, "<files>"))
}
