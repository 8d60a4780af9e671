package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"hppbot/bot"
	"hppbot/pathway/pathwaytest"
	"hppbot/store/storetest"
)

// again copies a signed request, headers and body, as a replay would send it.
func again(t *testing.T, r *http.Request, body string) *http.Request {
	t.Helper()
	r2 := httptest.NewRequest(http.MethodPost, r.URL.Path, strings.NewReader(body))
	r2.Header = r.Header.Clone()
	return r2
}

// Issue 20, item 5: the same signed slash command sent twice within a
// minute opens one case, and the second gets the first's answer — to the
// same replica, or another one sharing the store.
func TestSameSignedCommandOpensOneCase(t *testing.T) {
	for _, tt := range []struct {
		name    string
		replica bool // the second goes to another replica
	}{
		{name: "sent again"},
		{name: "sent again to another replica", replica: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBed(t)
			second := tb.mux
			if tt.replica {
				other, err := New(tb.surface.cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(other.Close)
				second = http.NewServeMux()
				other.Routes(second)
			}
			body := tb.commandBody("U0LEAD", "C0WARD", "open INC-7 harm=moderate Fall on the ward")
			first := signed("/slack/commands", body, testSecret, time.Now())
			replay := again(t, first, body)
			w1 := tb.serve(first)
			w2 := httptest.NewRecorder()
			second.ServeHTTP(w2, replay)
			tb.settle()
			if w1.Code != http.StatusOK || !strings.Contains(w1.Body.String(), "HPP-1 is open") {
				t.Fatalf("first: %d %s", w1.Code, w1.Body)
			}
			if w2.Code != http.StatusOK || w2.Body.String() != w1.Body.String() || w2.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("the replay's answer differs:\nfirst:  %s\nreplay: %d %s", w1.Body, w2.Code, w2.Body)
			}
			if n := tb.openCases(); n != 1 {
				t.Fatalf("%d cases open, want 1", n)
			}
			if calls := tb.slack.recorded("response_url", "chat.postMessage", "chat.postEphemeral"); len(calls) != 0 {
				t.Fatalf("the replay sent messages: %v", calls)
			}
			// A new command (Slack gives each its own trigger id) is not a replay.
			next := tb.commandBody("U0LEAD", "C0WARD", "open INC-8 harm=low Another fall")
			if w := tb.serve(signed("/slack/commands", next, testSecret, time.Now())); !strings.Contains(w.Body.String(), "HPP-2 is open") {
				t.Fatalf("a new command: %s", w.Body)
			}
		})
	}
}

// countingHandler counts commands run, and holds each until released.
type countingHandler struct {
	Handler
	mu      sync.Mutex
	runs    int
	started chan struct{}
	release chan struct{}
}

func (c *countingHandler) Run(ctx context.Context, req bot.Request) (bot.Reply, error) {
	c.mu.Lock()
	c.runs++
	c.mu.Unlock()
	c.started <- struct{}{}
	<-c.release
	return c.Handler.Run(ctx, req)
}

// A replay that comes while the first is still being answered waits for
// that answer; the command runs once.
func TestReplayWhileFirstIsAnswered(t *testing.T) {
	tb := newTestBed(t)
	counter := &countingHandler{Handler: tb.handler, started: make(chan struct{}, 2), release: make(chan struct{})}
	tb.surface.cfg.Handler = counter
	body := tb.commandBody("U0LEAD", "C0WARD", "open INC-7 harm=moderate Fall on the ward")
	first := signed("/slack/commands", body, testSecret, time.Now())
	replay := again(t, first, body)
	answers := make(chan string, 2)
	go func() { answers <- tb.serve(first).Body.String() }()
	<-counter.started
	go func() { answers <- tb.serve(replay).Body.String() }()
	time.Sleep(3 * replayPoll) // the replay is waiting
	close(counter.release)
	a, b := <-answers, <-answers
	tb.settle()
	if a != b || !strings.Contains(a, "HPP-1 is open") {
		t.Fatalf("answers differ or say nothing:\n%s\n%s", a, b)
	}
	if counter.runs != 1 || tb.openCases() != 1 {
		t.Fatalf("%d runs, %d cases; want 1 and 1", counter.runs, tb.openCases())
	}
}

