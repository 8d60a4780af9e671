package teams

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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// The Bot Framework signs every activity it sends to the bot with a JWT:
// https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
// The library's own validator fetches the OpenID document on every request
// and can't be pointed at another one, so hppbot brings its own: keys are
// cached, refreshed daily and when a token names a key not seen yet.

const (
	// botFrameworkIssuer issues the tokens channels send to bots.
	botFrameworkIssuer = "https://api.botframework.com"
	// clockSkew is how far exp and nbf may be off.
	clockSkew = 5 * time.Minute
	// maxDocument bounds the OpenID and key documents.
	maxDocument = 1 << 20
)

// errUnauthorized is every rejection; the reason is in the wrapped text,
// which names no token contents.
var errUnauthorized = errors.New("teams: request not authenticated")

// Validator checks the Bot Framework's tokens. It implements the library's
// auth.TokenValidator, so the adapter's ParseRequest uses it.
type Validator struct {
	appID      string
	issuers    []string
	openIDURL  string
	http       *http.Client
	now        func() time.Time
	log        *slog.Logger
	refreshAge time.Duration // keys older than this are fetched again
	retryAfter time.Duration // at most one fetch for an unknown key in this time
	retryEmpty time.Duration // ... or this, while no keys are known at all

	fetchMu sync.Mutex // one fetch at a time
	mu      sync.Mutex
	keys    map[string]signingKey
	fetched time.Time // when keys were last fetched
	tried   time.Time // when a fetch was last tried
}

// signingKey is one key from the key set.
type signingKey struct {
	pub *rsa.PublicKey
	// endorsements are the channels (e.g. "msteams") the key may sign for;
	// none means any.
	endorsements []string
}

// NewValidator returns a Validator for the bot appID. openIDURL is the
// OpenID metadata document (BOTFRAMEWORK_OPENID_METADATA); tenant, when
// set, adds a single-tenant app's own tenant as an accepted issuer.
func NewValidator(appID, tenant, openIDURL string, client *http.Client, log *slog.Logger) *Validator {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	issuers := []string{botFrameworkIssuer}
	if tenant != "" {
		issuers = append(issuers,
			"https://sts.windows.net/"+tenant+"/",
			"https://login.microsoftonline.com/"+tenant+"/v2.0")
	}
	return &Validator{
		appID: appID, issuers: issuers, openIDURL: openIDURL, http: client, now: time.Now, log: log,
		refreshAge: 24 * time.Hour, retryAfter: 5 * time.Minute, retryEmpty: 10 * time.Second,
	}
}

// AuthenticateRequest implements auth.TokenValidator: it checks the bearer
// token of an activity and returns its claims.
func (v *Validator) AuthenticateRequest(ctx context.Context, act schema.Activity, authHeader string, _ auth.CredentialProvider, _ string) (auth.ClaimsIdentity, error) {
	claims, err := v.Validate(ctx, authHeader, act.ServiceURL, act.ChannelID)
	if err != nil {
		return nil, err
	}
	return claimsIdentity(claims), nil
}

// Validate checks an Authorization header for an activity from serviceURL
// on channel (the activity's channelId).
func (v *Validator) Validate(ctx context.Context, authHeader, serviceURL, channel string) (jwt.MapClaims, error) {
	scheme, raw, ok := strings.Cut(strings.TrimSpace(authHeader), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: no bearer token", errUnauthorized)
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no key id")
		}
		k, err := v.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		if len(k.endorsements) > 0 && !slices.Contains(k.endorsements, channel) {
			return nil, errors.New("key not endorsed for this channel")
		}
		return k.pub, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnauthorized, err)
	}
	if err := v.checkClaims(claims, serviceURL); err != nil {
		return nil, fmt.Errorf("%w: %v", errUnauthorized, err)
	}
	return claims, nil
}

