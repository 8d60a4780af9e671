package store

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Batcher and its methods, for the store_test package.
type Batcher = batcher

func NewBatcher(rdb redis.UniversalClient) *Batcher { return newBatcher(rdb) }

func (b *batcher) Do(ctx context.Context, cmds ...redis.Cmder) error { return b.do(ctx, cmds...) }

func (b *batcher) Close() { b.close() }

// RunScript runs sc through s's batcher.
func RunScript(s *Store, ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	return s.runScript(ctx, sc, keys, args...)
}
