package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hppbot/store/storetest"
)

func TestClaimRequest(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	const ttl = 10 * time.Minute
	tests := []struct {
		name   string
		answer []byte
	}{
		{"an answer", []byte(`{"response_type":"ephemeral","text":"HPP-1 is open"}`)},
		{"an empty answer", []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "slack:cmd:" + tt.name
			first, _, _, err := st.ClaimRequest(ctx, id, ttl)
			if err != nil || !first {
				t.Fatalf("first claim: first=%v err=%v", first, err)
			}
			if k := st.Prefix() + "req:" + id; st.Client().TTL(ctx, k).Val() <= 0 || st.Client().TTL(ctx, k).Val() > ttl {
				t.Fatalf("claim's time to live %v, want up to %v", st.Client().TTL(ctx, k).Val(), ttl)
			}
			first, answer, done, err := st.ClaimRequest(ctx, id, ttl)
			if err != nil || first || done || answer != nil {
				t.Fatalf("claim while answering: first=%v done=%v answer=%q err=%v", first, done, answer, err)
			}
			if err := st.KeepAnswer(ctx, id, tt.answer, ttl); err != nil {
				t.Fatal(err)
			}
			first, answer, done, err = st.ClaimRequest(ctx, id, ttl)
			if err != nil || first || !done || string(answer) != string(tt.answer) {
				t.Fatalf("claim once answered: first=%v done=%v answer=%q err=%v", first, done, answer, err)
			}
			if k := st.Prefix() + "req:" + id; st.Client().TTL(ctx, k).Val() <= 0 {
				t.Fatalf("a kept answer has no time to live")
			}
		})
	}
	if answer, done, err := st.RequestAnswer(ctx, "never-seen"); err != nil || done || answer != nil {
		t.Fatalf("a request never claimed: done=%v answer=%q err=%v", done, answer, err)
	}
}

// Of replicas claiming one request at once, exactly one is first.
func TestClaimRequestOnce(t *testing.T) {
	st := storetest.New(t)
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			first, _, _, err := st.ClaimRequest(context.Background(), "slack:event:Ev0RACE", time.Minute)
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts.Add(1)
			}
		})
	}
	wg.Wait()
	if n := firsts.Load(); n != 1 {
		t.Fatalf("%d claims were first, want 1", n)
	}
}
