package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"hppbot/bot"
)

// signed builds a request as Slack sends it, signed with secret at time at.
func signed(path, body, secret string, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

// commandBody is a slash command's form body. Each has a trigger id of its
// own, as Slack gives each command (the first 1337.42.abcdef, then
// 1337.43.abcdef, …): two bodies are never the same request.
func (tb *testBed) commandBody(user, channel, text string) string {
	trigger := "1337." + strconv.FormatInt(41+tb.triggers.Add(1), 10) + ".abcdef"
	return url.Values{
		"token": {"legacy"}, "team_id": {"T0TEST"}, "team_domain": {"synthetic"},
		"channel_id": {channel}, "channel_name": {"ward-7"}, "user_id": {user}, "user_name": {"syn.user"},
		"command": {"/hpp"}, "text": {text}, "api_app_id": {"A0TEST"},
		"response_url": {tb.slack.responseURL()}, "trigger_id": {trigger},
	}.Encode()
}

// serve sends a request through the surface's routes.
func (tb *testBed) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	tb.mux.ServeHTTP(w, r)
	return w
}

func (tb *testBed) openCases() int64 {
	tb.t.Helper()
	n, err := tb.store.CountOpen(context.Background())
	if err != nil {
		tb.t.Fatal(err)
	}
	return n
}

func TestCommandSignatures(t *testing.T) {
	tests := []struct {
		name    string
		request func(tb *testBed, body string) *http.Request
		status  int
		stored  int64
	}{
		{"valid", func(tb *testBed, body string) *http.Request {
			return signed("/slack/commands", body, testSecret, time.Now())
		}, http.StatusOK, 1},
		{"signed with another secret", func(tb *testBed, body string) *http.Request {
			return signed("/slack/commands", body, "not-the-secret", time.Now())
		}, http.StatusUnauthorized, 0},
		{"timestamp six minutes old", func(tb *testBed, body string) *http.Request {
			return signed("/slack/commands", body, testSecret, time.Now().Add(-6*time.Minute))
		}, http.StatusUnauthorized, 0},
		{"timestamp six minutes ahead", func(tb *testBed, body string) *http.Request {
			return signed("/slack/commands", body, testSecret, time.Now().Add(6*time.Minute))
		}, http.StatusUnauthorized, 0},
		{"body changed after signing", func(tb *testBed, body string) *http.Request {
			r := signed("/slack/commands", body, testSecret, time.Now())
			tampered := strings.Replace(body, "INC-7", "INC-8", 1)
			r.Body = http.NoBody
			r2 := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(tampered))
			r2.Header = r.Header
			return r2
		}, http.StatusUnauthorized, 0},
		{"no signature headers", func(tb *testBed, body string) *http.Request {
			r := signed("/slack/commands", body, testSecret, time.Now())
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized, 0},
		{"signature not hex", func(tb *testBed, body string) *http.Request {
			r := signed("/slack/commands", body, testSecret, time.Now())
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized, 0},
		{"body too large to check", func(tb *testBed, body string) *http.Request {
			return signed("/slack/commands", body+"&pad="+strings.Repeat("x", maxBody), testSecret, time.Now())
		}, http.StatusRequestEntityTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestBed(t)
			body := tb.commandBody("U0LEAD", "C0WARD", "open INC-7 harm=moderate Fall on the ward")
			w := tb.serve(tt.request(tb, body))
			tb.settle()
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if got := tb.openCases(); got != tt.stored {
				t.Fatalf("%d cases stored, want %d", got, tt.stored)
			}
			if tt.status != http.StatusOK {
				if calls := tb.slack.recorded(); len(calls) > 0 {
					t.Fatalf("a refused request called Slack: %v", calls)
				}
				return
			}
			var msg struct {
				ResponseType string            `json:"response_type"`
				Text         string            `json:"text"`
				Blocks       []json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil {
				t.Fatalf("answer is not JSON: %v: %s", err, w.Body)
			}
			if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "HPP-1 is open") || !strings.Contains(string(msg.Blocks[0]), "INC-7") {
				t.Fatalf("answer should be an ephemeral confirmation naming the case: %s", w.Body)
			}
		})
	}
}

