package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"

	"hppbot/bot"
)

// acks records Socket Mode acknowledgements.
type acks struct {
	mu   sync.Mutex
	sent []socketmode.Response
}

// Ack refuses an acknowledgement of 20 KB or more, as socketmode.Client
// does (Slack would drop it).
func (a *acks) Ack(req socketmode.Request, payload ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	res := socketmode.Response{EnvelopeID: req.EnvelopeID}
	if len(payload) > 0 {
		res.Payload = payload[0]
	}
	if raw, _ := json.Marshal(res); len(raw) >= 20*1024 {
		return errors.New("socket mode response meets or exceeds Slack's 20480-byte limit")
	}
	a.sent = append(a.sent, res)
	return nil
}

func (a *acks) all() []socketmode.Response {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]socketmode.Response(nil), a.sent...)
}

// A Socket Mode envelope goes through the same flows as HTTP: the slash
// command's answer is the acknowledgement's payload, and the case is stored.
func TestSocketModeEnvelopes(t *testing.T) {
	tb := newTestBed(t)
	ack := &acks{}
	ctx := context.Background()
	cmd := slack.SlashCommand{UserID: "U0LEAD", UserName: "syn.lead", ChannelID: "C0WARD", Command: "/hpp",
		Text: "open INC-7 harm=moderate Fall on the ward", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.abc"}
	tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
		Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-1"}})
	tb.settle()
	got := ack.all()
	if len(got) != 1 || got[0].EnvelopeID != "env-1" {
		t.Fatalf("acks: %+v", got)
	}
	answer, _ := json.Marshal(got[0].Payload)
	if !strings.Contains(string(answer), `"response_type":"ephemeral"`) || !strings.Contains(string(answer), "HPP-1 is open") {
		t.Fatalf("ack payload: %s", answer)
	}
	if n := tb.openCases(); n != 1 {
		t.Fatalf("%d cases stored, want 1", n)
	}

	// An App Home event is acknowledged with nothing, then the home drawn.
	ev, err := slackevents.ParseEvent(json.RawMessage(`{"type":"event_callback","event":{"type":"app_home_opened","user":"U0LEAD","tab":"home"}}`), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
		Request: &socketmode.Request{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: "env-2"}})
	tb.settle()
	if got := ack.all(); len(got) != 2 || got[1].EnvelopeID != "env-2" || got[1].Payload != nil {
		t.Fatalf("event ack: %+v", got)
	}
	if pubs := tb.slack.recorded("views.publish"); len(pubs) != 1 {
		t.Fatalf("want the home published, got %v", tb.slack.methods())
	}

	// A submitted modal with a patient identifier is answered with field errors.
	st := formState{Form: bot.OpenForm(), Channel: "C0WARD"}
	meta, _ := encodeState(st, true)
	cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: "U0LEAD"},
		View: slack.View{CallbackID: "hpp-form:open", PrivateMetadata: meta, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
			"ref": {"ref": {Value: "INC-8"}}, "text": {"text": {Value: "Lives at LS1 4AP"}},
		}}}}
	tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb,
		Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-3"}})
	tb.settle()
	got = ack.all()
	answer, _ = json.Marshal(got[2].Payload)
	if !strings.Contains(string(answer), `"response_action":"errors"`) || !strings.Contains(string(answer), "postcode") {
		t.Fatalf("modal ack: %s", answer)
	}
	if n := tb.openCases(); n != 1 {
		t.Fatalf("%d cases stored, want still 1", n)
	}
}

// The real Socket Mode client, connected to slacktest's apps.connections.open
// and a WebSocket that sends one slash command envelope: the acknowledgement
// that comes back over the socket carries the answer.
func TestSocketModeOverWebSocket(t *testing.T) {
	acked := make(chan map[string]any, 1)
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/ws", func(w http.ResponseWriter, r *http.Request) {
			slacktest.Websocket(func(conn *websocket.Conn) {
				_ = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
				_ = conn.WriteJSON(map[string]any{
					"type": "slash_commands", "envelope_id": "env-ws-1", "accepts_response_payload": true,
					"payload": map[string]any{"user_id": "U0LEAD", "user_name": "syn.lead", "channel_id": "C0WARD",
						"command": "/hpp", "text": "open INC-21 Fall on the ward", "trigger_id": "1337.46.abc"},
				})
				var reply map[string]any
				if err := conn.ReadJSON(&reply); err == nil {
					acked <- reply
				}
				// Hold the connection until the client goes.
				_, _, _ = conn.ReadMessage()
			})(w, r)
		})
	})
	srv.Start()
	defer srv.Stop()

	tb := newTestBed(t, func(c *Config) {
		c.APIURL = srv.GetAPIURL()
		c.AppToken = "xapp-test"
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tb.surface.RunSocketMode(ctx) }()

	var reply map[string]any
	select {
	case reply = <-acked:
	case <-time.After(20 * time.Second):
		t.Fatal("no acknowledgement over the socket")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunSocketMode: %v", err)
	}
	if reply["envelope_id"] != "env-ws-1" {
		t.Fatalf("ack: %v", reply)
	}
	payload, _ := json.Marshal(reply["payload"])
	if !strings.Contains(string(payload), "HPP-1 is open") || !strings.Contains(string(payload), "INC-21") {
		t.Fatalf("ack payload: %s", payload)
	}
	if n := tb.openCases(); n != 1 {
		t.Fatalf("%d cases stored, want 1", n)
	}
}

// An answer too big for a Socket Mode acknowledgement is acknowledged empty
// and sent through the response_url instead.
func TestSocketModeLongAnswer(t *testing.T) {
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("• Sat 3 Jan, 10:%02d — <@slack:U0LEAD> logged a contact with the family by phone.", i%60))
	}
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 1),
		reply: bot.Reply{Text: "*Timeline of HPP-1*", Sections: []bot.Section{{Text: strings.Join(lines, "\n")}}}}
	close(gate.release)
	tb := newTestBed(t, func(c *Config) { c.Handler = gate })
	ack := &acks{}
	cmd := slack.SlashCommand{UserID: "U0LEAD", ChannelID: "C0WARD", Text: "timeline HPP-1", ResponseURL: tb.slack.responseURL()}
	tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
		Request: &socketmode.Request{EnvelopeID: "env-long"}})
	tb.settle()
	if got := ack.all(); len(got) != 1 || got[0].EnvelopeID != "env-long" || got[0].Payload != nil {
		t.Fatalf("want one empty acknowledgement, got %+v", got)
	}
	posts := tb.slack.recorded("response_url")
	if len(posts) != 1 || !strings.Contains(posts[0].JSON["text"].(string), "Timeline of HPP-1") {
		t.Fatalf("want the answer through the response_url, got %v", tb.slack.methods())
	}
}
