package teams

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

func TestValidatorCachesAndRotatesKeys(t *testing.T) {
	id := newIdentity(t)
	v := NewValidator(testAppID, "", id.metadataURL(), nil, nil)
	now := time.Now()
	var mu sync.Mutex
	v.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := context.Background()
	su := "https://smba.example.test/uk/"
	check := func(kid string) error {
		c := validClaims(su)
		c["exp"] = v.now().Add(time.Hour).Unix()
		c["nbf"] = v.now().Add(-time.Minute).Unix()
		_, err := v.Validate(ctx, "Bearer "+id.sign(t, kid, c), su, "msteams")
		return err
	}
	for i := 0; i < 5; i++ {
		if err := check("k1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := id.fetches.Load(); n != 1 {
		t.Fatalf("key set fetched %d times for 5 tokens, want 1", n)
	}
	// A token with a new key, straight after a fetch: refused without a
	// fetch storm...
	for i := 0; i < 5; i++ {
		if err := check("k2"); err == nil {
			t.Fatal("an unpublished key was accepted")
		}
	}
	if n := id.fetches.Load(); n != 1 {
		t.Fatalf("unknown keys caused %d fetches within the rate limit", n)
	}
	// ...then the key is published, and after the limit it is fetched.
	id.published.Store(2)
	advance(6 * time.Minute)
	if err := check("k2"); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := id.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// A day later the keys are fetched again; if that fails, the cached
	// keys keep working.
	id.down.Store(true)
	advance(25 * time.Hour)
	if err := check("k1"); err != nil {
		t.Fatalf("cached key during a metadata outage: %v", err)
	}
}

func TestValidatorWithoutKeys(t *testing.T) {
	id := newIdentity(t)
	id.down.Store(true)
	v := NewValidator(testAppID, "", id.metadataURL(), nil, nil)
	su := "https://smba.example.test/uk/"
	for i := 0; i < 3; i++ {
		if _, err := v.Validate(context.Background(), "Bearer "+id.sign(t, "k1", validClaims(su)), su, "msteams"); err == nil {
			t.Fatal("a token was accepted with no keys to check it")
		}
	}
	id.down.Store(false)
	v.now = func() time.Time { return time.Now().Add(time.Minute) }
	if _, err := v.Validate(context.Background(), "Bearer "+id.sign(t, "k1", validClaims(su)), su, "msteams"); err != nil {
		t.Fatalf("after the metadata came back: %v", err)
	}
}

func TestValidatorClaims(t *testing.T) {
	id := newIdentity(t)
	id.endorse = []string{"msteams"}
	v := NewValidator(testAppID, "tenant-9", id.metadataURL(), nil, nil)
	su := "https://smba.example.test/uk/"
	tests := []struct {
		name    string
		change  func(jwt.MapClaims)
		channel string
		ok      bool
	}{
		{"valid", nil, "msteams", true},
		{"audience as a list", func(c jwt.MapClaims) { c["aud"] = []string{"other", testAppID} }, "msteams", true},
		{"tenant issuer (single-tenant)", func(c jwt.MapClaims) { c["iss"] = "https://login.microsoftonline.com/tenant-9/v2.0" }, "msteams", true},
		{"another tenant's issuer", func(c jwt.MapClaims) { c["iss"] = "https://login.microsoftonline.com/tenant-8/v2.0" }, "msteams", false},
		{"expired within the skew", func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-4 * time.Minute).Unix() }, "msteams", true},
		{"expired beyond the skew", func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-6 * time.Minute).Unix() }, "msteams", false},
		{"nbf within the skew", func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(4 * time.Minute).Unix() }, "msteams", true},
		{"exp not a number", func(c jwt.MapClaims) { c["exp"] = "tomorrow" }, "msteams", false},
		{"serviceurl without the slash", func(c jwt.MapClaims) { c["serviceurl"] = strings.TrimSuffix(su, "/") }, "msteams", true},
		{"key not endorsed for the channel", nil, "skype", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validClaims(su)
			if tc.change != nil {
				tc.change(c)
			}
			_, err := v.Validate(context.Background(), "Bearer "+id.sign(t, "k1", c), su, tc.channel)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestMetadataAnswersAreBounded(t *testing.T) {
	id := newIdentity(t)
	v := NewValidator(testAppID, "", id.srv.URL+"/nope", nil, nil)
	if err := v.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v, want the metadata's 404", err)
	}
}
