package console_test

import (
	"strings"
	"testing"
)

// TestOneLiveNudgePerCase is issue 22 item 2 in the console: a nudge, the
// next day's nudge for the same case replaces it (the earlier one collapses
// to one line without buttons), and logging the contact changes the live
// nudge to say so — one current nudge per case, not a stack.
func TestOneLiveNudgePerCase(t *testing.T) {
	out := run(t, wednesday,
		":as @sam",
		"/hpp open INC-8 service=maternity harm=low every=1d Fall on ward 2",
		":advance 1d", ":advance 1d",
		"/hpp contact HPP-1 via=phone Spoke with the family",
		":advance 4h")
	first := strings.Index(out, "[DM @sam] Contact with the family for HPP-1")
	second := strings.Index(out, "This is reminder 2")
	collapsed := strings.Index(out, "] Replaced by a newer reminder below.")
	logged := strings.Index(out, "] HPP-1: contact logged by @sam at ")
	if first < 0 || second < first || collapsed < second || logged < collapsed {
		t.Fatalf("want nudge, a second nudge, the first collapsed, then the second marked logged, in that order:\n%s", out)
	}
	// Each update names the message it changes: the first nudge is
	// collapsed, the second (a different message) marked logged.
	col := out[strings.LastIndex(out[:collapsed], "[update"):collapsed]
	log := out[strings.LastIndex(out[:logged], "[update"):logged]
	if !strings.HasPrefix(col, "[update DM @sam #") || !strings.HasPrefix(log, "[update DM @sam #") || col == log {
		t.Errorf("updates should name two different messages in @sam's chat: %q, %q", col, log)
	}
	if strings.Count(out, "Replaced by a newer reminder below.") != 1 {
		t.Errorf("one earlier nudge to collapse, got:\n%s", out)
	}
	// Once logged, there is nothing left to press in the nudge.
	if strings.Contains(out[logged:strings.Index(out[logged:], "\n")+logged], "[1]") {
		t.Errorf("the logged nudge kept its buttons:\n%s", out)
	}
	golden(t, "live.txt", out)
}
