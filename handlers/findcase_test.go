package handlers

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"hppbot/bot"
	"hppbot/pathway"
)

// byRef is a case line with the case id replaced by an incident reference.
func byRef(line, id, ref string) string {
	return strings.Replace(line, id, ref, 1)
}

// Every command that takes a case takes its incident reference too, in any
// letter case, and acts on the same case.
func TestEveryCaseCommandTakesTheIncidentReference(t *testing.T) {
	wants := map[string]string{
		"/hpp status HPP-1":                           "Named contact",
		"/hpp timeline HPP-1":                         "Timeline of HPP-1",
		"/hpp export HPP-1":                           "Here is the candour record for *HPP-1*",
		"/hpp prompt HPP-1":                           "this card fits best",
		"/hpp contact HPP-1 via=phone Synthetic note": "Contact logged for *HPP-1*",
		"/hpp plan HPP-1 every=1w via=phone":          "Plan recorded for *HPP-1*",
		"/hpp candour HPP-1 notified":                 "the family was told",
		"/hpp candour HPP-1 na Synthetic reason":      "doesn't apply",
		"/hpp family HPP-1 support":                   "independent support",
		"/hpp family HPP-1 parallel=claim":            "carry on",
		"/hpp involve HPP-1 @robin":                   "as involved in *HPP-1*",
		"/hpp snooze HPP-1 1d":                        "snoozed until",
		"/hpp close HPP-1":                            "*HPP-1* is closed",
		"/hpp reopen HPP-1":                           "*HPP-1* is open again",
		"/hpp lead HPP-1 @robin":                      "is now the named contact for *HPP-1*",
	}
	f := newFixture(t)
	f.as("opener", "/hpp open INC-9 service=maternity lead=@lee harm=moderate Fall")
	f.as("opener", "/hpp open INC-90 service=maternity lead=@lee harm=moderate Another fall")
	for i, line := range caseLines {
		want, ok := wants[line]
		if !ok {
			t.Fatalf("no expectation for %q", line)
		}
		ref := []string{"INC-9", "inc-9", "Inc-9"}[i%3]
		got := text(f.as("lee", byRef(line, "HPP-1", ref)))
		if !strings.Contains(got, want) {
			t.Errorf("%q:\n%s\nwant %q", byRef(line, "HPP-1", ref), got, want)
		}
		if _, n := f.caseState(t, 2); n != 1 {
			t.Fatalf("%q changed HPP-2 (INC-90), a different reference", line)
		}
	}
	if v, _ := f.caseState(t, 1); v < 10 {
		t.Errorf("HPP-1 is at version %d after the commands by reference; they did not reach it", v)
	}
}

// Someone who may not see a case hears the same as when no case has the
// reference: a lookup never tells anyone a case exists.
func TestAReferenceNeverRevealsACaseThePersonMayNotSee(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("opener", "/hpp open INC-9 service=maternity lead=@lee harm=moderate Fall")
	version, events := f.caseState(t, 1)
	sent := len(f.sent.sent)
	for _, line := range caseLines {
		if strings.HasPrefix(line, "/hpp prompt") {
			continue // an optional case: a word that names none is read as a topic
		}
		got := text(f.as("robin", byRef(line, "HPP-1", "INC-9")))
		none := text(f.as("robin", byRef(line, "HPP-1", "INC-404")))
		if want := strings.ReplaceAll(none, "INC-404", "INC-9"); got != want {
			t.Errorf("%q: someone not on the case heard\n%s\nbut for a reference no case has\n%s", line, got, none)
		}
		if !strings.Contains(got, "no case you can see has it as its incident reference") || strings.Contains(strings.ReplaceAll(got, "HPP-12", ""), "HPP-1") || strings.Contains(got, "Fall") {
			t.Errorf("%q: %s", line, got)
		}
	}
	if got := text(f.as("robin", "/hpp prompt INC-9")); !strings.Contains(got, `I don't have a card called "INC-9"`) {
		t.Errorf("prompt INC-9 for someone not on it: %s", got)
	}
	if v, n := f.caseState(t, 1); v != version || n != events {
		t.Errorf("commands by reference from someone not on the case changed it: version %d→%d, events %d→%d", version, v, events, n)
	}
	if len(f.sent.sent) != sent {
		t.Errorf("a refused command sent messages: %+v", f.sent.sent[sent:])
	}
	// The service's pathway lead may see it, so the reference finds it.
	if got := text(f.as("pat", "/hpp status INC-9")); !strings.Contains(got, "*HPP-1* · INC-9") {
		t.Errorf("the pathway lead's status INC-9: %s", got)
	}
}

