package slack

import (
	"context"
	"strings"
	"sync"
	"time"

	"hppbot/bot"
)

// Names are a convenience, never on the hot path: a typed command uses what
// is already cached (or the user name Slack sent with it) and asks users.info
// in the background; the answer is cached here and remembered in the store's
// name book, where exports and the other surfaces find it.
const (
	nameTTL        = 12 * time.Hour
	unknownNameTTL = 10 * time.Minute
	maxNames       = 20000 // cached names before the cache starts afresh
	maxLookups     = 8     // users.info calls in flight at once
	maxLearned     = 25    // people looked up from one command's text
)

type nameEntry struct {
	name  string
	until time.Time
}

type nameCache struct {
	mu      sync.Mutex
	entries map[string]nameEntry // person id -> display name
	pending map[string]bool      // Slack user ids being looked up
}

func (c *nameCache) get(person string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[person]
	if !ok || now.After(e.until) {
		return "", false
	}
	return e.name, true
}

func (c *nameCache) put(person, name string, ttl time.Duration, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxNames {
		c.entries = map[string]nameEntry{}
	}
	c.entries[person] = nameEntry{name: name, until: now.Add(ttl)}
}

// displayName returns the name to pass with a Slack user's command: the
// cached display name, else the user name Slack sent; a user not cached is
// looked up in the background.
func (s *Surface) displayName(userID, fallback string) string {
	if name, ok := s.names.get(bot.PersonID(bot.Slack, userID), time.Now()); ok {
		if name != "" {
			return name
		}
		return fallback // looked up lately and not found: don't ask again yet
	}
	s.lookUp(userID)
	return fallback
}

// learnMentioned looks up, in the background, the Slack users mentioned in
// a command's text (<@U123|name> or <@U123>).
func (s *Surface) learnMentioned(text string) {
	if !strings.Contains(text, "<@") {
		return
	}
	n := 0
	for m, ok := bot.NextMention(text, 0); ok && n < maxLearned; m, ok = bot.NextMention(text, m.End) {
		n++
		if m.Kind == '@' && isSlackID(m.ID) {
			if _, ok := s.names.get(bot.PersonID(bot.Slack, m.ID), time.Now()); !ok {
				s.lookUp(m.ID)
			}
		}
	}
}

// lookUp asks users.info for a Slack user's display name in the background,
// unless that is already under way or too many lookups are.
func (s *Surface) lookUp(userID string) {
	if !isSlackID(userID) {
		return
	}
	s.names.mu.Lock()
	if s.names.pending[userID] || len(s.names.pending) >= maxLookups {
		s.names.mu.Unlock()
		return
	}
	s.names.pending[userID] = true
	s.names.mu.Unlock()
	s.async(func() {
		defer func() {
			s.names.mu.Lock()
			delete(s.names.pending, userID)
			s.names.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		person := bot.PersonID(bot.Slack, userID)
		u, err := s.api.GetUserInfoContext(ctx, userID)
		if err != nil {
			s.log.Debug("could not look up a name", "person", person, "err", err)
			s.names.put(person, "", unknownNameTTL, time.Now())
			return
		}
		name := firstNonEmpty(u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name)
		s.names.put(person, name, nameTTL, time.Now())
		if name != "" && s.cfg.Names != nil {
			s.cfg.Names.Remember(ctx, person, name)
		}
	})
}

// namesFor returns the names of the people and channels of other surfaces
// a reply mentions (Slack's own render as mentions and need none). It asks
// the name book only for those it hasn't cached.
func (s *Surface) namesFor(ctx context.Context, r bot.Reply) names {
	var missing []string
	var out names // made when a name is needed: most replies mention only Slack people
	now := time.Now()
	people, _ := r.Mentions()
	for _, id := range people {
		surface, _ := bot.SplitID(id)
		if surface == bot.Slack || surface == "" || surface == bot.Console {
			continue
		}
		if out == nil {
			out = names{}
		}
		if name, ok := s.names.get(id, now); ok {
			out[id] = name
			continue
		}
		out[id] = ""
		missing = append(missing, id)
	}
	if len(missing) > 0 && s.cfg.Names != nil {
		found := s.cfg.Names.Lookup(ctx, missing)
		for _, id := range missing {
			out[id] = found[id]
			ttl := nameTTL
			if found[id] == "" {
				ttl = unknownNameTTL
			}
			s.names.put(id, found[id], ttl, now)
		}
	}
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
