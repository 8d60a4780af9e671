package storetest

import (
	"context"
	"testing"
	"time"

	"hppbot/store"
)

// Contents is every key the store holds under its prefix and every string
// in it (string values, hash fields and values, list, set and sorted set
// members, stream fields and values), read by type so that nothing is
// hidden by Redis's serialised form: a test can show that something was
// never stored.
func Contents(t testing.TB, st *store.Store) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb := st.Client()
	var out []string
	iter := rdb.Scan(ctx, 0, st.Prefix()+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		out = append(out, key)
		kind, err := rdb.Type(ctx, key).Result()
		if err != nil {
			t.Fatalf("TYPE %s: %v", key, err)
		}
		switch kind {
		case "string":
			v, err := rdb.Get(ctx, key).Result()
			check(t, key, err)
			out = append(out, v)
		case "hash":
			m, err := rdb.HGetAll(ctx, key).Result()
			check(t, key, err)
			for f, v := range m {
				out = append(out, f, v)
			}
		case "list":
			vs, err := rdb.LRange(ctx, key, 0, -1).Result()
			check(t, key, err)
			out = append(out, vs...)
		case "set":
			vs, err := rdb.SMembers(ctx, key).Result()
			check(t, key, err)
			out = append(out, vs...)
		case "zset":
			vs, err := rdb.ZRange(ctx, key, 0, -1).Result()
			check(t, key, err)
			out = append(out, vs...)
		case "stream":
			msgs, err := rdb.XRange(ctx, key, "-", "+").Result()
			check(t, key, err)
			for _, m := range msgs {
				for f, v := range m.Values {
					out = append(out, f)
					if s, ok := v.(string); ok {
						out = append(out, s)
					}
				}
			}
		case "none": // expired or deleted since the scan
		default:
			t.Fatalf("key %s has type %s, which Contents does not read", key, kind)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	return out
}

func check(t testing.TB, key string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
}
