package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// deliveryEvent is the metadata event type that carries a message's
// idempotency key, so that after a crash the delivery queue can look for it
// in the conversation before sending it again.
const deliveryEvent = "hpp_delivery"

// historyPages bounds how far back a delivery check reads (200 messages a
// page): a replica's crash leaves its sends in doubt for minutes, not days.
const historyPages = 3

// SendKeyed implements bot.KeyedMessenger: one chat.postMessage carrying
// key in its metadata, with no retry inside the call (the delivery queue
// paces and retries). A 429 comes back as *bot.RetryLater with Slack's
// Retry-After, a 5xx as *bot.RetryLater.
func (s *Surface) SendKeyed(ctx context.Context, to string, channel bool, key string, r bot.Reply) error {
	ctx = context.WithValue(ctx, oneAttemptKey{}, true)
	surface, id := bot.SplitID(to)
	if surface != bot.Slack || !isSlackID(id) {
		return bot.ErrNoRoute
	}
	// A person is posted to by their user id unless their direct-message
	// conversation is known: Slack delivers it there and says which it
	// is. That spares a morning burst one conversations.open per person,
	// whose own limit (about 50 a minute) is far below chat.postMessage's.
	conv := id
	if !channel {
		s.dmMu.Lock()
		if dm, ok := s.dms[id]; ok {
			conv = dm
		}
		s.dmMu.Unlock()
	}
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	posted, ts, err := s.api.PostMessageContext(ctx, conv,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: deliveryEvent, EventPayload: map[string]any{"key": key}}))
	if err != nil {
		if isGone(err) && !channel {
			s.forgetDirect(id)
		}
		s.log.Info("message not delivered", "to", to, "method", "chat.postMessage", "err", err)
		return platformError(err)
	}
	if !channel && posted != "" && posted != id {
		s.rememberDirect(id, posted)
	}
	if posted == "" {
		posted = conv
	}
	bot.ReportSent(ctx, bot.MessageRef{To: to, Channel: channel, Conv: posted, ID: ts})
	s.upload(ctx, posted, to, r.Files)
	return nil
}

// UpdateMessage implements bot.Updater: chat.update of the message at
// ref (its conversation and ts) with r's words and buttons; a reply with
// no buttons leaves none. Updating twice with the same reply is harmless.
func (s *Surface) UpdateMessage(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	surface, _ := bot.SplitID(ref.To)
	if surface != bot.Slack || ref.Conv == "" || ref.ID == "" {
		return bot.ErrNoRoute
	}
	// One attempt: a 429 is not waited out here (the caller has other work).
	ctx = context.WithValue(ctx, oneAttemptKey{}, true)
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	_, _, _, err := s.api.UpdateMessageContext(ctx, ref.Conv, ref.ID,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
	if err != nil {
		s.log.Info("message not updated", "to", ref.To, "method", "chat.update", "err", err)
		return platformError(err)
	}
	return nil
}

// Delivered implements bot.DeliveryChecker for direct messages: it reads
// hppbot's direct-message conversation with the person since since
// (conversations.history with include_all_metadata, under the im:history
// scope hppbot already has) and looks for key. hppbot reads no channel, so
// for a channel post it answers bot.ErrCannotAsk.
func (s *Surface) Delivered(ctx context.Context, to string, channel bool, key string, since time.Time) (bool, error) {
	if channel {
		return false, bot.ErrCannotAsk
	}
	ctx = context.WithValue(ctx, oneAttemptKey{}, true)
	conv, err := s.conversation(ctx, to, false)
	if err != nil {
		return false, platformError(err)
	}
	cursor := ""
	for range historyPages {
		resp, err := s.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: conv, Oldest: strconv.FormatInt(since.Unix(), 10) + ".000000", Limit: 200,
			Cursor: cursor, IncludeAllMetadata: true,
		})
		if err != nil {
			return false, platformError(err)
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType == deliveryEvent && m.Metadata.EventPayload["key"] == key {
				return true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		cursor = resp.ResponseMetaData.NextCursor
	}
	return false, nil
}

// conversation is the Slack conversation a person or channel id posts to.
func (s *Surface) conversation(ctx context.Context, to string, channel bool) (string, error) {
	surface, id := bot.SplitID(to)
	if surface != bot.Slack || !isSlackID(id) {
		return "", bot.ErrNoRoute
	}
	if channel {
		return id, nil
	}
	return s.directChannel(ctx, id)
}

// platformError turns Slack's "not now" answers into *bot.RetryLater;
// anything else is returned as it is.
func platformError(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryLater{Status: http.StatusTooManyRequests, Throttled: true, After: rl.RetryAfter}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 500 {
		return &bot.RetryLater{Status: sc.Code}
	}
	if _, final := bot.AsUndeliverable(err); final {
		return err
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		// Slack answered "ok": false: nothing was posted, so the send is not
		// in doubt. Tried again later; until the refusals that are final
		// are told apart, the message stops at reminder_late_by.
		return fmt.Errorf("%w (%s)", &bot.RetryLater{Status: http.StatusOK}, se.Err)
	}
	return err
}

// oneAttemptKey marks a call the delivery queue makes: a 429 is handed back
// to it, not waited out inside the call, so the two don't both retry.
type oneAttemptKey struct{}

func oneAttempt(ctx context.Context) bool {
	v, _ := ctx.Value(oneAttemptKey{}).(bool)
	return v
}
