// Package storetest gives tests a store of their own: the Redis at
// REDIS_URL (or 127.0.0.1:6379) under a random key prefix that is removed
// when the test ends. With no Redis answering, it falls back to the embedded
// one — unless HPP_TEST_REDIS=require, when the test fails instead (CI sets
// that, so a missing Redis can't turn the suite quietly green).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/store"
)

// URL is the Redis tests use.
func URL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Required reports whether tests must use a real Redis.
func Required() bool { return os.Getenv("HPP_TEST_REDIS") == "require" }

// New returns a store for one test, cleaned up when it ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	prefix := Prefix()
	err := reachable()
	var st *store.Store
	if err == nil {
		st, err = store.Connect(URL(), prefix)
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = st.Ping(ctx)
		cancel()
		if err != nil {
			st.Close()
		}
	}
	if err != nil {
		if Required() {
			t.Fatalf("HPP_TEST_REDIS=require but Redis at %s does not answer: %v", URL(), err)
		}
		st, err = store.Embedded(prefix)
		if err != nil {
			t.Fatalf("embedded store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := Clean(ctx, st); err != nil {
			t.Logf("cleaning up test keys: %v", err)
		}
		st.Close()
	})
	return st
}

var (
	probeOnce sync.Once
	probeErr  error
)

// reachable reports, once per test binary, whether anything listens at
// URL's address. A plain dial, so that with no Redis running the suite falls
// back quietly instead of go-redis logging a failed dial for every test.
func reachable() error {
	probeOnce.Do(func() {
		opt, err := store.Options(URL())
		if err != nil {
			probeErr = err
			return
		}
		network := "tcp"
		if len(opt.Addrs) > 0 && strings.HasPrefix(opt.Addrs[0], "/") {
			network = "unix"
		}
		addr := "127.0.0.1:6379"
		if len(opt.Addrs) > 0 {
			addr = opt.Addrs[0]
		}
		conn, err := net.DialTimeout(network, addr, 2*time.Second)
		if err != nil {
			probeErr = err
			return
		}
		conn.Close()
	})
	return probeErr
}

// Prefix returns a fresh random key prefix for a test.
func Prefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "hpptest:" + hex.EncodeToString(b[:]) + ":"
}

// Clean deletes every key under the store's prefix (on every master of a
// Cluster).
func Clean(ctx context.Context, st *store.Store) error {
	if cc, ok := st.Client().(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return clean(ctx, node, st.Prefix())
		})
	}
	return clean(ctx, st.Client(), st.Prefix())
}

func clean(ctx context.Context, rdb redis.Cmdable, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := del(ctx, rdb, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return del(ctx, rdb, batch)
}

// del deletes keys one by one in a pipeline: on a Cluster node they may lie
// in different slots, which one DEL can't take.
func del(ctx context.Context, rdb redis.Cmdable, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	pipe := rdb.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, k)
	}
	_, err := pipe.Exec(ctx)
	return err
}
