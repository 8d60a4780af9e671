package handlers

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// coverFixture has a maternity service led by @pat, @sam on a case (so
// hppbot knows them), and HPP-1, whose named contact is @alex. The clock is
// Wednesday 25 November 2026, 10:00.
func coverFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	for _, line := range []struct{ who, line string }{
		{"admin", "/hpp service maternity lead=@pat channel=#maternity"},
		{"alex", "/hpp open INC-7 service=maternity harm=low Fall on ward 4"},
		{"sam", "/hpp open INC-8 service=surgery harm=low"},
	} {
		if r := f.as(line.who, line.line); !strings.Contains(text(r), "is open") && !strings.Contains(text(r), "Service set up") {
			t.Fatalf("%s: %s", line.line, text(r))
		}
	}
	return f
}

func (f *fixture) sentTo(person string) []string {
	f.sent.mu.Lock()
	defer f.sent.mu.Unlock()
	var out []string
	for _, m := range f.sent.sent {
		if m.to == "console:"+person {
			out = append(out, m.reply.PlainText())
		}
	}
	return out
}

func TestAwayRefusals(t *testing.T) {
	tests := []struct {
		who, line, want string
	}{
		{"alex", "/hpp away until=2026-11-20 cover=@sam", "until=2026-11-20 is in the past. Give the last day away — today or later — such as until=2026-12-02."},
		{"alex", "/hpp away until=2026-12-04 cover=@alex", "You can't cover for yourself while you're away. Name a colleague who will be around, such as cover=@sam — or leave cover= out and your pathway lead will get your reminders."},
		{"alex", "/hpp away until=2027-03-01 cover=@sam", "until=2027-03-01 is more than 90 days away. For a longer absence, please hand each case to a colleague the family can get to know (/hpp lead <case> @name); or set up to Tue 23 Feb 2027 now and renew it then."},
		{"alex", "/hpp away until=2026-12-04 cover=@nobody", "I don't know <@console:nobody> yet — they haven't used hppbot and aren't on any open case, so I couldn't be sure my messages reach them. Ask them to say hello to hppbot once (/hpp help is enough), then try again."},
		{"alex", "/hpp away until=2026-12-4", `"2026-12-4" isn't a date I can read.`},
		{"alex", "/hpp away cover=@sam", "Say the last day away with until=, for example: /hpp away until=2026-12-02 cover=@sam"},
		{"alex", "/hpp away until=2026-12-04 cover=@sam,@pat", "Name one colleague to cover, for example cover=@sam."},
		{"alex", "/hpp away until=2026-12-04 soon", `I didn't understand "soon".`},
		{"alex", "/hpp away off until=2026-12-04", "away off takes nothing else"},
		{"alex", "/hpp away until=2026-12-04 cver=@sam", "did you mean cover="},
		{"sam", "/hpp away @alex until=2026-12-04", "Only <@console:alex>, their pathway lead or an admin can say they're away."},
		{"admin", "/hpp away @ghost until=2026-12-04", "I don't know <@console:ghost> yet"},
		{"alex", "/hpp away off", "You're not marked as away, so there's nothing to end"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			f := coverFixture(t)
			got := text(f.as(tt.who, tt.line))
			if !strings.Contains(got, tt.want) {
				t.Errorf("%s → %q, want %q", tt.line, got, tt.want)
			}
			if _, ok, _ := f.st.Away(context.Background(), "console:alex"); ok {
				t.Error("a refused away was kept")
			}
		})
	}
}