// The other two endpoints refuse unsigned requests the same way.
func TestInteractivityAndEventsNeedSignatures(t *testing.T) {
	tb := newTestBed(t)
	payload := url.Values{"payload": {`{"type":"block_actions","user":{"id":"U0LEAD"},"actions":[{"action_id":"hpp:run:0","value":"open INC-9"}]}`}}.Encode()
	for _, path := range []string{"/slack/interactivity", "/slack/events"} {
		w := tb.serve(signed(path, payload, "wrong", time.Now()))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", path, w.Code)
		}
	}
	tb.settle()
	if n := tb.openCases(); n != 0 {
		t.Fatalf("%d cases stored by refused requests", n)
	}
	if calls := tb.slack.recorded(); len(calls) > 0 {
		t.Fatalf("refused requests called Slack: %v", calls)
	}
}

// gateHandler answers only when released, to stand for a slow command.
type gateHandler struct {
	release chan struct{}
	reply   bot.Reply
	got     chan bot.Request
}

func (g *gateHandler) Run(ctx context.Context, req bot.Request) (bot.Reply, error) {
	g.got <- req
	<-g.release
	return g.reply, nil
}

func (g *gateHandler) Home(ctx context.Context, person string) bot.Reply { return bot.Reply{} }

func TestSlowCommandIsAcknowledgedThenAnswered(t *testing.T) {
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 1),
		reply: bot.Reply{Text: "*HPP-4 is open* — INC-11"}}
	tb := newTestBed(t, func(c *Config) {
		c.Handler = gate
		c.AckWithin = time.Millisecond
	})
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "open INC-11"), testSecret, time.Now()))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("want an empty acknowledgement, got %d %q", w.Code, w.Body)
	}
	req := <-gate.got
	if req.Person != "slack:U0LEAD" || req.Channel != "slack:C0WARD" || req.Surface != bot.Slack || req.Personal || req.Text != "open INC-11" {
		t.Fatalf("request: %+v", req)
	}
	close(gate.release)
	tb.settle()
	posts := tb.slack.recorded("response_url")
	if len(posts) != 1 {
		t.Fatalf("want one reply through the response_url, got %v", tb.slack.methods())
	}
	if posts[0].JSON["response_type"] != "ephemeral" || !strings.Contains(posts[0].JSON["text"].(string), "HPP-4 is open") {
		t.Fatalf("late reply: %v", posts[0].JSON)
	}
}

func TestCommandInDirectMessageIsPersonal(t *testing.T) {
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 1), reply: bot.Reply{Text: "ok"}}
	close(gate.release)
	tb := newTestBed(t, func(c *Config) { c.Handler = gate })
	tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "D0DM", "list"), testSecret, time.Now()))
	if req := <-gate.got; !req.Personal {
		t.Fatalf("a command in a DM should be personal: %+v", req)
	}
}

func TestOpenWithNoArgumentsOpensModal(t *testing.T) {
	tb := newTestBed(t)
	w := tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "open"), testSecret, time.Now()))
	tb.settle()
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("want an empty acknowledgement, got %d %q", w.Code, w.Body)
	}
	opens := tb.slack.recorded("views.open")
	if len(opens) != 1 {
		t.Fatalf("want views.open, got %v", tb.slack.methods())
	}
	if opens[0].JSON["trigger_id"] != "1337.42.abcdef" {
		t.Fatalf("trigger_id: %v", opens[0].JSON["trigger_id"])
	}
	view, _ := json.Marshal(opens[0].JSON["view"])
	for _, want := range []string{`"callback_id":"hpp-form:open"`, `"block_id":"ref"`, `"plain_text_input"`, `"static_select"`,
		`"users_select"`, `"multi_users_select"`, `"datepicker"`, `"multiline":true`, `"private_metadata"`} {
		if !strings.Contains(string(view), want) {
			t.Errorf("modal lacks %s", want)
		}
	}
}

func TestURLVerification(t *testing.T) {
	tb := newTestBed(t)
	w := tb.serve(signed("/slack/events", `{"token":"x","challenge":"c-123","type":"url_verification"}`, testSecret, time.Now()))
	if w.Code != http.StatusOK || w.Body.String() != "c-123" {
		t.Fatalf("challenge: %d %q", w.Code, w.Body)
	}
}

