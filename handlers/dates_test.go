package handlers

import (
	"context"
	"strings"
	"testing"
)

// TestBackdatedContact: a contact recorded afterwards with on= keeps the
// date given and no invented time, sits in the timeline where it happened,
// and is judged against what was due on that day.
func TestBackdatedContact(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-12-01 10:00").must("sam", "open INC-1 harm=moderate Fall on ward") // first contact due Wed 2 Dec, 10:00
	x.at("2026-12-02 09:00").must("sam", "contact HPP-1 via=phone First call")    // next due Wed 9 Dec, 09:00
	x.at("2026-12-10 11:00").must("sam", "contact HPP-1 via=phone Second call")   // late; next due Thu 17 Dec, 11:00
	x.at("2026-12-11 09:00")
	for _, tt := range []struct{ line, want string }{
		{"contact HPP-1 via=letter on=2026-11-30 Letter", "on=2026-11-30 is before Tue 1 Dec 2026, the day your organisation became aware of the harm"},
		{"contact HPP-1 via=letter on=2026-12-12 Letter", "on=2026-12-12 is in the future. Record things once they have happened: give the date it took place, today (Fri 11 Dec 2026) or earlier, such as on=2026-12-10."},
		{"candour HPP-1 update on=2026-12-14", "on=2026-12-14 is in the future"},
		{"contact HPP-1 via=letter next=100d Letter", "next=100d is more than three months away"},
		{"contact HPP-1 via=letter next=2026-12-10 Letter", "next=2026-12-10 is in the past"},
	} {
		if got := x.as("sam", tt.line).PlainText(); !strings.Contains(got, tt.want) {
			t.Errorf("%q:\n%s\nwant %q", tt.line, got, tt.want)
		}
	}
	// The letter, dated the day after contact was due: late, as far as is
	// known when it is logged.
	r := x.must("sam", "contact HPP-1 via=letter on=2026-12-10 Letter posted with the meeting notes")
	if want := "Contact logged for *HPP-1* (letter), dated Thu 10 Dec 2026. Next contact due Fri 18 Dec, 09:00"; !strings.Contains(r.PlainText(), want) {
		t.Errorf("backdated contact reply:\n%s\nwant %q", r.PlainText(), want)
	}
	// An email the day after the first call: on time. Logged after the
	// letter and the second call, it means both came within a week of the
	// family last hearing from us, so they are judged again: on time.
	x.at("2026-12-11 09:30").must("sam", "contact HPP-1 via=email on=2026-12-03 Email with the ward manager's details")

	tl := x.must("sam", "timeline HPP-1").PlainText()
	order := []string{
		"• Tue 1 Dec, 10:00 — <@console:sam> opened the case",
		"• Wed 2 Dec, 09:00 — <@console:sam> logged a contact with the family by phone (on time)",
		"• Thu 3 Dec — <@console:sam> logged a contact with the family by email (on time)",
		"• Thu 10 Dec — <@console:sam> logged a contact with the family by letter (on time)",
		"• Thu 10 Dec, 11:00 — <@console:sam> logged a contact with the family by phone (on time)",
	}
	last := -1
	for _, want := range order {
		i := strings.Index(tl, want)
		if i < 0 {
			t.Errorf("timeline lacks %q:\n%s", want, tl)
			continue
		}
		if i < last {
			t.Errorf("timeline has %q out of order:\n%s", want, tl)
		}
		last = i
	}
	if strings.Contains(tl, "Thu 3 Dec, 08:00") || strings.Contains(tl, "Thu 10 Dec, 08:00") {
		t.Errorf("a backdated contact shows an invented time:\n%s", tl)
	}

	files := x.must("sam", "export HPP-1").Files
	if len(files) != 2 {
		t.Fatalf("%d files, want 2", len(files))
	}
	md, csv := string(files[0].Data), string(files[1].Data)
	for _, want := range []string{
		"### Contacts log\n1. Wed 2 Dec 2026, 09:00 — By phone, logged by Sam Carter; on time (due Wed 2 Dec 2026, 10:00)",
		"2. Thu 3 Dec 2026 — By email, logged by Sam Carter; on time (due Wed 9 Dec 2026, 09:00)",
		"3. Thu 10 Dec 2026 — By letter, logged by Sam Carter; on time (due Thu 10 Dec 2026, 18:00)",
		"4. Thu 10 Dec 2026, 11:00 — By phone, logged by Sam Carter; on time (due Thu 10 Dec 2026, 18:00)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(csv, "\n2026-12-10,Sam Carter,") {
		t.Errorf("the CSV does not give the backdated contact as a date alone:\n%s", csv)
	}

	// The report counts them as the export judges them.
	if got, want := x.as("admin", "report").PlainText(), "Contacts on time: 4 of 4 (100%)"; !strings.Contains(got, want) {
		t.Errorf("report:\n%s\nwant %q", got, want)
	}

	// The stored record: what had been due on the day it happened, as far
	// as was known when it was logged. Nothing stored is changed later.
	events, err := x.st.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 5 || !events[3].DateOnly || events[3].Via != "letter" || events[3].Due.In(x.loc).Format("2006-01-02 15:04") != "2026-12-09 09:00" {
		t.Errorf("stored events: %+v", events)
	}
}

