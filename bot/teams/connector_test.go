package teams

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

func testConnector(tokenURL string) *Connector {
	c := NewConnector(testAppID, "test-password", tokenURL, &http.Client{Timeout: 2 * time.Second}, nil)
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return c
}

func mustURL(t *testing.T, s string) url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return *u
}

func TestConnectorTokenEndpointDown(t *testing.T) {
	// A server that is gone: connection refused, not a panic.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	conn := newConnector(t)
	c := testConnector(gone.URL + "/token")
	err := c.Post(mustURL(t, conn.serviceURL()+"v3/conversations/a:1/activities"), schema.Activity{Type: schema.Message, Text: "x"})
	var ce *ConnectorError
	if !errors.As(err, &ce) || ce.Op != "token request" || ce.Err == nil {
		t.Fatalf("err = %v, want a token request error", err)
	}
	if len(conn.requests()) != 0 {
		t.Fatal("posted without a token")
	}
	// Wrong credentials: refused with the endpoint's code, not retried.
	ts := newTokenServer(t)
	c = testConnector(ts.srv.URL)
	c.password = "wrong"
	err = c.Post(mustURL(t, conn.serviceURL()+"v3/conversations/a:1/activities"), schema.Activity{})
	if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized || ce.Code != "invalid_client" || ts.calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls; want one 401 invalid_client", err, ts.calls.Load())
	}
}

func TestConnectorRetries(t *testing.T) {
	ts := newTokenServer(t)
	ts.fail.Store(2) // the token endpoint stumbles twice
	var calls atomic.Int32
	var auths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		switch n {
		case 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.WriteHeader(http.StatusUnauthorized) // a revoked token: fetch a new one
		default:
			w.WriteHeader(http.StatusCreated)
		}
	}))
	defer srv.Close()
	c := testConnector(ts.srv.URL)
	c.attempts = 5
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if err := c.Do(context.Background(), http.MethodPost, srv.URL+"/v3/conversations/a:1/activities", map[string]string{"type": "message"}, nil); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("connector calls = %d, want 3 (429, 401, ok)", calls.Load())
	}
	if ts.calls.Load() != 4 {
		t.Errorf("token calls = %d, want 4 (two failures, a token, a new one after the 401)", ts.calls.Load())
	}
	if len(waits) < 3 || waits[2] != time.Second {
		t.Errorf("waits = %v; the 429's Retry-After should be honoured", waits)
	}
	for _, a := range auths {
		if a != "Bearer "+testToken {
			t.Errorf("Authorization %q", a)
		}
	}

	// Bounded: a connector that keeps failing gives up after c.attempts.
	calls.Store(0)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer bad.Close()
	c.attempts = 3
	err := c.Do(context.Background(), http.MethodPost, bad.URL+"/v3/conversations/a:1/activities", nil, nil)
	var ce *ConnectorError
	if !errors.As(err, &ce) || ce.Status != http.StatusBadGateway || calls.Load() != 3 {
		t.Fatalf("err = %v after %d calls; want 502 after 3", err, calls.Load())
	}
	// A 400 is not tried again.
	calls.Store(0)
	badReq := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer badReq.Close()
	if err := c.Do(context.Background(), http.MethodPost, badReq.URL+"/v3/conversations", nil, nil); err == nil || calls.Load() != 1 {
		t.Fatalf("400: err %v after %d calls", err, calls.Load())
	}
}

func TestConnectorTokenCache(t *testing.T) {
	ts := newTokenServer(t)
	ts.expiry.Store(600) // ten minutes: renewed five minutes early
	c := testConnector(ts.srv.URL)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.Token(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ts.calls.Load() != 1 {
		t.Fatalf("token fetched %d times, want once", ts.calls.Load())
	}
	mu.Lock()
	now = now.Add(4 * time.Minute)
	mu.Unlock()
	_, _ = c.Token(ctx)
	if ts.calls.Load() != 1 {
		t.Fatalf("renewed too early")
	}
	mu.Lock()
	now = now.Add(2 * time.Minute) // six minutes in: within five of expiry
	mu.Unlock()
	_, _ = c.Token(ctx)
	if ts.calls.Load() != 2 {
		t.Fatalf("token fetched %d times; it should be renewed before it expires", ts.calls.Load())
	}
}

// Run with -race: many sends at once share one token fetch.
func TestConnectorConcurrentUse(t *testing.T) {
	ts := newTokenServer(t)
	conn := newConnector(t)
	c := testConnector(ts.srv.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.Post(mustURL(t, conn.serviceURL()+"v3/conversations/a:1/activities"), schema.Activity{Type: schema.Message, Text: "x"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.calls.Load(); n != 1 {
		t.Errorf("token fetched %d times by 40 concurrent sends, want 1", n)
	}
	if n := len(conn.posts()); n != 40 {
		t.Errorf("%d posts, want 40", n)
	}
}

func TestConnectorHonoursContext(t *testing.T) {
	ts := newTokenServer(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the caller leave
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	c := testConnector(ts.srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.Bind(ctx).Post(mustURL(t, slow.URL+"/v3/conversations/a:1/activities"), schema.Activity{}); err == nil {
		t.Fatal("a call past its deadline succeeded")
	}
}

func TestOpPathHidesIDs(t *testing.T) {
	tests := map[string]string{
		"https://smba.example.test/uk/v3/conversations/a:1/activities/xyz":         "/uk/v3/conversations/{id}/activities/{id}",
		"https://smba.example.test/v3/conversations/19:x;messageid=1/members/29:u": "/v3/conversations/{id}/members/{id}",
		"https://smba.example.test/v3/conversations":                               "/v3/conversations",
	}
	for in, want := range tests {
		if got := opPath(in); got != want {
			t.Errorf("opPath(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestTenantTokenURL(t *testing.T) {
	e := newEnv(t)
	s, err := New(Config{AppID: testAppID, AppPassword: "p", Tenant: "contoso-tenant", Store: e.st, Handler: e.h})
	if err != nil {
		t.Fatal(err)
	}
	if s.conn.tokenURL != "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token" {
		t.Errorf("single-tenant token URL = %s", s.conn.tokenURL)
	}
	if len(s.validator.issuers) != 3 {
		t.Errorf("issuers = %v; want the Bot Framework's and the tenant's", s.validator.issuers)
	}
	s, err = New(Config{AppID: testAppID, AppPassword: "p", Tenant: "contoso-tenant", TokenURL: "https://login.example.test/token", Store: e.st, Handler: e.h})
	if err != nil {
		t.Fatal(err)
	}
	if s.conn.tokenURL != "https://login.example.test/token" {
		t.Errorf("an explicit token URL was replaced: %s", s.conn.tokenURL)
	}
	if _, err := New(Config{AppID: testAppID, Store: e.st, Handler: e.h}); err == nil {
		t.Error("New without a password succeeded")
	}
}
