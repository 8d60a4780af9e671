package teams

import (
	"fmt"
	"strings"
	"testing"

	"hppbot/scheduler/schedulertest"
)

// A bundle of 1, 5 and 30 cases, as Teams gets it: one card whose actions,
// a button for each case, stay within Teams' six; the cases without room
// for their button are left for "…and N more".
func TestBundleGolden(t *testing.T) {
	for _, tc := range []struct {
		n        int
		wantMore string
	}{{1, ""}, {5, ""}, {30, "…and 24 more — hpp list mine"}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			r := schedulertest.BundleFor(t, "teams:aad-sam", tc.n)
			acts := renderReply(r, renderOpts{personal: true, viewer: "teams:aad-sam"})
			if len(acts) != 1 {
				t.Fatalf("%d activities, want one card", len(acts))
			}
			card := acts[0].Attachments[0].Content.(object)
			checkCard(t, card)
			actions, _ := card["actions"].([]object)
			if len(actions) > maxActions || (tc.n > 1 && len(actions) != min(tc.n, maxActions)) {
				t.Errorf("%d actions for %d cases", len(actions), tc.n)
			}
			all := fmt.Sprint(card["body"])
			if tc.wantMore != "" && !strings.Contains(all, tc.wantMore) {
				t.Errorf("no %q in the card: %s", tc.wantMore, all)
			}
			if tc.wantMore == "" && strings.Contains(all, "more —") {
				t.Error("says there is more when everything fits")
			}
			golden(t, fmt.Sprintf("bundle-%d", tc.n), acts)
		})
	}
}