// TestDueTimesMoveIntoWorkingHours: next= on a non-working day is moved to
// the next working morning and the reply says so; open with an aware date
// whose candour deadlines have passed says they are overdue.
func TestDueTimesMoveIntoWorkingHours(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-12-06 05:15").must("sam", "open INC-1 harm=moderate Fall on ward") // a Sunday
	x.at("2026-12-06 05:20")
	for _, tt := range []struct{ line, want string }{
		{"status HPP-1", "due Mon 7 Dec, 08:00"},
		{"contact HPP-1 via=phone next=2026-12-25 Call", "Next contact due Tue 29 Dec, 08:00 (in 23 days). Fri 25 Dec 2026 isn't a working day here, so I've set it for the next working morning."},
		{"contact HPP-1 via=phone next=4h Rang to check in", "Next contact due Mon 7 Dec, 08:00 (in 1 day). next=4h would fall on Sun 6 Dec, 09:20, which isn't a working day here, so I've set it for the next working morning."},
		{"snooze HPP-1 1d", "snoozed until Mon 7 Dec, 08:00"},
	} {
		if got := x.as("sam", tt.line).PlainText(); !strings.Contains(got, tt.want) {
			t.Errorf("%q:\n%s\nwant %q", tt.line, got, tt.want)
		}
	}
	x.at("2026-12-07 16:00")
	if got, want := x.as("sam", "contact HPP-1 via=phone next=3h Called back").PlainText(), "next=3h would fall at Mon 7 Dec, 19:00, outside working hours, so I've set it for the next working morning."; !strings.Contains(got, want) {
		t.Errorf("next=3h at 16:00:\n%s\nwant %q", got, want)
	}
	if got := x.as("sam", "contact HPP-1 via=phone next=1h Called again").PlainText(); strings.Contains(got, "next working morning") || !strings.Contains(got, "due Mon 7 Dec, 17:00") {
		t.Errorf("next=1h at 16:00 is in working hours, but the reply says it moved:\n%s", got)
	}

	r := x.must("sam", "open INC-2 harm=severe aware=2026-11-02 Found at a review").PlainText()
	for _, want := range []string{
		"by the end of Mon 16 Nov 2026 — 10 working days after becoming aware on Mon 2 Nov 2026 — *overdue*: please tell the family as soon as you can, then record it with /hpp candour HPP-2 notified",
		"written follow-up: by the end of Mon 16 Nov 2026 — *overdue*: please send it as soon as you can, then record it with /hpp candour HPP-2 written",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("open with a past aware date:\n%s\nwant %q", r, want)
		}
	}
	if r := x.must("sam", "open INC-3 harm=severe Today").PlainText(); strings.Contains(r, "overdue") {
		t.Errorf("open today says overdue:\n%s", r)
	}
}
