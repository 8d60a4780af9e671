package console_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/bot/console"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts")

// run pipes a script through the console wired as `go run .` wires it, on
// its own store, starting at a fixed moment, and returns the transcript.
func run(t *testing.T, start time.Time, script ...string) string {
	t.Helper()
	return runWithFiles(t, start, t.TempDir(), script...)
}

// runWithFiles is run with exports written to files.
func runWithFiles(t *testing.T, start time.Time, files string, script ...string) string {
	t.Helper()
	return runNation(t, pathway.England, nil, start, files, script...)
}

// runNation is runWithFiles under the default policy of one UK nation, with
// the admins listed (as in HPP_ADMINS); with none, everyone is an admin.
func runNation(t *testing.T, nation pathway.Nation, admins []string, start time.Time, files string, script ...string) string {
	t.Helper()
	p, err := pathway.DefaultPolicy(nation, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	clock := console.NewClock(start.In(p.Location()))
	var out bytes.Buffer
	con := console.New(console.Config{
		In: strings.NewReader(strings.Join(script, "\n") + "\n"), Out: &out, Clock: clock, Policy: p,
		FilesDir: files, OnAdvance: st.Advance,
	})
	core := app.New(app.Config{
		Store: st, Policy: p, Messenger: bot.Router{bot.Console: con}, Admins: admins, EveryoneAdmin: len(admins) == 0, Clock: clock.Now, Workers: 1,
	})
	con.SetHandler(core.Handlers)
	con.SetRunDue(func(ctx context.Context, until time.Time) error { return core.Scheduler.RunDue(ctx, until, clock.Set) })
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/console -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (go test ./bot/console -update rewrites it):\n%s", path, got)
	}
}

// wednesday is 25 November 2026, 10:00 in London.
var wednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// TestFoundationAcceptance is issue 2's acceptance script.
func TestFoundationAcceptance(t *testing.T) {
	out := run(t, wednesday,
		"/hpp open INC-1042 service=maternity harm=moderate involved=@sam Baby moved to NICU after a delayed escalation",
		"/hpp status HPP-1", ":advance 3d", "/hpp list overdue",
		"/hpp contact HPP-1 via=phone next=7d Spoke with mother; agreed weekly calls on Tuesdays",
		"/hpp timeline HPP-1", "/hpp open INC-1043 Patient 999 000 0018 fell on the ward", "/hpp list all")
	for _, want := range []string{
		"HPP-1 is open — INC-1042 · maternity · moderate harm",
		"Duty of Candour notification (telling the family, in person or by phone or video, and saying sorry): by the end of Wed 9 Dec 2026 — 10 working days after becoming aware on Wed 25 Nov 2026",
		"Open cases with something overdue — 1 case",
		"contact with the family overdue",
		"Contact logged for HPP-1 (phone). Next contact due Mon 7 Dec, 08:00 (in 9 days). next=7d would fall on Sat 5 Dec, 10:00, which isn't a working day here, so I've set it for the next working morning.",
		"@you logged a contact with the family by phone",
		"Nothing was saved: that looks like it contains an NHS number",
		"Open cases you can see — 1 case",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(out, "INC-1043") && strings.Count(out, "HPP-2") > 0 {
		t.Errorf("the refused case was stored:\n%s", out)
	}
	golden(t, "foundation.txt", out)
}

// TestReminderAcceptance is issue 3's acceptance: a nudge with buttons, the
// repeat, the escalation to the pathway lead and channel, the slower repeat
// after it (two working days on), a contact that stops them, and weekend
// delivery on the next working morning.
func TestReminderAcceptance(t *testing.T) {
	out := run(t, wednesday,
		"/hpp service maternity lead=@pat channel=#maternity",
		":as @lead",
		"/hpp open INC-7 service=maternity harm=low every=2d Fall on ward 4",
		":advance 3d", ":advance 2d", ":advance 2d",
		":press 1",
		":advance 4d")
	for _, want := range []string{
		"[DM @lead] Contact with the family for HPP-1 (INC-7) is due now (Thu 26 Nov 2026, 10:00)",
		"[1] Log contact  [2] Snooze 1 day  [3] Show prompts",
		"This is reminder 2",
		"[DM @pat] A gentle heads-up about HPP-1 (maternity)",
		// The named contact hears that the lead was told before the channel does.
		"[DM @lead] After 3 reminders about HPP-1, I've let @pat, the pathway lead for maternity, know",
		"[#maternity] HPP-1 (maternity): overdue — contact with the family (due Thu 26 Nov 2026, 10:00). The pathway lead has been asked to help.",
		"[#maternity] Good morning. In maternity, 1 case has something overdue today:",
		`(pressed "Log contact")`,
		"Contact logged for HPP-1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	// The third nudge (due Saturday 28 November) comes on Monday morning.
	if i := strings.Index(out, "This is reminder 3"); i < 0 || !strings.Contains(out[:i], "The clock is now Sat 28 Nov") {
		t.Errorf("reminder 3 should come after the weekend:\n%s", out)
	}
	if strings.Contains(out, "Sat 28 Nov 2026, 10:00.\n[DM") {
		t.Errorf("a reminder was delivered on a Saturday")
	}
	// Channel posts carry no summary or note.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "[#") && strings.Contains(line, "Fall on ward") {
			t.Errorf("a channel post carries the summary: %s", line)
		}
	}
	golden(t, "reminders.txt", out)
}

