package store

import (
	"context"
	"time"

	"hppbot/pathway"
)

// A reply meant for one person that could not reach them privately (in
// Teams: they have no chat with hppbot yet, or Teams refused the post) is
// held here, already rendered for their surface, until they next open their
// chat with hppbot. It never goes anywhere else. Held replies expire after
// the ttl the surface gives (Teams: 24 hours), and `checkin forget` drops
// them with the answers they may show.

// maxHeld bounds how many replies wait for one person; the oldest go first.
const maxHeld = 20

func (s *Store) heldKey(person string) string { return s.personTag(person) + "held" }

// HoldReply keeps one rendered private reply (opaque bytes) for a person,
// for ttl from now; each new reply restarts the person's clock.
func (s *Store) HoldReply(ctx context.Context, person string, data []byte, ttl time.Duration) error {
	if person == "" || len(data) == 0 || ttl <= 0 {
		return pathway.Errorf(pathway.Internal, "a held reply needs a person, a reply and a time to live")
	}
	key := s.heldKey(person)
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, key, data)
	pipe.LTrim(ctx, key, -maxHeld, -1)
	pipe.Expire(ctx, key, ttl)
	_, err := pipe.Exec(ctx)
	return unavailable(err)
}

// TakeHeldReplies returns the replies held for a person, oldest first, and
// forgets them: two deliveries at once can't both get them.
func (s *Store) TakeHeldReplies(ctx context.Context, person string) ([][]byte, error) {
	key := s.heldKey(person)
	pipe := s.rdb.TxPipeline()
	got := pipe.LRange(ctx, key, 0, -1)
	pipe.Del(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, unavailable(err)
	}
	vals := got.Val()
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return out, nil
}
