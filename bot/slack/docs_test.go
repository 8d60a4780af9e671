package slack

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// docs/data-protection.md says how long an answered Slack request is kept;
// this is the value the surface claims it for.
func TestDataProtectionRequestTTL(t *testing.T) {
	raw, err := os.ReadFile("../../docs/data-protection.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("**%d minutes**", requestTTL/time.Minute)
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, "`req:slack:<kind>:<digest>`") && strings.Contains(line, "minutes") {
			if !strings.Contains(line, want) {
				t.Errorf("docs/data-protection.md says\n%s\nbut Slack requests are kept %s", line, requestTTL)
			}
			return
		}
	}
	t.Errorf("docs/data-protection.md has no retention row for answered Slack requests (kept %s)", requestTTL)
}
