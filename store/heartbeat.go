package store

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// heartbeatScript records a scheduler's tick at ARGV[1] (ms) unless a later
// one is recorded, and returns the one recorded before (empty for none). Only
// the tick that moves it past a gap sees the gap: every replica after it
// sees that tick.
var heartbeatScript = redis.NewScript(`
local prev = redis.call('GET', KEYS[1])
if (not prev) or tonumber(ARGV[1]) > tonumber(prev) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return prev or ''`)

// Heartbeat records that a scheduler ticked at now and returns when one
// last did before (zero the first time). A long gap between the two means
// no scheduler ran, or none could reach the store, in between.
func (s *Store) Heartbeat(ctx context.Context, now time.Time) (time.Time, error) {
	prev, err := s.runScript(ctx, heartbeatScript, []string{s.prefix + "heartbeat"}, now.UnixMilli()).Text()
	if err != nil {
		return time.Time{}, unavailable(err)
	}
	if prev == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(prev, 10, 64)
	if err != nil {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), nil
}
