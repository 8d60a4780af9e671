package entra_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hppbot/web/entra"
	"hppbot/web/entra/entratest"
)

const host = "hppbot.example.nhs.uk"

var resource = entratest.Resource(host)

func newValidator(t *testing.T, s *entratest.Server, now func() time.Time) *entra.Validator {
	t.Helper()
	v, err := entra.New(entra.Config{
		Tenants: []string{entratest.Tenant}, Audiences: []string{resource, entratest.AppID},
		Authority: s.URL, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPersonAcceptsTeamsTokens(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	v := newValidator(t, s, nil)
	now := time.Now()
	v2 := s.Claims(entratest.Person, entratest.AppID, now)
	v2["iss"], v2["ver"] = entra.IssuerV2(entratest.Tenant), "2.0"
	listed := s.Claims(entratest.Person, "", now)
	listed["aud"] = []string{"api://elsewhere/x", resource}
	withinLeeway := s.Claims(entratest.Person, resource, now)
	withinLeeway["exp"] = now.Add(-time.Minute).Unix()
	scopes := s.Claims(entratest.Person, resource, now)
	scopes["scp"] = "User.Read access_as_user"
	// A national cloud's authority issues v2.0 tokens under its own address.
	national := s.Claims(entratest.Person, entratest.AppID, now)
	national["iss"], national["ver"] = s.URL+"/"+entratest.Tenant+"/v2.0", "2.0"
	for name, claims := range map[string]jwt.MapClaims{
		"v2 token issued by the configured authority": national,
		"v1 token for the resource":                   s.Claims(entratest.Person, resource, now),
		"v2 token for the app id":                     v2,
		"audience as a list":                          listed,
		"expired a minute ago (leeway)":               withinLeeway,
		"more than one delegated scope":               scopes,
	} {
		t.Run(name, func(t *testing.T) {
			person, err := v.Person(context.Background(), s.Sign(t, claims))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if want := "teams:" + entratest.Person; person != want {
				t.Errorf("person %q, want %q: the Teams surface's id for the same person", person, want)
			}
		})
	}
	r := httptest.NewRequest("POST", "/auth/teams", nil)
	var seam func(r *http.Request, token string) (string, error) = s.Validator(t, resource).TeamsSSO
	if person, err := seam(r, s.Token(t, entratest.Person, resource)); err != nil || person != "teams:"+entratest.Person {
		t.Errorf("TeamsSSO = %q, %v", person, err)
	}
	if n := s.Fetches.Load(); n != 2 {
		t.Errorf("signing keys fetched %d times by two validators for 6 tokens, want once each", n)
	}
}

func TestPersonRefusesBadTokens(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	now := time.Now()
	clock := now
	v := newValidator(t, s, func() time.Time { return clock })
	valid := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := s.Claims(entratest.Person, resource, now)
		if change != nil {
			change(c)
		}
		return c
	}
	other := entratest.New(t, entratest.OtherTenant)
	tests := []struct {
		name  string
		token func(t *testing.T) string
	}{
		// The six the issue names.
		{"wrong audience", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["aud"] = "api://" + host + "/99999999-2222-3333-4444-555555555555" }))
		}},
		{"another tenant's token", func(t *testing.T) string {
			return s.Sign(t, other.Claims(entratest.Person, resource, now))
		}},
		{"expired", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Minute).Unix() }))
		}},
		{"signed by another key", func(t *testing.T) string {
			return entratest.SignWith(t, jwt.SigningMethodRS256, entratest.KeyID, s.Other, valid(nil))
		}},
		{"alg none", func(t *testing.T) string {
			return entratest.SignWith(t, jwt.SigningMethodNone, entratest.KeyID, nil, valid(nil))
		}},
		{"alg HS256 keyed with the public key", func(t *testing.T) string {
			pub := s.Key.PublicKey
			return entratest.SignWith(t, jwt.SigningMethodHS256, entratest.KeyID, pub.N.Bytes(), valid(nil))
		}},
		{"a key the tenant doesn't publish", func(t *testing.T) string {
			return entratest.SignWith(t, jwt.SigningMethodRS256, "not-published", s.Other, valid(nil))
		}},
		// And around them.
		{"tenant claim not the issuer's", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["tid"] = entratest.OtherTenant }))
		}},
		{"issued by another service", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["iss"] = "https://api.botframework.com" }))
		}},
		{"not valid yet", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["nbf"] = now.Add(10 * time.Minute).Unix() }))
		}},
		{"no expiry", func(t *testing.T) string { return s.Sign(t, valid(func(c jwt.MapClaims) { delete(c, "exp") })) }},
		{"no audience", func(t *testing.T) string { return s.Sign(t, valid(func(c jwt.MapClaims) { delete(c, "aud") })) }},
		{"an app's token, not a person's", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { delete(c, "scp"); c["roles"] = []string{"Cases.Read"} }))
		}},
		{"no object id", func(t *testing.T) string { return s.Sign(t, valid(func(c jwt.MapClaims) { delete(c, "oid") })) }},
		{"object id not a GUID", func(t *testing.T) string {
			return s.Sign(t, valid(func(c jwt.MapClaims) { c["oid"] = "29:1abc" }))
		}},
		{"no key id", func(t *testing.T) string {
			return entratest.SignWith(t, jwt.SigningMethodRS256, "", s.Key, valid(nil))
		}},
		{"malformed: empty", func(*testing.T) string { return "" }},
		{"malformed: not a JWT", func(*testing.T) string { return "Bearer hello" }},
		{"malformed: three dots of nothing", func(*testing.T) string { return "..." }},
		{"malformed: header not JSON", func(t *testing.T) string {
			tok := s.Token(t, entratest.Person, resource)
			return "e30x" + tok[strings.Index(tok, "."):]
		}},
		{"malformed: far too long", func(t *testing.T) string {
			return s.Token(t, entratest.Person, resource) + strings.Repeat("A", 20000)
		}},
	}
	// Keys known first, so an unknown key id is a bad token, not an outage.
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			person, err := v.Person(context.Background(), tc.token(t))
			if err == nil {
				t.Fatalf("accepted as %q", person)
			}
			if !errors.Is(err, entra.ErrRefused) {
				t.Fatalf("err = %v, want ErrRefused", err)
			}
			if w := entra.Words(err); strings.Contains(w, "token") || !strings.Contains(w, "hppbot") {
				t.Errorf("words %q should be plain and say what to do", w)
			}
		})
	}

	// An unknown key id makes one fresh look at the keys (after the rate
	// limit), and the token is still refused.
	before := s.Fetches.Load()
	clock = now.Add(6 * time.Minute)
	_, err := v.Person(context.Background(), entratest.SignWith(t, jwt.SigningMethodRS256, "rotated-away", s.Other, s.Claims(entratest.Person, resource, clock)))
	if !errors.Is(err, entra.ErrRefused) {
		t.Fatalf("unknown key after a refresh: err = %v", err)
	}
	if got := s.Fetches.Load() - before; got != 1 {
		t.Errorf("an unknown key id caused %d fetches, want 1", got)
	}
}

