package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"hppbot/store"
	"hppbot/store/storetest"
)

// batchClient is the test Redis's client, and a key prefix of the test's own
// (removed afterwards).
func batchClient(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	st := storetest.New(t)
	return st.Client(), st.Prefix()
}

// TestBatcherKeepsEachCallersReplies: many callers at once, each with its
// own commands; every caller gets its own replies, whatever batch they
// shared.
func TestBatcherKeepsEachCallersReplies(t *testing.T) {
	rdb, prefix := batchClient(t)
	b := store.NewBatcher(rdb)
	defer b.Close()
	ctx := context.Background()
	const callers, each = 64, 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := prefix + strconv.Itoa(c)
			for i := 1; i <= each; i++ {
				incr := redis.NewIntCmd(ctx, "incr", key)
				get := redis.NewStringCmd(ctx, "get", key)
				missing := redis.NewStringCmd(ctx, "get", key+":none")
				err := b.Do(ctx, incr, get, missing)
				switch {
				case !errors.Is(err, redis.Nil):
					errs <- fmt.Errorf("caller %d: err %v, want redis.Nil from the missing key", c, err)
					return
				case incr.Val() != int64(i) || get.Val() != strconv.Itoa(i):
					errs <- fmt.Errorf("caller %d, round %d: incr %d, get %q", c, i, incr.Val(), get.Val())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestBatcherEdges(t *testing.T) {
	rdb, prefix := batchClient(t)
	tests := []struct {
		name string
		run  func(b *store.Batcher) error
		want string // the value left at prefix+"k"
	}{
		{"an ended context sends nothing", func(b *store.Batcher) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := b.Do(ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "sent"))
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("err %v, want context.Canceled", err)
			}
			return nil
		}, ""},
		{"after close, commands go straight out", func(b *store.Batcher) error {
			b.Close()
			ctx := context.Background()
			return b.Do(ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "direct"), redis.NewStringCmd(ctx, "get", prefix+"k"))
		}, "direct"},
		{"an error reply stays with its command", func(b *store.Batcher) error {
			ctx := context.Background()
			bad := redis.NewIntCmd(ctx, "incr", prefix+"k")
			set := redis.NewStatusCmd(ctx, "set", prefix+"k", "text")
			err := b.Do(ctx, set, bad)
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
			b := store.NewBatcher(rdb)
			defer b.Close()
			if err := tt.run(b); err != nil {
				t.Fatal(err)
			}
			if got, _ := rdb.Get(ctx, prefix+"k").Result(); got != tt.want {
				t.Errorf("value %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRunScriptLoadsAfterFlush: after SCRIPT FLUSH (or a restart), a script
// sent through the batcher is loaded and run once.
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
