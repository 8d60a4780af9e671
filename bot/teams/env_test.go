package teams

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// The test environment: a local OpenID metadata + key set server, a local
// token endpoint, and a fake Bot Connector, all on httptest; an RSA key
// that signs activity tokens; and a store of the test's own.

const (
	testAppID  = "11111111-2222-3333-4444-555555555555"
	testBotID  = "28:" + testAppID
	testTenant = "tenant-0001"
	testToken  = "local-bearer-token-1"
)

var (
	keyOnce sync.Once
	rsaKeys [2]*rsa.PrivateKey
)

// signingKeys returns two RSA keys, made once per test binary.
func signingKeys(t testing.TB) [2]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys[i] = k
		}
	})
	return rsaKeys
}

// identity serves the OpenID metadata and the key set.
type identity struct {
	srv       *httptest.Server
	keys      [2]*rsa.PrivateKey
	published atomic.Int32 // how many keys the set holds (1 or 2)
	fetches   atomic.Int32 // key set fetches
	down      atomic.Bool
	endorse   []string
}

func newIdentity(t testing.TB) *identity {
	id := &identity{keys: signingKeys(t)}
	id.published.Store(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		if id.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": botFrameworkIssuer, "jwks_uri": id.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		id.fetches.Add(1)
		var keys []map[string]any
		for i := 0; i < int(id.published.Load()); i++ {
			pub := id.keys[i].PublicKey
			k := map[string]any{
				"kty": "RSA", "use": "sig", "kid": fmt.Sprintf("k%d", i+1),
				"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			}
			if id.endorse != nil {
				k["endorsements"] = id.endorse
			}
			keys = append(keys, k)
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	id.srv = httptest.NewServer(mux)
	t.Cleanup(id.srv.Close)
	return id
}

func (id *identity) metadataURL() string { return id.srv.URL + "/v1/.well-known/openidconfiguration" }

// tokenFor signs a token with key k1 (or the kid given) for claims.
func (id *identity) sign(t testing.TB, kid string, claims jwt.MapClaims) string {
	t.Helper()
	key := id.keys[0]
	if kid == "k2" {
		key = id.keys[1]
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validClaims are what the Bot Framework puts in a token for serviceURL.
func validClaims(serviceURL string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": botFrameworkIssuer, "aud": testAppID, "serviceurl": serviceURL,
		"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Add(-time.Minute).Unix(),
	}
}

// tokenServer is the local token endpoint.
type tokenServer struct {
	srv    *httptest.Server
	calls  atomic.Int32
	fail   atomic.Int32 // answer 503 this many times first
	expiry atomic.Int32 // expires_in; default 3600
}

func newTokenServer(t testing.TB) *tokenServer {
	ts := &tokenServer{}
	ts.expiry.Store(3600)
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		if ts.fail.Load() > 0 {
			ts.fail.Add(-1)
			http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost ||
			r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != testAppID ||
			r.PostForm.Get("client_secret") != "test-password" || r.PostForm.Get("scope") != botFrameworkScope {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": ts.expiry.Load(), "access_token": testToken})
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

// sent is one request the fake connector took.
type sent struct {
	Method, Path, Auth string
	Body               map[string]any
}

// connector is a fake Bot Connector.
type connector struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     []sent
	members map[string]member // user id -> member
	refuse  atomic.Int32      // answer this status to posts, when set
	// refuseCode, when set, is the error code in the body of that answer.
	refuseCode atomic.Value
	// refuseIn refuses posts into one conversation: conversation id ->
	// the error code of a 403.
	refuseIn sync.Map
	// refusePersonal answers this status, when set, to starting a
	// conversation and to posts into personal chats (a:...), as Teams
	// does for someone who hasn't installed hppbot or has blocked it.
	refusePersonal atomic.Int32
	convs          atomic.Int32
}

func newConnector(t testing.TB) *connector {
	c := &connector{members: map[string]member{}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		c.mu.Lock()
		c.got = append(c.got, sent{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: m})
		n := len(c.got) // each activity gets its own id, as in Teams
		c.mu.Unlock()
		if st := c.refuse.Load(); st != 0 {
			w.WriteHeader(int(st))
			if code, _ := c.refuseCode.Load().(string); code != "" {
				fmt.Fprintf(w, `{"error":{"code":%q,"message":"refused"}}`, code)
			}
			return
		}
		refused := ""
		c.refuseIn.Range(func(k, v any) bool {
			if strings.Contains(r.URL.Path, "/v3/conversations/"+k.(string)+"/") {
				refused = v.(string)
			}
			return refused == ""
		})
		if refused != "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"refused"}}`, refused)
			return
		}
		if st := c.refusePersonal.Load(); st != 0 && r.Method == http.MethodPost &&
			(strings.HasSuffix(r.URL.Path, "/v3/conversations") || strings.Contains(r.URL.Path, "/v3/conversations/a:")) {
			w.WriteHeader(int(st))
			return
		}
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case r.Method == http.MethodGet && len(parts) >= 6 && parts[len(parts)-2] == "members":
			c.mu.Lock()
			mem, ok := c.members[parts[len(parts)-1]]
			c.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			json.NewEncoder(w).Encode(mem)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v3/conversations"):
			n := c.convs.Add(1)
			json.NewEncoder(w).Encode(map[string]string{"id": fmt.Sprintf("a:created-%d", n)})
		default:
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]string{"id": fmt.Sprintf("activity-%d", n)})
		}
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// serviceURL is what activities from this connector carry.
func (c *connector) serviceURL() string { return c.srv.URL + "/uk/" }

func (c *connector) requests() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sent(nil), c.got...)
}

// posts lists the activities posted, as (conversation id, body).
func (c *connector) posts() []sent {
	var out []sent
	for _, s := range c.requests() {
		if s.Method == http.MethodPost && strings.HasSuffix(s.Path, "/activities") {
			out = append(out, s)
		}
	}
	return out
}

// cardText is every TextBlock and fact of a posted activity, joined.
func cardText(body map[string]any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"text", "title", "value"} {
				if s, ok := x[k].(string); ok {
					b.WriteString(s + "\n")
				}
			}
			for k, vv := range x {
				if k != "text" && k != "title" && k != "value" {
					walk(vv)
				}
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(body["attachments"])
	if s, ok := body["text"].(string); ok {
		b.WriteString(s)
	}
	return b.String()
}

// env is a whole Teams test setup.
type env struct {
	id    *identity
	token *tokenServer
	conn  *connector
	st    *store.Store
	s     *Surface
	h     Handler
	p     *pathway.Policy
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{id: newIdentity(t), token: newTokenServer(t), conn: newConnector(t), st: storetest.New(t)}
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	router := bot.Router{}
	e.p = p
	e.h = app.New(app.Config{Store: e.st, Policy: p, Messenger: router}).Handlers
	e.s = e.surface(t, e.h)
	router[bot.Teams] = e.s
	return e
}

// surface builds a Surface on the env's servers and store (a new one is a
// restart).
func (e *env) surface(t testing.TB, h Handler) *Surface {
	t.Helper()
	s, err := New(Config{
		AppID: testAppID, AppPassword: "test-password", OpenIDURL: e.id.metadataURL(), TokenURL: e.token.srv.URL + "/token",
		Store: e.st, Handler: h,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.conn.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return s
}

// personalMessage is a message in a personal chat from a synthetic person.
func (e *env) personalMessage(id, text string) map[string]any {
	return map[string]any{
		"type": "message", "id": id, "timestamp": "2026-03-02T10:00:00.000Z", "serviceUrl": e.conn.serviceURL(),
		"channelId": "msteams", "text": text,
		"from":         map[string]any{"id": "29:user-sam", "name": "Sam Example", "aadObjectId": "aad-sam"},
		"conversation": map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-sam"},
		"recipient":    map[string]any{"id": testBotID, "name": "hppbot"},
		"entities":     []any{map[string]any{"type": "clientInfo", "locale": "en-GB"}},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

// channelMessage is a message in a team channel thread, with the bot
// mentioned first.
func (e *env) channelMessage(id, text string, mentions ...map[string]any) map[string]any {
	ents := []any{map[string]any{"type": "mention", "text": "<at>hppbot</at>", "mentioned": map[string]any{"id": testBotID, "name": "hppbot"}}}
	for _, m := range mentions {
		ents = append(ents, m)
	}
	return map[string]any{
		"type": "message", "id": id, "timestamp": "2026-03-02T10:00:00.000Z", "serviceUrl": e.conn.serviceURL(),
		"channelId": "msteams", "text": "<at>hppbot</at> " + text,
		"from":         map[string]any{"id": "29:user-sam", "name": "Sam Example", "aadObjectId": "aad-sam"},
		"conversation": map[string]any{"conversationType": "channel", "isGroup": true, "tenantId": testTenant, "id": "19:maternity@thread.tacv2;messageid=" + id},
		"recipient":    map[string]any{"id": testBotID, "name": "hppbot"},
		"entities":     ents,
		"channelData": map[string]any{
			"tenant":  map[string]any{"id": testTenant},
			"team":    map[string]any{"id": "19:team@thread.tacv2", "name": "Maternity"},
			"channel": map[string]any{"id": "19:maternity@thread.tacv2", "name": "Maternity safety"},
		},
	}
}

// post sends an activity to the surface with a token and returns the status.
func (e *env) post(t testing.TB, act map[string]any, authHeader string) int {
	t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if authHeader != "" {
		req.Header.Set("Authorization", authHeader)
	}
	rec := httptest.NewRecorder()
	e.s.ServeHTTP(rec, req)
	// What the command does after its answer (settling messages it made
	// out of date) has happened by the time the test looks.
	if w, ok := e.h.(interface{ Wait() }); ok {
		w.Wait()
	}
	return rec.Code
}

// bearer is a valid Authorization header for an activity from this env's
// connector.
func (e *env) bearer(t testing.TB) string {
	return "Bearer " + e.id.sign(t, "k1", validClaims(e.conn.serviceURL()))
}

// keysUnderPrefix counts the store keys the test wrote.
func keysUnderPrefix(t testing.TB, st *store.Store) int {
	t.Helper()
	keys, err := st.Client().Keys(context.Background(), st.Prefix()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}
