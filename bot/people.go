package bot

import (
	"context"
	"errors"
	"strings"
)

// People and channels are known by ids of the form "<surface>:<id>", such as
// "slack:U024BE7LH", "teams:29:1a2b..." or "console:sam", so one deployment
// can serve several surfaces and the scheduler can route a message to the
// right one.

// Surface names.
const (
	Console = "console"
	Slack   = "slack"
	Teams   = "teams"
)

// PersonID joins a surface and a platform id.
func PersonID(surface, id string) string { return surface + ":" + id }

// SplitID returns the surface and the platform id of a person or channel id.
func SplitID(id string) (surface, raw string) {
	s, r, ok := strings.Cut(id, ":")
	if !ok {
		return "", id
	}
	return s, r
}

// ErrNoRoute means no surface can deliver to that person or channel.
var ErrNoRoute = errors.New("bot: no surface for that id")

// ErrNotReachable means the surface knows no way to reach that person:
// every Undeliverable is one (in Teams, someone who never opened hppbot has
// no conversation to post into). The scheduler records the reminder as not
// delivered and tells the pathway lead once; a bare ErrNotReachable reads
// as "they haven't opened hppbot yet". errors.Is finds it when wrapped.
var ErrNotReachable = errors.New("bot: that person has not opened hppbot yet")

// Router sends each message through the surface its target belongs to.
type Router map[string]Messenger

// SendDirect implements Messenger.
func (r Router) SendDirect(ctx context.Context, person string, rep Reply) error {
	surface, _ := SplitID(person)
	m, ok := r[surface]
	if !ok {
		return ErrNoRoute
	}
	return m.SendDirect(ctx, person, rep)
}

// PostChannel implements Messenger.
func (r Router) PostChannel(ctx context.Context, channel string, rep Reply) error {
	surface, _ := SplitID(channel)
	m, ok := r[surface]
	if !ok {
		return ErrNoRoute
	}
	return m.PostChannel(ctx, channel, rep)
}