func TestPersonTenantAllowList(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	other := entratest.New(t, entratest.OtherTenant)
	v, err := entra.New(entra.Config{
		// Written as an admin might paste them; Entra's tokens say them in lower case.
		Tenants:   []string{strings.ToUpper(entratest.Tenant), entratest.OtherTenant},
		Audiences: []string{resource}, Authority: s.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, claims := range map[string]jwt.MapClaims{
		"the first tenant":         s.Claims(entratest.Person, resource, time.Now()),
		"a tenant on the list too": other.Claims(entratest.Person, resource, time.Now()),
	} {
		if _, err := v.Person(context.Background(), s.Sign(t, claims)); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}
	third := s.Claims(entratest.Person, resource, time.Now())
	third["tid"], third["iss"] = "00000000-0000-4000-8000-00000000c003", entra.IssuerV1("00000000-0000-4000-8000-00000000c003")
	if _, err := v.Person(context.Background(), s.Sign(t, third)); !errors.Is(err, entra.ErrRefused) {
		t.Errorf("a tenant not on the list: err = %v", err)
	}
}

func TestPersonWhenKeysCannotBeFetched(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	s.Down.Store(true)
	v := newValidator(t, s, nil)
	_, err := v.Person(context.Background(), s.Token(t, entratest.Person, resource))
	if !errors.Is(err, entra.ErrUnavailable) || errors.Is(err, entra.ErrRefused) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if w := entra.Words(err); !strings.Contains(w, "try again") {
		t.Errorf("words %q", w)
	}
}

func TestPersonKnown(t *testing.T) {
	s := entratest.New(t, entratest.Tenant)
	tests := []struct {
		name  string
		known func(context.Context, string) (bool, error)
		want  error
	}{
		{"met in Teams", func(_ context.Context, p string) (bool, error) { return p == "teams:"+entratest.Person, nil }, nil},
		{"not met yet", func(context.Context, string) (bool, error) { return false, nil }, entra.ErrUnknownPerson},
		{"store down", func(context.Context, string) (bool, error) { return false, errors.New("down") }, entra.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := entra.New(entra.Config{Tenants: []string{entratest.Tenant}, Audiences: []string{resource}, Authority: s.URL, Known: tc.known})
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Person(context.Background(), s.Token(t, entratest.Person, resource))
			if !errors.Is(err, tc.want) && err != tc.want {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if w := entra.Words(entra.ErrUnknownPerson); !strings.Contains(w, "Open hppbot in Teams once") {
		t.Errorf("words %q", w)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  entra.Config
		want string
	}{
		{"no tenant", entra.Config{Audiences: []string{resource}}, "MICROSOFT_APP_TENANT_ID"},
		{"tenant not a GUID", entra.Config{Tenants: []string{"nhs"}, Audiences: []string{resource}}, "not a tenant id"},
		{"no audience", entra.Config{Tenants: []string{entratest.Tenant}, Audiences: []string{" "}}, "audience"},
		{"authority not a URL", entra.Config{Tenants: []string{entratest.Tenant}, Audiences: []string{resource}, Authority: "login"}, "not an authority"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := entra.New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestResource(t *testing.T) {
	tests := []struct{ url, app, want string }{
		{"https://hppbot.example.nhs.uk", entratest.AppID, "api://hppbot.example.nhs.uk/" + entratest.AppID},
		{"https://hppbot.example.nhs.uk:8443/", entratest.AppID, "api://hppbot.example.nhs.uk:8443/" + entratest.AppID},
		{"hppbot", entratest.AppID, ""},
		{"https://hppbot.example.nhs.uk", "bot", ""},
	}
	for _, tc := range tests {
		got, err := entra.Resource(tc.url, tc.app)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("Resource(%q, %q) = %q, %v; want %q", tc.url, tc.app, got, err, tc.want)
		}
	}
	if got := entra.MetadataURL("https://login.microsoftonline.com/", entratest.Tenant); got != "https://login.microsoftonline.com/"+entratest.Tenant+"/v2.0/.well-known/openid-configuration" {
		t.Errorf("MetadataURL = %q", got)
	}
}

func FuzzPerson(f *testing.F) {
	s := entratest.New(f, entratest.Tenant)
	v, err := entra.New(entra.Config{Tenants: []string{entratest.Tenant}, Audiences: []string{resource}, Authority: s.URL})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s.Token(f, entratest.Person, resource))
	f.Add(entratest.SignWith(f, jwt.SigningMethodNone, entratest.KeyID, nil, s.Claims(entratest.Person, resource, time.Now())))
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		person, err := v.Person(context.Background(), token)
		if err == nil && person != "teams:"+entratest.Person {
			t.Fatalf("accepted a token as %q", person)
		}
		if err != nil && entra.Words(err) == "" {
			t.Fatal("a refusal without words")
		}
	})
}
