package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/scheduler"
	"hppbot/store/storetest"
)

// captured keeps the direct messages the scheduler sends.
type captured struct{ direct map[string][]bot.Reply }

func (c *captured) SendDirect(_ context.Context, person string, r bot.Reply) error {
	c.direct[person] = append(c.direct[person], r)
	return nil
}
func (c *captured) PostChannel(context.Context, string, bot.Reply) error { return nil }

// bundleFor is the scheduler's own message to person when n of their
// cases fall due in one tick: opened two minutes apart on a Wednesday
// morning, all due by Friday.
func bundleFor(t *testing.T, person string, n int) bot.Reply {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	ctx := context.Background()
	opened := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	for i := 0; i < n; i++ {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: fmt.Sprintf("INC-%d", 100+i), Lead: person}, person, p, opened.Add(-time.Duration(i)*2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
			t.Fatal(err)
		}
	}
	box := &captured{direct: map[string][]bot.Reply{}}
	s := scheduler.New(scheduler.Config{Store: st, Policy: p, Messenger: box, Workers: 1})
	if _, err := s.Tick(ctx, opened.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if got := box.direct[person]; len(got) != 1 {
		t.Fatalf("%s got %d messages, want 1", person, len(got))
	}
	return box.direct[person][0]
}

// A bundle of 1, 5, 30 and 60 cases, as Slack gets it: each case a
// section with its button beside it, within the 50-block limit (47 cases
// beside the text and the note), and "…and N more" for what doesn't fit.
func TestBundleGolden(t *testing.T) {
	for _, tc := range []struct {
		n        int
		wantMore string
	}{{1, ""}, {5, ""}, {30, ""}, {60, "…and 13 more — /hpp list mine"}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			r := bundleFor(t, "slack:U0SAM", tc.n)
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
