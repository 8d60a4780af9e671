package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// The web pages' sign-in: one-time links and sessions. Keys hold a hash of
// the secret, never the secret itself, so reading Redis gives no one a
// link or a session to use.

func secretKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *Store) signInKey(token string) string { return s.prefix + "web:link:" + secretKey(token) }
func (s *Store) sessionKey(id string) string   { return s.prefix + "web:session:" + secretKey(id) }

// SaveSignInLink keeps a one-time link's token for a person, for ttl.
func (s *Store) SaveSignInLink(ctx context.Context, token, person string, ttl time.Duration) error {
	if token == "" || person == "" || ttl <= 0 {
		return pathway.Errorf(pathway.Internal, "a sign-in link needs a token, a person and a time to live")
	}
	return unavailable(s.rdb.Set(ctx, s.signInKey(token), person, ttl).Err())
}

// TakeSignInLink returns the person a link's token was made for and forgets
// it in the same command (GETDEL), so a link works once even when two
// replicas are asked at the same moment; ok is false when it has expired or
// was used.
func (s *Store) TakeSignInLink(ctx context.Context, token string) (person string, ok bool, err error) {
	if token == "" {
		return "", false, nil
	}
	person, err = s.rdb.GetDel(ctx, s.signInKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, unavailable(err)
	}
	return person, true, nil
}

// WebSession is a signed-in browser.
type WebSession struct {
	Person  string    `json:"p"`
	Started time.Time `json:"s"`
	Teams   bool      `json:"t,omitempty"` // signed in through the Teams tab
}

// SaveWebSession keeps a session for ttl (its idle time, bounded by its
// absolute end); saving it again is how its idle time starts over.
func (s *Store) SaveWebSession(ctx context.Context, id string, sess WebSession, ttl time.Duration) error {
	if id == "" || sess.Person == "" || ttl <= 0 {
		return pathway.Errorf(pathway.Internal, "a web session needs an id, a person and a time to live")
	}
	data, err := json.Marshal(sess)
	if err != nil {
		return pathway.Errorf(pathway.Internal, "encoding a web session: %v", err)
	}
	return unavailable(s.rdb.Set(ctx, s.sessionKey(id), data, ttl).Err())
}

// WebSession returns a session; ok is false when it has ended or never was.
func (s *Store) WebSession(ctx context.Context, id string) (sess WebSession, ok bool, err error) {
	if id == "" {
		return WebSession{}, false, nil
	}
	data, err := s.rdb.Get(ctx, s.sessionKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return WebSession{}, false, nil
	}
	if err != nil {
		return WebSession{}, false, unavailable(err)
	}
	if err := json.Unmarshal(data, &sess); err != nil || sess.Person == "" {
		return WebSession{}, false, nil // unreadable: as good as signed out
	}
	return sess, true, nil
}

// EndWebSession signs a browser out.
func (s *Store) EndWebSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	return unavailable(s.rdb.Del(ctx, s.sessionKey(id)).Err())
}