// Names are looked up in the background, never on the command's path: the
// first command carries the user name Slack sent, later ones the display
// name, which the store's name book remembers too.
func TestNamesAreLookedUpInTheBackground(t *testing.T) {
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 2), reply: bot.Reply{Text: "ok"}}
	close(gate.release)
	tb := newTestBed(t, func(c *Config) { c.Handler = gate })
	tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "involve HPP-1 <@U0SAM|syn.sam>"), testSecret, time.Now()))
	if req := <-gate.got; req.Name != "syn.user" {
		t.Fatalf("first command's name %q, want the user name Slack sent", req.Name)
	}
	tb.settle()
	var looked []string
	for _, c := range tb.slack.recorded("users.info") {
		looked = append(looked, c.Form.Get("user"))
	}
	if strings.Join(looked, ",") != "U0LEAD,U0SAM" && strings.Join(looked, ",") != "U0SAM,U0LEAD" {
		t.Fatalf("users.info for %v, want the typer and the person mentioned", looked)
	}
	known := tb.store.Names().Lookup(context.Background(), []string{"slack:U0LEAD", "slack:U0SAM"})
	if known["slack:U0LEAD"] != "Synthetic Person" || known["slack:U0SAM"] != "Synthetic Person" {
		t.Fatalf("name book: %v", known)
	}
	tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", "list"), testSecret, time.Now()))
	if req := <-gate.got; req.Name != "Synthetic Person" {
		t.Fatalf("second command's name %q, want the display name", req.Name)
	}
	tb.settle()
	if n := len(tb.slack.recorded("users.info")); n != 2 {
		t.Fatalf("%d lookups, want no more after the first command", n)
	}
}

// Slack escapes &, < and > in a slash command's text; the note is kept as
// it was typed.
func TestCommandTextIsUnescaped(t *testing.T) {
	gate := &gateHandler{release: make(chan struct{}), got: make(chan bot.Request, 1), reply: bot.Reply{Text: "ok"}}
	close(gate.release)
	tb := newTestBed(t, func(c *Config) { c.Handler = gate })
	typed := "contact HPP-1 <@U0SAM|syn.sam> Mum &amp; son; sats &lt; 90 &gt; later &amp;lt;as typed&amp;gt;"
	tb.serve(signed("/slack/commands", tb.commandBody("U0LEAD", "C0WARD", typed), testSecret, time.Now()))
	if req := <-gate.got; req.Text != "contact HPP-1 <@U0SAM|syn.sam> Mum & son; sats < 90 > later &lt;as typed&gt;" {
		t.Fatalf("text %q", req.Text)
	}
}

func TestReadBody(t *testing.T) {
	body := strings.Repeat("user_id=U1&text=x", 40)
	for _, declared := range []int64{-1, 0, 1, 100, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 50, maxBody + 1} {
		got, err := readBody(iotest.OneByteReader(strings.NewReader(body)), declared)
		if err != nil || string(got) != body {
			t.Errorf("declared %d: %d bytes, %v", declared, len(got), err)
		}
	}
	if _, err := readBody(iotest.ErrReader(errors.New("boom")), 10); err == nil {
		t.Error("a read error was lost")
	}
}

// TestCommandForm: a command's form reads the same whether verified parses
// it or ParseForm does (a query string, a body that doesn't parse).
func TestCommandForm(t *testing.T) {
	tb := newTestBed(t)
	body := tb.commandBody("U0LEAD", "C0WARD", "help")
	for _, tt := range []struct {
		name, path, body string
		want             int
	}{
		{"form", "/slack/commands", body, http.StatusOK},
		{"query too", "/slack/commands?user_id=U0OTHER&x=1", body, http.StatusOK},
		{"bad escape", "/slack/commands", body + "&text=%zz", http.StatusBadRequest},
		{"no user", "/slack/commands", "text=help", http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := signed(tt.path, tt.body, testSecret, time.Now())
			w := tb.serve(r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body)
			}
			if tt.want == http.StatusOK && (r.PostForm.Get("user_id") != "U0LEAD" || w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len())) {
				t.Fatalf("form %v, Content-Length %q for %d bytes", r.PostForm, w.Header().Get("Content-Length"), w.Body.Len())
			}
		})
	}
	tb.settle()
}
