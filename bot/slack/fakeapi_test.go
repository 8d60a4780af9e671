package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// call is one request the fake Slack received: the Web API method (or
// "response_url", "upload") and its payload, form-encoded or JSON.
type call struct {
	Method string
	Form   url.Values
	JSON   map[string]any
}

// fakeSlack is a Slack Web API on httptest that records every call, answers
// like Slack does, and can be told to say "too many requests".
type fakeSlack struct {
	srv *httptest.Server

	mu        sync.Mutex
	calls     []call
	limited   map[string]int    // method -> how many more calls get 429
	retryWait string            // Retry-After for those
	failing   map[string]string // method -> the error Slack answers with ok:false
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{limited: map[string]int{}, failing: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the Web API base for slack.OptionAPIURL.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// responseURL is a response_url that records what is posted to it.
func (f *fakeSlack) responseURL() string { return f.srv.URL + "/response/1" }

func (f *fakeSlack) limit(method string, times int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = times
	f.retryWait = retryAfter
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	method := path.Base(r.URL.Path)
	switch {
	case strings.HasPrefix(r.URL.Path, "/response/"):
		method = "response_url"
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		method = "upload"
	}
	body, _ := io.ReadAll(r.Body)
	c := call{Method: method}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else if method != "upload" {
		c.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := len(f.calls) // each post gets its own ts, as in Slack
	if f.limited[method] > 0 {
		f.limited[method]--
		wait := f.retryWait
		f.mu.Unlock()
		w.Header().Set("Retry-After", wait)
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	failure := f.failing[method]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if failure != "" {
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, failure)
		return
	}
	switch method {
	case "conversations.open":
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, strings.TrimPrefix(c.Form.Get("users"), "U"))
	case "chat.postMessage":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, c.Form.Get("channel"), 100+n)
	case "chat.update":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, c.Form.Get("channel"), c.Form.Get("ts"))
	case "chat.postEphemeral":
		fmt.Fprint(w, `{"ok":true,"message_ts":"1700000000.000200"}`)
	case "views.open", "views.publish":
		fmt.Fprint(w, `{"ok":true,"view":{"id":"V1"}}`)
	case "users.info":
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"syn.user","profile":{"display_name":"Synthetic Person"}}}`, c.Form.Get("user"))
	case "files.getUploadURLExternal":
		fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":"F1"}`, f.srv.URL+"/upload/F1")
	case "files.completeUploadExternal":
		fmt.Fprint(w, `{"ok":true,"files":[{"id":"F1","title":"file"}]}`)
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

// tsOf is the ts Slack gave the first call to method in channel whose
// text holds text ("" when none).
func (f *fakeSlack) tsOf(method, channel, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.calls {
		if c.Method == method && c.Form.Get("channel") == channel && strings.Contains(c.Form.Get("text"), text) {
			return fmt.Sprintf("1700000000.%06d", 100+i+1)
		}
	}
	return ""
}

// lastTsOf is tsOf for the last such call.
func (f *fakeSlack) lastTsOf(method, channel, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.calls) - 1; i >= 0; i-- {
		c := f.calls[i]
		if c.Method == method && c.Form.Get("channel") == channel && strings.Contains(c.Form.Get("text"), text) {
			return fmt.Sprintf("1700000000.%06d", 100+i+1)
		}
	}
	return ""
}

// fail makes Slack answer method with {"ok":false,"error":code}; "" stops it.
func (f *fakeSlack) fail(method, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing[method] = code
}

// recorded returns the calls so far, or only those to the given methods.
func (f *fakeSlack) recorded(methods ...string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// methods lists the methods called, in order, leaving out name lookups
// (users.info), which happen in the background whenever a user is new.
func (f *fakeSlack) methods() []string {
	var out []string
	for _, c := range f.recorded() {
		if c.Method != "users.info" {
			out = append(out, c.Method)
		}
	}
	return out
}

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testBed is a Slack surface on the real handlers and a store, wired by
// app.New as main wires them, with a fake Slack behind it.
type testBed struct {
	t       testing.TB
	slack   *fakeSlack
	store   *store.Store
	handler Handler
	surface *Surface
	mux     *http.ServeMux
	logMu   *sync.Mutex
	logs    *strings.Builder
	// triggers counts the slash commands made, for their trigger ids.
	triggers atomic.Int64
	// queue is the app's delivery queue, sending in the background.
	queue *delivery.Queue
}

// settle waits for the surface's background work (late replies, uploads,
// name lookups) to finish, and for the delivery queue to have sent what it
// holds.
func (tb *testBed) settle() {
	tb.surface.wg.Wait()
	if w, ok := tb.handler.(interface{ Wait() }); ok {
		w.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		bl, err := tb.queue.Backlogs(ctx, []string{bot.Slack})
		if err != nil {
			tb.t.Fatal(err)
		}
		if bl[bot.Slack].Length == 0 {
			return
		}
		select {
		case <-ctx.Done():
			tb.t.Fatalf("the delivery queue still holds %d messages", bl[bot.Slack].Length)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// logText is what the surface has logged so far.
func (tb *testBed) logText() string {
	tb.logMu.Lock()
	defer tb.logMu.Unlock()
	return tb.logs.String()
}

func newTestBed(t testing.TB, tweak ...func(*Config)) *testBed {
	t.Helper()
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	router := bot.Router{}
	a := app.New(app.Config{Store: st, Policy: p, Messenger: router})
	h := a.Handlers
	// What a command tells other people goes through the delivery queue,
	// sent in the background as a server's is.
	queue := a.Scheduler.Outbox()
	queue.Start()
	t.Cleanup(queue.Stop)
	fs := newFakeSlack(t)
	logs := &strings.Builder{}
	logMu := &sync.Mutex{}
	cfg := Config{
		Token: "xoxb-test", SigningSecret: testSecret, APIURL: fs.apiURL(), Command: "/hpp",
		Handler: h, Names: st.Names(), Requests: st,
		Log: slog.New(slog.NewTextHandler(lockedWriter{logMu, logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, fn := range tweak {
		fn(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	router[bot.Slack] = s
	mux := http.NewServeMux()
	s.Routes(mux)
	tb := &testBed{t: t, slack: fs, store: st, handler: h, surface: s, mux: mux, logMu: logMu, logs: logs, queue: queue}
	t.Cleanup(s.Close)
	return tb
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
