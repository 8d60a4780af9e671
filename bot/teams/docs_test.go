package teams

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// docs/data-protection.md says how long an export offered in Teams waits in
// Redis for the person to accept it; this is the value the surface sets.
func TestDataProtectionPendingFileTTL(t *testing.T) {
	raw, err := os.ReadFile("../../docs/data-protection.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("**%d hours**", pendingFileTTL/time.Hour)
	found := false
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, "`file:<id>`") && strings.Contains(line, want) {
			found = true
		}
	}
	if !found {
		t.Errorf("docs/data-protection.md has no retention row for `file:<id>` saying %s (the Teams surface keeps an offered file %s)", want, pendingFileTTL)
	}
}
