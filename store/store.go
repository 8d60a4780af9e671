// Package store keeps hppbot's state in Redis: cases, their append-only
// timelines, the due index the scheduler claims from, services, and people's
// own settings.
//
// Layout. Cases are spread over Partitions partitions. A partition is one
// Redis Cluster hash tag ({p3}) and holds its cases, their timeline entries
// and the index entries that point at them, so every command is a single
// atomic script even on a Cluster. Keys carry a configurable prefix.
//
// It never logs note text, summaries or wellbeing answers, and it never
// stores anything the pathway's identifier guard has refused.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// Partitions is how many hash-tagged partitions cases are spread over. It
// is fixed: changing it would move every case.
const Partitions = 16

// Store is hppbot's state in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	embed  *miniredis.Miniredis
}

// New wraps a connected client. prefix starts every key (e.g. "hpp:").
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix}
}

// Options parses a REDIS_URL into go-redis's universal options: redis:// and
// rediss:// (TLS), with a user, password and database. Several hosts
// separated by commas make a Cluster client; ?master_name=x makes a Sentinel
// client (the hosts are then the sentinels).
func Options(raw string) (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "redis" && scheme != "rediss") {
		return nil, fmt.Errorf("should start with redis:// or rediss://")
	}
	rest, query, _ := strings.Cut(rest, "?")
	hostPart, path, hasPath := strings.Cut(rest, "/")
	userinfo := ""
	if i := strings.LastIndex(hostPart, "@"); i >= 0 {
		userinfo, hostPart = hostPart[:i+1], hostPart[i+1:]
	}
	var master string
	var kept []string
	for _, kv := range strings.Split(query, "&") {
		switch {
		case kv == "":
		case strings.HasPrefix(kv, "master_name="):
			master = strings.TrimPrefix(kv, "master_name=")
		default:
			kept = append(kept, kv)
		}
	}
	hosts := strings.Split(hostPart, ",")
	single := scheme + "://" + userinfo + hosts[0]
	if hasPath {
		single += "/" + path
	}
	if len(kept) > 0 {
		single += "?" + strings.Join(kept, "&")
	}
	o, err := redis.ParseURL(single)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if h == "" {
			return nil, fmt.Errorf("has an empty host")
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			// No port: JoinHostPort adds the brackets an IPv6 host needs,
			// so take off any it was written with.
			h = net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), "6379")
		}
		addrs = append(addrs, h)
	}
	return &redis.UniversalOptions{
		Addrs:        addrs,
		MasterName:   master,
		Username:     o.Username,
		Password:     o.Password,
		DB:           o.DB,
		TLSConfig:    o.TLSConfig,
		DialTimeout:  2 * time.Second,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		PoolTimeout:  1500 * time.Millisecond,
		MaxRetries:   1,
	}, nil
}

// Connect opens the Redis at url.
func Connect(url, prefix string) (*Store, error) {
	o, err := Options(url)
	if err != nil {
		return nil, err
	}
	return New(redis.NewUniversalClient(o), prefix), nil
}

// Embedded starts an in-process Redis (miniredis): for trying hppbot on a
// laptop. Nothing is kept when the process ends.
func Embedded(prefix string) (*Store, error) {
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		return nil, err
	}
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	s := New(rdb, prefix)
	s.embed = m
	return s, nil
}

// IsEmbedded reports whether the store is the in-process one.
func (s *Store) IsEmbedded() bool { return s.embed != nil }

// Advance moves the embedded Redis's clock for key expiry, so the console's
// :advance expires what would have expired. It does nothing on a real Redis.
func (s *Store) Advance(d time.Duration) {
	if s.embed != nil {
		s.embed.FastForward(d)
	}
}

// Client returns the Redis client, for health checks and benchmarks.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the key prefix.
func (s *Store) Prefix() string { return s.prefix }

// Ping checks Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Close closes the connection (and stops the embedded Redis).
func (s *Store) Close() error {
	err := s.rdb.Close()
	if s.embed != nil {
		s.embed.Close()
	}
	return err
}

// ErrConflict means the case changed between reading and writing it; read
// it again and retry.
var ErrConflict = errors.New("store: case changed concurrently")

// unavailable turns a Redis failure into the domain's "nothing was saved".
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var pe *pathway.Error
	if errors.As(err, &pe) || errors.Is(err, ErrConflict) {
		return err
	}
	return pathway.ErrUnavailable(err)
}

// Keys.

func partition(id int64) int { return int(id % Partitions) }

func (s *Store) part(p int) string { return s.prefix + "{p" + strconv.Itoa(p) + "}:" }

func (s *Store) caseKey(id int64) string {
	return s.part(partition(id)) + "case:" + strconv.FormatInt(id, 10)
}
func (s *Store) timelineKey(p int) string { return s.part(p) + "tl" }
func (s *Store) streamKey(p int) string   { return s.part(p) + "events" }
func (s *Store) dueKey(p int) string      { return s.part(p) + "due" }
func (s *Store) leaseKey(p int) string    { return s.part(p) + "lease" }
func (s *Store) openKey(p int) string     { return s.part(p) + "open" }
func (s *Store) allKey(p int) string      { return s.part(p) + "all" }
func (s *Store) jobsKey(p int) string     { return s.part(p) + "jobs" }
func (s *Store) personKey(p int, person string) string {
	return s.part(p) + "u:" + person
}
func (s *Store) serviceCasesKey(p int, service string) string {
	return s.part(p) + "s:" + service
}
func (s *Store) sentKey(p int, member, occurrence string) string {
	return s.part(p) + "sent:" + member + ":" + occurrence
}
func (s *Store) seqKey() string      { return s.prefix + "seq" }
func (s *Store) servicesKey() string { return s.prefix + "services" }
func (s *Store) namesKey() string    { return s.prefix + "names" }
