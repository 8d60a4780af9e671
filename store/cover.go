package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// A person's time away (pathway.Away) is one record under their own key,
// kept until a day after it ends, so a late reminder still reads it and the
// job that records its end finds it. It names people and case ids only.

// awayKeepAfter is how long an away record is kept after its end.
const awayKeepAfter = 24 * time.Hour

func (s *Store) awayKey(person string) string { return s.personTag(person) + "away" }

// SaveAway records a person's time away, replacing any earlier one.
func (s *Store) SaveAway(ctx context.Context, a pathway.Away, now time.Time) error {
	blob, err := json.Marshal(a)
	if err != nil {
		return pathway.Errorf(pathway.Internal, "encoding a time away: %v", err)
	}
	ttl := a.Until.Sub(now) + awayKeepAfter
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return unavailable(s.rdb.Set(ctx, s.awayKey(a.Person), blob, ttl).Err())
}

// Away reads a person's time away, ended or not; ok is false when none is
// kept. A record that can't be read counts as none: reminders then go to
// the named contact, as they would without it.
func (s *Store) Away(ctx context.Context, person string) (a pathway.Away, ok bool, err error) {
	v, err := s.rdb.Get(ctx, s.awayKey(person)).Bytes()
	if errors.Is(err, redis.Nil) {
		return pathway.Away{}, false, nil
	}
	if err != nil {
		return pathway.Away{}, false, unavailable(err)
	}
	if json.Unmarshal(v, &a) != nil || a.Person != person {
		return pathway.Away{}, false, nil
	}
	return a, true, nil
}

// Aways reads the times away kept for people, in one round trip (each
// person's key is in their own slot, so a pipeline rather than MGET).
func (s *Store) Aways(ctx context.Context, people []string) (map[string]pathway.Away, error) {
	out := map[string]pathway.Away{}
	if len(people) == 0 {
		return out, nil
	}
	cmds := make([]*redis.StringCmd, len(people))
	pipe := s.rdb.Pipeline()
	for i, p := range people {
		cmds[i] = pipe.Get(ctx, s.awayKey(p))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	for i, cmd := range cmds {
		v, err := cmd.Bytes()
		if err != nil {
			continue
		}
		var a pathway.Away
		if json.Unmarshal(v, &a) == nil && a.Person == people[i] {
			out[people[i]] = a
		}
	}
	return out, nil
}

// endAwayScript removes a time away only if it is still the one read (its
// start matches), so the end of an earlier one never removes a newer one.
var endAwayScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, a = pcall(cjson.decode, v)
if not ok or type(a) ~= 'table' or a['f'] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`)

// EndAway removes a person's time away if it is the one that started at
// from; it reports whether it did.
func (s *Store) EndAway(ctx context.Context, person string, from time.Time) (bool, error) {
	f, err := json.Marshal(from)
	if err != nil {
		return false, pathway.Errorf(pathway.Internal, "encoding a time: %v", err)
	}
	var start string
	if err := json.Unmarshal(f, &start); err != nil {
		return false, pathway.Errorf(pathway.Internal, "encoding a time: %v", err)
	}
	n, err := endAwayScript.Run(ctx, s.rdb, []string{s.awayKey(person)}, start).Int()
	if err != nil {
		return false, unavailable(err)
	}
	return n == 1, nil
}

// AppendEvents records events on a case's timeline without changing the
// case otherwise (a time away starting or ending): the case is written back
// as it was read, under the same compare-and-set as any command, and read
// again when it changed in between. It reports false, writing nothing, when
// the case is closed or gone.
func (s *Store) AppendEvents(ctx context.Context, id int64, p *pathway.Policy, events ...pathway.Event) (bool, error) {
	return s.appendEvents(ctx, id, p, false, events)
}

// CorrectRecord is AppendEvents for entries that put right what the
// timeline already says hppbot did (a reminder recorded as sent when it was
// queued, that did not go after all): written on a closed case too, so the
// record it keeps is true. It reports false when the case is gone.
func (s *Store) CorrectRecord(ctx context.Context, id int64, p *pathway.Policy, events ...pathway.Event) (bool, error) {
	return s.appendEvents(ctx, id, p, true, events)
}

func (s *Store) appendEvents(ctx context.Context, id int64, p *pathway.Policy, closedToo bool, events []pathway.Event) (bool, error) {
	for attempt := 0; attempt < 5; attempt++ {
		c, err := s.GetCase(ctx, id)
		if pathway.ErrorCode(err) == pathway.NotFound {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !c.IsOpen() && !closedToo {
			return false, nil
		}
		err = s.SaveCase(ctx, c, c.Clone(), p, events...)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return err == nil, err
	}
	return false, pathway.Errorf(pathway.Conflict, "the case kept changing while a timeline entry was being added")
}

// noDeadline is the open index's score for an open case that owes nothing
// by a deadline (no regular contact agreed, no candour step outstanding):
// listed last, and never overdue. 9999-12-31T23:59:59Z.
const noDeadline = 253402300799

// deadlineScore is an open case's score in the open index: its earliest
// deadline, in Unix seconds.
func deadlineScore(c *pathway.Case) int64 {
	if d := c.Deadline(); !d.IsZero() {
		return d.Unix()
	}
	return noDeadline
}