func (v *Validator) checkClaims(c jwt.MapClaims, serviceURL string) error {
	now := v.now()
	iss, _ := c["iss"].(string)
	if !slices.Contains(v.issuers, iss) {
		return errors.New("wrong issuer")
	}
	if !audienceIs(c["aud"], v.appID) {
		return errors.New("wrong audience")
	}
	exp, ok := numericDate(c["exp"])
	if !ok {
		return errors.New("no expiry")
	}
	if !now.Before(exp.Add(clockSkew)) {
		return errors.New("expired")
	}
	if _, present := c["nbf"]; present {
		nbf, ok := numericDate(c["nbf"])
		if !ok || now.Add(clockSkew).Before(nbf) {
			return errors.New("not valid yet")
		}
	}
	su, _ := c["serviceurl"].(string)
	if su == "" || serviceURL == "" || !strings.EqualFold(strings.TrimSuffix(su, "/"), strings.TrimSuffix(serviceURL, "/")) {
		return errors.New("serviceurl claim does not match the activity")
	}
	return nil
}

func audienceIs(aud any, appID string) bool {
	switch a := aud.(type) {
	case string:
		return a != "" && a == appID
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && s != "" && s == appID {
				return true
			}
		}
	}
	return false
}

func numericDate(v any) (time.Time, bool) {
	switch n := v.(type) {
	case float64:
		if n <= 0 || n > 1<<40 {
			return time.Time{}, false
		}
		return time.Unix(int64(n), 0), true
	case json.Number:
		i, err := n.Int64()
		if err != nil || i <= 0 {
			return time.Time{}, false
		}
		return time.Unix(i, 0), true
	}
	return time.Time{}, false
}

// key returns the signing key kid, fetching the key set when it is stale
// or doesn't know kid (not more often than retryAfter).
func (v *Validator) key(ctx context.Context, kid string) (signingKey, error) {
	v.mu.Lock()
	k, known := v.keys[kid]
	stale := v.now().Sub(v.fetched) > v.refreshAge
	v.mu.Unlock()
	if known && !stale {
		return k, nil
	}
	refreshErr := v.refresh(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if refreshErr != nil {
		return signingKey{}, fmt.Errorf("unknown signing key (%v)", refreshErr)
	}
	return signingKey{}, errors.New("unknown signing key")
}

// Refresh fetches the key set now (at start-up, so the first message
// doesn't wait).
func (v *Validator) Refresh(ctx context.Context) error { return v.refresh(ctx) }

func (v *Validator) refresh(ctx context.Context) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	v.mu.Lock()
	now := v.now()
	wait := v.retryAfter
	if len(v.keys) == 0 {
		wait = v.retryEmpty
	}
	recent := !v.tried.IsZero() && now.Sub(v.tried) < wait
	v.mu.Unlock()
	if recent {
		// Fetched (or tried) moments ago: a new kid won't be there yet, and
		// a flood of bad tokens or a metadata outage mustn't turn into a
		// flood of fetches. A stale key keeps working meanwhile.
		return errors.New("signing keys were fetched moments ago")
	}
	v.mu.Lock()
	v.tried = now
	v.mu.Unlock()
	keys, err := v.fetchKeys(ctx)
	if err != nil {
		v.log.Error("could not fetch the Bot Framework signing keys; Teams messages can't be checked until they are", "err", err)
		return err
	}
	v.mu.Lock()
	v.keys, v.fetched = keys, v.now()
	v.mu.Unlock()
	v.log.Debug("Bot Framework signing keys fetched", "keys", len(keys))
	return nil
}

func (v *Validator) fetchKeys(ctx context.Context) (map[string]signingKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, v.openIDURL, &meta); err != nil {
		return nil, fmt.Errorf("OpenID metadata: %w", err)
	}
	if !strings.HasPrefix(meta.JWKSURI, "https://") && !strings.HasPrefix(meta.JWKSURI, "http://") {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	var set jwkSet
	if err := v.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	keys := parseKeySet(set)
	if len(keys) == 0 {
		return nil, errors.New("the key set holds no RSA signing keys")
	}
	return keys, nil
}

func (v *Validator) getJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.http.Do(req)
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

// parseKeySet keeps the usable RSA signing keys of a set.
func parseKeySet(set jwkSet) map[string]signingKey {
	out := map[string]signingKey{}
	for _, k := range set.Keys {
		if k.Kid == "" || k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := rsaKey(k)
		if err != nil {
			continue
		}
		out[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
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

// claimsIdentity is the library's ClaimsIdentity over checked claims; its
// own implementation panics on a claim that isn't a string.
type claimsIdentity jwt.MapClaims

func (c claimsIdentity) GetClaimValue(name string) string {
	s, _ := c[name].(string)
	return s
}

func (c claimsIdentity) IsAuthenticated() bool { return true }
