package app

import (
	"fmt"
	"runtime/debug"
)

// How a replica's garbage collector is set, unless its environment says
// otherwise (GOGC or GOMEMLIMIT; see docs/operations.md, "Sizing").
//
// A replica keeps its cases in Redis, so what it holds between requests is
// a few MB, while a tick or a report allocates many times that as it goes.
// At Go's default (GOGC=100) the collector then runs every few MB
// allocated: four times in a tick that sends 1,000 reminders, for about a
// third of the tick's CPU (docs/performance.md). So it lets the heap grow to
// five times what is live before collecting (GCPercent), within a soft
// limit on the process's memory (MemoryLimit) near which it collects as
// often as it must to stay under it. What a replica holds at its busiest,
// a report over a million cases (about 45 MB), is under the limit, and a
// replica's peak resident size stays within the 100 MB it is sized for.
const (
	GCPercent   = 400
	MemoryLimit = 64 << 20 // bytes of the Go runtime's own memory
)

// TuneGC sets the collector as above when getenv has neither GOGC nor
// GOMEMLIMIT; with either, both stay as the Go runtime read them. It says
// which, for the log.
func TuneGC(getenv func(string) string) string {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return "GOGC and GOMEMLIMIT as the environment sets them"
	}
	debug.SetGCPercent(GCPercent)
	debug.SetMemoryLimit(MemoryLimit)
	return fmt.Sprintf("GOGC=%d with a soft memory limit of %d MiB", GCPercent, MemoryLimit>>20)
}
