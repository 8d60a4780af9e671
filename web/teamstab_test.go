package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"hppbot/internal/browsertest"
	"hppbot/web/entra"
	"hppbot/web/entra/entratest"
)

// The Teams personal tab's single sign-on, end to end: tokens minted by a
// stand-in Entra ID (entratest), checked by the real validator that serve
// wires in (entra.Validator.TeamsSSO), at POST /auth/teams.

// teamsFixture serves the pages on their own address with Teams single
// sign-on checked against the stand-in s, and returns the audience (the
// app's resource on that address) a good token carries.
func teamsFixture(t *testing.T, s *entratest.Server) (*fixture, string) {
	t.Helper()
	var v *entra.Validator
	f := newFixture(t, options{self: true, teamsSSO: func(r *http.Request, token string) (string, error) {
		return v.TeamsSSO(r, token)
	}})
	resource := entratest.Resource(f.public.Host)
	v = s.Validator(t, resource)
	return f, resource
}

// TestTeamsSignInRefusesBadTokens: the six bad tokens the issue names are
// refused at POST /auth/teams with 401, no cookie, and words for the
// person, not the reason; a token that can't be checked because the
// tenant's keys can't be fetched is a 503 that says to try again.
func TestTeamsSignInRefusesBadTokens(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	other := entratest.New(t, entratest.OtherTenant)
	f, resource := teamsFixture(t, s)
	now := time.Now()
	valid := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := s.Claims(entratest.Person, resource, now)
		if change != nil {
			change(c)
		}
		return c
	}
	refused := entra.Words(entra.ErrRefused)
	for _, tc := range []struct{ name, token string }{
		{"wrong audience", s.Sign(t, valid(func(c jwt.MapClaims) { c["aud"] = entratest.Resource("elsewhere.example") }))},
		{"another tenant and issuer", s.Sign(t, other.Claims(entratest.Person, resource, now))},
		{"expired", s.Sign(t, valid(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Minute).Unix() }))},
		{"signed by another key", entratest.SignWith(t, jwt.SigningMethodRS256, entratest.KeyID, s.Other, valid(nil))},
		{"alg none", entratest.SignWith(t, jwt.SigningMethodNone, entratest.KeyID, nil, valid(nil))},
		{"alg HS256 keyed with the public key", entratest.SignWith(t, jwt.SigningMethodHS256, entratest.KeyID, s.Key.PublicKey.N.Bytes(), valid(nil))},
		{"a key id the tenant doesn't publish", entratest.SignWith(t, jwt.SigningMethodRS256, "not-published", s.Other, valid(nil))},
		{"no token at all", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := f.browser().post("/auth/teams", nil, http.Header{"Authorization": {"Bearer " + tc.token}})
			if p.status != http.StatusUnauthorized || p.header.Get("Set-Cookie") != "" {
				t.Fatalf("%d, Set-Cookie %q; want 401 and no session", p.status, p.header.Get("Set-Cookie"))
			}
			if p.body != refused || !strings.HasPrefix(p.header.Get("Content-Type"), "text/plain") {
				t.Errorf("body %q (%s), want the kind words %q", p.body, p.header.Get("Content-Type"), refused)
			}
		})
	}
	// The good token, for contrast: the same route signs in.
	if p := f.browser().post("/auth/teams", nil, http.Header{"Authorization": {"Bearer " + s.Token(t, entratest.Person, resource)}}); p.status != http.StatusNoContent || p.header.Get("Set-Cookie") == "" {
		t.Fatalf("a good token: %d", p.status)
	}

	down := entratest.New(t, entratest.Tenant)
	down.Down.Store(true)
	g, res := teamsFixture(t, down)
	p := g.browser().post("/auth/teams", nil, http.Header{"Authorization": {"Bearer " + down.Token(t, entratest.Person, res)}})
	if p.status != http.StatusServiceUnavailable || p.body != entra.Words(entra.ErrUnavailable) || p.header.Get("Set-Cookie") != "" {
		t.Errorf("keys can't be fetched: %d %q", p.status, p.body)
	}
	if p := g.browser().post("/auth/teams", nil, http.Header{"Authorization": {"Bearer x"}, "Origin": {"https://elsewhere.example"}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "type web in your chat with hppbot") {
		t.Errorf("from another site: %d %q", p.status, p.body)
	}
}

// stubTeams makes the tab's page find a stand-in for the Teams JavaScript
// library, installed before any of the page's scripts run, whose
// getAuthToken gives token: outside Teams the real library can't get one.
// The real library, loaded after, can't replace it.
func stubTeams(t *testing.T, b *browsertest.Browser, token string) {
	t.Helper()
	quoted, _ := json.Marshal(token)
	src := `(function () {
  var stub = {
    app: { initialize: function () { return Promise.resolve(); } },
    authentication: { getAuthToken: function () { return Promise.resolve(` + string(quoted) + `); } }
  };
  Object.defineProperty(window, "microsoftTeams", { configurable: false, get: function () { return stub; }, set: function () {} });
}());`
	if _, err := chromedp.Call(b.Ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		t.Fatalf("browser: stubbing Teams: %v", err)
	}
}

// TestBrowserTeamsTab: the tab gets a token from Teams (stubbed, minted by
// the stand-in Entra ID), the server checks it and starts a session, and
// the tab shows My cases. A token Teams gives for another app leaves the
// tab saying, in its live region, what to do instead.
func TestBrowserTeamsTab(t *testing.T) {
	browsertest.New(t) // skip (or fail under require) before building anything
	s := entratest.New(t, entratest.Tenant)
	f, resource := teamsFixture(t, s)

	b := browsertest.New(t)
	stubTeams(t, b, s.Token(t, entratest.Person, resource))
	b.Open(f.public.String() + "/tab")
	waitFor(t, b, `location.pathname === "/" && !!document.querySelector("h1")`)
	if h := heading(b); h != "My cases" {
		t.Fatalf("the tab after sign-in shows %q", h)
	}
	lookAt(t, b, "tab-signed-in")

	refused := browsertest.New(t)
	stubTeams(t, refused, s.Token(t, entratest.Person, entratest.Resource("elsewhere.example")))
	refused.Open(f.public.String() + "/tab")
	want := entra.Words(entra.ErrRefused)
	waitFor(t, refused, `document.getElementById("tab-status").textContent.includes("Teams couldn't confirm")`)
	if got := browsertest.Eval[string](refused, `document.getElementById("tab-status").textContent`); got != want {
		t.Errorf("the tab says %q, want %q", got, want)
	}
	if role := browsertest.Eval[string](refused, `document.getElementById("tab-status").getAttribute("role")`); role != "status" {
		t.Errorf("the tab's message is not in a live region (role %q)", role)
	}
	lookAt(t, refused, "tab-refused")
	refused.Open(f.public.String() + "/")
	if h := heading(refused); h == "My cases" {
		t.Error("a refused token signed the tab in")
	}
}
