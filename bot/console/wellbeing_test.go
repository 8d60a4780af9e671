package console_test

import (
	"strings"
	"testing"
	"time"
)

// consoleWellbeing pipes a script through the console wired as main wires
// it — check-in jobs included — on its own store, from a fixed moment.
func consoleWellbeing(t *testing.T, start time.Time, script ...string) string {
	t.Helper()
	return run(t, start, script...)
}

// wbWednesday is Wednesday 25 November 2026, 10:00 in London.
var wbWednesday = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// TestWellbeingAcceptance is issue 7's acceptance, as a new user would try it.
func TestWellbeingAcceptance(t *testing.T) {
	out := consoleWellbeing(t, wbWednesday,
		"/hpp service maternity wellbeing=@jo",
		":as @lead",
		"/hpp open INC-1 service=maternity harm=moderate involved=@sam Fall on ward",
		":advance 1d",
		":as @sam",
		":press 2", // Finding it hard
		":press 1", // I'd like to talk to someone
		":press 1", // Yes, please let them know
		":as @lead",
		"/hpp status HPP-1",
		"/hpp timeline HPP-1",
		"/hpp checkin history",
	)
	steps := strings.Split(out, "\n@")
	find := func(prefix string) string {
		for _, s := range steps {
			if strings.HasPrefix(s, prefix) {
				return s
			}
		}
		t.Fatalf("no step %q in:\n%s", prefix, out)
		return ""
	}
	// Recorded as involved: sam is told once, privately.
	open := find("lead › /hpp open")
	if strings.Count(open, "[DM @sam]") != 1 || !strings.Contains(open, "has recorded you as one of the staff involved in HPP-1 (incident INC-") || !strings.Contains(open, "/hpp status HPP-1") || !strings.Contains(open, "/hpp wellbeing off") {
		t.Errorf("the open step should tell sam once:\n%s", open)
	}
	// A working day later, the check-in.
	adv := find("lead › :advance 1d")
	for _, want := range []string{"[DM @sam] A private check-in from hppbot, since you were involved in HPP-1.", "How are you doing right now?",
		"[1] Really struggling  [2] Finding it hard  [3] Getting by  [4] Doing OK  [5] I'd like to talk to someone  [6] Not now"} {
		if !strings.Contains(adv, want) {
			t.Errorf("the check-in lacks %q:\n%s", want, adv)
		}
	}
	// A low answer offers support and the talk option.
	low := find("sam › :press 2")
	if !strings.Contains(low, "Thank you for telling me") || !strings.Contains(low, "Samaritans") || !strings.Contains(low, "[1] I'd like to talk to someone") {
		t.Errorf("low answer:\n%s", low)
	}
	// Asking first, then exactly one message to the contact, naming sam only.
	ask := find("sam › :press 1\n(pressed \"I'd like to talk to someone\")")
	if strings.Contains(ask, "[DM @jo]") || !strings.Contains(ask, "[1] Yes, please let them know  [2] No, not now") {
		t.Errorf("the contact must not hear before sam confirms:\n%s", ask)
	}
	if n := strings.Count(out, "[DM @jo]"); n != 1 {
		t.Errorf("%d messages to the wellbeing contact, want 1:\n%s", n, out)
	}
	want := "[DM @jo] @sam would like a conversation about how they're doing after a difficult event at work. Please reach out to them privately.\n"
	if !strings.Contains(out, want) {
		t.Errorf("the contact's message should be exactly the request:\n%s", out)
	}
	confirm := find("sam › :press 1\n(pressed \"Yes, please let them know\")")
	if !strings.Contains(confirm, "I've let @jo know") {
		t.Errorf("sam should be told who was asked:\n%s", confirm)
	}
	// The lead sees no answer of sam's anywhere.
	for _, step := range []string{"lead › /hpp status HPP-1", "lead › /hpp timeline HPP-1", "lead › /hpp checkin history"} {
		s := find(step)
		for _, bad := range []string{"Really struggling", "Finding it hard", "Getting by", "Doing OK", "conversation", "@jo"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s shows %q:\n%s", step, bad, s)
			}
		}
	}
}

// TestWellbeingWeekendAndOptOut: a check-in due on Saturday arrives on
// Monday morning; after opting out, nothing more comes.
func TestWellbeingWeekendAndOptOut(t *testing.T) {
	out := consoleWellbeing(t, wbWednesday,
		"/hpp open INC-1 involved=@sam",
		":advance 1d",
		":advance 4d",
		":as @sam",
		"/hpp wellbeing off",
		":advance 30d",
	)
	if n := strings.Count(out, "[DM @sam] A private check-in"); n != 2 {
		t.Errorf("%d check-ins, want 2 (Thursday, then Monday; none after opting out):\n%s", n, out)
	}
	i := strings.Index(out, "@you › :advance 4d")
	monday := strings.Index(out, "⏩ The clock is now Mon 30 Nov 2026, 10:00.")
	second := strings.LastIndex(out, "[DM @sam] A private check-in")
	if i < 0 || monday < 0 || second < i || second > monday {
		t.Errorf("the Saturday check-in should come during the advance to Monday:\n%s", out)
	}
	if strings.Contains(out, "The clock is now Sat") {
		t.Errorf("unexpected clock stop on a Saturday:\n%s", out)
	}
}
