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
	"hppbot/pathway"
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

// growCase adds n contacts with the family, each with a note, to a case.
func (tb *testBed) growCase(id int64, n int) {
	tb.t.Helper()
	ctx := context.Background()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		tb.t.Fatal(err)
	}
	old, err := tb.store.GetCase(ctx, id)
	if err != nil {
		tb.t.Fatal(err)
	}
	c := old.Clone()
	start := time.Now()
	var events []pathway.Event
	for i := range n {
		e, err := c.LogContact(pathway.ContactInput{Via: "phone", Note: fmt.Sprintf("Call %d: spoke with the family about the review and when we next meet", i+1)},
			"slack:U0LEAD", p, start.Add(time.Duration(i)*time.Second))
		if err != nil {
			tb.t.Fatal(err)
		}
		events = append(events, e)
	}
	if err := tb.store.SaveCase(ctx, old, c, p, events...); err != nil {
		tb.t.Fatal(err)
	}
}

// ackBytes is an acknowledgement's size as Slack receives it.
func ackBytes(t *testing.T, res socketmode.Response) int {
	t.Helper()
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return len(raw)
}

// A 300-event case's timeline, typed or pressed over Socket Mode, is
// answered through the Web API (the response_url, to the person alone) and
// its acknowledgement is small; a short answer is still the
// acknowledgement itself.
func TestSocketModeLargeAnswersGoThroughTheWebAPI(t *testing.T) {
	tb := newTestBed(t)
	ack := &acks{}
	ctx := context.Background()
	open := slack.SlashCommand{UserID: "U0LEAD", UserName: "syn.lead", ChannelID: "C0WARD", Command: "/hpp",
		Text: "open INC-300 harm=moderate Fall on the ward", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.open"}
	tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: open,
		Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-open"}})
	tb.settle()
	tb.growCase(1, 299)

	var press slack.InteractionCallback
	raw, _ := json.Marshal(tb.press(actionRun+"2", "timeline HPP-1"))
	if err := json.Unmarshal(raw, &press); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		evt     socketmode.Event
		webAPI  bool // the answer goes through the response_url
		inAck   string
		answers []string
	}{
		{name: "typed timeline", webAPI: true,
			evt: socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: slack.SlashCommand{UserID: "U0LEAD", ChannelID: "C0WARD", Command: "/hpp",
				Text: "timeline HPP-1", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.tl"},
				Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-typed", Payload: []byte(`{"trigger_id":"1337.45.tl"}`)}},
			answers: []string{"Timeline of HPP-1", "300 events, oldest first; showing events 251–300, page 1 of 6", "(entry 300)", "/hpp timeline HPP-1 page=2", "/hpp export HPP-1"}},
		{name: "typed timeline, an older page", webAPI: true,
			evt: socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: slack.SlashCommand{UserID: "U0LEAD", ChannelID: "C0WARD", Command: "/hpp",
				Text: "timeline HPP-1 page=6", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.tl6"},
				Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-typed-6", Payload: []byte(`{"trigger_id":"1337.45.tl6"}`)}},
			answers: []string{"showing events 1–50, page 6 of 6", "(entry 1)", "(entry 50)"}},
		{name: "pressed timeline", webAPI: true,
			evt: socketmode.Event{Type: socketmode.EventTypeInteractive, Data: press,
				Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-pressed", Payload: raw}},
			answers: []string{"Timeline of HPP-1", "showing events 251–300, page 1 of 6", "(entry 300)"}},
		{name: "typed status", inAck: "HPP-1",
			evt: socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: slack.SlashCommand{UserID: "U0LEAD", ChannelID: "C0WARD", Command: "/hpp",
				Text: "status HPP-1", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.st"},
				Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: "env-status", Payload: []byte(`{"trigger_id":"1337.45.st"}`)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acked, posted := len(ack.all()), len(tb.slack.recorded("response_url"))
			tb.surface.socketEvent(ctx, ack, tc.evt)
			tb.settle()
			got := ack.all()[acked:]
			if len(got) != 1 || got[0].EnvelopeID != tc.evt.Request.EnvelopeID {
				t.Fatalf("want one acknowledgement, got %+v", got)
			}
			size := ackBytes(t, got[0])
			posts := tb.slack.recorded("response_url")[posted:]
			if !tc.webAPI {
				payload, _ := json.Marshal(got[0].Payload)
				if !strings.Contains(string(payload), tc.inAck) || len(posts) != 0 {
					t.Fatalf("want the answer as the acknowledgement (%d bytes), got %s and %d posts", size, payload, len(posts))
				}
				t.Logf("%s: the answer is the acknowledgement, %d bytes", tc.name, size)
				return
			}
			if got[0].Payload != nil || size > 100 {
				t.Fatalf("want a small empty acknowledgement, got %d bytes: %+v", size, got[0])
			}
			if len(posts) != 1 || posts[0].JSON["response_type"] != "ephemeral" {
				t.Fatalf("want the answer to the person alone through the response_url, got %v", tb.slack.methods())
			}
			body, _ := json.Marshal(posts[0].JSON)
			for _, w := range tc.answers {
				if !strings.Contains(string(body), w) {
					t.Errorf("the answer lacks %q:\n%.3000s", w, body)
				}
			}
			if len(body) <= maxAck-100 {
				t.Errorf("the answer is %d bytes: it would have fit in the acknowledgement", len(body))
			}
			t.Logf("%s: acknowledgement %d bytes, answer through the response_url %d bytes", tc.name, size, len(body))
		})
	}
}

// With no response_url to answer through (or one that fails), a large
// answer to a command typed in a channel comes as an ephemeral message
// there; typed in a direct conversation, as a direct message. Never a
// public post.
func TestSocketModeLargeAnswerWithoutResponseURL(t *testing.T) {
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("• Sat 3 Jan, 10:%02d — <@slack:U0LEAD> logged a contact with the family by phone (entry %d)", i%60, i+1))
	}
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 2),
		reply: bot.Reply{Text: "*Timeline of HPP-1*", Sections: []bot.Section{{Text: strings.Join(lines, "\n")}}}}
	close(gate.release)
	tests := []struct {
		channel string
		method  string
	}{
		{"C0WARD", "chat.postEphemeral"},
		{"D0LEAD", "chat.postMessage"},
	}
	for _, tc := range tests {
		t.Run(tc.channel, func(t *testing.T) {
			tb := newTestBed(t, func(c *Config) { c.Handler = gate })
			ack := &acks{}
			cmd := slack.SlashCommand{UserID: "U0LEAD", ChannelID: tc.channel, Text: "timeline HPP-1"}
			tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
				Request: &socketmode.Request{EnvelopeID: "env-" + tc.channel}})
			tb.settle()
			if got := ack.all(); len(got) != 1 || got[0].Payload != nil {
				t.Fatalf("want one empty acknowledgement, got %+v", got)
			}
			posts := tb.slack.recorded(tc.method)
			if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("blocks"), "(entry 300)") {
				t.Fatalf("want the answer by %s, got %v", tc.method, tb.slack.methods())
			}
			if ch := posts[0].Form.Get("channel"); ch != tc.channel {
				t.Errorf("posted to %s, want %s", ch, tc.channel)
			}
			if contains(tb.slack.methods(), "response_url") {
				t.Errorf("nothing to post to a response_url: %v", tb.slack.methods())
			}
		})
	}
}

