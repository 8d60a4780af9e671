package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/client"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
)

// The library's connector client reads the status of a nil response when
// the token endpoint can't be reached (a panic), shares its token cache
// between goroutines without a lock, and sets no timeouts. Connector is
// hppbot's own: timeouts, a locked token cache refreshed before expiry,
// and a few retries with backoff on network errors, 429 and 5xx.

// botFrameworkScope is what the bot asks a token for.
const botFrameworkScope = "https://api.botframework.com/.default"

// DefaultTokenURL is the multi-tenant token endpoint
// (BOTFRAMEWORK_TOKEN_URL's default).
const DefaultTokenURL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"

// TenantTokenURL is a single-tenant app's token endpoint.
func TenantTokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// maxResponse bounds what is read from the connector or token endpoint.
const maxResponse = 1 << 20

// Connector sends to the Bot Connector service. It implements the
// library's client.Client for the adapter.
type Connector struct {
	appID, password, tokenURL string
	http                      *http.Client
	log                       *slog.Logger
	now                       func() time.Time
	sleep                     func(ctx context.Context, d time.Duration) error
	attempts                  int           // tries per call, the first included
	backoff                   time.Duration // before the second try; doubles
	callTimeout               time.Duration // for calls that come without a context

	fetchMu sync.Mutex // one token fetch at a time
	mu      sync.Mutex
	token   string
	renew   time.Time // when to fetch a new token (before it expires)
}

// NewConnector returns a Connector that gets its tokens from tokenURL with
// the app's id and password (client credentials).
func NewConnector(appID, password, tokenURL string, hc *http.Client, log *slog.Logger) *Connector {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Connector{
		appID: appID, password: password, tokenURL: tokenURL, http: hc, log: log,
		now: time.Now, sleep: sleepCtx, attempts: 3, backoff: 400 * time.Millisecond, callTimeout: 20 * time.Second,
	}
}

// oneAttemptKey marks a call the delivery queue makes: a 429 or 5xx is
// handed back to it, not retried inside the call, so the two don't both
// retry (and a post is not repeated behind the queue's back).
type oneAttemptKey struct{}

func oneAttempt(ctx context.Context) bool {
	v, _ := ctx.Value(oneAttemptKey{}).(bool)
	return v
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ConnectorError is a refusal from the connector or the token endpoint.
type ConnectorError struct {
	Op     string // what was being done, e.g. "POST /v3/conversations/{id}/activities"
	Status int    // the HTTP status; 0 when no answer came
	Code   string // the error code in the answer, e.g. invalid_client, BotDisabledByAdmin
	Err    error  // the network error, when no answer came
	// RetryAfter is what a 429's Retry-After asked for.
	RetryAfter time.Duration
}

func (e *ConnectorError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("teams: %s: %v", e.Op, e.Err)
	case e.Code != "":
		return fmt.Sprintf("teams: %s: %d %s", e.Op, e.Status, e.Code)
	}
	return fmt.Sprintf("teams: %s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
}

func (e *ConnectorError) Unwrap() error { return e.Err }

// retryable reports whether trying again may help.
func (e *ConnectorError) retryable() bool {
	return e.Status == 0 || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Bind returns a client.Client whose calls run under ctx, for the library's
// adapter (whose Client interface takes no context).
func (c *Connector) Bind(ctx context.Context) client.Client { return bound{c, ctx} }

type bound struct {
	c   *Connector
	ctx context.Context
}

// Post posts an activity; the id Teams gives it is reported to whoever
// asked (bot.WithSent: the delivery queue, so the message can be updated).
func (b bound) Post(u url.URL, a schema.Activity) error {
	var answer activityAnswer
	if err := b.c.Do(b.ctx, http.MethodPost, u.String(), a, &answer); err != nil {
		return err
	}
	bot.ReportSent(b.ctx, bot.MessageRef{Conv: u.String(), ID: answer.ID})
	return nil
}

// activityAnswer is the connector's answer to a post (a ResourceResponse).
// An answer without one is no failure: the post went.
type activityAnswer struct {
	ID string `json:"id"`
}

func (b bound) Put(u url.URL, a schema.Activity) error {
	return b.c.Do(b.ctx, http.MethodPut, u.String(), a, nil)
}
func (b bound) Delete(u url.URL, a schema.Activity) error {
	return b.c.Do(b.ctx, http.MethodDelete, u.String(), nil, nil)
}

// Post implements client.Client (with the call timeout, as it has no context).
func (c *Connector) Post(u url.URL, a schema.Activity) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.callTimeout)
	defer cancel()
	return c.Do(ctx, http.MethodPost, u.String(), a, nil)
}

// Put implements client.Client.
func (c *Connector) Put(u url.URL, a schema.Activity) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.callTimeout)
	defer cancel()
	return c.Do(ctx, http.MethodPut, u.String(), a, nil)
}

// Delete implements client.Client.
func (c *Connector) Delete(u url.URL, a schema.Activity) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.callTimeout)
	defer cancel()
	return c.Do(ctx, http.MethodDelete, u.String(), nil, nil)
}

