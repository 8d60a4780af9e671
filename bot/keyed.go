package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What the bot sends on its own goes through a delivery queue
// (hppbot/delivery), which sends each message with the idempotency key that
// makes it one message, paces the sends within each platform's limits, and
// after a crash asks the platform, where it can, whether a message already
// arrived. These are the surfaces' side of that.

// KeyedMessenger sends one message carrying its idempotency key, in one
// attempt: no retries inside the call (the queue paces and retries). A
// refusal to wait comes back as *RetryLater, a refusal for good as
// *Undeliverable.
type KeyedMessenger interface {
	SendKeyed(ctx context.Context, to string, channel bool, key string, r Reply) error
}

// DeliveryChecker is a surface that can say whether a keyed message is
// already in a conversation (Slack keeps the key in message metadata).
// since is the earliest the message could have been posted.
type DeliveryChecker interface {
	Delivered(ctx context.Context, to string, channel bool, key string, since time.Time) (bool, error)
}

// ErrCannotAsk means the surface can't say whether a message arrived (Teams).
var ErrCannotAsk = errors.New("bot: this surface cannot say whether a message arrived")

// RetryLater is a platform's "not now": a 429 (Throttled, wait After when
// it said how long), a brief outage (a 5xx, Teams' 412), or another answer
// that posted nothing and is not known to be final. Nothing was posted.
type RetryLater struct {
	Status    int           // the HTTP status
	Throttled bool          // a 429: the limit, not an outage
	After     time.Duration // what Retry-After asked for; 0 when it said nothing
}

func (e *RetryLater) Error() string {
	if e.Throttled {
		return fmt.Sprintf("the platform asked to slow down (HTTP %d, retry after %s)", e.Status, e.After)
	}
	return fmt.Sprintf("the platform is briefly unavailable (HTTP %d)", e.Status)
}

// SendKeyed implements KeyedMessenger: through the target's surface, or,
// for a surface without keyed sends (the console), as a plain send.
func (r Router) SendKeyed(ctx context.Context, to string, channel bool, key string, rep Reply) error {
	surface, _ := SplitID(to)
	m, ok := r[surface]
	if !ok {
		return ErrNoRoute
	}
	if k, ok := m.(KeyedMessenger); ok {
		return k.SendKeyed(ctx, to, channel, key, rep)
	}
	if channel {
		return m.PostChannel(ctx, to, rep)
	}
	return m.SendDirect(ctx, to, rep)
}

// Delivered implements DeliveryChecker; ErrCannotAsk for a surface that
// can't be asked.
func (r Router) Delivered(ctx context.Context, to string, channel bool, key string, since time.Time) (bool, error) {
	surface, _ := SplitID(to)
	m, ok := r[surface]
	if !ok {
		return false, ErrNoRoute
	}
	if d, ok := m.(DeliveryChecker); ok {
		return d.Delivered(ctx, to, channel, key, since)
	}
	return false, ErrCannotAsk
}
