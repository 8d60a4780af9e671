package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLinkWorksOnce: opening the link (GET) spends nothing — a chat
// client's preview can't use it up — the button (POST) signs in, and the
// same link a second time gets a kind page that says how to get a new one.
func TestLinkWorksOnce(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	token := f.link("lee")
	for range 2 {
		if p := b.get("/signin/" + token); p.status != http.StatusOK || !strings.Contains(p.body, "Sign in") {
			t.Fatalf("the link's page: %d", p.status)
		}
	}
	if p := b.post("/signin", url.Values{"token": {token}}, nil); p.status != http.StatusSeeOther {
		t.Fatalf("first use: %d\n%s", p.status, p.body)
	}
	if p := b.get("/"); p.status != http.StatusOK || !strings.Contains(p.body, "<h1>My cases</h1>") {
		t.Fatalf("after signing in, My cases: %d\n%s", p.status, p.body)
	}
	other := f.browser()
	p := other.post("/signin", url.Values{"token": {token}}, nil)
	if p.status != http.StatusGone {
		t.Fatalf("second use: %d, want 410", p.status)
	}
	for _, want := range []string{"This sign-in link has been used or has run out", "/hpp web"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the second use's page lacks %q", want)
		}
	}
	if len(other.c.Jar.Cookies(mustURL(f.srv.URL))) != 0 {
		t.Error("a spent link set a cookie")
	}
	// A token of the wrong shape, and one never made, fail the same kind way.
	for _, bad := range []string{"short", strings.Repeat("A", 43)} {
		if p := other.post("/signin", url.Values{"token": {bad}}, nil); p.status == http.StatusSeeOther || !strings.Contains(p.body, "/hpp web") {
			t.Errorf("token %q: %d", bad, p.status)
		}
	}
}

// TestLinkExpiresAfterTenMinutes: the token is kept in Redis for 10
// minutes, and a link past that is refused like a used one.
func TestLinkExpiresAfterTenMinutes(t *testing.T) {
	f := newFixture(t)
	token := f.link("lee")
	ctx := context.Background()
	keys, err := f.st.Client().Keys(ctx, f.st.Prefix()+"web:link:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("link keys %v, %v", keys, err)
	}
	ttl, err := f.st.Client().TTL(ctx, keys[0]).Result()
	if err != nil || ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Fatalf("the link is kept for %v, want 10 minutes", ttl)
	}
	// Expire it as Redis would after 10 minutes.
	if err := f.st.Client().Del(ctx, keys[0]).Err(); err != nil {
		t.Fatal(err)
	}
	if p := f.browser().post("/signin", url.Values{"token": {token}}, nil); p.status != http.StatusGone {
		t.Fatalf("an expired link: %d", p.status)
	}
}

// TestLinkRefusedFromAnotherSite: a form on another site can't sign a
// browser in (as someone else).
func TestLinkRefusedFromAnotherSite(t *testing.T) {
	f := newFixture(t)
	token := f.link("lee")
	b := f.browser()
	if p := b.post("/signin", url.Values{"token": {token}}, http.Header{"Origin": {"https://elsewhere.example"}}); p.status != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", p.status)
	}
	if p := b.post("/signin", url.Values{"token": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}); p.status != http.StatusForbidden {
		t.Fatalf("cross-site sign-in (Sec-Fetch-Site): %d", p.status)
	}
	// Refused before the token was looked at: it still works from here.
	if p := b.post("/signin", url.Values{"token": {token}}, http.Header{"Origin": {"http://hpp.test"}}); p.status != http.StatusSeeOther {
		t.Fatalf("same-origin sign-in after the refusals: %d", p.status)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, tt := range []struct {
		public, name string
		secure       bool
	}{
		{"http://hpp.test", "hpp_session", false},
		{"https://hpp.test", "__Host-hpp_session", true},
	} {
		f := newFixture(t, options{public: tt.public})
		b := f.browser()
		token := f.link("lee")
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/signin", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var c *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == tt.name {
				c = ck
			}
		}
		if c == nil {
			t.Fatalf("%s: no %s cookie in %v", tt.public, tt.name, res.Header["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tt.secure || c.Path != "/" || c.Domain != "" || len(c.Value) < 40 {
			t.Errorf("%s: cookie %+v", tt.public, c)
		}
		if c.MaxAge != 0 || !c.Expires.IsZero() {
			t.Errorf("%s: the cookie outlives the browser (MaxAge %d, Expires %v); the session's end is kept in Redis", tt.public, c.MaxAge, c.Expires)
		}
	}
}

// TestSessionIdleAndAbsoluteExpiry: a session is kept in Redis for its
// idle time, renewed by each page; past its absolute end it is over
// whatever happened, and the page says how to sign in again.
func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	f := newFixture(t, options{public: "http://hpp.test", idle: 5 * time.Minute, max: time.Hour})
	b := f.signIn("lee")
	ctx := context.Background()
	keys, _ := f.st.Client().Keys(ctx, f.st.Prefix()+"web:session:*").Result()
	if len(keys) != 1 {
		t.Fatalf("session keys %v", keys)
	}
	if ttl, _ := f.st.Client().TTL(ctx, keys[0]).Result(); ttl <= 4*time.Minute || ttl > 5*time.Minute {
		t.Fatalf("the session is kept for %v, want its idle time, 5 minutes", ttl)
	}
	f.clock.Add(58 * time.Minute)
	if p := b.get("/"); p.status != http.StatusOK {
		t.Fatalf("within the hour: %d", p.status)
	}
	// Two minutes left of the hour: kept no longer than that.
	if ttl, _ := f.st.Client().TTL(ctx, keys[0]).Result(); ttl > 2*time.Minute {
		t.Fatalf("the session is kept for %v past its absolute end", ttl)
	}
	f.clock.Add(3 * time.Minute)
	p := b.get("/")
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Your session has ended") || !strings.Contains(p.body, "/hpp web") {
		t.Fatalf("past the hour: %d\n%s", p.status, p.body)
	}
	// Idle: when Redis lets the session go, the browser is signed out.
	b2 := f.signIn("lee")
	keys, _ = f.st.Client().Keys(ctx, f.st.Prefix()+"web:session:*").Result()
	for _, k := range keys {
		f.st.Client().Del(ctx, k)
	}
	if p := b2.get("/"); p.status != http.StatusUnauthorized {
		t.Fatalf("an idle session gone from Redis: %d", p.status)
	}
}

