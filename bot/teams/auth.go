package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/internal/openid"
)

// The Bot Framework signs every activity it sends to the bot with a JWT:
// https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
// The library's own validator fetches the OpenID document on every request
// and can't be pointed at another one, so hppbot brings its own: keys are
// kept by internal/openid (shared with web/entra's single sign-on), cached,
// refreshed daily and when a token names a key not seen yet.

const (
	// botFrameworkIssuer issues the tokens channels send to bots.
	botFrameworkIssuer = "https://api.botframework.com"
	// clockSkew is how far exp and nbf may be off.
	clockSkew = 5 * time.Minute
)

// errUnauthorized is every rejection; the reason is in the wrapped text,
// which names no token contents.
var errUnauthorized = errors.New("teams: request not authenticated")

// Validator checks the Bot Framework's tokens. It implements the library's
// auth.TokenValidator, so the adapter's ParseRequest uses it.
type Validator struct {
	appID   string
	issuers []string
	now     func() time.Time
	log     *slog.Logger
	keys    *openid.KeySet
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
	v := &Validator{appID: appID, issuers: issuers, now: time.Now, log: log}
	// The key set reads v.now each time, so a test that sets v.now moves it too.
	v.keys = openid.NewKeySet("Bot Framework", openIDURL, client, log, func() time.Time { return v.now() })
	return v
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
		k, err := v.keys.Key(ctx, kid)
		if err != nil {
			return nil, err
		}
		if len(k.Endorsements) > 0 && !slices.Contains(k.Endorsements, channel) {
			return nil, errors.New("key not endorsed for this channel")
		}
		return k.Public, nil
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

// Refresh fetches the key set now (at start-up, so the first message
// doesn't wait).
func (v *Validator) Refresh(ctx context.Context) error { return v.keys.Refresh(ctx) }

// claimsIdentity is the library's ClaimsIdentity over checked claims; its
// own implementation panics on a claim that isn't a string.
type claimsIdentity jwt.MapClaims

func (c claimsIdentity) GetClaimValue(name string) string {
	s, _ := c[name].(string)
	return s
}

func (c claimsIdentity) IsAuthenticated() bool { return true }
