package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/bot/slack"
	"hppbot/store"
	"hppbot/store/storetest"
)

// The acceptance, tried as a new user would: with SLACK_BOT_TOKEN,
// SLACK_SIGNING_SECRET and SLACK_API_URL pointing at a fake Slack Web API,
// the real server (serve, what `go run .` runs) answers a signed
// `/hpp open INC-7 …` with an ephemeral confirmation naming the case, and
// the case is in Redis; a request signed with another secret, or six
// minutes old, gets 401 and stores nothing; and a nudge that falls due for
// a Slack user reaches the fake API as a direct message with buttons.
func TestSlackAcceptance(t *testing.T) {
	const secret = "acceptance-signing-secret"
	api := newRecordingSlack(t)
	addr := freeAddr(t)
	prefix := storetest.Prefix()
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-acceptance", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL + "/api",
		"HPP_ADDR": addr, "REDIS_URL": storetest.URL(), "HPP_REDIS_PREFIX": prefix, "HPP_LOG_LEVEL": "warn",
	}
	cfg, err := readConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Connect(cfg.RedisURL, cfg.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	pingCtx, cancelPing := context.WithTimeout(context.Background(), 2*time.Second)
	err = st.Ping(pingCtx)
	cancelPing()
	if err != nil {
		if storetest.Required() {
			t.Fatalf("HPP_TEST_REDIS=require but Redis does not answer: %v", err)
		}
		t.Skipf("no Redis at %s: %v", cfg.RedisURL, err)
	}
	t.Cleanup(func() {
		_ = storetest.Clean(context.Background(), st)
		st.Close()
	})
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, cfg, st, log) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + addr
	waitHealthy(t, base)
	t.Logf("hppbot serving on %s; Slack Web API at %s; Redis prefix %s", addr, cfg.SlackAPI, prefix)

	// 1. A correctly signed /hpp open.
	body := url.Values{
		"team_id": {"T0ACC"}, "channel_id": {"C0WARD"}, "channel_name": {"ward-7"}, "user_id": {"U0OPENER"}, "user_name": {"syn.opener"},
		"command": {"/hpp"}, "text": {"open INC-7 lead=<@U0LEAD|syn.lead> harm=moderate Fall on the ward after a delayed escalation"},
		"response_url": {api.URL + "/response/1"}, "trigger_id": {"1337.1.acc"},
	}.Encode()
	start := time.Now()
	res := post(t, base+"/slack/commands", body, secret, time.Now())
	took := time.Since(start)
	var answer struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
		Blocks       []any  `json:"blocks"`
	}
	if res.code != http.StatusOK || json.Unmarshal([]byte(res.body), &answer) != nil {
		t.Fatalf("signed /hpp open: %d %s", res.code, res.body)
	}
	if answer.ResponseType != "ephemeral" || !strings.Contains(answer.Text, "HPP-1 is open") || !strings.Contains(answer.Text, "INC-7") {
		t.Fatalf("want an ephemeral confirmation naming the case, got %s", res.body)
	}
	t.Logf("signed /hpp open INC-7 …: %d in %v, response_type=%s, %d blocks, text %q", res.code, took.Round(time.Millisecond), answer.ResponseType, len(answer.Blocks), firstLine(answer.Text))
	c, err := st.GetCase(context.Background(), 1)
	if err != nil || c.Ref != "INC-7" || c.Lead != "slack:U0LEAD" || c.OpenedBy != "slack:U0OPENER" {
		t.Fatalf("case in Redis: %+v %v", c, err)
	}
	t.Logf("in Redis under %s: HPP-%d ref=%s lead=%s harm=%s next contact due %s", prefix, c.ID, c.Ref, c.Lead, c.Harm, c.NextContact.Format(time.RFC3339))
	keys := countKeys(t, st)

	// 2. Another secret, and six minutes old: 401, nothing stored.
	refused := url.Values{"channel_id": {"C0WARD"}, "user_id": {"U0OPENER"}, "command": {"/hpp"}, "text": {"open INC-8 harm=severe Another"}}.Encode()
	for _, bad := range []struct {
		name   string
		secret string
		at     time.Time
	}{
		{"signed with another secret", "some-other-secret", time.Now()},
		{"timestamp six minutes old", secret, time.Now().Add(-6 * time.Minute)},
	} {
		res := post(t, base+"/slack/commands", refused, bad.secret, bad.at)
		if res.code != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s", bad.name, res.code, res.body)
		}
		t.Logf("%s: %d", bad.name, res.code)
	}
	if n, err := st.CountOpen(context.Background()); err != nil || n != 1 {
		t.Fatalf("open cases after refused requests: %d %v", n, err)
	}
	if after := countKeys(t, st); after != keys {
		t.Fatalf("refused requests changed Redis: %d keys before, %d after", keys, after)
	}
	t.Logf("after the refused requests: 1 open case, %d keys under the prefix, as before", keys)

	// 3. The nudge: the scheduler's tick after the first contact falls due.
	router := bot.Router{}
	core := app.New(app.Config{Store: st, Policy: cfg.Policy, Messenger: router, Log: log, Workers: 1})
	surface, err := slack.New(slack.Config{Token: cfg.SlackToken, APIURL: cfg.SlackAPI, Handler: core.Handlers, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer surface.Close()
	router[bot.Slack] = surface
	sched := core.Scheduler
	at := c.NextContact.Add(time.Hour)
	if !cfg.Policy.Calendar.InWorkingHours(at) {
		at = cfg.Policy.Calendar.NextWorkingStart(at).Add(time.Minute)
	}
	before := len(api.calls())
	result, err := sched.Tick(context.Background(), at)
	if err != nil || result.Sent < 1 {
		t.Fatalf("tick at %s: %+v %v", at, result, err)
	}
	t.Logf("scheduler tick at %s: claimed %d, sent %d", at.Format(time.RFC3339), result.Claimed, result.Sent)
	// The nudge is queued; this test's scheduler sends it at once, or the
	// serving hppbot's delivery queue (on the same Redis) takes it first:
	// either way it arrives once, within moments.
	nudgeCalls := api.calls()[before:]
	for wait := time.Now().Add(5 * time.Second); len(nudgeCalls) == 0 && time.Now().Before(wait); nudgeCalls = api.calls()[before:] {
		time.Sleep(20 * time.Millisecond)
	}
	var methods []string
	for _, c := range nudgeCalls {
		methods = append(methods, c.method)
	}
	if len(nudgeCalls) < 1 || nudgeCalls[len(nudgeCalls)-1].method != "chat.postMessage" {
		t.Fatalf("nudge calls: %v", methods)
	}
	dm := nudgeCalls[len(nudgeCalls)-1].form
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(dm.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	var buttons []string
	for _, b := range blocks {
		for _, e := range b.Elements {
			if b.Type == "actions" {
				buttons = append(buttons, e.Text.Text+" ("+e.ActionID+")")
			}
		}
	}
	// Posted to the person's user id (Slack puts it in their direct
	// messages with hppbot), carrying its delivery key in metadata.
	if dm.Get("channel") != "U0LEAD" || len(buttons) != 3 || !strings.Contains(dm.Get("text"), "HPP-1") ||
		!strings.Contains(dm.Get("metadata"), `"event_type":"hpp_delivery"`) {
		t.Fatalf("nudge DM: channel %s, buttons %v, text %q, metadata %s", dm.Get("channel"), buttons, dm.Get("text"), dm.Get("metadata"))
	}
	t.Logf("nudge at the fake Slack API: %s; chat.postMessage channel=%s text=%q buttons=%s",
		strings.Join(methods, " → "), dm.Get("channel"), firstLine(dm.Get("text")), strings.Join(buttons, ", "))
}

type response struct {
	code int
	body string
}

// post sends a form body signed as Slack signs it.
func post(t *testing.T, target, body, secret string, at time.Time) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(b)}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the server did not come up")
}

func countKeys(t *testing.T, st *store.Store) int {
	t.Helper()
	keys, err := st.Client().Keys(context.Background(), st.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type recordedCall struct {
	method string
	form   url.Values
}

type recordingSlack struct {
	*httptest.Server
	mu  sync.Mutex
	got []recordedCall
}

func (r *recordingSlack) calls() []recordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedCall(nil), r.got...)
}

// newRecordingSlack is a fake Slack Web API that records each method and
// its form payload and answers as Slack does.
func newRecordingSlack(t *testing.T) *recordingSlack {
	r := &recordingSlack{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(body))
		method := path.Base(req.URL.Path)
		r.mu.Lock()
		r.got = append(r.got, recordedCall{method, form})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch method {
		case "conversations.open":
			fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, form.Get("users"))
		case "chat.postMessage":
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.1"}`, form.Get("channel"))
		case "users.info":
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"syn","profile":{"display_name":"Synthetic Person"}}}`, form.Get("user"))
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(r.Close)
	return r
}