// TestPressNeedsButtons checks the console explains itself.
func TestConsoleExtras(t *testing.T) {
	out := run(t, wednesday, ":press 1", ":as", ":advance soon", ":frob", "hello", "open INC-1 harm=low x", ":as @Sam", "/hpp list", ":quit", "/hpp list")
	for _, want := range []string{
		"There are no buttons on your latest message.",
		"Say who is typing, for example :as @sam",
		"Say how far to move the clock",
		"I don't know :frob. Try :help.",
		"Commands start with /hpp",
		"HPP-1 is open",
		"You are now @sam.",
		"You have no open cases.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "@sam › /hpp list") != 1 {
		t.Errorf("input after :quit was read:\n%s", out)
	}
}

func TestRender(t *testing.T) {
	r := bot.Reply{
		Text:     "*HPP-1* for <@console:sam> in <#console:maternity> and <@slack:U1|x>",
		Sections: []bot.Section{{Title: "Due", Text: "• *soon*", Fields: []bot.Field{{Label: "Lead", Value: "<@console:lee>"}}}},
		Note:     "Only you can see this.",
		Buttons:  []bot.Button{{Label: "Log contact"}, {Label: "Snooze"}},
	}
	want := "HPP-1 for @sam in #maternity and @U1\n\nDue\n• soon\nLead: @lee\n\nOnly you can see this.\n[1] Log contact  [2] Snooze"
	if got := console.Render(r); got != want {
		t.Errorf("Render =\n%q\nwant\n%q", got, want)
	}
}

// :press acts on the latest message only: after one with no buttons there
// is nothing to press, even if an older message had buttons.
func TestPressAfterAMessageWithoutButtons(t *testing.T) {
	out := run(t, wednesday, "/hpp open INC-1 harm=low Fall on ward", "/hpp help", ":press 1")
	if !strings.Contains(out, "[1] Log contact") {
		t.Fatalf("the open reply had no buttons to begin with:\n%s", out)
	}
	if strings.Contains(out, "(pressed") {
		t.Errorf("a button on an older message was pressed:\n%s", out)
	}
	if !strings.Contains(out, "There are no buttons on your latest message.") {
		t.Errorf("no word that there is nothing to press:\n%s", out)
	}
}

// Piped input gets the same opening hint as a terminal.
func TestHintWhenPiped(t *testing.T) {
	out := run(t, wednesday, "/hpp list")
	if !strings.HasPrefix(out, "hppbot console — type /hpp help to start") {
		t.Errorf("piped transcript does not start with the hint:\n%s", out)
	}
}

// TestOptionsAnywhereAcceptance is issue 18's acceptance for the grammar:
// options after the summary or note are options, an unknown one is refused
// with how to keep it as text, every reply that changes a case says back
// what it understood, "m" alone is not taken as minutes, and a corrected
// plan replaces the next contact a mistaken one set.
func TestOptionsAnywhereAcceptance(t *testing.T) {
	out := run(t, wednesday,
		"/hpp open INC-20 Fall on ward harm=severe lead=@alex aware=2026-11-23",
		"/hpp status HPP-1",
		":as @alex",
		"/hpp contact HPP-1 Spoke with mum next=3d via=phone",
		"/hpp contact HPP-1 Checked BP=90/60 with mum",
		"/hpp plan HPP-1 every=6m",
		"/hpp plan HPP-1 every=1min",
		"/hpp plan HPP-1 every=1mo via=phone Tuesdays suit them",
		"/hpp candour HPP-1 notified Met both parents on=2026-11-24",
	)
	for _, want := range []string{
		"HPP-1 is open — INC-20 · severe harm\nNamed contact for the family: @alex.\nUnderstood: harm severe · aware Mon 23 Nov · named contact @alex · summary “Fall on ward”",
		"Duty of Candour notification (telling the family, in person or by phone or video, and saying sorry): by the end of",
		"Next contact due Mon 30 Nov, 08:00 (in 5 days). next=3d would fall on Sat 28 Nov, 10:00, which isn't a working day here, so I've set it for the next working morning.",
		"Understood: by phone · today · next in 3 days, as you asked · note “Spoke with mum”",
		"write it with a space instead of the =, like BP 90/60",
		`"6m" could mean 6 minutes or 6 months — write 6min for minutes or 6mo for months`,
		"Plan recorded for HPP-1: in touch every month by phone. Next contact due Tue 29 Dec, 08:00",
		"Understood: notification · on Tue 24 Nov · note “Met both parents”",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	golden(t, "options.txt", out)
}