func TestSignOut(t *testing.T) {
	f := newFixture(t)
	b := f.signIn("lee")
	p := b.post("/signout", nil, nil)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/signed-out" {
		t.Fatalf("sign out: %d %q", p.status, p.header.Get("Location"))
	}
	if p := b.get("/"); p.status != http.StatusUnauthorized {
		t.Fatalf("after signing out: %d", p.status)
	}
	keys, _ := f.st.Client().Keys(context.Background(), f.st.Prefix()+"web:session:*").Result()
	if len(keys) != 0 {
		t.Fatalf("the session is still in Redis: %v", keys)
	}
}

// TestWebOffWhenPublicURLUnset: no pages, and /hpp web says kindly whom to
// ask; only an admin is told the setting.
func TestWebOffWhenPublicURLUnset(t *testing.T) {
	f := newFixture(t, options{})
	if f.core.Web != nil {
		t.Fatal("pages with no HPP_PUBLIC_URL")
	}
	got := f.as("lee", "/hpp web").PlainText()
	if !strings.Contains(got, "isn't switched on here yet") || !strings.Contains(got, "ask an hppbot admin") || strings.Contains(got, "HPP_PUBLIC_URL") {
		t.Errorf("to a clinician:\n%s", got)
	}
	if got := f.as("admin", "/hpp web").PlainText(); !strings.Contains(got, "HPP_PUBLIC_URL") {
		t.Errorf("to an admin:\n%s", got)
	}
}

// TestTeamsSignIn: the seam for Teams single sign-on. A token the checker
// accepts starts a session whose cookie works in the Teams frame (SameSite
// None, Partitioned, over https) and whose pages Teams may frame; a refused
// one gets 401 and no cookie.
func TestTeamsSignIn(t *testing.T) {
	f := newFixture(t, options{public: "https://hpp.test", teamsSSO: func(r *http.Request, token string) (string, error) {
		if token == "good-token" {
			return "teams:29:synthetic-lee", nil
		}
		return "", errors.New("refused")
	}})
	b := f.browser()
	p := b.post("/auth/teams", nil, http.Header{"Authorization": {"Bearer bad-token"}})
	if p.status != http.StatusUnauthorized || p.header.Get("Set-Cookie") != "" {
		t.Fatalf("a refused token: %d %q", p.status, p.header.Get("Set-Cookie"))
	}
	p = b.post("/auth/teams", nil, http.Header{"Authorization": {"Bearer good-token"}})
	if p.status != http.StatusNoContent {
		t.Fatalf("a good token: %d", p.status)
	}
	sc := p.header.Get("Set-Cookie")
	for _, want := range []string{"__Host-hpp_session=", "HttpOnly", "Secure", "SameSite=None", "Partitioned"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Teams session cookie lacks %s: %s", want, sc)
		}
	}
	// The cookie jar won't send a Secure cookie over the test's http: send it by hand.
	name, value, _ := strings.Cut(strings.Split(sc, ";")[0], "=")
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: name, Value: value})
	got := b.do(req)
	if got.status != http.StatusOK || !strings.Contains(got.header.Get("Content-Security-Policy"), "frame-ancestors https://teams.microsoft.com") {
		t.Fatalf("My cases in the tab: %d, CSP %q", got.status, got.header.Get("Content-Security-Policy"))
	}
	tab := f.browser().get("/tab")
	if tab.status != http.StatusOK || !strings.Contains(tab.body, `src="/assets/MicrosoftTeams.min.js"`) || !strings.Contains(tab.body, `data-sso="on"`) {
		t.Fatalf("the tab page: %d\n%s", tab.status, tab.body)
	}
	// With no checker, the route is not there and the tab says to use a link.
	g := newFixture(t)
	if p := g.browser().post("/auth/teams", nil, http.Header{"Authorization": {"Bearer good-token"}}); p.status != http.StatusNotFound {
		t.Fatalf("no single sign-on configured: %d", p.status)
	}
	if tab := g.browser().get("/tab"); !strings.Contains(tab.body, `data-sso="off"`) || !strings.Contains(tab.body, "type <code>web</code>") {
		t.Fatalf("the tab without single sign-on:\n%s", tab.body)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSigningInAgainEndsTheOldSession: a second link on the same browser
// leaves one session, not two.
func TestSigningInAgainEndsTheOldSession(t *testing.T) {
	f := newFixture(t)
	b := f.signIn("lee")
	token := f.link("pat")
	if p := b.post("/signin", url.Values{"token": {token}}, nil); p.status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", p.status)
	}
	keys, _ := f.st.Client().Keys(context.Background(), f.st.Prefix()+"web:session:*").Result()
	if len(keys) != 1 {
		t.Fatalf("%d sessions after signing in again, want 1", len(keys))
	}
}
