package store

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// RunScript runs sc as s runs its scripts, for the store_test package.
func RunScript(s *Store, ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	return s.runScript(ctx, sc, keys, args...)
}

// Do sends cmds in one round trip as s does, for the store_test package.
func Do(s *Store, ctx context.Context, cmds ...redis.Cmder) error { return s.do(ctx, cmds...) }
