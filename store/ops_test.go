package store_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

func TestOptionsForProduction(t *testing.T) {
	tests := []struct {
		url   string
		check func(t *testing.T, o *redis.UniversalOptions)
	}{
		{"redis://127.0.0.1:6379/2", func(t *testing.T, o *redis.UniversalOptions) {
			if len(o.Addrs) != 1 || o.Addrs[0] != "127.0.0.1:6379" || o.DB != 2 || o.TLSConfig != nil {
				t.Errorf("addrs %v db %d tls %v", o.Addrs, o.DB, o.TLSConfig)
			}
			// A command's worst case stays well under two seconds.
			if o.DialTimeout != store.DialTimeout || o.ReadTimeout != store.ReadTimeout || o.WriteTimeout != store.WriteTimeout ||
				o.PoolTimeout != store.PoolTimeout || o.DialerRetries != 1 || o.MaxRetries != -1 || !o.ContextTimeoutEnabled {
				t.Errorf("timeouts: %+v", o)
			}
		}},
		{"redis://:s3cret@cache:6380", func(t *testing.T, o *redis.UniversalOptions) {
			if o.Password != "s3cret" || o.Addrs[0] != "cache:6380" {
				t.Errorf("password %q addrs %v", o.Password, o.Addrs)
			}
		}},
		{"rediss://hpp:pw@redis.trust.example", func(t *testing.T, o *redis.UniversalOptions) {
			if o.TLSConfig == nil || o.TLSConfig.ServerName != "redis.trust.example" || o.Username != "hpp" || o.Addrs[0] != "redis.trust.example:6379" {
				t.Errorf("tls %+v user %q addrs %v", o.TLSConfig, o.Username, o.Addrs)
			}
		}},
		{"rediss://a:7000,b:7001,c:7002", func(t *testing.T, o *redis.UniversalOptions) {
			if len(o.Addrs) != 3 || o.MasterName != "" {
				t.Errorf("cluster addrs %v master %q", o.Addrs, o.MasterName)
			}
			if o.TLSConfig == nil || o.TLSConfig.ServerName != "" {
				t.Errorf("each cluster node should be checked against its own name: %+v", o.TLSConfig)
			}
		}},
		{"redis://:pw@s1:26379,s2:26379?master_name=hpp&sentinel_password=spw", func(t *testing.T, o *redis.UniversalOptions) {
			if o.MasterName != "hpp" || o.SentinelPassword != "spw" || o.Password != "pw" || len(o.Addrs) != 2 {
				t.Errorf("sentinel: %+v", o)
			}
		}},
		{"redis://h?dial_timeout=1s&read_timeout=2s&max_retries=1", func(t *testing.T, o *redis.UniversalOptions) {
			if o.DialTimeout != time.Second || o.ReadTimeout != 2*time.Second || o.WriteTimeout != store.WriteTimeout || o.MaxRetries != 1 {
				t.Errorf("overrides: dial %v read %v write %v retries %d", o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			o, err := store.Options(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
	for _, bad := range []string{"http://x", "redis://:s3cret@h:port/0", "redis://h/zz", "redis://a,,b", "redis://h?colour=blue"} {
		_, err := store.Options(bad)
		if err == nil {
			t.Errorf("%s: no error", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the password: %v", bad, err)
		}
	}
}

func TestRedactKeepsOnlyTheKind(t *testing.T) {
	note := "Synthetic-note-Marmalade-5521"
	tests := []struct {
		err  error
		kind string
	}{
		{redis.ErrClosed, "closed"},
		{redis.ErrPoolTimeout, "pool timeout"},
		{context.DeadlineExceeded, "timeout"},
		{fmt.Errorf("wrapped: %w", context.Canceled), "canceled"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, "connection lost"},
		{errors.New("EOF wrapped: " + note), "error"},
		{redisReply("ERR unknown command 'x', with args beginning with: '" + note + "'"), "ERR"},
		{redisReply("WRONGTYPE Operation against a key holding the wrong kind of value"), "WRONGTYPE"},
		{redisReply("READONLY You can't write against a read only replica."), "READONLY"},
		{redisReply("WRONGPASS invalid username-password pair or user is disabled."), "auth"},
		{redisReply("user_script:1: " + note), "ERR"},
	}
	for _, tt := range tests {
		got := store.Redact(tt.err)
		if got.Error() != "redis: "+tt.kind {
			t.Errorf("Redact(%q) = %q; want %q", tt.err, got, "redis: "+tt.kind)
		}
		if strings.Contains(got.Error(), note) {
			t.Errorf("Redact kept the argument: %q", got)
		}
	}
	if !errors.Is(store.Redact(context.DeadlineExceeded), context.DeadlineExceeded) {
		t.Error("a redacted deadline is no longer a deadline")
	}
}

// redisReply is an error reply as go-redis returns it.
type redisReply string

func (e redisReply) Error() string { return string(e) }
func (redisReply) RedisError()     {}

func TestRedisFailuresCarryNoArguments(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// The case id counter holds the wrong type: the store's write fails.
	if err := st.Client().HSet(ctx, st.Prefix()+"seq", "x", "1").Err(); err != nil {
		t.Fatal(err)
	}
	note := "Synthetic-summary-Quince-8812"
	c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-1", Summary: note}, "console:lee", p, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateCase(ctx, c, p, ev)
	if pathway.ErrorCode(err) != pathway.Unavailable || pathway.ErrorMessage(err) != pathway.NothingSaved {
		t.Fatalf("err = %v; want unavailable, nothing saved", err)
	}
	if strings.Contains(err.Error(), note) || !strings.Contains(err.Error(), "redis: WRONGTYPE") {
		t.Errorf("err = %q; want only the kind of failure", err)
	}
}

func TestCountDueAndScriptsReloaded(t *testing.T) {
	// A server of its own: SCRIPT FLUSH would disturb other tests.
	srv := storetest.StartServer(t, storetest.ServerOptions{Ephemeral: true})
	st, err := store.Connect(srv.URL(), "hpp:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{now.Add(-time.Hour), now, now.Add(time.Minute), now.Add(-time.Minute)} {
		if err := st.ScheduleJob(ctx, store.Job{ID: fmt.Sprintf("j%d", i), Kind: "k", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.CountDue(ctx, now); err != nil || n != 3 {
		t.Fatalf("CountDue = %d, %v; want 3", n, err)
	}
	// A Redis restarted without its script cache (or a new Cluster node)
	// answers NOSCRIPT: the scripts are loaded again and nothing is lost.
	if err := st.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	claims, err := st.ClaimDue(ctx, now, time.Minute, 10, "tok")
	if err != nil || len(claims) != 3 {
		t.Fatalf("ClaimDue after SCRIPT FLUSH = %d claims, %v; want 3", len(claims), err)
	}
	if n, err := st.CountDue(ctx, now); err != nil || n != 0 {
		t.Errorf("CountDue with everything claimed = %d, %v; want 0", n, err)
	}
	if err := st.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ListOpen(ctx, store.CaseFilter{All: true}); err != nil {
		t.Errorf("ListOpen after SCRIPT FLUSH: %v", err)
	}
}
