// Package entratest is a stand-in for Entra ID in tests: an httptest server
// that serves a tenant's OpenID metadata and signing keys, and mints the
// access tokens Teams single sign-on would hand the tab. Point
// entra.Config.Authority at Server.URL. Test use only: its keys are made
// for each test binary and published to anyone who asks.
package entratest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hppbot/web/entra"
)

// Synthetic ids for tests.
const (
	Tenant      = "00000000-0000-4000-8000-00000000a001"
	OtherTenant = "00000000-0000-4000-8000-00000000b002"
	AppID       = "11111111-2222-3333-4444-555555555555"
	// Person is an Entra object id; the Teams surface names this person
	// "teams:" + Person.
	Person = "aaaaaaaa-0000-4000-8000-000000000001"
	// KeyID names the published key; Key signs with it.
	KeyID = "stand-in-key-1"
)

var (
	keysOnce sync.Once
	keys     [2]*rsa.PrivateKey
)

// testKeys makes two RSA keys once per test binary: the published one and
// another that no metadata names.
func testKeys() [2]*rsa.PrivateKey {
	keysOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic("entratest: " + err.Error())
			}
			keys[i] = k
		}
	})
	return keys
}

// Server is the stand-in Entra ID for one tenant.
type Server struct {
	URL    string // the authority: entra.Config.Authority
	Tenant string
	// Key is the published signing key; Other is a key nobody publishes.
	Key, Other *rsa.PrivateKey
	// Fetches counts key set fetches; Down makes metadata answer 503.
	Fetches atomic.Int32
	Down    atomic.Bool
}

// New starts the stand-in for tenant, closed when the test ends.
func New(t testing.TB, tenant string) *Server {
	t.Helper()
	k := testKeys()
	s := &Server{Tenant: tenant, Key: k[0], Other: k[1]}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if s.Down.Load() || r.PathValue("tenant") != s.Tenant {
			http.Error(w, "not here", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                entra.IssuerV2(s.Tenant),
			"jwks_uri":                              s.URL + "/" + s.Tenant + "/discovery/v2.0/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		s.Fetches.Add(1)
		pub := s.Key.PublicKey
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "use": "sig", "kid": KeyID,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Resource is the audience Teams SSO tokens carry for AppID on a server
// at publicURL's host, e.g. api://127.0.0.1:8080/<AppID>.
func Resource(host string) string { return "api://" + host + "/" + AppID }

// Claims are a valid v1.0 access token's claims for the person oid and
// audience, as Teams SSO gets them, valid for an hour from now.
func (s *Server) Claims(oid, audience string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"aud": audience, "iss": entra.IssuerV1(s.Tenant), "tid": s.Tenant, "oid": oid,
		"scp": entra.Scope, "ver": "1.0", "name": "Test Person", "appid": "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// Token is a valid token for the person oid and audience, signed with the
// published key.
func (s *Server) Token(t testing.TB, oid, audience string) string {
	t.Helper()
	return s.Sign(t, s.Claims(oid, audience, time.Now()))
}

// Sign signs claims RS256 with the published key under KeyID.
func (s *Server) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	return SignWith(t, jwt.SigningMethodRS256, KeyID, s.Key, claims)
}

// SignWith signs claims with any method, key id and key (nil key with
// jwt.SigningMethodNone makes an unsigned token), for tokens that must be
// refused.
func SignWith(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("entratest: signing: %v", err)
	}
	return s
}

// Validator is an entra.Validator that trusts this stand-in's tenant, for
// tokens whose audience is audience (or AppID); what web.Config.TeamsSSO
// takes is its TeamsSSO method.
func (s *Server) Validator(t testing.TB, audience string) *entra.Validator {
	t.Helper()
	v, err := entra.New(entra.Config{Tenants: []string{s.Tenant}, Audiences: []string{audience, AppID}, Authority: s.URL})
	if err != nil {
		t.Fatalf("entratest: %v", err)
	}
	return v
}
