package console_test

import (
	"strings"
	"testing"
)

// Three cases opened out of hours for one person fall due together at the
// start of a working day and arrive as one message, with a button for
// each; pressing one logs that
// case's contact, and only the other two are reminded next time.
func TestBundleAcceptance(t *testing.T) {
	out := run(t, wednesday,
		":as @sam",
		":advance 9h", // Wednesday evening, after working hours
		"/hpp open INC-31 harm=low Fall on ward 4",
		":advance 30min",
		"/hpp open INC-32 harm=low Medication given late",
		":advance 30min",
		"/hpp open INC-33 harm=low Delayed referral",
		":advance 36h", // Friday 08:00: all three are due
		":press 2",
		":advance 3d") // Monday: the repeat, for the two not yet logged
	first := strings.Index(out, "[DM @sam] 3 of your cases are waiting")
	if first < 0 {
		t.Fatalf("no bundle of three:\n%s", out)
	}
	for _, want := range []string{
		"[1] Log contact — HPP-1  [2] Log contact — HPP-2  [3] Log contact — HPP-3",
		`(pressed "Log contact — HPP-2")`,
		"Contact logged for HPP-2",
		"[DM @sam] 2 of your cases are waiting",
		"[1] Log contact — HPP-1  [2] Log contact — HPP-3",
	} {
		if !strings.Contains(out[first:], want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if i, j := strings.Index(out[first:], "HPP-1 (INC-31)"), strings.Index(out[first:], "HPP-3 (INC-33)"); i < 0 || j < i {
		t.Errorf("cases due at the same moment should come in the order they were opened")
	}
	golden(t, "bundle.txt", out)
}
