// Package entra checks the Entra ID (Azure AD) access tokens that the Teams
// personal tab gets by Teams single sign-on (getAuthToken in the Teams
// JavaScript library) and says which hppbot person each one is: the same
// person id the Teams surface gives that person in chat, so the pages apply
// the same access rules as chat.
//
// A token is accepted only when it is RS256-signed by a key the tenant's
// OpenID metadata publishes, is for this app (audience), from a tenant this
// deployment serves (tid claim and issuer), within its lifetime (a small
// leeway for clocks), a person's delegated token (scope access_as_user, not
// an app's), and carries the person's object id. It never logs a token or
// its claims; refusals name a reason in words only.
package entra

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"hppbot/bot"
	"hppbot/internal/openid"
)

const (
	// DefaultAuthority is Entra ID's sign-in host (HPP_ENTRA_AUTHORITY).
	DefaultAuthority = "https://login.microsoftonline.com"
	// Scope is the delegated scope the app exposes for the tab.
	Scope = "access_as_user"
	// leeway is how far exp and nbf may be off between the clocks.
	leeway = 2 * time.Minute
	// maxToken bounds what is parsed at all; Entra's tokens are 1–3 KB.
	maxToken = 16 << 10
)

// Errors from Person. Each wraps ErrRefused except ErrUnavailable; Words
// gives what to tell the person.
var (
	// ErrRefused is a token that isn't accepted: not signed by the tenant,
	// for another app or tenant, expired, or not a token at all.
	ErrRefused = errors.New("entra: sign-in token refused")
	// ErrUnknownPerson is a good token for someone hppbot hasn't met in
	// Teams yet (only when Config.Known is set).
	ErrUnknownPerson = fmt.Errorf("%w: hppbot hasn't met this person in Teams yet", ErrRefused)
	// ErrUnavailable is a token that couldn't be checked: the tenant's
	// signing keys couldn't be fetched, or Config.Known failed.
	ErrUnavailable = errors.New("entra: sign-in can't be checked just now")
)

// Config says which tokens to accept. Tenants and Audiences are needed.
type Config struct {
	// Tenants are the Entra tenant ids (GUIDs) whose people may sign in;
	// the first one's OpenID metadata gives the signing keys (Entra signs
	// every tenant's tokens with the same keys). Usually one:
	// MICROSOFT_APP_TENANT_ID.
	Tenants []string
	// Audiences are the accepted aud values: the app's resource
	// (api://<host>/<app id>, see Resource) and the app id itself (v2
	// tokens carry the app id).
	Audiences []string
	// Authority is Entra's sign-in host (DefaultAuthority when empty); the
	// tests point it at entratest's stand-in.
	Authority string
	// Known, when set, says whether hppbot has met this person (their
	// person id) in Teams; a token for someone it hasn't is refused with
	// ErrUnknownPerson.
	Known      func(ctx context.Context, person string) (bool, error)
	HTTPClient *http.Client
	Log        *slog.Logger
	Now        func() time.Time // nil: time.Now
}

// Validator checks Teams SSO tokens. Make one with New.
type Validator struct {
	audiences []string
	issuers   map[string]string // accepted issuer -> its tenant
	known     func(ctx context.Context, person string) (bool, error)
	keys      *openid.KeySet
	now       func() time.Time
	log       *slog.Logger
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsTenantID says whether s is a tenant id (a GUID), not a domain name.
func IsTenantID(s string) bool { return guidPattern.MatchString(s) }

// New returns a Validator for cfg.
func New(cfg Config) (*Validator, error) {
	if len(cfg.Tenants) == 0 {
		return nil, errors.New("entra: needs the tenant id (MICROSOFT_APP_TENANT_ID) whose people sign in")
	}
	var tenants []string
	for _, t := range cfg.Tenants {
		if !guidPattern.MatchString(t) {
			return nil, fmt.Errorf("entra: %q is not a tenant id: it should look like 00000000-0000-0000-0000-000000000000 (Directory (tenant) ID in Entra ID)", t)
		}
		tenants = append(tenants, strings.ToLower(t)) // as Entra writes them in tokens
	}
	var auds []string
	for _, a := range cfg.Audiences {
		if a = strings.TrimSpace(a); a != "" {
			auds = append(auds, a)
		}
	}
	if len(auds) == 0 {
		return nil, errors.New("entra: needs the app's resource (api://<host>/<app id>) or app id as the audience")
	}
	authority := strings.TrimSuffix(cfg.Authority, "/")
	if authority == "" {
		authority = DefaultAuthority
	}
	if u, err := url.Parse(authority); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("entra: %q is not an authority URL: it should look like %s", cfg.Authority, DefaultAuthority)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &Validator{
		audiences: auds, issuers: map[string]string{},
		known: cfg.Known, now: now, log: log,
	}
	for _, t := range tenants {
		v.issuers[IssuerV1(t)] = t
		v.issuers[IssuerV2(t)] = t
		// A national cloud's authority (HPP_ENTRA_AUTHORITY) issues v2.0
		// tokens under its own address, as its metadata (the keys'
		// source) says.
		v.issuers[authority+"/"+t+"/v2.0"] = t
	}
	v.keys = openid.NewKeySet("Entra ID", MetadataURL(authority, tenants[0]), cfg.HTTPClient, log, now)
	return v, nil
}

// MetadataURL is a tenant's OpenID metadata document at authority.
func MetadataURL(authority, tenant string) string {
	return strings.TrimSuffix(authority, "/") + "/" + tenant + "/v2.0/.well-known/openid-configuration"
}

// IssuerV1 is the issuer of a tenant's v1.0 access tokens (what Teams SSO
// gets unless the app asks for v2 tokens in its manifest).
func IssuerV1(tenant string) string { return "https://sts.windows.net/" + tenant + "/" }

// IssuerV2 is the issuer of a tenant's v2.0 access tokens.
func IssuerV2(tenant string) string { return "https://login.microsoftonline.com/" + tenant + "/v2.0" }

// Resource is the app's Application ID URI for the Teams tab:
// api://<host of publicURL>/<app id>, as Teams SSO requires.
func Resource(publicURL, appID string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not a web address: it should look like https://hppbot.example.nhs.uk", publicURL)
	}
	if !guidPattern.MatchString(appID) {
		return "", fmt.Errorf("%q is not an app id: it should look like 00000000-0000-0000-0000-000000000000", appID)
	}
	return "api://" + u.Host + "/" + appID, nil
}

