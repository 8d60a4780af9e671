package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"hppbot/store/storetest"
)

// The day mark a check-in leaves ("a check-in went today") expires as
// docs/data-protection.md says: measured in Redis, since the store sets it
// inline.
func TestDataProtectionCheckinDayMarkTTL(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	const person = "console:ttl-sam"
	if _, err := st.MarkCheckinDay(ctx, person, "2026-11-26"); err != nil {
		t.Fatal(err)
	}
	keys, err := st.Client().Keys(ctx, st.Prefix()+"{u:"+person+"}:day:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("day mark keys %v (%v)", keys, err)
	}
	ttl, err := st.Client().TTL(ctx, keys[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	hours := int((ttl + time.Minute) / time.Hour) // rounded: a second may have passed
	raw, err := os.ReadFile("../docs/data-protection.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("**%d hours**", hours)
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, "`{u:<person>}:day:<date>`") && strings.Contains(line, "hours") {
			if !strings.Contains(line, want) {
				t.Errorf("docs/data-protection.md says\n%s\nbut the mark is kept %d hours", line, hours)
			}
			return
		}
	}
	t.Errorf("docs/data-protection.md has no retention row for the check-in day mark")
}
