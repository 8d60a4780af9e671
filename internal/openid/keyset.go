// Package openid keeps the signing keys an OpenID provider publishes (its
// metadata document names a jwks_uri; that document holds the keys), for the
// token checks of the Bot Framework (bot/teams) and of Entra ID single
// sign-on (web/entra). Keys are cached, fetched again daily and when a token
// names a key not seen yet, but never more often than a small rate: a flood
// of bad tokens or a provider outage must not turn into a flood of fetches.
// It never logs a token or a key.
package openid

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// maxDocument bounds the metadata and key documents.
	maxDocument = 1 << 20
	// maxKeys bounds how many keys one set keeps; providers publish a handful.
	maxKeys = 100
)

// ErrUnknownKey is a key id the provider doesn't publish, even after a
// fresh look (or while a fresh look is held back by the rate limit).
var ErrUnknownKey = errors.New("unknown signing key")

// Key is one RSA signing key of the set.
type Key struct {
	Public *rsa.PublicKey
	// Endorsements are the channels (e.g. "msteams") the key may sign for,
	// as the Bot Framework publishes them; none means any.
	Endorsements []string
}

// KeySet is a provider's signing keys, fetched when needed. Its zero value
// is not usable: make one with NewKeySet.
type KeySet struct {
	metadataURL string
	name        string // the provider, for log lines: "Bot Framework", "Entra ID"
	http        *http.Client
	log         *slog.Logger
	now         func() time.Time

	// RefreshAge: keys older than this are fetched again. RetryAfter: at
	// most one fetch for an unknown key in this time; RetryEmpty: ... or
	// this, while no keys are known at all.
	RefreshAge, RetryAfter, RetryEmpty time.Duration

	fetchMu sync.Mutex // one fetch at a time
	mu      sync.Mutex
	keys    map[string]Key
	fetched time.Time // when keys were last fetched
	tried   time.Time // when a fetch was last tried
}

// NewKeySet returns the key set of the provider whose OpenID metadata
// document is at metadataURL. now is the clock (nil: time.Now); name names
// the provider in log lines.
func NewKeySet(name, metadataURL string, client *http.Client, log *slog.Logger, now func() time.Time) *KeySet {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &KeySet{
		metadataURL: metadataURL, name: name, http: client, log: log, now: now,
		RefreshAge: 24 * time.Hour, RetryAfter: 5 * time.Minute, RetryEmpty: 10 * time.Second,
	}
}

// Key returns the signing key kid, fetching the key set when it is stale
// or doesn't know kid (not more often than RetryAfter).
func (ks *KeySet) Key(ctx context.Context, kid string) (Key, error) {
	if kid == "" {
		return Key{}, fmt.Errorf("%w: the token names no key", ErrUnknownKey)
	}
	ks.mu.Lock()
	k, known := ks.keys[kid]
	stale := ks.now().Sub(ks.fetched) > ks.RefreshAge
	ks.mu.Unlock()
	if known && !stale {
		return k, nil
	}
	refreshErr := ks.refresh(ctx)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if k, ok := ks.keys[kid]; ok {
		return k, nil
	}
	if refreshErr != nil {
		return Key{}, fmt.Errorf("%w (%v)", ErrUnknownKey, refreshErr)
	}
	return Key{}, ErrUnknownKey
}

// Refresh fetches the key set now (at start-up, so the first token doesn't
// wait).
func (ks *KeySet) Refresh(ctx context.Context) error { return ks.refresh(ctx) }

func (ks *KeySet) refresh(ctx context.Context) error {
	ks.fetchMu.Lock()
	defer ks.fetchMu.Unlock()
	ks.mu.Lock()
	now := ks.now()
	wait := ks.RetryAfter
	if len(ks.keys) == 0 {
		wait = ks.RetryEmpty
	}
	recent := !ks.tried.IsZero() && now.Sub(ks.tried) < wait
	if !recent {
		ks.tried = now
	}
	ks.mu.Unlock()
	if recent {
		// Fetched (or tried) moments ago: a new kid won't be there yet. A
		// stale key keeps working meanwhile.
		return errors.New("signing keys were fetched moments ago")
	}
	keys, err := ks.fetch(ctx)
	if err != nil {
		ks.log.Error("could not fetch the "+ks.name+" signing keys; its tokens can't be checked until they are", "err", err)
		return err
	}
	ks.mu.Lock()
	ks.keys, ks.fetched = keys, ks.now()
	ks.mu.Unlock()
	ks.log.Debug(ks.name+" signing keys fetched", "keys", len(keys))
	return nil
}

func (ks *KeySet) fetch(ctx context.Context) (map[string]Key, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := ks.getJSON(ctx, ks.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("OpenID metadata: %w", err)
	}
	if !strings.HasPrefix(meta.JWKSURI, "https://") && !strings.HasPrefix(meta.JWKSURI, "http://") {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	var set jwkSet
	if err := ks.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys := parseKeySet(set)
	if len(keys) == 0 {
		return nil, errors.New("the key set holds no RSA signing keys")
	}
	return keys, nil
}

func (ks *KeySet) getJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDocument))
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxDocument)).Decode(out)
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

type jwk struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	X5c          []string `json:"x5c"`
	Endorsements []string `json:"endorsements"`
}

// parseKeySet keeps the usable RSA signing keys of a set, at most maxKeys.
func parseKeySet(set jwkSet) map[string]Key {
	out := map[string]Key{}
	for _, k := range set.Keys {
		if len(out) == maxKeys {
			break
		}
		if k.Kid == "" || k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := rsaKey(k)
		if err != nil {
			continue
		}
		out[k.Kid] = Key{Public: pub, Endorsements: k.Endorsements}
	}
	return out
}

func rsaKey(k jwk) (*rsa.PublicKey, error) {
	if k.N != "" && k.E != "" {
		n, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		if err != nil {
			return nil, err
		}
		e, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("bad exponent")
		}
		exp := 0
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
		if pub.N.BitLen() < 2048 || exp < 3 {
			return nil, errors.New("key too weak")
		}
		return pub, nil
	}
	if len(k.X5c) > 0 {
		der, err := base64.StdEncoding.DecodeString(k.X5c[0])
		if err != nil {
			return nil, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 {
			return nil, errors.New("not a usable RSA key")
		}
		return pub, nil
	}
	return nil, errors.New("no key material")
}

// Usable says whether any keys are known: an unknown key id then means a
// token signed elsewhere, not a provider that can't be reached.
func (ks *KeySet) Usable() bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return len(ks.keys) > 0
}
