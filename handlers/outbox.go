package handlers

import (
	"context"
	"fmt"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/store"
)

// Outbox queues a message the bot sends on its own: the delivery queue.
type Outbox interface {
	Send(ctx context.Context, m delivery.Message) error
}

// sendOwn sends a message the bot sends on its own (not an answer to what
// someone typed) under key: through the Outbox when there is one, so it is
// paced and sent once, else straight through the Messenger. An error means
// it could not be queued (or, with no Outbox, sent).
func (h *Handler) sendOwn(ctx context.Context, key, person string, r bot.Reply) error {
	if h.Outbox == nil {
		return h.Messenger.SendDirect(ctx, person, r)
	}
	return h.Outbox.Send(ctx, delivery.Message{Key: key, To: person, Reply: r})
}

// checkinKey is the idempotency key of one run of a check-in job.
func checkinKey(j store.Job) string { return fmt.Sprintf("checkin:%s:%d", j.ID, j.At.Unix()) }
