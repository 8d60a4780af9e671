package slack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hppbot/bot"
)

// Slack's final answers reach the scheduler as bot.Undeliverable, with the
// code for metrics and plain words for people; what may pass does not.
func TestUndeliverableClassification(t *testing.T) {
	tests := []struct {
		method, code string
		direct       bool
		final        bool
		words        string // in the reason or the fix
	}{
		{"conversations.open", "user_not_found", true, true, "hand their cases"},
		{"conversations.open", "user_disabled", true, true, "deactivated"},
		{"conversations.open", "cannot_dm_bot", true, true, "a bot"},
		{"chat.postMessage", "account_inactive", true, true, "deactivated"},
		{"chat.postMessage", "channel_not_found", true, true, "say hello"},
		{"chat.postMessage", "not_in_channel", true, true, "say hello"},
		{"chat.postMessage", "is_archived", true, true, "say hello"},
		{"chat.postMessage", "team_access_not_granted", true, true, "Slack admin"},
		{"chat.postMessage", "internal_error", true, false, ""},
		{"chat.postMessage", "msg_too_long", true, false, ""},
		{"chat.postMessage", "invalid_auth", true, false, ""},
		{"chat.postMessage", "channel_not_found", false, true, "/invite @hppbot"},
		{"chat.postMessage", "not_in_channel", false, true, "add hppbot to the channel"},
		{"chat.postMessage", "is_archived", false, true, "archived"},
		{"chat.postMessage", "restricted_action_read_only_channel", false, true, "read-only"},
		{"chat.postMessage", "account_inactive", false, false, ""},
		{"chat.postMessage", "ratelimited", false, false, ""},
	}
	for _, tc := range tests {
		where := "channel"
		if tc.direct {
			where = "direct"
		}
		t.Run(where+" "+tc.method+" "+tc.code, func(t *testing.T) {
			tb := newTestBed(t)
			tb.slack.fail(tc.method, tc.code)
			var err error
			if tc.direct {
				err = tb.surface.SendDirect(context.Background(), "slack:U0SAM", bot.Reply{Text: "A reminder"})
			} else {
				err = tb.surface.PostChannel(context.Background(), "slack:C0WARD", bot.Reply{Text: "A post"})
			}
			if err == nil {
				t.Fatal("no error")
			}
			u, final := bot.AsUndeliverable(err)
			if final != tc.final {
				t.Fatalf("%v: final = %v, want %v", err, final, tc.final)
			}
			if errors.Is(err, bot.ErrNotReachable) != tc.final {
				t.Errorf("%v: ErrNotReachable = %v, want %v", err, !tc.final, tc.final)
			}
			if !final {
				return
			}
			if u.Code != tc.code || u.Reason == "" || u.Fix == "" || !strings.Contains(u.Reason+" "+u.Fix, tc.words) {
				t.Errorf("%+v, want code %q and the words %q", u, tc.code, tc.words)
			}
		})
	}
}
