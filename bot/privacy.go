package bot

import (
	"context"
	"errors"
	"time"
)

// Hard rule 2, "private stays private", in one place. A reply to a command
// is for the person who typed it alone unless it is Public. Where it was
// typed in a conversation others can see, a surface sends it only through
// ways that reach that person alone (Slack: the response_url, an ephemeral
// message, a DM; Teams: the person's own chat with hppbot), through
// DeliverPrivately. When none works, the reply is held for the person and
// the shared conversation gets a Pointer that says where to find it and
// carries nothing of it.

// HeldFor is how long a private reply that could not reach its person is
// kept for them (in Redis), waiting for them to open their chat with hppbot.
const HeldFor = 24 * time.Hour

// Private reports whether answering req where it was typed would show r to
// others who shouldn't see it: r is not Public and req came from a shared
// conversation.
func Private(req Request, r Reply) bool { return !r.Public && !req.Personal }

// Delivery is what happened to a private reply.
type Delivery int

const (
	// Delivered: the person alone has it.
	Delivered Delivery = iota
	// Held: no private way worked; it waits for the person.
	Held
	// Undelivered: no private way worked and it could not be held either.
	Undelivered
)

// DeliverPrivately tries each way of reaching the person alone, in order,
// until one works; if none does, it holds the reply with hold (nil: it
// can't). The reply goes nowhere else: whatever the outcome, the shared
// conversation may be told only a Pointer. The error joins every failure.
func DeliverPrivately(ctx context.Context, ways []func(context.Context) error, hold func(context.Context) error) (Delivery, error) {
	var errs []error
	for _, way := range ways {
		err := way(ctx)
		if err == nil {
			return Delivered, nil
		}
		errs = append(errs, err)
	}
	if hold != nil {
		err := hold(ctx)
		if err == nil {
			return Held, errors.Join(errs...)
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("bot: no private way to reach the person"))
	}
	return Undelivered, errors.Join(errs...)
}
