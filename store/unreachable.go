package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// When hppbot's messages can't reach a person (the platform said so for
// good: bot.Undeliverable), whoever is asked to help is told once. The
// marks live in one hash per person, {u:<person>}:unreachable, a field for
// each lead or channel told; any message from the person clears it, so a
// later failure is told again. It holds ids only, never the reason or a
// case.

// UnreachableFor is how long a person's "told" marks are kept when nothing
// clears them: after that, someone still unreachable is told about again.
const UnreachableFor = 30 * 24 * time.Hour

func (s *Store) unreachableKey(person string) string { return s.personTag(person) + "unreachable" }

// TellUnreachableOnce marks that whom (a pathway lead or a channel) is
// being told that person can't be reached; first is false when it was
// marked already.
func (s *Store) TellUnreachableOnce(ctx context.Context, person, whom string) (first bool, err error) {
	key := s.unreachableKey(person)
	var set *redis.BoolCmd
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		set = p.HSetNX(ctx, key, whom, "1")
		p.Expire(ctx, key, UnreachableFor)
		return nil
	})
	if err != nil {
		return false, unavailable(err)
	}
	return set.Val(), nil
}

// ForgetUnreachableTold removes whom's mark, so telling them is tried
// again (the message to them did not go).
func (s *Store) ForgetUnreachableTold(ctx context.Context, person, whom string) error {
	return unavailable(s.rdb.HDel(ctx, s.unreachableKey(person), whom).Err())
}

// ClearUnreachable forgets that person could not be reached: they have
// been in touch with hppbot since.
func (s *Store) ClearUnreachable(ctx context.Context, person string) error {
	return unavailable(s.rdb.Del(ctx, s.unreachableKey(person)).Err())
}

// Unreachable reports whether anyone has been told that person can't be
// reached (and it has not been cleared since).
func (s *Store) Unreachable(ctx context.Context, person string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.unreachableKey(person)).Result()
	return n > 0, unavailable(err)
}
