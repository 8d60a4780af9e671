package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"hppbot/store"
	"hppbot/store/storetest"
)

// TestRunScriptLoadsAfterFlush: after SCRIPT FLUSH (or a restart), a script
// is loaded and run once.
func TestRunScriptLoadsAfterFlush(t *testing.T) {
	s := storetest.New(t)
	rdb, prefix := s.Client(), s.Prefix()
	ctx := context.Background()
	sc := redis.NewScript(`return redis.call('INCR', KEYS[1])`)
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH refused: %v", err)
	}
	for want := int64(1); want <= 2; want++ {
		n, err := store.RunScript(s, ctx, sc, []string{prefix + "n"}).Int64()
		if err != nil || n != want {
			t.Fatalf("run %d: %d, %v", want, n, err)
		}
	}
}

// TestDoEdges: what a round trip promises its caller (kept from the
// batcher's tests when the batcher went).
func TestDoEdges(t *testing.T) {
	s := storetest.New(t)
	rdb, prefix := s.Client(), s.Prefix()
	tests := []struct {
		name string
		run  func() error
		want string // the value left at prefix+"k"
	}{
		{"an ended context sends nothing", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := store.Do(s, ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "sent"))
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("err %v, want context.Canceled", err)
			}
			return nil
		}, ""},
		{"several commands go together", func() error {
			ctx := context.Background()
			get := redis.NewStringCmd(ctx, "get", prefix+"k")
			if err := store.Do(s, ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "both"), get); err != nil {
				return err
			}
			if get.Val() != "both" {
				return fmt.Errorf("get %q, want both", get.Val())
			}
			return nil
		}, "both"},
		{"an error reply stays with its command", func() error {
			ctx := context.Background()
			bad := redis.NewIntCmd(ctx, "incr", prefix+"k")
			set := redis.NewStatusCmd(ctx, "set", prefix+"k", "text")
			err := store.Do(s, ctx, set, bad)
			if err == nil || set.Err() != nil || bad.Err() == nil {
				return fmt.Errorf("err %v, set %v, incr %v: want only the incr to fail", err, set.Err(), bad.Err())
			}
			return nil
		}, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			rdb.Del(ctx, prefix+"k")
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			if got, _ := rdb.Get(ctx, prefix+"k").Result(); got != tt.want {
				t.Errorf("value %q, want %q", got, tt.want)
			}
		})
	}
}
