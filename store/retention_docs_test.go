package store

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// docs/data-protection.md states how long each kind of record is kept. The
// values the store sets are read here, so the page can't drift from them.
func TestDataProtectionRetentionMatchesStore(t *testing.T) {
	section := docSection(t, "../docs/data-protection.md", "## How long it is kept")
	cases := []struct {
		key  string // the key family as the page writes it, in backticks
		kept time.Duration
	}{
		{"`{pN}:sent:<member>:<occurrence>`", time.Duration(sentTTL) * time.Second},
		{"`{pN}:cmd:<id>`", cmdTTL},
		{"`wb:part:<service>:<month>:…`", participationTTL},
		{"`{u:<person>}:jobs`", trackFor},
		{"`{u:<person>}:unreachable`", UnreachableFor},
		{"`{u:<person>}:live`", LiveFor},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			row := docRow(t, section, c.key)
			if want := "**" + humanDuration(c.kept) + "**"; !strings.Contains(row, want) {
				t.Errorf("docs/data-protection.md says\n%s\nbut the store keeps it %s (want %q in the row)", row, humanDuration(c.kept), want)
			}
		})
	}
}

// docSection returns the lines of a Markdown file from heading to the next
// heading of the same level.
func docSection(t *testing.T, path, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("%s has no %q section", path, heading)
	}
	rest := text[i+len(heading)+2:]
	level := heading[:strings.Index(heading, " ")+1]
	if j := strings.Index(rest, "\n"+level); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// docRow returns the one table row of section that holds key.
func docRow(t *testing.T, section, key string) string {
	t.Helper()
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, key) {
			rows = append(rows, line)
		}
	}
	if len(rows) != 1 {
		t.Fatalf("want one table row with %s, found %d", key, len(rows))
	}
	return rows[0]
}

// humanDuration writes a duration as the page does: "30 days", "48 hours",
// "10 minutes".
func humanDuration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	default:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
}