func TestAwayWithCover(t *testing.T) {
	f := coverFixture(t)
	ctx := context.Background()
	r := text(f.as("alex", "/hpp away until=2026-12-04 cover=@sam"))
	for _, want := range []string{
		"You're away until the end of Fri 4 Dec 2026. Reminders for your 1 case go to <@console:sam> meanwhile: HPP-1. <@console:sam> has been told which cases and why. Each case's timeline records it.",
		"Understood: away <@console:alex> · until the end of Fri 4 Dec 2026 · cover <@console:sam>",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("reply lacks %q:\n%s", want, r)
		}
	}
	told := f.sentTo("sam")
	if len(told) != 1 || !strings.Contains(told[0], "<@console:alex> is away until the end of Fri 4 Dec 2026 and has asked you to cover. Until then, the reminders for these cases come to you:") || !strings.Contains(told[0], "• *HPP-1* (INC-7)") || strings.Contains(told[0], "Fall on ward") {
		t.Errorf("the cover was told %q", told)
	}
	a, ok, err := f.st.Away(ctx, "console:alex")
	if err != nil || !ok || a.Cover != "console:sam" || !reflect.DeepEqual(a.Cases, []int64{1}) {
		t.Fatalf("away = %+v %v %v", a, ok, err)
	}
	job, ok, err := f.st.GetJob(ctx, awayJobID("console:alex"))
	if err != nil || !ok || job.Kind != AwayEndJob || !job.At.Equal(time.Date(2026, 12, 5, 0, 0, 0, 0, f.h.Policy.Location())) {
		t.Errorf("end job = %+v %v %v", job, ok, err)
	}
	if s := text(f.as("alex", "/hpp away")); !strings.Contains(s, "You're away until the end of Fri 4 Dec 2026; <@console:sam> gets your reminders.") {
		t.Errorf("away alone = %q", s)
	}
	f.clock.Add(24 * time.Hour)
	// The cover may act on the cases they cover, while they cover them.
	if r := text(f.as("sam", "/hpp contact HPP-1 via=phone")); !strings.Contains(r, "Contact logged for *HPP-1*") {
		t.Errorf("the cover logging a contact = %q", r)
	}
	off := text(f.as("alex", "/hpp away off"))
	if !strings.Contains(off, "Welcome back: your reminders come to you again. The end is recorded on 1 case's timeline.") {
		t.Errorf("away off = %q", off)
	}
	if told := f.sentTo("sam"); len(told) != 2 || !strings.Contains(told[1], "<@console:alex> is back: reminders for HPP-1 go to them again. Thank you for covering.") {
		t.Errorf("the cover heard %q", told)
	}
	if r := text(f.as("sam", "/hpp status HPP-1")); !strings.Contains(r, "is only open to the people on it") {
		t.Errorf("the cover after the time away ended = %q", r)
	}
	if _, ok, _ := f.st.GetJob(ctx, awayJobID("console:alex")); ok {
		t.Error("the end job is still there after away off")
	}
	tl := text(f.as("alex", "/hpp timeline HPP-1"))
	for _, want := range []string{
		"<@console:alex> is away until the end of Fri 4 Dec 2026; <@console:sam> covers the reminders. <@console:alex> stays the named contact.",
		"<@console:alex>'s time away was ended early; reminders go to them again.",
	} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %q:\n%s", want, tl)
		}
	}
	// The export carries the cover too (item 9): in the Markdown and a CSV row each.
	exp := f.as("alex", "/hpp export HPP-1")
	if len(exp.Files) != 2 {
		t.Fatalf("export files = %d", len(exp.Files))
	}
	md, csvText := string(exp.Files[0].Data), string(exp.Files[1].Data)
	for _, want := range []string{"is away until the end of Fri 4 Dec 2026; ", "time away was ended early"} {
		if !strings.Contains(md, want) || !strings.Contains(csvText, want) {
			t.Errorf("export lacks %q:\n%s\n%s", want, md, csvText)
		}
	}
	if strings.Count(csvText, ",away,start,") != 1 || strings.Count(csvText, ",away,off,") != 1 {
		t.Errorf("CSV rows for the time away:\n%s", csvText)
	}
}

