package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// testURL is the Redis the tests use (storetest.URL, which this package's
// own tests can't import).
func testURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// batchClient is a client of the test Redis, and a prefix of the test's own.
func batchClient(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	o, err := Options(testURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewUniversalClient(o)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		if os.Getenv("HPP_TEST_REDIS") == "require" {
			t.Fatalf("no Redis at %s: %v", testURL(), err)
		}
		t.Skipf("no Redis at %s: %v", testURL(), err)
	}
	prefix := fmt.Sprintf("hpptest:batch:%s:", t.Name())
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

// TestBatcherKeepsEachCallersReplies: many callers at once, each with its
// own commands; every caller gets its own replies, whatever batch they
// shared.
func TestBatcherKeepsEachCallersReplies(t *testing.T) {
	rdb, prefix := batchClient(t)
	b := newBatcher(rdb)
	defer b.close()
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
				err := b.do(ctx, incr, get, missing)
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
		run  func(b *batcher) error
		want string // the value left at prefix+"k"
	}{
		{"an ended context sends nothing", func(b *batcher) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := b.do(ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "sent"))
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("err %v, want context.Canceled", err)
			}
			return nil
		}, ""},
		{"after close, commands go straight out", func(b *batcher) error {
			b.close()
			ctx := context.Background()
			return b.do(ctx, redis.NewStatusCmd(ctx, "set", prefix+"k", "direct"), redis.NewStringCmd(ctx, "get", prefix+"k"))
		}, "direct"},
		{"an error reply stays with its command", func(b *batcher) error {
			ctx := context.Background()
			bad := redis.NewIntCmd(ctx, "incr", prefix+"k")
			set := redis.NewStatusCmd(ctx, "set", prefix+"k", "text")
			err := b.do(ctx, set, bad)
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
			b := newBatcher(rdb)
			defer b.close()
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
	rdb, prefix := batchClient(t)
	s := New(rdb, prefix)
	defer s.batch.close()
	ctx := context.Background()
	sc := redis.NewScript(`return redis.call('INCR', KEYS[1])`)
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH refused: %v", err)
	}
	for want := int64(1); want <= 2; want++ {
		n, err := s.runScript(ctx, sc, []string{prefix + "n"}).Int64()
		if err != nil || n != want {
			t.Fatalf("run %d: %d, %v", want, n, err)
		}
	}
}
