package store

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Commands from people typing at the same moment travel to Redis together.
// A caller hands its commands (one round trip's worth) to a sender; a sender
// takes whatever else is waiting and sends it all as one pipeline: one write
// and one read for many commands, on both sides of the connection. Alone, a
// command goes straight out and costs one hand-over between goroutines; at a
// shift change's load, most of the system calls are shared.
//
// Each caller's commands stay its own: their replies and errors are theirs,
// a MULTI/EXEC or script is still atomic, and nothing is retried, so a write
// is never applied twice (the client's MaxRetries is off). Batching changes
// how commands reach Redis, not what any of them means.

const (
	// senders is how many pipelines may be in flight at once.
	senders = 4
	// maxBatch bounds one pipeline, so one reply never grows large.
	maxBatch = 64
	// batchTimeout bounds a pipeline: longer than any caller waits (the
	// client's own read and write timeouts are shorter).
	batchTimeout = 10 * time.Second
)

// batchItem is one caller's round trip.
type batchItem struct {
	ctx  context.Context
	cmds []redis.Cmder
	done chan struct{}
}

var itemPool = sync.Pool{New: func() any { return &batchItem{done: make(chan struct{}, 1)} }}

// batcher runs the senders for one client.
type batcher struct {
	rdb   redis.UniversalClient
	queue chan *batchItem
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once

	mu     sync.RWMutex // held to read closed and queue under it
	closed bool
}

func newBatcher(rdb redis.UniversalClient) *batcher {
	b := &batcher{rdb: rdb, queue: make(chan *batchItem, 1024), stop: make(chan struct{})}
	b.wg.Add(senders)
	for range senders {
		go b.send()
	}
	return b
}

// close stops the senders once what is queued has gone.
func (b *batcher) close() {
	b.once.Do(func() {
		// No caller can be part-way into the queue once closed is set, so
		// the senders' last drain finds everything queued.
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		close(b.stop)
		b.wg.Wait()
	})
}

// do sends cmds in one round trip, shared with other callers' when they are
// waiting too, and returns the first command's error as a pipeline would.
// Every command carries its own reply and error.
func (b *batcher) do(ctx context.Context, cmds ...redis.Cmder) error {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return b.direct(ctx, cmds)
	}
	it := itemPool.Get().(*batchItem)
	it.ctx, it.cmds = ctx, cmds
	select {
	case b.queue <- it:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		it.ctx, it.cmds = nil, nil
		itemPool.Put(it)
		return ctx.Err()
	}
	// The sender always answers, within batchTimeout, so waiting here
	// without the caller's context is bounded; returning early instead
	// would leave the commands to be written after the caller had gone.
	<-it.done
	it.ctx, it.cmds = nil, nil
	itemPool.Put(it)
	return firstErr(cmds)
}

// direct sends cmds without batching (after close).
func (b *batcher) direct(ctx context.Context, cmds []redis.Cmder) error {
	if len(cmds) == 1 {
		return b.rdb.Process(ctx, cmds[0])
	}
	pipe := b.rdb.Pipeline()
	for _, c := range cmds {
		_ = pipe.Process(ctx, c)
	}
	_, err := pipe.Exec(ctx)
	return err
}

func firstErr(cmds []redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (b *batcher) send() {
	defer b.wg.Done()
	batch := make([]*batchItem, 0, maxBatch)
	for {
		var first *batchItem
		select {
		case first = <-b.queue:
		case <-b.stop:
			// Drain what is left, then stop.
			for {
				select {
				case it := <-b.queue:
					b.flush(append(batch[:0], it))
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
		n := len(first.cmds)
	more:
		for n < maxBatch {
			select {
			case it := <-b.queue:
				batch = append(batch, it)
				n += len(it.cmds)
			default:
				break more
			}
		}
		b.flush(batch)
		clear(batch)
	}
}

// flush sends one pipeline and answers its callers. A caller whose context
// ended while it waited in the queue is answered with that, and its
// commands are not sent.
func (b *batcher) flush(batch []*batchItem) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	if len(batch) == 1 && len(batch[0].cmds) == 1 {
		it := batch[0]
		if err := it.ctx.Err(); err != nil {
			setErr(it.cmds, err)
		} else {
			_ = b.rdb.Process(ctx, it.cmds[0])
		}
		it.done <- struct{}{}
		return
	}
	pipe := b.rdb.Pipeline()
	sent := 0
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil {
			setErr(it.cmds, err)
			continue
		}
		for _, c := range it.cmds {
			_ = pipe.Process(ctx, c)
			sent++
		}
	}
	if sent > 0 {
		// Each command carries its own error; a failure before any reply
		// (a closed pool, say) is set on all of them by Exec.
		_, _ = pipe.Exec(ctx)
	}
	for _, it := range batch {
		it.done <- struct{}{}
	}
}

func setErr(cmds []redis.Cmder, err error) {
	for _, c := range cmds {
		c.SetErr(err)
	}
}

// RunScript runs a script of another package (the delivery queue's) as
// runScript does: its round trip is shared with whatever else is waiting.
func (s *Store) RunScript(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	return s.runScript(ctx, sc, keys, args...)
}

// runScript runs a script through the batcher: EVALSHA, and EVAL when Redis
// doesn't have the script yet (after a restart or SCRIPT FLUSH).
func (s *Store) runScript(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmd := scriptCmd(ctx, sc, keys, args...)
	if err := s.batch.do(ctx, cmd); err != nil && isNoScript(err) {
		return sc.Eval(ctx, s.rdb, keys, args...)
	}
	return cmd
}