// A pathway lead can set and end a time away for someone in their service;
// with no cover the lead is told, as they get the reminders.
func TestAwaySetByPathwayLead(t *testing.T) {
	f := coverFixture(t)
	r := text(f.as("pat", "/hpp away @alex until=2026-12-04"))
	if !strings.Contains(r, "<@console:alex> is away until the end of Fri 4 Dec 2026. Reminders for their 1 case go to the pathway lead meanwhile: HPP-1. <@console:pat> has been told") {
		t.Errorf("reply = %q", r)
	}
	if told := f.sentTo("alex"); len(told) != 1 || !strings.Contains(told[0], "<@console:pat> has noted that you're away until the end of Fri 4 Dec 2026") {
		t.Errorf("alex heard %q", told)
	}
	if told := f.sentTo("pat"); len(told) != 1 || !strings.Contains(told[0], "with nobody named to cover, so as pathway lead you'll get the reminders for these cases until then:") {
		t.Errorf("pat heard %q", told)
	}
	if r := text(f.as("pat", "/hpp away @alex off")); !strings.Contains(r, "<@console:alex> is marked as back") {
		t.Errorf("off = %q", r)
	}
	tl := text(f.as("pat", "/hpp timeline HPP-1"))
	for _, want := range []string{"(noted by <@console:pat>); with nobody named to cover, the pathway lead gets the reminders.", "was ended early by <@console:pat>"} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %q:\n%s", want, tl)
		}
	}
}

func TestRunAwayEndJob(t *testing.T) {
	f := coverFixture(t)
	ctx := context.Background()
	f.as("alex", "/hpp away until=2026-11-26 cover=@sam")
	job, _, err := f.st.GetJob(ctx, awayJobID("console:alex"))
	if err != nil {
		t.Fatal(err)
	}
	// A job for an earlier time away changes nothing.
	stale := job
	stale.Data = map[string]string{"from": `"2026-11-01T10:00:00Z"`}
	if err := f.h.RunAwayEndJob(ctx, stale, job.At.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.st.Away(ctx, "console:alex"); !ok {
		t.Fatal("a stale job ended the time away")
	}
	end := time.Date(2026, 11, 27, 8, 0, 0, 0, f.h.Policy.Location())
	f.clock.Add(end.Sub(f.clock.Now()))
	if err := f.h.RunAwayEndJob(ctx, job, end); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.st.Away(ctx, "console:alex"); ok {
		t.Error("the time away is still kept after its end")
	}
	events, _ := f.st.Timeline(ctx, 1)
	last := events[len(events)-1]
	if last.Kind != pathway.EventAway || last.Step != pathway.AwayEnd || last.Actor != pathway.Bot {
		t.Errorf("last entry %+v, want the end", last)
	}
	if got := f.h.Describe(last); got != "<@console:alex>'s time away ended after Thu 26 Nov 2026, as planned; reminders go to them again." {
		t.Errorf("Describe = %q", got)
	}
	if told := f.sentTo("alex"); len(told) != 1 || !strings.Contains(told[0], "Welcome back.") {
		t.Errorf("alex heard %q", told)
	}
	// Run again (a retried job): nothing more.
	if err := f.h.RunAwayEndJob(ctx, job, end); err != nil {
		t.Fatal(err)
	}
	if events2, _ := f.st.Timeline(ctx, 1); len(events2) != len(events) {
		t.Error("a second run recorded the end again")
	}
	var from string
	_ = json.Unmarshal([]byte(job.Data["from"]), &from)
	if from == "" {
		t.Errorf("job data %v has no start", job.Data)
	}
}

func TestPlanNoRegularContactAndPreferredTime(t *testing.T) {
	f := coverFixture(t)
	tests := []struct {
		line string
		want []string
	}{
		{"/hpp plan HPP-1 every=none", []string{"Please say why no regular contact was agreed"}},
		{"/hpp plan HPP-1 at=5pm", []string{"at= is the time the family prefers to be contacted"}},
		{"/hpp plan HPP-1 every=none at=evening the family asked to hear only when there is news", []string{
			"Plan recorded for *HPP-1*: no regular contact agreed — the family will hear when there is news.",
			"The family prefers the evening (17:00–20:00)",
			"Understood: no regular contact · family prefers the evening (17:00–20:00) · reason “the family asked to hear only when there is news”",
		}},
		{"/hpp status HPP-1", []string{
			"Next contact not set: no regular contact is agreed",
			"Agreed plan: no regular contact — the family will hear when there is news (“the family asked to hear only when there is news”)",
			"The family prefers to be contacted the evening (17:00–20:00)",
		}},
		{"/hpp contact HPP-1 via=phone at=17:00 Told them the review date", []string{
			"Next contact not set",
			"The family prefers around 17:00",
			"no next contact: no regular contact agreed",
			"· family prefers around 17:00",
		}},
		{"/hpp contact HPP-1 next=7d at=any update call", []string{"Next contact due Wed 2 Dec", "No preferred time is kept now.", "· no preferred time"}},
		{"/hpp plan HPP-1 at=morning", []string{"Noted for *HPP-1*. The family prefers the morning (08:00–12:00)", "Understood: family prefers the morning (08:00–12:00)"}},
		{"/hpp plan HPP-1 every=1w at=17:00 Tuesdays", []string{"in touch every week", "Understood: every week · family prefers around 17:00 · note “Tuesdays”"}},
		{"/hpp timeline HPP-1", []string{
			"recorded the plan agreed with the family: no regular contact — the family will hear when there is news. Reason: “the family asked to hear only when there is news”",
			"recorded that the family prefers to be contacted the evening (17:00–20:00).",
			"cleared the family's preferred time for contact.",
		}},
	}
	for _, tt := range tests {
		got := text(f.as("alex", tt.line))
		for _, want := range tt.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s lacks %q:\n%s", tt.line, want, got)
			}
		}
	}
	// Every re-pacing is in the export too (item 9).
	exp := f.as("alex", "/hpp export HPP-1")
	md := string(exp.Files[0].Data)
	for _, want := range []string{
		"recorded the plan agreed with the family: no regular contact — the family will hear when there is news",
		"recorded that the family prefers to be contacted the evening (17:00–20:00)",
		"cleared the family's preferred time for contact",
		"Around 17:00.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q:\n%s", want, md)
		}
	}
}

