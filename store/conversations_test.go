package store_test

import (
	"context"
	"testing"
	"time"

	"hppbot/store"
	"hppbot/store/storetest"
)

func TestConversationRefs(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()

	if _, ok, err := st.ConversationRef(ctx, "teams:nobody"); err != nil || ok {
		t.Fatalf("missing ref: ok=%v err=%v, want not found", ok, err)
	}
	person := store.ConversationRef{ServiceURL: "https://smba.example.test/uk/", Conversation: "a:1personal", Type: "personal", Tenant: "tenant-1", Bot: "28:bot", User: "29:user", Channel: "msteams"}
	channel := store.ConversationRef{ServiceURL: "https://smba.example.test/uk/", Conversation: "19:chan@thread.tacv2", Type: "channel", Tenant: "tenant-1", Bot: "28:bot", Team: "19:team@thread.tacv2", Name: "Maternity safety", Channel: "msteams"}
	for id, ref := range map[string]store.ConversationRef{"teams:aad-1": person, "teams:19:chan@thread.tacv2": channel} {
		if err := st.SaveConversationRef(ctx, id, ref); err != nil {
			t.Fatalf("save %s: %v", id, err)
		}
		got, ok, err := st.ConversationRef(ctx, id)
		if err != nil || !ok || got != ref {
			t.Fatalf("read %s = %+v ok=%v err=%v, want %+v", id, got, ok, err, ref)
		}
	}
	// One plain key per id, under the store's prefix.
	key := st.Prefix() + "ref:teams:aad-1"
	if n, err := st.Client().Exists(ctx, key).Result(); err != nil || n != 1 {
		t.Fatalf("key %s exists=%d err=%v", key, n, err)
	}
	if err := st.DeleteConversationRef(ctx, "teams:aad-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.ConversationRef(ctx, "teams:aad-1"); ok {
		t.Fatal("ref still there after delete")
	}
	if err := st.SaveConversationRef(ctx, "teams:x", store.ConversationRef{}); err == nil {
		t.Fatal("a ref with no service URL was accepted")
	}
	if err := st.Client().Set(ctx, st.Prefix()+"ref:teams:bad", "{not json", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.ConversationRef(ctx, "teams:bad"); err == nil {
		t.Fatal("a corrupt ref was read without an error")
	}
}

func TestPendingFiles(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	data := []byte("when,what\n2026-03-02,opened\n")
	if err := st.SavePendingFile(ctx, "f1", data, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ttl, err := st.Client().TTL(ctx, st.Prefix()+"file:f1").Result(); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl = %v, %v; want up to an hour", ttl, err)
	}
	got, ok, err := st.TakePendingFile(ctx, "f1")
	if err != nil || !ok || string(got) != string(data) {
		t.Fatalf("take = %q ok=%v err=%v", got, ok, err)
	}
	if _, ok, err := st.TakePendingFile(ctx, "f1"); err != nil || ok {
		t.Fatalf("second take: ok=%v err=%v, want gone", ok, err)
	}
	if err := st.SavePendingFile(ctx, "", data, time.Hour); err == nil {
		t.Fatal("a file with no id was kept")
	}
}