// A button press or a form sent again changes nothing twice.
func TestSameInteractionTwice(t *testing.T) {
	tb := newTestBed(t)
	tb.openCase()
	st := formState{Form: bot.ContactForm("HPP-1"), Channel: "C0WARD", ResponseURL: tb.slack.responseURL()}
	body := interactionBody(t, tb.submission(st, map[string]map[string]any{"via": choice("phone"), "text": text("Spoke with the family")}))
	first := signed("/slack/interactivity", body, testSecret, time.Now())
	replay := again(t, first, body)
	w1 := tb.serve(first)
	tb.settle()
	w2 := tb.serve(replay)
	tb.settle()
	if w1.Code != http.StatusOK || w2.Code != http.StatusOK || w2.Body.String() != w1.Body.String() {
		t.Fatalf("answers: %d %q, %d %q", w1.Code, w1.Body, w2.Code, w2.Body)
	}
	if c := tb.cases(); len(c) != 1 || c[0].Contacts != 1 {
		t.Fatalf("contacts logged: %+v", c)
	}
	if r := tb.slack.recorded("response_url"); len(r) != 1 {
		t.Fatalf("want one confirmation, got %d", len(r))
	}
}

// Socket Mode: the same envelope delivered twice runs once, and both are
// acknowledged with the same answer; a retried event is handled once.
func TestSocketModeSeenTwice(t *testing.T) {
	tb := newTestBed(t)
	ack := &acks{}
	ctx := context.Background()
	cmd := slack.SlashCommand{UserID: "U0LEAD", UserName: "syn.lead", ChannelID: "C0WARD", Command: "/hpp",
		Text: "open INC-7 harm=moderate Fall on the ward", ResponseURL: tb.slack.responseURL(), TriggerID: "1337.45.abc"}
	payload, _ := json.Marshal(cmd)
	for _, env := range []string{"env-1", "env-1"} {
		tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd,
			Request: &socketmode.Request{Type: socketmode.RequestTypeSlashCommands, EnvelopeID: env, Payload: payload}})
		tb.settle()
	}
	got := ack.all()
	if len(got) != 2 {
		t.Fatalf("acks: %+v", got)
	}
	a, _ := json.Marshal(got[0].Payload)
	b, _ := json.Marshal(got[1].Payload)
	if string(a) != string(b) || !strings.Contains(string(a), "HPP-1 is open") {
		t.Fatalf("acks differ:\n%s\n%s", a, b)
	}
	if n := tb.openCases(); n != 1 {
		t.Fatalf("%d cases open, want 1", n)
	}

	raw := `{"type":"event_callback","event_id":"Ev0HOME","event":{"type":"app_home_opened","user":"U0LEAD","tab":"home"}}`
	for attempt := range 2 {
		ev, err := slackevents.ParseEvent(json.RawMessage(raw), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		tb.surface.socketEvent(ctx, ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev,
			Request: &socketmode.Request{Type: socketmode.RequestTypeEventsAPI, EnvelopeID: "env-ev", RetryAttempt: attempt, Payload: json.RawMessage(raw)}})
		tb.settle()
	}
	if n := len(ack.all()); n != 4 {
		t.Fatalf("%d acks, want every delivery acknowledged", n)
	}
	if pubs := tb.slack.recorded("views.publish"); len(pubs) != 1 {
		t.Fatalf("want the home drawn once, got %v", tb.slack.methods())
	}
}

// Answers not kept: one that quotes back a patient identifier someone
// typed, and a person's own check-ins. The request is marked answered, a
// replay is acknowledged empty, and a scan of Redis finds no copy.
func TestAnswersNotKept(t *testing.T) {
	nhs := pathwaytest.NHSNumber()
	for _, tt := range []struct {
		name, line string
		secret     string // in the first answer, and nowhere in Redis
		contacts   int
	}{
		{"a refusal quoting a typed NHS number", "contact HPP-1 via=" + nhs + " Spoke with the family", nhs, 0},
		{"a person's own check-ins", "checkin history", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBed(t)
			tb.openCase()
			body := tb.commandBody("U0LEAD", "C0WARD", tt.line)
			first := signed("/slack/commands", body, testSecret, time.Now())
			replay := again(t, first, body)
			w1 := tb.serve(first)
			tb.settle()
			var answer struct {
				Text string `json:"text"`
			}
			if err := json.Unmarshal(w1.Body.Bytes(), &answer); err != nil || answer.Text == "" {
				t.Fatalf("first answer: %s", w1.Body)
			}
			secret := tt.secret
			if secret == "" {
				secret = answer.Text
			}
			if !strings.Contains(w1.Body.String(), secret) {
				t.Fatalf("the first answer no longer holds %q; this test needs another line: %s", secret, w1.Body)
			}
			w2 := tb.serve(replay)
			tb.settle()
			if w2.Code != http.StatusOK || w2.Body.Len() != 0 {
				t.Fatalf("replay: %d %s, want an empty acknowledgement", w2.Code, w2.Body)
			}
			for _, v := range storetest.Contents(t, tb.store) {
				if strings.Contains(v, secret) {
					t.Fatalf("Redis holds a copy: %q", v)
				}
			}
			if c := tb.cases(); len(c) != 1 || c[0].Contacts != tt.contacts {
				t.Fatalf("cases: %+v", c)
			}
		})
	}
}