// Over a real Socket Mode connection: a 300-event case's timeline, typed
// and pressed, is acknowledged small over the socket and answered through
// the response_url.
func TestSocketModeLargeAnswerOverWebSocket(t *testing.T) {
	fake := newFakeSlack(t)
	press := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U0LEAD", "name": "syn.lead"},
		"trigger_id": "1337.47.press", "response_url": fake.responseURL(),
		"channel":   map[string]any{"id": "C0WARD"},
		"container": map[string]any{"type": "message", "channel_id": "C0WARD", "message_ts": "1.2"},
		"actions":   []map[string]any{{"type": "button", "action_id": actionRun + "2", "block_id": "b1", "value": "timeline HPP-1"}},
	}
	envelopes := []map[string]any{
		{"type": "slash_commands", "envelope_id": "env-ws-typed", "accepts_response_payload": true,
			"payload": map[string]any{"user_id": "U0LEAD", "user_name": "syn.lead", "channel_id": "C0WARD", "command": "/hpp",
				"text": "timeline HPP-1", "trigger_id": "1337.47.typed", "response_url": fake.responseURL()}},
		{"type": "interactive", "envelope_id": "env-ws-pressed", "accepts_response_payload": true, "payload": press},
	}
	replies := make(chan []byte, len(envelopes))
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/ws", func(w http.ResponseWriter, r *http.Request) {
			slacktest.Websocket(func(conn *websocket.Conn) {
				_ = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
				for _, env := range envelopes {
					_ = conn.WriteJSON(env)
				}
				for range envelopes {
					_, msg, err := conn.ReadMessage()
					if err != nil {
						return
					}
					replies <- msg
				}
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
	tb.slack = fake
	if _, err := tb.handler.Run(context.Background(), bot.Request{Surface: bot.Slack, Person: "slack:U0LEAD", Channel: "slack:C0WARD",
		Text: "open INC-300 harm=moderate Fall on the ward"}); err != nil {
		t.Fatal(err)
	}
	tb.growCase(1, 299)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tb.surface.RunSocketMode(ctx) }()
	seen := map[string]bool{}
	for range envelopes {
		select {
		case raw := <-replies:
			var reply map[string]any
			if err := json.Unmarshal(raw, &reply); err != nil {
				t.Fatalf("acknowledgement %s: %v", raw, err)
			}
			if _, has := reply["payload"]; has || len(raw) > 100 {
				t.Errorf("want a small empty acknowledgement, got %d bytes: %s", len(raw), raw)
			}
			seen[fmt.Sprint(reply["envelope_id"])] = true
			t.Logf("acknowledgement over the socket: %d bytes", len(raw))
		case <-time.After(20 * time.Second):
			t.Fatal("no acknowledgement over the socket")
		}
	}
	if !seen["env-ws-typed"] || !seen["env-ws-pressed"] {
		t.Errorf("acknowledged %v, want both envelopes", seen)
	}
	// Wait for both answers before closing: the response_url posts come
	// after the acknowledgements.
	deadline := time.Now().Add(20 * time.Second)
	for len(fake.recorded("response_url")) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunSocketMode: %v", err)
	}
	tb.settle()
	posts := fake.recorded("response_url")
	if len(posts) != 2 {
		t.Fatalf("want both answers through the response_url, got %v", fake.methods())
	}
	for _, p := range posts {
		body, _ := json.Marshal(p.JSON)
		if p.JSON["response_type"] != "ephemeral" || !strings.Contains(string(body), "300 events, oldest first; showing events 251–300, page 1 of 6") ||
			!strings.Contains(string(body), "(entry 300)") {
			t.Errorf("answer: %.2000s", body)
		}
		t.Logf("answer through the response_url: %d bytes", len(body))
	}
}

