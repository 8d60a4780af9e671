package console_test

import (
	"strings"
	"testing"
)

// TestFindByReferenceAcceptance is issue 18's item 4 end to end: a case is
// found by its incident reference, and a second open for a reference that
// is open in the same service asks first.
func TestFindByReferenceAcceptance(t *testing.T) {
	out := run(t, wednesday,
		"/hpp open INC-20 service=maternity harm=severe lead=@alex Fall on ward",
		"/hpp status INC-20",
		"/hpp open INC-20 service=maternity harm=severe Fall on ward",
		":press 1",
		"/hpp list all",
		"/hpp status inc-20",
		":press 2",
		"/hpp timeline INC-404")
	for _, want := range []string{
		"HPP-1 is open — INC-20 · maternity · severe harm",
		"HPP-1 · INC-20 · maternity · severe harm · open",
		"INC-20 is already open as HPP-1 — open another case for it?",
		"Nothing has been opened yet.",
		"[1] Open another case  [2] Show HPP-1",
		`(pressed "Open another case")`,
		"HPP-2 is open — INC-20 · maternity · severe harm",
		"Open cases you can see — 2 cases",
		"More than one case you can see has the incident reference INC-20. Which one did you mean?",
		"[1] HPP-1  [2] HPP-2",
		`(pressed "HPP-2")`,
		"HPP-2 · INC-20 · maternity · severe harm · open",
		`"INC-404" isn't a case id, and no case you can see has it as its incident reference.`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", out)
	}
}