// Refresh fetches the tenant's signing keys now (at start-up, so the first
// sign-in doesn't wait).
func (v *Validator) Refresh(ctx context.Context) error { return v.keys.Refresh(ctx) }

// TeamsSSO is Person for a request: the shape web.Config's TeamsSSO takes.
func (v *Validator) TeamsSSO(r *http.Request, token string) (string, error) {
	return v.Person(r.Context(), token)
}

// claims are the parts of an Entra access token hppbot reads.
type claims struct {
	jwt.RegisteredClaims
	Tenant   string `json:"tid"`
	ObjectID string `json:"oid"`
	Scope    string `json:"scp"`
}

// Person checks token and returns the person id it signs in: bot's Teams
// person id for the token's object id (oid), as the Teams surface names a
// person by their Entra object id.
func (v *Validator) Person(ctx context.Context, token string) (string, error) {
	c, err := v.check(ctx, strings.TrimSpace(token))
	if err != nil {
		return "", err
	}
	person := bot.PersonID(bot.Teams, c.ObjectID)
	if v.known != nil {
		ok, err := v.known(ctx, person)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if !ok {
			return "", ErrUnknownPerson
		}
	}
	return person, nil
}

func (v *Validator) check(ctx context.Context, token string) (*claims, error) {
	if token == "" || len(token) > maxToken {
		return nil, fmt.Errorf("%w: no token, or far too long", ErrRefused)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}), // never none or HS256
		jwt.WithAudience(v.audiences...),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(v.now),
	)
	var c claims
	var keysDown error
	_, err := parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := v.keys.Key(ctx, kid)
		if err != nil {
			if !v.keys.Usable() {
				// No keys at all: the tenant's metadata can't be reached,
				// which says nothing about the token.
				keysDown = err
			}
			return nil, err
		}
		return k.Public, nil
	})
	if keysDown != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, keysDown)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	tenant, ok := v.issuers[c.Issuer]
	if !ok {
		return nil, fmt.Errorf("%w: issued by another tenant or service", ErrRefused)
	}
	if !strings.EqualFold(c.Tenant, tenant) {
		return nil, fmt.Errorf("%w: tenant claim doesn't match the issuer", ErrRefused)
	}
	if !slices.Contains(strings.Fields(c.Scope), Scope) {
		return nil, fmt.Errorf("%w: not a person's %s token", ErrRefused, Scope)
	}
	if !guidPattern.MatchString(c.ObjectID) {
		return nil, fmt.Errorf("%w: no object id", ErrRefused)
	}
	return &c, nil
}

// Words is what to tell the person when Person returns err: plain, with
// what to do next, never the reason in the error's own text.
func Words(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrUnknownPerson):
		return "hppbot hasn't met you in Teams yet. Open hppbot in Teams once (say hello in your chat with it), then open this tab again."
	case errors.Is(err, ErrUnavailable):
		return "Teams sign-in can't be checked just now. Nothing is lost: try again in a few minutes, or type web in your chat with hppbot for a sign-in link."
	default:
		return "Teams couldn't confirm who you are for this tab. Close the tab and open it again; if it still doesn't work, type web in your chat with hppbot for a sign-in link."
	}
}
