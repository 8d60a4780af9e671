package store

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sync"

	"github.com/redis/go-redis/v9"

	"hppbot/pathway"
)

// Services is the services table, by name. A Services a Store returns may
// be shared: read it, never change it.
type Services map[string]pathway.Service

// LeadOf lists the services a person is pathway lead for.
func (s Services) LeadOf(person string) []string {
	var out []string
	for name, svc := range s {
		if svc.Lead == person {
			out = append(out, name)
		}
	}
	return out
}

type wireService struct {
	Lead      string `json:"l,omitempty"`
	Channel   string `json:"c,omitempty"`
	Wellbeing string `json:"w,omitempty"`
	SetBy     string `json:"b,omitempty"`
	SetAt     int64  `json:"t,omitempty"`
}

func decodeService(name, v string) (pathway.Service, error) {
	var w wireService
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return pathway.Service{}, pathway.Errorf(pathway.Internal, "decoding service %s: %v", name, err)
	}
	return pathway.Service{Name: name, Lead: w.Lead, Channel: w.Channel, Wellbeing: w.Wellbeing, SetBy: w.SetBy, SetAt: fromUnix(w.SetAt)}, nil
}

// serviceCache holds the services table as last read and decoded. Every
// case command reads the whole table (to check who may act on the case),
// and a trust has tens of services that rarely change: a table that reads
// the same as last time is answered from here, and a changed one decodes
// only the records that changed. The table is always read from Redis, so
// a change made by another replica is seen at once.
type serviceCache struct {
	mu   sync.RWMutex
	raw  map[string]string
	svcs Services
}

// decode returns the table m decodes to. The Services returned may be
// shared with other callers: read it, never change it.
func (c *serviceCache) decode(m map[string]string) (Services, error) {
	c.mu.RLock()
	raw, svcs := c.raw, c.svcs
	c.mu.RUnlock()
	if raw != nil && maps.Equal(raw, m) {
		return svcs, nil
	}
	out := make(Services, len(m))
	for name, v := range m {
		if old, ok := raw[name]; ok && old == v {
			out[name] = svcs[name]
			continue
		}
		svc, err := decodeService(name, v)
		if err != nil {
			return nil, err
		}
		out[name] = svc
	}
	c.mu.Lock()
	c.raw, c.svcs = m, out
	c.mu.Unlock()
	return out, nil
}

// Services reads the services table.
func (s *Store) Services(ctx context.Context) (Services, error) {
	m, err := s.rdb.HGetAll(ctx, s.servicesKey()).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	return s.services.decode(m)
}

// Service reads one service; ok is false when it has not been set up.
func (s *Store) Service(ctx context.Context, name string) (pathway.Service, bool, error) {
	v, err := s.rdb.HGet(ctx, s.servicesKey(), name).Result()
	if errors.Is(err, redis.Nil) {
		return pathway.Service{Name: name}, false, nil
	}
	if err != nil {
		return pathway.Service{}, false, unavailable(err)
	}
	svc, err := decodeService(name, v)
	if err != nil {
		return pathway.Service{}, false, err
	}
	return svc, true, nil
}

// SaveService writes a service.
func (s *Store) SaveService(ctx context.Context, svc pathway.Service) error {
	data, err := json.Marshal(wireService{Lead: svc.Lead, Channel: svc.Channel, Wellbeing: svc.Wellbeing, SetBy: svc.SetBy, SetAt: unix(svc.SetAt)})
	if err != nil {
		return pathway.Errorf(pathway.Internal, "encoding service: %v", err)
	}
	return unavailable(s.rdb.HSet(ctx, s.servicesKey(), svc.Name, data).Err())
}

// Names remembers people's display names, so exports and messages can show
// a name where a platform only gives an id.
type Names struct {
	store *Store
	mu    sync.Mutex
	seen  map[string]string
}

// MaxNameLen bounds a display name kept in the name book: longer ones are
// not kept (a surface's own names are far shorter).
const MaxNameLen = 200

// Names returns the store's name book.
func (s *Store) Names() *Names { return &Names{store: s, seen: map[string]string{}} }

// Remember records a person's display name; it writes only when the name is
// new to this process, so it costs nothing on the hot path.
func (n *Names) Remember(ctx context.Context, person, name string) {
	if person == "" || name == "" || len(name) > MaxNameLen || len(person) > MaxNameLen {
		return
	}
	n.mu.Lock()
	known := n.seen[person] == name
	if !known {
		if len(n.seen) > 10000 {
			n.seen = map[string]string{}
		}
		n.seen[person] = name
	}
	n.mu.Unlock()
	if !known {
		// Best effort: a name is a convenience, not part of the record.
		_ = n.store.rdb.HSet(ctx, n.store.namesKey(), person, name).Err()
	}
}

// Lookup returns the display names known for people.
func (n *Names) Lookup(ctx context.Context, people []string) map[string]string {
	out := map[string]string{}
	if len(people) == 0 {
		return out
	}
	vals, err := n.store.rdb.HMGet(ctx, n.store.namesKey(), people...).Result()
	if err != nil {
		return out
	}
	for i, v := range vals {
		if s, ok := v.(string); ok && s != "" {
			out[people[i]] = s
		}
	}
	return out
}
