package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// imEvent is a message.im event as Slack sends it: event fields over the
// defaults of a person's new message in their conversation with hppbot.
func imEvent(t *testing.T, id string, fields map[string]any) string {
	t.Helper()
	ev := map[string]any{"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": "U0LEAD",
		"ts": "1700000000.000300", "event_ts": "1700000000.000300", "client_msg_id": "c-" + id}
	for k, v := range fields {
		if v == nil {
			delete(ev, k)
		} else {
			ev[k] = v
		}
	}
	raw, err := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0TEST", "api_app_id": "A0TEST",
		"event_id": id, "event_time": 1700000000, "event": ev})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// signedEvent is an Events API request as Slack sends it.
func signedEvent(body string, at time.Time) *http.Request {
	r := signed("/slack/events", body, testSecret, at)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// blocksOf decodes Block Kit JSON for comparison.
func blocksOf(t *testing.T, raw string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	return v
}

// Issue 20, item 6: a message to hppbot in its Messages tab gets the same
// answer as the slash command typed in that conversation, posted there —
// over HTTP and over Socket Mode, with or without "/hpp" in front.
func TestDirectMessageAnswersLikeTheSlashCommand(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	n := 0
	for _, tt := range []struct{ typed, line string }{
		{"status HPP-1", "status HPP-1"},
		{"/hpp status HPP-1", "status HPP-1"},
		{"  /hpp   help contact ", "help contact"},
		{"list", "list"},
		{"/hpp", ""},
		{"/hppx", "/hppx"},
	} {
		for _, socket := range []bool{false, true} {
			t.Run(fmt.Sprintf("%q socket=%v", tt.typed, socket), func(t *testing.T) {
				// The slash command, typed in the same direct conversation.
				w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "D0LEAD", tt.line), testSecret, time.Now()))
				var slash struct {
					Blocks json.RawMessage `json:"blocks"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &slash); err != nil || len(slash.Blocks) == 0 {
					t.Fatalf("slash command: %d %s", w.Code, w.Body)
				}
				before := len(tb.slack.recorded("chat.postMessage"))
				n++
				body := imEvent(t, fmt.Sprintf("Ev%03d", n), map[string]any{"text": tt.typed})
				if socket {
					ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
					if err != nil {
						t.Fatal(err)
					}
					ack := &acks{}
					tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
						Request: &socketmode.Request{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: "env-dm", Payload: json.RawMessage(body)}})
					if len(ack.all()) != 1 {
						t.Fatalf("acks: %+v", ack.all())
					}
				} else if w := tb.serve(signedEvent(body, time.Now())); w.Code != http.StatusOK {
					t.Fatalf("event: %d %s", w.Code, w.Body)
				}
				tb.settle()
				posts := tb.slack.recorded("chat.postMessage")[before:]
				if len(posts) != 1 || posts[0].Form.Get("channel") != "D0LEAD" {
					t.Fatalf("want one reply in D0LEAD, got %+v", posts)
				}
				if got, want := blocksOf(t, posts[0].Form.Get("blocks")), blocksOf(t, string(slash.Blocks)); !reflect.DeepEqual(got, want) {
					t.Fatalf("the DM's answer differs from the slash command's:\n got: %s\nwant: %s", posts[0].Form.Get("blocks"), slash.Blocks)
				}
			})
		}
	}
}

// A message that writes, in a thread, once: Slack's retry of the event
// (X-Slack-Retry-Num, newly signed) changes nothing.
func TestDirectMessageWritesOnce(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	body := imEvent(t, "Ev0CONTACT", map[string]any{"text": "contact HPP-1 via=phone Spoke with the family", "thread_ts": "1700000000.000100"})
	if w := tb.serve(signedEvent(body, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("event: %d", w.Code)
	}
	tb.settle()
	retry := signedEvent(body, time.Now().Add(time.Second))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	if w := tb.serve(retry); w.Code != http.StatusOK {
		t.Fatalf("retry: %d", w.Code)
	}
	tb.settle()
	if c := tb.cases(); len(c) != 1 || c[0].Contacts != 1 {
		t.Fatalf("contacts: %+v", c)
	}
	posts := tb.slack.recorded("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("text"), "Contact logged for *HPP-1*") || posts[0].Form.Get("thread_ts") != "1700000000.000100" {
		t.Fatalf("want one confirmation in the thread, got %+v", posts)
	}
}

// Only a person's own new messages in their conversation with hppbot are
// read: nothing answers hppbot's own messages, another app's, an edit, a
// deletion or a file share, or a message anywhere else.
func TestDirectMessagesIgnored(t *testing.T) {
	tb := newTestBed(t)
	for i, fields := range []map[string]any{
		{"text": "help", "bot_id": "B0HPPBOT", "user": "U0HPPBOT"},                   // hppbot's own reply
		{"text": "help", "subtype": "bot_message", "bot_id": "B0OTHER", "user": nil}, // another app
		{"subtype": "message_changed", "user": nil, "message": map[string]any{"text": "help", "user": "U0LEAD"}},
		{"subtype": "message_deleted", "user": nil, "deleted_ts": "1700000000.000100"},
		{"subtype": "file_share", "text": "help"},
		{"text": "help", "channel": "C0WARD", "channel_type": "channel"}, // not a DM
		{"text": "help", "user": "not-a-user"},
	} {
		if w := tb.serve(signedEvent(imEvent(t, fmt.Sprintf("Ev%d", i), fields), time.Now())); w.Code != http.StatusOK {
			t.Fatalf("%v: %d", fields, w.Code)
		}
	}
	tb.settle()
	if posts := tb.slack.recorded("chat.postMessage", "chat.postEphemeral", "response_url"); len(posts) != 0 {
		t.Fatalf("answered what it should ignore: %+v", posts)
	}
}

// "open" on its own in a DM can't open the form without a click: the answer
// offers a button that does.
func TestDirectMessageOffersTheForm(t *testing.T) {
	tb := newTestBed(t)
	if w := tb.serve(signedEvent(imEvent(t, "Ev0OPEN", map[string]any{"text": "open"}), time.Now())); w.Code != http.StatusOK {
		t.Fatalf("event: %d", w.Code)
	}
	tb.settle()
	posts := tb.slack.recorded("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posts: %v", tb.slack.methods())
	}
	blocks := posts[0].Form.Get("blocks")
	if !strings.Contains(blocks, actionForm) || !strings.Contains(blocks, "Open a harm case") || !strings.Contains(posts[0].Form.Get("text"), "To open a harm case") {
		t.Fatalf("want the usage and a button to the form, got %s", blocks)
	}
}
