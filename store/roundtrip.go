package store

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// do sends cmds in one round trip: a command on its own, several as one
// pipeline. It returns the first command's error, as a pipeline does; each
// command carries its own reply and error. Nothing is retried (the client's
// MaxRetries is off), so a write is never applied twice.
func (s *Store) do(ctx context.Context, cmds ...redis.Cmder) error {
	if len(cmds) == 1 {
		return s.rdb.Process(ctx, cmds[0])
	}
	pipe := s.rdb.Pipeline()
	for _, c := range cmds {
		_ = pipe.Process(ctx, c)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// runScript runs a script: EVALSHA, and EVAL when Redis doesn't have the
// script yet (after a restart or SCRIPT FLUSH).
func (s *Store) runScript(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmd := scriptCmd(ctx, sc, keys, args...)
	if err := s.do(ctx, cmd); err != nil && isNoScript(err) {
		return sc.Eval(ctx, s.rdb, keys, args...)
	}
	return cmd
}