// A reference that names several cases the person may see asks which, with
// their ids and a button for each; one the person may not see is left out.
func TestAReferenceNamingSeveralCasesAsksWhich(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-5 service=maternity harm=moderate Fall on the ward")
	f.as("lee", "/hpp open INC-5 service=surgery harm=low Wound infection")
	f.as("opener", "/hpp open INC-5 again=yes service=surgery lead=@quinn harm=low Someone else's")
	r := f.as("lee", "/hpp contact inc-5 via=phone Spoke with her son")
	got := text(r)
	for _, want := range []string{
		"More than one case you can see has the incident reference INC-5. Which one did you mean?",
		"*HPP-1* · INC-5 · maternity · moderate harm · named contact <@console:lee>",
		"*HPP-2* · INC-5 · surgery · low harm",
		"“Fall on the ward”",
		"Nothing has been changed. Choose one, or type the command again with the case id, for example /hpp contact HPP-1.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the question lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "HPP-3") || strings.Contains(got, "Someone else") {
		t.Errorf("the question shows a case lee is not on:\n%s", got)
	}
	wantButtons := []bot.Button{
		{Label: "HPP-1", Command: "contact HPP-1 via=phone Spoke with her son"},
		{Label: "HPP-2", Command: "contact HPP-2 via=phone Spoke with her son"},
	}
	if len(r.Buttons) != len(wantButtons) {
		t.Fatalf("buttons = %+v, want %+v", r.Buttons, wantButtons)
	}
	for i, b := range wantButtons {
		if r.Buttons[i].Label != b.Label || r.Buttons[i].Command != b.Command {
			t.Errorf("button %d = %+v, want %+v", i, r.Buttons[i], b)
		}
	}
	for id := int64(1); id <= 3; id++ {
		if _, n := f.caseState(t, id); n != 1 {
			t.Fatalf("asking which changed HPP-%d", id)
		}
	}
	// The button is the command with the case id.
	if got := text(f.as("lee", r.Buttons[1].Command)); !strings.Contains(got, "Contact logged for *HPP-2*") {
		t.Errorf("pressing HPP-2: %s", got)
	}
	// quinn sees only HPP-3, so for quinn the reference names one case.
	if got := text(f.as("quinn", "/hpp status INC-5")); !strings.Contains(got, "*HPP-3* · INC-5") {
		t.Errorf("quinn's status INC-5: %s", got)
	}
	// A closed case is still found by its reference (reopen needs it).
	f.as("quinn", "/hpp close HPP-3")
	if got := text(f.as("quinn", "/hpp reopen INC-5")); !strings.Contains(got, "*HPP-3* is open again") {
		t.Errorf("quinn's reopen INC-5: %s", got)
	}
}

func TestCaseIDsComeBeforeReferences(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		// A word that reads as a case id is a case id ...
		{"/hpp status 1", "*HPP-1* · 12"},
		{"/hpp status HPP-2", "*HPP-2* · listen"},
		{"/hpp status 2", "*HPP-2* · listen"},
		// ... and when no case has that id, digits are looked up as a
		// reference too.
		{"/hpp status 12", "*HPP-1* · 12"},
		{"/hpp contact 12 via=phone Spoke", "Contact logged for *HPP-1*"},
		{"/hpp status 48213", "I can't find HPP-48213"},
		{"/hpp status HPP-12", "I can't find HPP-12"},
		// A topic is a topic, even if a case has it as its reference.
		{"/hpp prompt listen", "Listen"},
		{"/hpp prompt nothing", `I don't have a card called "nothing"`},
		// A word that can't be a reference keeps the message it had.
		{"/hpp status HPP-1x!", `"HPP-1x!" isn't a case id`},
		{"/hpp contact", "Which case?"},
	}
	f := newFixture(t)
	f.as("lee", "/hpp open 12 harm=low Fall")
	f.as("lee", "/hpp open listen harm=low Fall")
	f.as("opener", "/hpp open 48213 harm=low Someone else's case")
	for _, tt := range tests {
		if got := text(f.as("lee", tt.line)); !strings.Contains(got, tt.want) {
			t.Errorf("%q:\n%s\nwant %q", tt.line, got, tt.want)
		}
	}
}

