package slack

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// nudge is shaped like the scheduler's reminder to a case's named contact.
func nudge() bot.Reply {
	return bot.Reply{
		Text: "Contact with the family for *HPP-3* (INC-7) is due now. Even a short call helps — silence is hard for families.",
		Buttons: []bot.Button{
			{Label: "Log contact", Command: "contact HPP-3", Style: "primary", Form: bot.ContactForm("HPP-3")},
			{Label: "Snooze 1 day", Command: "snooze HPP-3 1d"},
			{Label: "Show prompts", Command: "prompt HPP-3"},
		},
	}
}

// buttonsIn returns the labels and action ids of the buttons in a
// chat.postMessage call's blocks.
func buttonsIn(t *testing.T, c call) (labels, actionIDs []string) {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks: %v: %s", err, c.Form.Get("blocks"))
	}
	for _, b := range blocks {
		if b.Type == "actions" {
			for _, e := range b.Elements {
				labels = append(labels, e.Text.Text)
				actionIDs = append(actionIDs, e.ActionID)
			}
		}
	}
	return labels, actionIDs
}

func TestSendDirect(t *testing.T) {
	tb := newTestBed(t)
	ctx := context.Background()
	if err := tb.surface.SendDirect(ctx, "slack:U0LEAD", nudge()); err != nil {
		t.Fatal(err)
	}
	if err := tb.surface.SendDirect(ctx, "slack:U0LEAD", bot.Reply{Text: "A second message"}); err != nil {
		t.Fatal(err)
	}
	got := tb.slack.methods()
	want := []string{"conversations.open", "chat.postMessage", "chat.postMessage"}
	if !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v (the conversation is opened once)", got, want)
	}
	calls := tb.slack.recorded()
	if calls[0].Form.Get("users") != "U0LEAD" {
		t.Fatalf("conversations.open: %v", calls[0].Form)
	}
	post := tb.slack.recorded("chat.postMessage")[0]
	if post.Form.Get("channel") != "D0LEAD" || !strings.Contains(post.Form.Get("text"), "HPP-3") {
		t.Fatalf("chat.postMessage: %v", post.Form)
	}
	labels, ids := buttonsIn(t, post)
	if !slices.Equal(labels, []string{"Log contact", "Snooze 1 day", "Show prompts"}) {
		t.Fatalf("buttons %v", labels)
	}
	if !strings.HasPrefix(ids[0], actionForm) || !strings.HasPrefix(ids[1], actionRun) || !strings.HasPrefix(ids[2], actionRun) {
		t.Fatalf("action ids %v: log contact opens its form, the others run", ids)
	}
}

func TestPostChannelAndRouting(t *testing.T) {
	tb := newTestBed(t)
	ctx := context.Background()
	if err := tb.surface.PostChannel(ctx, "slack:C0WARD", bot.Reply{Text: "*HPP-3* (maternity): contact is overdue."}); err != nil {
		t.Fatal(err)
	}
	if posts := tb.slack.recorded("chat.postMessage"); len(posts) != 1 || posts[0].Form.Get("channel") != "C0WARD" {
		t.Fatalf("channel post: %v", tb.slack.recorded())
	}
	for _, id := range []string{"console:sam", "teams:29:abc", "slack:", "U0LEAD", "slack:not an id"} {
		if err := tb.surface.SendDirect(ctx, id, bot.Reply{Text: "x"}); !errors.Is(err, bot.ErrNoRoute) {
			t.Errorf("SendDirect(%q) = %v, want ErrNoRoute", id, err)
		}
		if err := tb.surface.PostChannel(ctx, id, bot.Reply{Text: "x"}); !errors.Is(err, bot.ErrNoRoute) {
			t.Errorf("PostChannel(%q) = %v, want ErrNoRoute", id, err)
		}
	}
}

func TestFilesAreUploadedToTheDirectMessage(t *testing.T) {
	tb := newTestBed(t)
	r := bot.Reply{Text: "The timeline of *HPP-3*", Files: []bot.File{{Name: "HPP-3-timeline.csv", Type: "text/csv", Title: "Timeline", Data: []byte("at,who,what\n")}}}
	if err := tb.surface.SendDirect(context.Background(), "slack:U0LEAD", r); err != nil {
		t.Fatal(err)
	}
	got := tb.slack.methods()
	want := []string{"conversations.open", "chat.postMessage", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"}
	if !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	get := tb.slack.recorded("files.getUploadURLExternal")[0]
	if get.Form.Get("filename") != "HPP-3-timeline.csv" || get.Form.Get("length") != "12" {
		t.Fatalf("upload request: %v", get.Form)
	}
	complete := tb.slack.recorded("files.completeUploadExternal")[0]
	if complete.Form.Get("channel_id") != "D0LEAD" {
		t.Fatalf("upload completed to %v", complete.Form)
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("a short Retry-After is waited out", func(t *testing.T) {
		tb := newTestBed(t)
		tb.slack.limit("chat.postMessage", 1, "1")
		if err := tb.surface.PostChannel(context.Background(), "slack:C0WARD", bot.Reply{Text: "Synthetic digest"}); err != nil {
			t.Fatalf("want success after one retry, got %v", err)
		}
		if n := len(tb.slack.recorded("chat.postMessage")); n != 2 {
			t.Fatalf("%d calls, want 2", n)
		}
		if !strings.Contains(tb.logText(), "slow down") {
			t.Fatalf("the retry should be logged: %s", tb.logText())
		}
	})
	t.Run("a long Retry-After fails the send, logged without its text", func(t *testing.T) {
		tb := newTestBed(t)
		tb.slack.limit("chat.postMessage", 1, "120")
		err := tb.surface.SendDirect(context.Background(), "slack:U0LEAD", bot.Reply{Text: "Synthetic secret note text"})
		if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok {
			t.Fatalf("want a RateLimitedError for the scheduler to retry later, got %v", err)
		}
		if n := len(tb.slack.recorded("chat.postMessage")); n != 1 {
			t.Fatalf("%d calls, want 1", n)
		}
		logs := tb.logText()
		if !strings.Contains(logs, "message not delivered") || !strings.Contains(logs, "slack:U0LEAD") {
			t.Fatalf("the failure should be logged with the person: %s", logs)
		}
		if strings.Contains(logs, "Synthetic secret") {
			t.Fatalf("the log holds message text: %s", logs)
		}
	})
	t.Run("retries are bounded", func(t *testing.T) {
		tb := newTestBed(t, func(c *Config) { c.Retries = 2 })
		tb.slack.limit("conversations.open", 10, "1")
		err := tb.surface.SendDirect(context.Background(), "slack:U0LEAD", bot.Reply{Text: "x"})
		if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok {
			t.Fatalf("want a RateLimitedError, got %v", err)
		}
		if n := len(tb.slack.recorded("conversations.open")); n != 3 {
			t.Fatalf("%d calls, want 3 (one and two retries)", n)
		}
	})
}
