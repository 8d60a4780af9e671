package delivery

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
)

// Rate is N messages per Per, with bursts of up to N.
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.N, shortDuration(r.Per)) }

// perMilli is the rate in tokens per millisecond, sped up by scale.
func (r Rate) perMilli(scale float64) float64 {
	return float64(r.N) / float64(r.Per.Milliseconds()) * scale
}

// Limits are the platforms' documented limits the queue keeps to, across
// every replica. The defaults are the documented ones:
//   - Slack: chat.postMessage about 1 message a second per channel, and
//     "several hundred a minute" per workspace, taken as 300 a minute.
//   - Teams: 7 messages a second per conversation, 60 per 30 seconds and
//     1,800 an hour; about 30–50 requests a second per app per tenant,
//     taken as 30 a second.
type Limits struct {
	SlackChannel      []Rate
	SlackWorkspace    []Rate
	TeamsConversation []Rate
	TeamsTenant       []Rate
	// Scale speeds every rate up (the benchmark's stand-in servers keep
	// time Scale times faster); 0 or 1: real time.
	Scale float64
}

// DefaultLimits are the documented limits.
func DefaultLimits() Limits {
	return Limits{
		SlackChannel:      []Rate{{1, time.Second}},
		SlackWorkspace:    []Rate{{300, time.Minute}},
		TeamsConversation: []Rate{{7, time.Second}, {60, 30 * time.Second}, {1800, time.Hour}},
		TeamsTenant:       []Rate{{30, time.Second}},
		Scale:             1,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.SlackChannel == nil {
		l.SlackChannel = d.SlackChannel
	}
	if l.SlackWorkspace == nil {
		l.SlackWorkspace = d.SlackWorkspace
	}
	if l.TeamsConversation == nil {
		l.TeamsConversation = d.TeamsConversation
	}
	if l.TeamsTenant == nil {
		l.TeamsTenant = d.TeamsTenant
	}
	if l.Scale <= 0 {
		l.Scale = 1
	}
	return l
}

// bucket is one token bucket a send takes from.
type bucket struct {
	name string
	rate Rate
}

// conversationBuckets are the buckets of one conversation: a pause asked
// for by a 429 applies to these.
func (l Limits) conversationBuckets(to string) []bucket {
	switch surface, _ := bot.SplitID(to); surface {
	case bot.Slack:
		return named("slack:ch:"+to, l.SlackChannel)
	case bot.Teams:
		return named("teams:conv:"+to, l.TeamsConversation)
	}
	return nil
}

// buckets are every bucket a send to to takes a token from.
func (l Limits) buckets(to string) []bucket {
	b := l.conversationBuckets(to)
	switch surface, _ := bot.SplitID(to); surface {
	case bot.Slack:
		b = append(b, named("slack:ws", l.SlackWorkspace)...)
	case bot.Teams:
		b = append(b, named("teams:tenant", l.TeamsTenant)...)
	}
	return b
}

func named(name string, rs []Rate) []bucket {
	out := make([]bucket, len(rs))
	for i, r := range rs {
		out[i] = bucket{name: name + ":" + strconv.Itoa(i), rate: r}
	}
	return out
}

// ParseRates reads rates written as "7/1s,60/30s,1800/1h": N messages per
// a Go duration. Each N and duration must be positive.
func ParseRates(s string) ([]Rate, error) {
	var out []Rate
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		n, per, ok := strings.Cut(part, "/")
		if !ok {
			return nil, fmt.Errorf("%q is not a rate: write it as messages/duration, such as 7/1s or 300/1m", part)
		}
		count, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || count <= 0 || count > 1_000_000 {
			return nil, fmt.Errorf("%q: the number of messages must be a whole number from 1 to 1000000", part)
		}
		d, err := time.ParseDuration(strings.TrimSpace(per))
		if err != nil || d < time.Millisecond || d > 24*time.Hour {
			return nil, fmt.Errorf("%q: the time must be a duration from 1ms to 24h, such as 1s, 30s or 1h", part)
		}
		out = append(out, Rate{N: count, Per: d})
	}
	return out, nil
}

// FormatRates writes rates as ParseRates reads them.
func FormatRates(rs []Rate) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" || strings.HasSuffix(s, "h") || strings.HasSuffix(s, "m") || strings.HasSuffix(s, "s") {
		if s == "" {
			return d.String()
		}
		return s
	}
	return d.String()
}