// list week is the weekly view the scheduler sends: the same reply, with
// case ids and references only.
func TestListWeekMatchesWeekView(t *testing.T) {
	f := coverFixture(t)
	ctx := context.Background()
	f.as("alex", "/hpp open INC-9 service=maternity harm=moderate Sensitive summary words")
	f.as("alex", "/hpp contact HPP-3 via=phone A private note about the family")
	f.as("alex", "/hpp plan HPP-3 every=none the family asked to hear only when there is news")
	f.as("alex", "/hpp away until=2026-12-04 cover=@sam")
	f.clock.Add(5 * 24 * time.Hour) // Monday 30 November
	got := f.as("pat", "/hpp list week")
	want, err := f.h.WeekView(ctx, "maternity", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("list week:\n%s\nweekly view:\n%s", got.PlainText(), want.PlainText())
	}
	s := got.PlainText()
	for _, want := range []string{
		"Your week in maternity, from Mon 30 Nov 2026: 2 open cases.",
		"*Overdue (1)*\n• *HPP-1* (INC-7) — contact with the family (since Thu 26 Nov 2026)",
		"*No first contact yet (1)*\n• *HPP-1* (INC-7)",
		"No plan agreed yet (1)",
		"*Duty of Candour deadlines in the next 10 working days (2)*\n• *HPP-3* (INC-9) — Duty of Candour notification by the end of Wed 9 Dec 2026",
		"*Named contact away (2)*\n• *HPP-1* (INC-7) — <@console:alex> away until the end of Fri 4 Dec 2026; <@console:sam> covers",
		"*No regular contact agreed (1)*\n• *HPP-3* (INC-9) — agreed Wed 25 Nov 2026",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("weekly view lacks %q:\n%s", want, s)
		}
	}
	for _, never := range []string{"Fall on ward", "Sensitive summary", "private note", "hear only when"} {
		if strings.Contains(s, never) {
			t.Errorf("weekly view carries %q:\n%s", never, s)
		}
	}
	if len(got.Buttons) != 2 || got.Buttons[0] != (bot.Button{Label: "HPP-1", Command: "status HPP-1"}) {
		t.Errorf("buttons = %+v", got.Buttons)
	}
	if r := text(f.as("sam", "/hpp list week")); !strings.Contains(r, "The weekly view is for pathway leads") {
		t.Errorf("list week for someone who leads nothing = %q", r)
	}
	if r := text(f.as("sam", "/hpp list week service=maternity")); !strings.Contains(r, "The weekly view of maternity is for its pathway lead and admins") {
		t.Errorf("list week of another's service = %q", r)
	}
}
