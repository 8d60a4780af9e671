package store_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// behindProxy returns a store that reaches the test Redis through a proxy
// that can hold commands, and a store straight to the same keys.
func behindProxy(t *testing.T) (slow, direct *store.Store, proxy *storetest.Proxy) {
	t.Helper()
	direct = storetest.New(t)
	if direct.IsEmbedded() {
		t.Skip("needs a real Redis to put a proxy in front of")
	}
	o, err := store.Options(storetest.URL())
	if err != nil || len(o.Addrs) != 1 {
		t.Skipf("the test Redis is not a single server: %v", err)
	}
	if _, _, err := net.SplitHostPort(o.Addrs[0]); err != nil {
		t.Skipf("the test Redis is not on TCP: %v", err)
	}
	proxy = storetest.StartProxy(t, o.Addrs[0])
	slow, err = store.Connect(proxy.URL(), direct.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slow.Close() })
	return slow, direct, proxy
}

// A write whose reply comes later than the client waits is looked up before
// anyone is told anything: landed means saved; not landed means it never
// will; no answer at all means "couldn't confirm", never "Nothing was saved"
// for a write that landed.
func TestLostReplyIsLookedUp(t *testing.T) {
	t.Parallel()
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	tests := []struct {
		name     string
		hold     time.Duration
		patterns []string // which commands the proxy holds
		wantErr  string   // "" for saved
		landed   bool     // the contact is in Redis once everything has arrived
	}{
		// Every script held 1 s: the write lands after the client's 0.5 s
		// has passed; the look-up waits for it and finds it.
		{"write held 1s", time.Second, []string{"evalsha", "EVALSHA", "eval", "EVAL"}, "", true},
		// Only the write held, past the look-up's wait: the look-up fences
		// it, and the write, arriving later, does nothing.
		{"write held past the look-up", 2500 * time.Millisecond, []string{store.ApplyScriptHash}, pathway.NothingSaved, false},
		// Everything held longer than the look-up waits: the write lands,
		// and the person is told it could not be confirmed and how to check.
		{"everything held 3s", 3 * time.Second, []string{"evalsha", "EVALSHA", "eval", "EVAL"}, "couldn't confirm whether that was saved", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slow, direct, proxy := behindProxy(t)
			c := create(t, direct, p, now, pathway.OpenInput{Ref: "INC-1", Harm: pathway.HarmModerate})
			old, err := slow.GetCase(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			changed := old.Clone()
			ev, err := changed.LogContact(pathway.ContactInput{Via: "phone"}, "console:sam", p, now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			proxy.Hold(tt.hold, tt.patterns...)
			start := time.Now()
			err = slow.SaveCase(ctx, old, changed, p, ev)
			took := time.Since(start)
			proxy.Hold(0)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("SaveCase: %v, want saved", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(pathway.ErrorMessage(err), tt.wantErr)):
				t.Fatalf("SaveCase: %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(pathway.ErrorMessage(err), "Nothing was saved") && tt.landed {
				t.Errorf("told %q for a write that landed", pathway.ErrorMessage(err))
			}
			if took > store.ReadTimeout+store.ResolveTimeout+500*time.Millisecond {
				t.Errorf("the answer took %v, more than Slack's 3 s allows", took)
			}

			// Once everything held has arrived, the record says what was said.
			time.Sleep(tt.hold + 500*time.Millisecond)
			got, err := direct.GetCase(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if landed := got.Contacts == 1; landed != tt.landed {
				t.Errorf("contact landed = %v, want %v (version %d)", landed, tt.landed, got.Version)
			}
			events, err := direct.Timeline(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tt.landed {
				want = 2
			}
			if len(events) != want {
				t.Errorf("%d events, want %d", len(events), want)
			}
		})
	}
}
