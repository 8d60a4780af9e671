package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// A chat platform may deliver one request more than once: Slack retries an
// event it thinks went unanswered, and a signed request can be sent again
// while its signature is still good. Whichever replica claims a request
// first answers it; its answer is kept for a few minutes, for any replica
// that sees the request again to give the same answer and change nothing.

// Values of a request's key: being answered, or answered (the answer follows
// the mark, and may be empty).
const (
	requestAnswering = "w"
	requestAnswered  = "a"
)

func (s *Store) requestKey(id string) string { return s.prefix + "req:" + id }

// ClaimRequest claims the request id (a digest of it, made by the surface)
// for ttl. first is true when no one had claimed it; otherwise done reports
// whether its answer has been kept, and answer is that answer. One round
// trip, shared with other commands of the moment (see batch.go).
func (s *Store) ClaimRequest(ctx context.Context, id string, ttl time.Duration) (first bool, answer []byte, done bool, err error) {
	key := s.requestKey(id)
	claim := redis.NewStatusCmd(ctx, "set", key, requestAnswering, "px", ttl.Milliseconds(), "nx")
	read := redis.NewStringCmd(ctx, "get", key)
	if err := s.batch.do(ctx, claim, read); err != nil && !errors.Is(err, redis.Nil) {
		return false, nil, false, unavailable(err)
	}
	if claim.Err() == nil {
		return true, nil, false, nil
	}
	answer, done = readAnswer(read)
	return false, answer, done, nil
}

// RequestAnswer reads the answer kept for a claimed request; done is false
// while it is still being answered (or after its claim expired).
func (s *Store) RequestAnswer(ctx context.Context, id string) (answer []byte, done bool, err error) {
	read := redis.NewStringCmd(ctx, "get", s.requestKey(id))
	if err := s.batch.do(ctx, read); err != nil && !errors.Is(err, redis.Nil) {
		return nil, false, unavailable(err)
	}
	answer, done = readAnswer(read)
	return answer, done, nil
}

// readAnswer reads a request key's value: the answer kept, once there is one.
func readAnswer(read *redis.StringCmd) (answer []byte, done bool) {
	v, err := read.Bytes()
	if err != nil || len(v) == 0 || string(v[:1]) != requestAnswered {
		return nil, false
	}
	return v[1:], true
}

// KeepAnswer keeps the answer given to a claimed request, for ttl.
func (s *Store) KeepAnswer(ctx context.Context, id string, answer []byte, ttl time.Duration) error {
	v := make([]byte, 0, len(requestAnswered)+len(answer))
	v = append(append(v, requestAnswered...), answer...)
	return unavailable(s.batch.do(ctx, redis.NewStatusCmd(ctx, "set", s.requestKey(id), v, "px", ttl.Milliseconds())))
}