// Do sends one request to the connector with a bearer token: body (if not
// nil) as JSON, the answer decoded into out (if not nil). It tries again
// after a network error, 429 (honouring Retry-After) or 5xx, and once with
// a new token after a 401.
func (c *Connector) Do(ctx context.Context, method, target string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("teams: encoding a request: %w", err)
		}
	}
	op := method + " " + opPath(target)
	renewed := false
	attempts := c.attempts
	if oneAttempt(ctx) {
		attempts = 1
	}
	for attempt := 1; ; attempt++ {
		wait, err := c.once(ctx, op, method, target, payload, out)
		if err == nil {
			return nil
		}
		var ce *ConnectorError
		if errors.As(err, &ce) {
			ce.RetryAfter = wait
		}
		retry := errors.As(err, &ce) && ce.retryable() && attempts > 1
		renewNow := false
		if errors.As(err, &ce) && ce.Status == http.StatusUnauthorized && !renewed && !strings.HasPrefix(ce.Op, "token") {
			// The token may have been revoked or rotated: get a new one.
			c.dropToken()
			renewed, retry, renewNow = true, true, true
		}
		if !retry || (attempt >= attempts && !renewNow) || ctx.Err() != nil {
			return err
		}
		if wait <= 0 {
			wait = c.backoff << (attempt - 1)
			wait += time.Duration(rand.Int64N(int64(wait)/4 + 1))
		}
		if err := c.sleep(ctx, min(wait, 10*time.Second)); err != nil {
			return &ConnectorError{Op: op, Err: err}
		}
	}
}

// once makes one attempt; wait is what a 429's Retry-After asked for.
func (c *Connector) once(ctx context.Context, op, method, target string, payload []byte, out any) (wait time.Duration, err error) {
	token, err := c.Token(ctx)
	if err != nil {
		return 0, err
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, fmt.Errorf("teams: %s: %w", op, err)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, &ConnectorError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := errorCode(io.LimitReader(resp.Body, maxResponse))
		return retryAfter(resp.Header.Get("Retry-After")), &ConnectorError{Op: op, Status: resp.StatusCode, Code: code}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
		return 0, nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
		if _, ok := out.(*activityAnswer); ok {
			return 0, nil
		}
		return 0, fmt.Errorf("teams: %s: reading the answer: %w", op, err)
	}
	return 0, nil
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// opPath names a request for errors and logs without ids in it.
func opPath(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "request"
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(parts) - 1; i > 0; i-- {
		switch parts[i-1] {
		case "conversations", "activities", "members":
			parts[i] = "{id}"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// Token returns a bearer token for the connector, fetching a new one when
// the cached one is near its expiry.
func (c *Connector) Token(ctx context.Context) (string, error) {
	if t := c.cached(); t != "" {
		return t, nil
	}
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if t := c.cached(); t != "" {
		return t, nil // another call fetched it meanwhile
	}
	token, life, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	// Renew well before expiry: five minutes early, or halfway for short lives.
	early := min(5*time.Minute, life/2)
	c.mu.Lock()
	c.token, c.renew = token, c.now().Add(life-early)
	c.mu.Unlock()
	return token, nil
}

func (c *Connector) cached() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.renew) {
		return c.token
	}
	return ""
}

func (c *Connector) dropToken() {
	c.mu.Lock()
	c.token = ""
	c.mu.Unlock()
}

func (c *Connector) fetchToken(ctx context.Context) (string, time.Duration, error) {
	const op = "token request"
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.appID},
		"client_secret": {c.password},
		"scope":         {botFrameworkScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("teams: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, &ConnectorError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Error       string          `json:"error"`
	}
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&answer)
	if resp.StatusCode != http.StatusOK {
		code := ""
		if decodeErr == nil && len(answer.Error) < 64 {
			code = answer.Error
		}
		return "", 0, &ConnectorError{Op: op, Status: resp.StatusCode, Code: code}
	}
	if decodeErr != nil || answer.AccessToken == "" {
		return "", 0, &ConnectorError{Op: op, Status: http.StatusBadGateway, Code: "no access token in the answer"}
	}
	life := time.Hour
	if s := strings.Trim(string(answer.ExpiresIn), `"`); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			life = time.Duration(n) * time.Second
		}
	}
	return answer.AccessToken, life, nil
}

// conversationsURL is the connector's conversations endpoint for a service.
func conversationsURL(serviceURL string, parts ...string) string {
	u := strings.TrimSuffix(serviceURL, "/") + "/v3/conversations"
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}

// member is a conversation member as the connector describes one.
type member struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	AADObjectID string `json:"aadObjectId"`
}

// Member looks up one member of a conversation (to learn the Entra object
// id of someone mentioned).
func (c *Connector) Member(ctx context.Context, serviceURL, conversation, user string) (member, error) {
	var m member
	err := c.Do(ctx, http.MethodGet, conversationsURL(serviceURL, conversation, "members", user), nil, &m)
	return m, err
}

// conversationParams asks the connector for a new conversation.
type conversationParams struct {
	IsGroup     bool             `json:"isGroup"`
	Bot         account          `json:"bot"`
	Members     []account        `json:"members"`
	TenantID    string           `json:"tenantId,omitempty"`
	ChannelData *teamsData       `json:"channelData,omitempty"`
	Activity    *schema.Activity `json:"activity,omitempty"`
}

type account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// CreateConversation starts a one-to-one conversation between the bot and
// user, returning its id.
func (c *Connector) CreateConversation(ctx context.Context, serviceURL, bot, user, tenant string) (string, error) {
	p := conversationParams{Bot: account{ID: bot}, Members: []account{{ID: user}}, TenantID: tenant}
	if tenant != "" {
		p.ChannelData = &teamsData{Tenant: &idName{ID: tenant}}
	}
	var answer struct {
		ID string `json:"id"`
	}
	if err := c.Do(ctx, http.MethodPost, conversationsURL(serviceURL), p, &answer); err != nil {
		return "", err
	}
	if answer.ID == "" {
		return "", &ConnectorError{Op: "POST /v3/conversations", Status: http.StatusBadGateway, Code: "no conversation id in the answer"}
	}
	return answer.ID, nil
}