// A 300-event case's timeline asked for in hppbot's Messages tab over
// Socket Mode: the event is acknowledged empty and the answer posted in the
// direct conversation.
func TestSocketModeLargeAnswerToADirectMessage(t *testing.T) {
	tb := newTestBed(t)
	if _, err := tb.handler.Run(context.Background(), bot.Request{Surface: bot.Slack, Person: "slack:U0LEAD", Channel: "slack:C0WARD",
		Text: "open INC-300 harm=moderate Fall on the ward"}); err != nil {
		t.Fatal(err)
	}
	tb.growCase(1, 299)
	ev, err := slackevents.ParseEvent(json.RawMessage(imEvent(t, "Ev300", map[string]any{"text": "timeline HPP-1"})), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	ack := &acks{}
	tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
		Request: &socketmode.Request{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: "env-dm"}})
	tb.settle()
	got := ack.all()
	if len(got) != 1 || got[0].Payload != nil {
		t.Fatalf("want one empty acknowledgement, got %+v", got)
	}
	posts := tb.slack.recorded("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "D0LEAD" || !strings.Contains(posts[0].Form.Get("blocks"), "(entry 300)") {
		t.Fatalf("want the answer in the direct conversation, got %v", tb.slack.methods())
	}
	t.Logf("acknowledgement %d bytes, answer by chat.postMessage %d bytes of blocks", ackBytes(t, got[0]), len(posts[0].Form.Get("blocks")))
}

// refuseHandler refuses every command with its message.
type refuseHandler struct{ msg string }

func (h refuseHandler) Run(context.Context, bot.Request) (bot.Reply, error) {
	return bot.Reply{}, pathway.Errorf(pathway.Invalid, "%s", h.msg)
}

func (refuseHandler) Home(context.Context, string) bot.Reply { return bot.Reply{} }

// A modal's answer (field errors) has no other way to go than the
// acknowledgement: a short one is the acknowledgement, one too large for it
// is dropped for an empty acknowledgement (the modal closes) rather than
// sent and lost with the modal left hanging, and the error follows as a
// message to the person.
func TestSocketModeModalAnswerBySize(t *testing.T) {
	tests := []struct {
		name  string
		msg   string
		inAck bool
	}{
		{"short field error", "ref= is too long: a reference is up to 40 characters", true},
		{"field error too large", "ref= " + strings.Repeat("far too long ", 800), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTestBed(t, func(c *Config) { c.Handler = refuseHandler{tc.msg} })
			ack := &acks{}
			meta, _ := encodeState(formState{Form: bot.OpenForm(), Channel: "C0WARD"}, true)
			cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: "U0LEAD"},
				View: slack.View{CallbackID: "hpp-form:open", PrivateMetadata: meta, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
					"ref": {"ref": {Value: "INC-8"}}, "text": {"text": {Value: "Fall on the ward"}},
				}}}}
			tb.surface.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb,
				Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-modal"}})
			tb.settle()
			got := ack.all()
			if len(got) != 1 {
				t.Fatalf("want one acknowledgement, got %+v", got)
			}
			size := ackBytes(t, got[0])
			payload, _ := json.Marshal(got[0].Payload)
			if tc.inAck {
				if !strings.Contains(string(payload), `"response_action":"errors"`) || !strings.Contains(string(payload), "up to 40 characters") {
					t.Fatalf("want the field error as the acknowledgement, got %s", payload)
				}
			} else {
				if got[0].Payload != nil || size > 100 {
					t.Fatalf("want a small empty acknowledgement, got %d bytes", size)
				}
				if !strings.Contains(tb.logText(), "too large for Socket Mode") {
					t.Errorf("not logged:\n%s", tb.logText())
				}
				posts := tb.slack.recorded("chat.postEphemeral")
				if len(posts) != 1 || !strings.HasPrefix(posts[0].Form.Get("text"), "Nothing from the form was saved. ref= far too long") {
					t.Errorf("want the error to the person in the channel, got %v", tb.slack.methods())
				}
			}
			t.Logf("%s: acknowledgement %d bytes", tc.name, size)
		})
	}
}
