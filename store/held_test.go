package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hppbot/store/storetest"
)

func TestHeldReplies(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if got, err := st.TakeHeldReplies(ctx, "teams:aad-none"); err != nil || len(got) != 0 {
		t.Fatalf("nothing held: %q err=%v", got, err)
	}
	for i := range 25 {
		if err := st.HoldReply(ctx, "teams:aad-sam", []byte(fmt.Sprintf("reply %d", i)), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	key := st.Prefix() + "{u:teams:aad-sam}:held"
	ttl, err := st.Client().TTL(ctx, key).Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("held replies expire in %v (err %v), want an hour", ttl, err)
	}
	got, err := st.TakeHeldReplies(ctx, "teams:aad-sam")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || string(got[0]) != "reply 5" || string(got[19]) != "reply 24" {
		t.Fatalf("held = %d replies, first %q last %q; want the newest 20, oldest first", len(got), got[0], got[len(got)-1])
	}
	if again, err := st.TakeHeldReplies(ctx, "teams:aad-sam"); err != nil || len(again) != 0 {
		t.Fatalf("taken twice: %q err=%v", again, err)
	}
	for _, tc := range []struct {
		person string
		data   []byte
		ttl    time.Duration
	}{{"", []byte("x"), time.Hour}, {"teams:x", nil, time.Hour}, {"teams:x", []byte("x"), 0}} {
		if err := st.HoldReply(ctx, tc.person, tc.data, tc.ttl); err == nil {
			t.Errorf("HoldReply(%q, %q, %v) accepted", tc.person, tc.data, tc.ttl)
		}
	}
	// Erasing one's check-in answers drops what was held too.
	if err := st.HoldReply(ctx, "teams:aad-sam", []byte("Your check-in answers"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ForgetCheckinAnswers(ctx, "teams:aad-sam", 90*24*time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Client().Exists(ctx, key).Result(); n != 0 {
		t.Error("held replies survived checkin forget")
	}
}
