package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/bot"
)

// The live nudge: where the latest reminder (or escalation post) about a
// case is, in a person's chat or a team channel, so that a newer one
// replaces it, logging contact changes it to say so, and taking an
// escalation on says so in the post itself. One hash per person or
// channel, {u:<person>}:live, a field for each case id holding the
// message's platform ids (no words, no names).

// LiveFor is how long a live-nudge hash is kept after its last change.
const LiveFor = 30 * 24 * time.Hour

func (s *Store) liveKey(to string) string { return s.personTag(to) + "live" }

// SetLive records ref as the live message about each of cases in ref.To's
// chat, and returns the refs it replaces (distinct, other than ref).
func (s *Store) SetLive(ctx context.Context, ref bot.MessageRef, cases []int64) ([]bot.MessageRef, error) {
	if len(cases) == 0 || ref.To == "" || ref.ID == "" {
		return nil, nil
	}
	key := s.liveKey(ref.To)
	fields := make([]string, len(cases))
	for i, c := range cases {
		fields[i] = strconv.FormatInt(c, 10)
	}
	ref.Cases = len(cases)
	b, err := json.Marshal(ref)
	if err != nil {
		return nil, err
	}
	pairs := make([]any, 0, 2*len(fields))
	for _, f := range fields {
		pairs = append(pairs, f, string(b))
	}
	var old *redis.SliceCmd
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		old = p.HMGet(ctx, key, fields...)
		p.HSet(ctx, key, pairs...)
		p.Expire(ctx, key, LiveFor)
		return nil
	})
	if err != nil {
		return nil, unavailable(err)
	}
	var replaced []bot.MessageRef
	seen := map[string]bool{}
	for _, v := range old.Val() {
		r, ok := decodeLive(v)
		if !ok || (r.Conv == ref.Conv && r.ID == ref.ID) || seen[r.Conv+"\x00"+r.ID] {
			continue
		}
		seen[r.Conv+"\x00"+r.ID] = true
		replaced = append(replaced, r)
	}
	return replaced, nil
}

// Live is the live message about case id in to's chat; ok is false when
// there is none.
func (s *Store) Live(ctx context.Context, to string, id int64) (bot.MessageRef, bool, error) {
	lives, err := s.Lives(ctx, []string{to}, id)
	r, ok := lives[to]
	return r, ok, err
}

// Lives are the live messages about case id in each of people's chats, in
// one round trip; people with none are left out.
func (s *Store) Lives(ctx context.Context, people []string, id int64) (map[string]bot.MessageRef, error) {
	out := map[string]bot.MessageRef{}
	if len(people) == 0 {
		return out, nil
	}
	field := strconv.FormatInt(id, 10)
	cmds := make([]*redis.StringCmd, len(people))
	pipe := s.rdb.Pipeline()
	for i, p := range people {
		cmds[i] = pipe.HGet(ctx, s.liveKey(p), field)
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, unavailable(err)
	}
	for i, cmd := range cmds {
		if v, err := cmd.Result(); err == nil {
			if r, ok := decodeLive(v); ok {
				out[people[i]] = r
			}
		}
	}
	return out, nil
}

// LiveElsewhere reports whether ref is still the live message for some
// case in its chat (a bundle some of whose cases are still open).
func (s *Store) LiveElsewhere(ctx context.Context, ref bot.MessageRef) (bool, error) {
	vals, err := s.rdb.HVals(ctx, s.liveKey(ref.To)).Result()
	if err != nil {
		return false, unavailable(err)
	}
	for _, v := range vals {
		if r, ok := decodeLive(v); ok && r.Conv == ref.Conv && r.ID == ref.ID {
			return true, nil
		}
	}
	return false, nil
}

// DoneLive forgets the live message about case id in to's chat (contact
// was logged, the escalation taken on).
func (s *Store) DoneLive(ctx context.Context, to string, id int64) error {
	return unavailable(s.rdb.HDel(ctx, s.liveKey(to), strconv.FormatInt(id, 10)).Err())
}

func decodeLive(v any) (bot.MessageRef, bool) {
	str, ok := v.(string)
	if !ok {
		return bot.MessageRef{}, false
	}
	var r bot.MessageRef
	if json.Unmarshal([]byte(str), &r) != nil || r.ID == "" {
		return bot.MessageRef{}, false
	}
	return r, true
}
