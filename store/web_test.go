package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/store"
	"hppbot/store/storetest"
)

// TestSignInLinkWorksOnce: of many takers at once, exactly one gets the
// person; the token itself is never a key or a value in Redis.
func TestSignInLinkWorksOnce(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.SaveSignInLink(ctx, "tok-secret-1", "console:lee", time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, s := range storetest.Contents(t, st) {
		if strings.Contains(s, "tok-secret-1") {
			t.Fatalf("the token is stored as it is: %q", s)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			person, ok, err := st.TakeSignInLink(ctx, "tok-secret-1")
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				got++
				mu.Unlock()
				if person != "console:lee" {
					t.Errorf("person %q", person)
				}
			}
		}()
	}
	wg.Wait()
	if got != 1 {
		t.Fatalf("the link was taken %d times, want once", got)
	}
	if _, ok, err := st.TakeSignInLink(ctx, "never-made"); ok || err != nil {
		t.Fatalf("an unknown token: ok %v err %v", ok, err)
	}
}

func TestWebSessionSaveReadEnd(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	started := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if err := st.SaveWebSession(ctx, "sess-1", store.WebSession{Person: "console:lee", Started: started}, time.Minute); err != nil {
		t.Fatal(err)
	}
	sess, ok, err := st.WebSession(ctx, "sess-1")
	if err != nil || !ok || sess.Person != "console:lee" || !sess.Started.Equal(started) {
		t.Fatalf("got %+v ok %v err %v", sess, ok, err)
	}
	if err := st.EndWebSession(ctx, "sess-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.WebSession(ctx, "sess-1"); ok {
		t.Fatal("a session signed out still works")
	}
	if err := st.SaveWebSession(ctx, "", store.WebSession{Person: "x"}, time.Minute); err == nil {
		t.Fatal("a session with no id was saved")
	}
}
