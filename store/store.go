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
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"hppbot/pathway"
)

// Partitions is how many hash-tagged partitions cases are spread over. It
// is fixed: changing it would move every case.
const Partitions = 16

// Store is hppbot's state in Redis.
type Store struct {
	rdb redis.UniversalClient
	// resolver is a client that waits longer for a reply, for finding out
	// what became of a write whose reply was lost (see confirm.go).
	resolver redis.UniversalClient
	prefix   string
	parts    [Partitions]partKeys
	embed    *miniredis.Miniredis
	batch    *batcher

	services serviceCache

	// settingsTTL is how long a person's settings are kept after they last
	// changed (KeepSettings); 0 keeps them.
	settingsTTL time.Duration

	// onUnreadable is told of each record a read set aside (OnUnreadable).
	onUnreadable func(context.Context, Unreadable)
}

// partKeys are one partition's key prefix and the keys every write to it
// names, made once rather than on every command.
type partKeys struct {
	prefix                                        string // prefix + "{pN}:"
	timeline, stream, due, lease, open, all, jobs string
}

// New wraps a connected client. prefix starts every key (e.g. "hpp:").
func New(rdb redis.UniversalClient, prefix string) *Store {
	s := &Store{rdb: rdb, resolver: rdb, prefix: prefix, batch: newBatcher(rdb)}
	for p := range s.parts {
		pre := prefix + "{p" + strconv.Itoa(p) + "}:"
		s.parts[p] = partKeys{prefix: pre, timeline: pre + "tl", stream: pre + "events", due: pre + "due",
			lease: pre + "lease", open: pre + "open", all: pre + "all", jobs: pre + "jobs"}
	}
	return s
}

// Client timeouts. They bound how long a command can wait for a Redis that
// has gone away, so a person hears "nothing was saved" within two seconds
// (SPEC's hard rule 3): one dial attempt of at most DialTimeout, replies
// within ReadTimeout, and no automatic retry, because a retried write whose
// first attempt did reach Redis would be applied twice. A REDIS_URL may set
// its own (?dial_timeout=1s&read_timeout=2s&max_retries=1, as go-redis
// reads them).
const (
	DialTimeout  = 500 * time.Millisecond
	ReadTimeout  = 500 * time.Millisecond
	WriteTimeout = 500 * time.Millisecond
	PoolTimeout  = time.Second
)

