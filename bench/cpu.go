package main

import (
	"context"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hppbot/store"
)

// cpuSample is the CPU time used so far by this process (hppbot's surface,
// store client and the senders) and by the Redis server.
type cpuSample struct {
	self, redis   time.Duration
	allocs, bytes uint64 // the process's heap allocations so far
	ok            bool
}

// cpuCost is CPU time per request, in microseconds, and the process's heap
// allocations per request (hppbot's and the senders').
type cpuCost struct {
	self, redis   float64
	allocs, bytes float64
	ok            bool
}

func cpuNow(ctx context.Context, st *store.Store) cpuSample {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuSample{}
	}
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	info, err := st.Client().Info(ctx, "cpu").Result()
	if err != nil {
		return cpuSample{}
	}
	var redis time.Duration
	found := 0
	for _, line := range strings.Split(info, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "used_cpu_sys" && name != "used_cpu_user") {
			continue
		}
		secs, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return cpuSample{}
		}
		redis += time.Duration(secs * float64(time.Second))
		found++
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(allocs)
	return cpuSample{self: self, redis: redis, allocs: allocs[0].Value.Uint64(), bytes: allocs[1].Value.Uint64(), ok: found == 2}
}

// since is the CPU time per request between two samples, over n requests.
func (s cpuSample) since(before cpuSample, n int64) cpuCost {
	if !s.ok || !before.ok || n <= 0 {
		return cpuCost{}
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	return cpuCost{self: per(s.self - before.self), redis: per(s.redis - before.redis),
		allocs: float64(s.allocs-before.allocs) / float64(n), bytes: float64(s.bytes-before.bytes) / float64(n), ok: true}
}
