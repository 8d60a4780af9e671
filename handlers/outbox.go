package handlers

import (
	"context"
	"crypto/rand"
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

// postOwn posts to a channel what the bot says there on its own, as
// sendOwn does for a person.
func (h *Handler) postOwn(ctx context.Context, key, channel string, r bot.Reply) error {
	if h.Outbox == nil {
		return h.Messenger.PostChannel(ctx, channel, r)
	}
	return h.Outbox.Send(ctx, delivery.Message{Key: key, To: channel, Channel: true, Reply: r})
}

// noticeKey is the key of a notice a command sends to someone else (a
// handover, a snooze, cover): each is its own message. A command is run
// once (a platform's retry of the same request is answered from the
// record of its first run), so its notices are too.
func noticeKey(kind string) string { return "notice:" + kind + ":" + rand.Text() }

// checkinKey is the idempotency key of one run of a check-in job.
func checkinKey(j store.Job) string { return fmt.Sprintf("checkin:%s:%d", j.ID, j.At.Unix()) }
