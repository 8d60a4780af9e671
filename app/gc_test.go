package app

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// A replica collects garbage less often than Go's default unless its
// environment chooses, and then it leaves the choice alone.
func TestTuneGCLeavesTheEnvironmentsChoiceAlone(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	tests := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
		wantSays    string
	}{
		{"nothing set", nil, GCPercent, MemoryLimit, "GOGC=400 with a soft memory limit of 64 MiB"},
		{"GOGC set", map[string]string{"GOGC": "100"}, 100, math.MaxInt64, "as the environment sets them"},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, 100, math.MaxInt64, "as the environment sets them"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			says := TuneGC(func(k string) string { return tc.env[k] })
			if got := debug.SetGCPercent(100); got != tc.wantPercent {
				t.Errorf("GOGC is %d; want %d", got, tc.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("the memory limit is %d; want %d", got, tc.wantLimit)
			}
			if !strings.Contains(says, tc.wantSays) {
				t.Errorf("TuneGC says %q; want it to say %q", says, tc.wantSays)
			}
		})
	}
}

// docs/operations.md tells an operator what TuneGC sets, and how to choose
// otherwise.
func TestOperationsSaysHowAReplicaCollectsGarbage(t *testing.T) {
	raw, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, want := range []string{
		fmt.Sprintf("`GOGC=%d`", GCPercent),
		fmt.Sprintf("soft memory limit of %d MiB", MemoryLimit>>20),
		"Set `GOGC` or `GOMEMLIMIT` yourself",
		"The embedded store (no `REDIS_URL`) keeps Go's defaults",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/operations.md does not say %q", want)
		}
	}
}
