package handlers

import (
	"strings"
	"testing"
)

// FuzzCorrectionText holds the small readers of correct and strike to
// their promises on any line: no panic; a reason keeps its words; the
// summary and reason split at "reason:" give back the text around it; the
// line offered back to answer "prolonged?" carries prolonged= once more
// than the line did.
func FuzzCorrectionText(f *testing.F) {
	for _, seed := range []string{
		"/hpp correct HPP-3 harm=moderate regraded",
		"correct HPP-3 summary Fall in the bathroom reason: wrong ward",
		"reason: because",
		"because",
		"open INC-1 psych=low Distress psych=moderate",
		"<@U1|a b> psych=",
		"reason:",
		"\treason -\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if r := trimReasonWord(line); len(r) > len(line) {
			t.Errorf("trimReasonWord(%q) = %q, longer than the line", line, r)
		}
		if before, reason, ok := splitReason(line); ok && (!strings.Contains(line, before) || !strings.Contains(line, reason)) {
			t.Errorf("splitReason(%q) = %q, %q", line, before, reason)
		}
		got := withProlonged(line, "yes")
		if strings.Count(got, "prolonged=yes") < strings.Count(line, "prolonged=yes")+1 {
			t.Errorf("withProlonged(%q) = %q", line, got)
		}
	})
}
