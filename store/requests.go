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
// whether its answer has been kept, and answer is that answer.
func (s *Store) ClaimRequest(ctx context.Context, id string, ttl time.Duration) (first bool, answer []byte, done bool, err error) {
	key := s.requestKey(id)
	first, err = s.rdb.SetNX(ctx, key, requestAnswering, ttl).Result()
	if err != nil {
		return false, nil, false, unavailable(err)
	}
	if first {
		return true, nil, false, nil
	}
	answer, done, err = s.RequestAnswer(ctx, id)
	return false, answer, done, err
}

// RequestAnswer reads the answer kept for a claimed request; done is false
// while it is still being answered (or after its claim expired).
func (s *Store) RequestAnswer(ctx context.Context, id string) (answer []byte, done bool, err error) {
	v, err := s.rdb.Get(ctx, s.requestKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	if len(v) == 0 || string(v[:1]) != requestAnswered {
		return nil, false, nil
	}
	return v[1:], true, nil
}

// KeepAnswer keeps the answer given to a claimed request, for ttl.
func (s *Store) KeepAnswer(ctx context.Context, id string, answer []byte, ttl time.Duration) error {
	v := make([]byte, 0, len(requestAnswered)+len(answer))
	v = append(append(v, requestAnswered...), answer...)
	return unavailable(s.rdb.Set(ctx, s.requestKey(id), v, ttl).Err())
}