// Options parses a REDIS_URL into go-redis's universal options: redis:// and
// rediss:// (TLS), with a user, password and database. Several hosts
// separated by commas make a Cluster client; ?master_name=x makes a Sentinel
// client (the hosts are then the sentinels, which may have their own
// ?sentinel_username= and ?sentinel_password=).
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
	var master, sentinelUser, sentinelPass string
	var kept []string
	given := map[string]bool{}
	for _, kv := range strings.Split(query, "&") {
		key, value, _ := strings.Cut(kv, "=")
		switch key {
		case "":
		case "master_name":
			master = value
		case "sentinel_username":
			sentinelUser = value
		case "sentinel_password":
			sentinelPass = value
		default:
			given[key] = true
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
		var uerr *url.Error
		if errors.As(err, &uerr) {
			// Not the URL itself: it may hold a password.
			return nil, fmt.Errorf("isn't a URL I can read: %v", uerr.Err)
		}
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
	if o.TLSConfig != nil && len(addrs) > 1 {
		// Each node or sentinel is checked against its own name, not the
		// first host's.
		o.TLSConfig.ServerName = ""
	}
	uo := &redis.UniversalOptions{
		Addrs:                 addrs,
		MasterName:            master,
		SentinelUsername:      sentinelUser,
		SentinelPassword:      sentinelPass,
		Username:              o.Username,
		Password:              o.Password,
		DB:                    o.DB,
		TLSConfig:             o.TLSConfig,
		PoolSize:              o.PoolSize,
		MinIdleConns:          o.MinIdleConns,
		DialTimeout:           orDuration(o.DialTimeout, DialTimeout),
		ReadTimeout:           orDuration(o.ReadTimeout, ReadTimeout),
		WriteTimeout:          orDuration(o.WriteTimeout, WriteTimeout),
		PoolTimeout:           orDuration(o.PoolTimeout, PoolTimeout),
		DialerRetries:         1,
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		// No CLIENT SETINFO or maintenance-notification handshake: older
		// servers answer them with errors that would count as failures.
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if given["max_retries"] {
		uo.MaxRetries = o.MaxRetries
	}
	return uo, nil
}

func orDuration(v, def time.Duration) time.Duration {
	if v != 0 {
		return v
	}
	return def
}

// Connect opens the Redis at url.
func Connect(url, prefix string) (*Store, error) {
	o, err := Options(url)
	if err != nil {
		return nil, err
	}
	return NewWithOptions(o, prefix), nil
}

// NewWithOptions connects with o, and keeps a second, patient client for
// finding out what became of a write whose reply was lost (confirm.go).
func NewWithOptions(o *redis.UniversalOptions, prefix string) *Store {
	s := New(redis.NewUniversalClient(o), prefix)
	slow := *o
	slow.ReadTimeout, slow.WriteTimeout = ResolveTimeout, ResolveTimeout
	slow.PoolSize, slow.MinIdleConns = 4, 0
	s.resolver = redis.NewUniversalClient(&slow)
	return s
}

// Embedded starts an in-process Redis (miniredis): for trying hppbot on a
// laptop. Nothing is kept when the process ends.
func Embedded(prefix string) (*Store, error) {
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		return nil, err
	}
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), DialTimeout: DialTimeout, ReadTimeout: ReadTimeout, WriteTimeout: WriteTimeout,
		PoolTimeout: PoolTimeout, DialerRetries: 1, MaxRetries: -1, ContextTimeoutEnabled: true, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
	s := New(rdb, prefix)
	s.resolver = redis.NewClient(&redis.Options{Addr: m.Addr(), DialTimeout: DialTimeout, ReadTimeout: ResolveTimeout, WriteTimeout: ResolveTimeout,
		PoolSize: 4, PoolTimeout: PoolTimeout, DialerRetries: 1, MaxRetries: -1, ContextTimeoutEnabled: true, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
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
	s.batch.close()
	err := s.rdb.Close()
	if s.resolver != s.rdb {
		s.resolver.Close()
	}
	if s.embed != nil {
		s.embed.Close()
	}
	return err
}

// ErrConflict means the case changed between reading and writing it; read
// it again and retry.
var ErrConflict = errors.New("store: case changed concurrently")

// unavailable turns a Redis failure into the domain's "nothing was saved".
// The cause it keeps, for logs, is only the kind of failure (Failure): a
// Redis error reply can echo a command's arguments, which hold case JSON and
// notes, so the original error goes no further than here.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var pe *pathway.Error
	if errors.As(err, &pe) || errors.Is(err, ErrConflict) {
		return err
	}
	return pathway.ErrUnavailable(Redact(err))
}

// Failure is a Redis failure reduced to its kind, safe to log: "timeout",
// "connection refused", "connection lost", "pool timeout", "closed",
// "canceled", "tls", "auth", or an error reply's first word ("READONLY",
// "CLUSTERDOWN", "WRONGTYPE", "ERR").
type Failure struct {
	Kind string
	ctx  error // context.Canceled or context.DeadlineExceeded, for errors.Is
}

func (f *Failure) Error() string { return "redis: " + f.Kind }

// Is lets errors.Is see a context error through the redaction.
func (f *Failure) Is(target error) bool { return f.ctx != nil && target == f.ctx }

// Redact reduces an error from go-redis to a Failure that names its kind
// and nothing else: no command, no argument, no reply text.
func Redact(err error) error {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Kind: FailureKind(err), ctx: contextErr(err)}
}

func contextErr(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

// FailureKind names the kind of a Redis failure, for logs and metrics.
func FailureKind(err error) string {
	var f *Failure
	var rerr redis.Error
	var nerr net.Error
	var operr *net.OpError
	var tlsErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &f):
		return f.Kind
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, redis.ErrPoolTimeout):
		return "pool timeout"
	case errors.Is(err, redis.ErrClosed), errors.Is(err, net.ErrClosed):
		return "closed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection lost"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &tlsErr), errors.As(err, &recErr):
		return "tls"
	case errors.As(err, &rerr):
		word, _, _ := strings.Cut(strings.TrimSpace(rerr.Error()), " ")
		switch word {
		case "NOAUTH", "WRONGPASS", "NOPERM":
			return "auth"
		}
		if word == "" || len(word) > 20 || strings.ToUpper(word) != word {
			word = "ERR"
		}
		return word
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.As(err, &operr):
		return "network " + operr.Op
	}
	return "error"
}

// Keys.

// partition is where case id lives. Ids are positive; a negative one (never
// given out) maps as its absolute value would, never outside the table.
func partition(id int64) int {
	p := int(id % Partitions)
	if p < 0 {
		p = -p
	}
	return p
}

func (s *Store) part(p int) string { return s.parts[p].prefix }

func (s *Store) caseKey(id int64) string {
	return s.part(partition(id)) + "case:" + strconv.FormatInt(id, 10)
}
func (s *Store) timelineKey(p int) string { return s.parts[p].timeline }
func (s *Store) streamKey(p int) string   { return s.parts[p].stream }
func (s *Store) dueKey(p int) string      { return s.parts[p].due }
func (s *Store) leaseKey(p int) string    { return s.parts[p].lease }
func (s *Store) openKey(p int) string     { return s.parts[p].open }
func (s *Store) allKey(p int) string      { return s.parts[p].all }
func (s *Store) jobsKey(p int) string     { return s.parts[p].jobs }
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