func TestTakesCase(t *testing.T) {
	f := newFixture(t)
	want := map[string]bool{
		"status": true, "timeline": true, "export": true, "prompt": true, "contact": true, "plan": true,
		"candour": true, "family": true, "lead": true, "involve": true, "snooze": true, "close": true, "reopen": true,
		"open": false, "list": false, "report": false, "service": false, "help": false, "checkin": false,
	}
	for name, w := range want {
		c, ok := f.h.cmds[name]
		if !ok {
			t.Fatalf("no command %q", name)
		}
		if c.findsCase != w {
			t.Errorf("%s: findsCase = %v, want %v (usage %q)", name, c.findsCase, w, c.usage)
		}
	}
}

func TestOpenAsksBeforeASecondCaseForAnOpenReference(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.as("lee", "/hpp open INC-20 service=maternity harm=severe Fall on ward")
	count := func() int64 {
		n, err := f.st.CountOpen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	r := f.as("lee", "/hpp open inc-20 service=maternity harm=severe Fall on ward, again")
	got := text(r)
	for _, want := range []string{
		"INC-20 is already open as HPP-1 — open another case for it?",
		"HPP-1 was opened in maternity on Wed 25 Nov 2026. If it's the same incident, carry on in HPP-1: /hpp status HPP-1.",
		"Nothing has been opened yet. To open another, press the button or add again=yes to the command: /hpp open inc-20 again=yes …",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the question lacks %q:\n%s", want, got)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("%d cases open after the question, want 1", n)
	}
	if len(r.Buttons) != 2 || r.Buttons[0].Command != "open inc-20 again=yes service=maternity harm=severe Fall on ward, again" || r.Buttons[1].Command != "status HPP-1" {
		t.Fatalf("buttons = %+v", r.Buttons)
	}
	if got := text(f.as("lee", r.Buttons[0].Command)); !strings.Contains(got, "HPP-2 is open") {
		t.Fatalf("confirming: %s", got)
	}
	if c, err := f.st.GetCase(ctx, 2); err != nil || c.Summary != "Fall on ward, again" || c.Harm != "severe" {
		t.Fatalf("the confirmed case: %+v, %v", c, err)
	}
	// Both open now: the question names both.
	if got := text(f.as("lee", "/hpp open INC-20 service=maternity")); !strings.Contains(got, "INC-20 is already open as HPP-1 and HPP-2 — open another case for it?") {
		t.Errorf("a third open: %s", got)
	}

	tests := []struct {
		name, line, want string
	}{
		{"another service", "/hpp open INC-20 service=surgery Fall", "HPP-3 is open"},
		{"no service, where the open ones have one", "/hpp open INC-20 Fall", "HPP-4 is open"},
		{"no service, where an open one has none", "/hpp open INC-20 Fall", "INC-20 is already open as HPP-4 — open another case for it?"},
		{"again= that isn't yes", "/hpp open INC-20 again=no service=maternity", "again= takes yes"},
		{"a new reference", "/hpp open INC-21 service=maternity", "HPP-5 is open"},
	}
	for _, tt := range tests {
		if got := text(f.as("lee", tt.line)); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q:\n%s\nwant %q", tt.name, tt.line, got, tt.want)
		}
	}
	// A closed case doesn't ask: the reference is free again.
	f.as("lee", "/hpp close HPP-5")
	if got := text(f.as("lee", "/hpp open INC-21 service=maternity")); !strings.Contains(got, "HPP-6 is open") {
		t.Errorf("after closing HPP-5: %s", got)
	}
}

// Someone not on the open case is asked too, without a button to a case
// they may not see, and told how to be added.
func TestOpenAsksSomeoneNotOnTheOpenCase(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-20 service=maternity harm=severe Fall on ward")
	r := f.as("robin", "/hpp open INC-20 service=maternity")
	got := text(r)
	for _, want := range []string{
		"INC-20 is already open as HPP-1 — open another case for it?",
		"If it's the same incident, ask the people on HPP-1 to add you (/hpp involve HPP-1 and your name) rather than opening another.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the question lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Fall on ward") || strings.Contains(got, "severe") || strings.Contains(got, "was opened") || strings.Contains(got, "lee") {
		t.Errorf("the question shows the case:\n%s", got)
	}
	if len(r.Buttons) != 1 || r.Buttons[0].Label != "Open another case" {
		t.Errorf("buttons = %+v", r.Buttons)
	}
}

