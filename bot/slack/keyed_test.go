package slack

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/delivery/deliverytest"
)

func TestAKeyedSendCarriesItsKeyInMetadata(t *testing.T) {
	tb := newTestBed(t)
	const key = "remind:7:contact:1:0"
	if err := tb.surface.SendKeyed(context.Background(), "slack:U0LEAD", false, key, bot.Reply{Text: "Contact is due"}); err != nil {
		t.Fatal(err)
	}
	posts := tb.slack.recorded("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts; want 1", len(posts))
	}
	// Posted to the user id: no conversations.open per person in a burst.
	if opens := tb.slack.recorded("conversations.open"); len(opens) != 0 || posts[0].Form.Get("channel") != "U0LEAD" {
		t.Errorf("posted to %q after %d conversations.open; want U0LEAD and none", posts[0].Form.Get("channel"), len(opens))
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(posts[0].Form.Get("metadata")), &meta); err != nil {
		t.Fatalf("metadata %q: %v", posts[0].Form.Get("metadata"), err)
	}
	if meta.EventType != deliveryEvent || meta.EventPayload["key"] != key {
		t.Errorf("metadata = %+v; want %s with key %s", meta, deliveryEvent, key)
	}
}

// The delivery queue paces and retries: a keyed send's 429 comes straight
// back with Slack's Retry-After, not waited out inside the call.
func TestAKeyedSendHandsA429BackToTheQueue(t *testing.T) {
	tb := newTestBed(t)
	tb.slack.limit("chat.postMessage", 1, "3")
	err := tb.surface.SendKeyed(context.Background(), "slack:C0WARD", true, "digest:maternity:2026-12-07", bot.Reply{Text: "Synthetic digest"})
	var later *bot.RetryLater
	if !errors.As(err, &later) || !later.Throttled || later.After != 3*time.Second {
		t.Fatalf("err = %v; want a throttled RetryLater after 3s", err)
	}
	if n := len(tb.slack.recorded("chat.postMessage")); n != 1 {
		t.Errorf("%d calls; want 1 (no retry inside the call)", n)
	}
}

func TestDeliveredLooksForTheKeyInTheDirectMessages(t *testing.T) {
	plat := deliverytest.New(deliverytest.Options{})
	defer plat.Close()
	tb := newTestBed(t, func(c *Config) { c.APIURL = plat.SlackAPI() })
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)
	if err := tb.surface.SendKeyed(ctx, "slack:U0LEAD", false, "remind:7:contact:1:0", bot.Reply{Text: "Contact is due"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		want bool
	}{{"remind:7:contact:1:0", true}, {"remind:7:contact:1:1", false}} {
		got, err := tb.surface.Delivered(ctx, "slack:U0LEAD", false, tc.key, since)
		if err != nil || got != tc.want {
			t.Errorf("Delivered(%s) = %v, %v; want %v", tc.key, got, err, tc.want)
		}
	}
	if _, err := tb.surface.Delivered(ctx, "slack:C0WARD", true, "digest:x", since); !errors.Is(err, bot.ErrCannotAsk) {
		t.Errorf("Delivered for a channel: %v; want ErrCannotAsk (hppbot reads no channel)", err)
	}
}
