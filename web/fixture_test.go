package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is hppbot wired as main wires it (app.New), with the web pages
// served by httptest, at Wednesday 25 November 2026, 10:00 in London;
// console:admin is the only admin.
type fixture struct {
	t      *testing.T
	core   *app.App
	st     *store.Store
	clock  *testClock
	srv    *httptest.Server
	public *url.URL
}

type options struct {
	public string
	// self makes HPP_PUBLIC_URL the test server's own address, as a real
	// browser needs (its Origin must match for the sign-in POST).
	self     bool
	idle     time.Duration
	max      time.Duration
	teamsSSO func(r *http.Request, token string) (string, error)
}

func newFixture(t *testing.T, opts ...options) *fixture {
	t.Helper()
	o := options{public: "http://hpp.test"}
	if len(opts) > 0 {
		o = opts[0]
	}
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	clock := &testClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())}
	f := &fixture{t: t, st: st, clock: clock}
	cfg := app.Config{Store: st, Policy: p, Admins: []string{"admin"}, Clock: clock.Now,
		WebSessionIdle: o.idle, WebSessionMax: o.max, TeamsSSO: o.teamsSSO,
		// Warnings and errors in the test's log: a page that says it can't
		// be shown just now says why there.
		Log: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	srv := httptest.NewUnstartedServer(nil)
	if o.self {
		o.public = "http://" + srv.Listener.Addr().String()
	}
	if o.public != "" {
		f.public, _ = url.Parse(o.public)
		cfg.PublicURL = f.public
	}
	f.core = app.New(cfg)
	if f.core.Web == nil {
		srv.Close()
		return f
	}
	srv.Config.Handler = f.core.Web
	srv.Start()
	f.srv = srv
	t.Cleanup(srv.Close)
	return f
}

// testLog writes a logger's lines to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// as runs a chat command as a console person.
func (f *fixture) as(person, line string) bot.Reply {
	return f.core.Handlers.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:" + person, Text: line})
}

var linkPattern = regexp.MustCompile(`https?://\S+/signin/([A-Za-z0-9_-]+)`)

// link asks for a sign-in link as person (/hpp web) and returns its token.
func (f *fixture) link(person string) string {
	f.t.Helper()
	r := f.as(person, "/hpp web")
	m := linkPattern.FindStringSubmatch(r.Text)
	if m == nil {
		f.t.Fatalf("/hpp web gave no link:\n%s", r.PlainText())
	}
	if !strings.HasPrefix(m[0], f.public.String()+"/signin/") {
		f.t.Fatalf("the link %q is not on HPP_PUBLIC_URL %s", m[0], f.public)
	}
	return m[1]
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	f *fixture
	c *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one response, read whole.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.f.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.f.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header http.Header) page {
	b.f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return b.do(req)
}

// signIn signs a new browser in as person through /hpp web's link.
func (f *fixture) signIn(person string) *browser {
	f.t.Helper()
	b := f.browser()
	token := f.link(person)
	if p := b.get("/signin/" + token); p.status != http.StatusOK || !strings.Contains(p.body, `action="/signin"`) {
		f.t.Fatalf("the link's page: %d\n%s", p.status, p.body)
	}
	p := b.post("/signin", url.Values{"token": {token}}, nil)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		f.t.Fatalf("signing in: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return b
}