// The open form (a Slack modal, a Teams card) makes the same command line,
// so it gets the same question.
func TestOpenFormAsksToo(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-20 service=maternity harm=severe Fall on ward")
	line, errs := bot.OpenForm().CommandLine(map[string][]string{"ref": {"INC-20"}, "service": {"maternity"}, "harm": {"moderate"}, "text": {"Second fall"}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r, err := f.h.Run(context.Background(), bot.Request{Surface: bot.Console, Person: "console:lee", Text: line})
	if err != nil || !strings.Contains(text(r), "INC-20 is already open as HPP-1 — open another case for it?") {
		t.Fatalf("the form's line %q: %v\n%s", line, err, text(r))
	}
	if got := text(f.as("lee", r.Buttons[0].Command)); !strings.Contains(got, "HPP-2 is open") {
		t.Errorf("confirming from the form's question: %s", got)
	}
}

func TestHelpSaysAReferenceWorks(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		line, want string
		has        bool
	}{
		{"/hpp help status", "The case can be its id (HPP-3) or its incident reference (INC-1042)", true},
		{"/hpp help contact", "The case can be its id (HPP-3) or its incident reference (INC-1042)", true},
		{"/hpp help prompt", "The case can be its id (HPP-3) or its incident reference (INC-1042)", true},
		{"/hpp help list", "incident reference (INC-1042)", false},
		{"/hpp help open", "again=yes: open another case for a reference that is already open in the same service", true},
		{"/hpp help", "Wherever a command takes a case, the incident reference works too: /hpp status INC-1042.", true},
	}
	for _, tt := range tests {
		if got := text(f.as("lee", tt.line)); strings.Contains(got, tt.want) != tt.has {
			t.Errorf("%q:\n%s\nwant it to contain %q: %v", tt.line, got, tt.want, tt.has)
		}
	}
}

// FuzzButtonLines: the command lines the questions' buttons carry mean
// what was typed, with the case id for the reference (asking which case)
// or with again=yes (asking before a second case).
func FuzzButtonLines(f *testing.F) {
	for _, s := range []string{
		"INC-5 via=phone Spoke with her son",
		"INC-5 service=maternity harm=severe lead=@alex Fall on ward",
		"inc-5   via=phone   two  spaces",
		"INC-5\tvia=phone\tnote",
		"INC-5 INC-5 INC-5",
		"INC-5 <@U1|Sam> note",
	} {
		f.Add(s)
	}
	g := grammar{positional: 1, options: []string{"via", "service", "harm", "lead", "again"}, mentions: true, text: true}
	f.Fuzz(func(t *testing.T, rest string) {
		cmd, err := parse("x", rest, g, bot.Console)
		if err != nil || len(cmd.Args) == 0 || !pathway.LooksLikeRef(cmd.Args[0]) {
			return
		}
		ref := cmd.Args[0]
		_, again := cmd.Opts["again"]

		name, byID := commandWord(withCaseID("x", rest, ref, "HPP-7"))
		got, err := parse(name, byID, g, bot.Console)
		if err != nil || len(got.Args) == 0 || got.Args[0] != "HPP-7" || got.Text != cmd.Text || !maps.Equal(got.Opts, cmd.Opts) || !slices.Equal(got.People, cmd.People) {
			t.Fatalf("withCaseID(%q) = %q, read as %+v (%v); want %+v with HPP-7", rest, byID, got, err, cmd)
		}

		if again {
			return // a second again= is refused as given twice
		}
		_, withYes := commandWord("x " + withAgain("/hpp x "+rest, cmd))
		got, err = parse("x", withYes, g, bot.Console)
		want := maps.Clone(cmd.Opts)
		want["again"] = "yes"
		if err != nil || len(got.Args) == 0 || got.Args[0] != ref || got.Text != cmd.Text || !maps.Equal(got.Opts, want) || !slices.Equal(got.People, cmd.People) {
			t.Fatalf("withAgain(%q) = %q, read as %+v (%v); want %+v with again=yes", rest, withYes, got, err, cmd)
		}
	})
}
