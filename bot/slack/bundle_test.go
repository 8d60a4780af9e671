package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"hppbot/scheduler/schedulertest"
)

// A bundle of 1, 5, 30 and 60 cases, as Slack gets it: each case a
// section with its button beside it, within the 50-block limit (47 cases
// beside the text and the note), and "…and N more" for what doesn't fit.
func TestBundleGolden(t *testing.T) {
	for _, tc := range []struct {
		n        int
		wantMore string
	}{{1, ""}, {5, ""}, {30, ""}, {60, "…and 13 more — /hpp list mine"}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			r := schedulertest.BundleFor(t, "slack:U0SAM", tc.n)
			msg := render(r, names{}, maxMessageBlocks)
			checkLimits(t, msg, maxMessageBlocks)
			ids := map[string]bool{}
			buttons := 0
			for _, b := range msg.Blocks {
				if sb, ok := b.(*slack.SectionBlock); ok && sb.Accessory != nil && sb.Accessory.ButtonElement != nil {
					id := sb.Accessory.ButtonElement.ActionID
					if ids[id] || !strings.HasPrefix(id, "hpp:") {
						t.Errorf("accessory action id %q", id)
					}
					ids[id] = true
					buttons++
				}
			}
			all := string(readableJSON(t, msg.Blocks))
			if tc.n > 1 && buttons == 0 {
				t.Error("no case has a button beside it")
			}
			if tc.wantMore != "" && !strings.Contains(all, tc.wantMore) {
				t.Errorf("no %q in the blocks", tc.wantMore)
			}
			if tc.wantMore == "" && strings.Contains(all, "more —") {
				t.Error("says there is more when everything fits")
			}
			golden(t, fmt.Sprintf("bundle-%d", tc.n), struct {
				Text   string          `json:"text"`
				Blocks json.RawMessage `json:"blocks"`
			}{msg.Text, withoutState(t, msg.Blocks)})
		})
	}
}
