package slack

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// goroutineID reads the running goroutine's number from its stack header
// ("goroutine 42 [running]:"): in a test only, to see workers reused.
func goroutineID() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf = bytes.TrimPrefix(buf, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(buf[:bytes.IndexByte(buf, ' ')]), 10, 64)
	return id
}

func TestAsyncReusesWorkers(t *testing.T) {
	s := answerSurface(t)
	seen := map[uint64]bool{}
	for range 50 {
		ids := make(chan uint64, 1)
		s.async(func() { ids <- goroutineID() })
		seen[<-ids] = true
		s.wg.Wait()
		time.Sleep(time.Millisecond) // the worker goes back to waiting
	}
	// A goroutine each would be 50; a worker can be caught between pieces
	// of work now and then.
	if len(seen) > 5 {
		t.Errorf("50 pieces of work one after another ran on %d goroutines", len(seen))
	}
}

// TestAsyncRunsAtOnce: work never queues behind other work, however much
// is going on.
func TestAsyncRunsAtOnce(t *testing.T) {
	s := answerSurface(t)
	const n = 100
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	var done atomic.Int32
	for range n {
		s.async(func() {
			started.Done()
			<-all // only once every piece has started
			done.Add(1)
		})
	}
	go func() { started.Wait(); close(all) }()
	s.Close()
	if done.Load() != n {
		t.Fatalf("Close returned with %d of %d done", done.Load(), n)
	}
}

// TestAsyncClose: Close waits for work in flight, work after it runs in
// place, and the idle workers go.
func TestAsyncClose(t *testing.T) {
	before := runtime.NumGoroutine()
	s := answerSurface(t)
	for range 5 {
		s.async(func() {})
	}
	s.wg.Wait()
	release := make(chan struct{})
	var finished atomic.Bool
	s.async(func() {
		<-release
		time.Sleep(10 * time.Millisecond)
		finished.Store(true)
	})
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with work in flight")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-closed
	if !finished.Load() {
		t.Fatal("Close returned before the work finished")
	}

	ran, here := false, goroutineID()
	s.async(func() { ran = goroutineID() == here })
	if !ran {
		t.Fatal("work after Close did not run in place")
	}
	s.Close() // twice is fine

	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}
