package openid

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseKeySet(t *testing.T) {
	set := jwkSet{Keys: []jwk{
		{Kty: "RSA", Kid: "short", N: "AQAB", E: "AQAB"},           // far too small
		{Kty: "EC", Kid: "ec"},                                     // not RSA
		{Kty: "RSA", Kid: "enc", Use: "enc", N: "AQAB", E: "AQAB"}, // not for signatures
		{Kty: "RSA", Kid: "bad", N: "!!!", E: "AQAB"},              // not base64
		{Kty: "RSA", Kid: "x5c", X5c: []string{"not-a-cert"}},      // not a certificate
		{Kty: "RSA", Kid: "", N: "AQAB", E: "AQAB"},                // no kid
	}}
	if keys := parseKeySet(set); len(keys) != 0 {
		t.Fatalf("kept %d unusable keys", len(keys))
	}
}

// provider serves metadata and a key set of n copies of one key.
type provider struct {
	srv     *httptest.Server
	n       atomic.Int32
	fetches atomic.Int32
	down    atomic.Bool
}

func newProvider(t *testing.T, key *rsa.PublicKey) *provider {
	p := &provider{}
	p.n.Store(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /meta", func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"jwks_uri": p.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		var keys []map[string]any
		for i := range int(p.n.Load()) {
			keys = append(keys, map[string]any{
				"kty": "RSA", "use": "sig", "kid": fmt.Sprintf("k%d", i+1),
				"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
			})
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func TestKeySetFetchesRarelyAndBounded(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := newProvider(t, &priv.PublicKey)
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ks := NewKeySet("test", p.srv.URL+"/meta", nil, nil, clock)
	ctx := context.Background()

	for range 5 {
		if _, err := ks.Key(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ks.Key(ctx, ""); err == nil {
		t.Error("an empty key id found a key")
	}
	for range 5 {
		if _, err := ks.Key(ctx, "k2"); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("unpublished key: err = %v", err)
		}
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches within the rate limit, want 1", n)
	}
	p.n.Store(500)
	advance(6 * time.Minute)
	if _, err := ks.Key(ctx, "k2"); err != nil {
		t.Fatalf("published key after the limit: %v", err)
	}
	if got := len(ks.keys); got != maxKeys {
		t.Errorf("kept %d keys, want at most %d", got, maxKeys)
	}
	// A day later, with the provider down, the cached keys keep working.
	p.down.Store(true)
	advance(25 * time.Hour)
	if _, err := ks.Key(ctx, "k1"); err != nil {
		t.Fatalf("cached key during an outage: %v", err)
	}
	if err := NewKeySet("test", p.srv.URL+"/nope", nil, nil, nil).Refresh(ctx); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want the metadata's 404", err)
	}
}

// FuzzKeySet: any key document decodes without a panic into at most
// maxKeys usable keys, each RSA of 2048 bits or more.
func FuzzKeySet(f *testing.F) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	n := base64.RawURLEncoding.EncodeToString(priv.N.Bytes())
	f.Add([]byte(`{"keys":[{"kty":"RSA","use":"sig","kid":"k1","n":"` + n + `","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"x","x5c":["MIIB"]},{"kty":"EC","kid":"e"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQABAQAB"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var set jwkSet
		if json.Unmarshal(doc, &set) != nil {
			return
		}
		keys := parseKeySet(set)
		if len(keys) > maxKeys {
			t.Fatalf("%d keys kept", len(keys))
		}
		for kid, k := range keys {
			if kid == "" || k.Public == nil || k.Public.N.BitLen() < 2048 || k.Public.E < 3 {
				t.Fatalf("kept an unusable key %q", kid)
			}
		}
	})
}
