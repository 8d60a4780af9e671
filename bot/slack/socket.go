package slack

import (
	"context"
	"errors"
	"io"
	"log"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"hppbot/bot"
)

// acker acknowledges a Socket Mode request (socketmode.Client).
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// RunSocketMode connects to Slack over Socket Mode (the app-level token)
// and answers its commands, interactions and events with the same flows as
// HTTP mode, until ctx ends. No public URL is needed: hppbot dials out.
func (s *Surface) RunSocketMode(ctx context.Context) error {
	if s.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app-level token")
	}
	client := socketmode.New(s.api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				s.socketEvent(ctx, client, evt)
			}
		}
	}()
	err := client.RunContext(ctx)
	cancel()
	<-done
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// socketEvent handles one Socket Mode event. Requests are acknowledged
// with the same answer HTTP mode would give, each in its own goroutine so
// a slow command holds no one else up.
func (s *Surface) socketEvent(ctx context.Context, ack acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.log.Debug("Socket Mode connecting")
	case socketmode.EventTypeConnected:
		s.log.Info("Socket Mode connected")
	case socketmode.EventTypeConnectionError:
		s.log.Warn("Socket Mode could not connect; retrying")
	case socketmode.EventTypeInvalidAuth:
		s.log.Error("Socket Mode refused the app-level token: check SLACK_APP_TOKEN")
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		req := *evt.Request
		s.async(func() {
			id := socketID("command", req)
			if answer, seen := s.seenBefore(ctx, id); seen {
				_ = s.ack(ack, req, replayPayload(answer))
				return
			}
			answer := s.command(ctx, cmd)
			body := encodeAnswer(answer)
			if fitsAck(req, body) && s.ack(ack, req, answer) == nil {
				s.keepAnswer(ctx, id, body, cmd.Text)
				return
			}
			// Too large for the acknowledgement (Slack drops one of 20 KB
			// or more), or the acknowledgement failed: acknowledge empty,
			// and send the answer through the Web API, to this person only.
			if answer != nil {
				_ = s.ack(ack, req, nil)
			}
			s.keepAnswer(ctx, id, nil, "")
			if msg, ok := answer.(*slack.WebhookMessage); ok {
				work, cancel := s.workContext(ctx)
				defer cancel()
				s.deliverLarge(work, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, msg, len(body))
			}
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		req := *evt.Request
		s.async(func() {
			id := socketID("interaction", req)
			if answer, seen := s.seenBefore(ctx, id); seen {
				_ = s.ack(ack, req, replayPayload(answer))
				return
			}
			answer := s.interaction(ctx, cb)
			kept := encodeAnswer(answer)
			tooLarge := answer
			if !fitsAck(req, kept) {
				// A button's reply already goes through the Web API; what
				// is left is a modal's answer (field errors): the modal
				// closes, rather than the acknowledgement being dropped
				// and the modal hanging, and the errors follow as a
				// message.
				s.log.Warn("an interaction's answer is too large for Socket Mode; acknowledged empty", "envelope", req.EnvelopeID, "bytes", len(kept))
				answer, kept = nil, nil
			}
			_ = s.ack(ack, req, answer)
			s.keepAnswer(ctx, id, kept, string(kept))
			if answer == nil && tooLarge != nil {
				work, cancel := s.workContext(ctx)
				defer cancel()
				s.formErrorsElsewhere(work, cb, tooLarge)
			}
		})
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		_ = s.ack(ack, *evt.Request, nil)
		// A retried event (retry_attempt) keeps its event id. Asking the
		// store happens off the socket's loop, which has other envelopes.
		s.async(func() {
			if s.firstEvent(ctx, eventID(ev)) {
				s.event(ctx, ev)
			}
		})
	}
}

// ack acknowledges a request, with the answer as its payload when there is
// one; a failure is logged and returned.
func (s *Surface) ack(ack acker, req socketmode.Request, answer any) error {
	var err error
	if answer == nil {
		err = ack.Ack(req)
	} else {
		err = ack.Ack(req, answer)
	}
	if err != nil {
		s.log.Warn("Socket Mode acknowledgement failed", "envelope", req.EnvelopeID, "err", err)
	}
	return err
}

// maxAck is the largest Socket Mode acknowledgement hppbot sends, in bytes
// of JSON. Slack drops one of 20 KB or more (socketmode.Client refuses to
// send it); an answer larger than this goes through the Web API instead
// (response_url, else chat.postEphemeral, else a direct message), and its
// acknowledgement is empty. Well under Slack's limit, so an answer near it
// doesn't ride a socket message of the same size: a long timeline page, an
// export's summary or a busy list goes the Web API's way, a status or a
// short list is the acknowledgement.
const maxAck = 8 << 10

// ackOverhead is what a Socket Mode acknowledgement adds to its payload:
// {"envelope_id":"…","payload":…}.
const ackOverhead = len(`{"envelope_id":"","payload":}`)

// fitsAck reports whether an answer, as JSON (nil: none), fits in the
// acknowledgement of req.
func fitsAck(req socketmode.Request, body []byte) bool {
	return len(body) == 0 || ackOverhead+len(req.EnvelopeID)+len(body) <= maxAck
}

// deliverLarge sends a slash command's answer that didn't go as the
// acknowledgement: through the response_url, else as an ephemeral message
// in the channel (a private answer), else in the person's direct messages.
func (s *Surface) deliverLarge(ctx context.Context, responseURL, channel, user string, msg *slack.WebhookMessage, size int) {
	s.log.Info("answer sent through the Web API, not the Socket Mode acknowledgement", "to", bot.PersonID(bot.Slack, user), "bytes", size)
	var blocks []slack.Block
	if msg.Blocks != nil {
		blocks = msg.Blocks.BlockSet
	}
	s.deliver(ctx, responseURL, channel, user, msg.ResponseType == slack.ResponseTypeInChannel, message{Text: msg.Text, Blocks: blocks})
}

// formErrorsElsewhere sends a submitted modal's field errors, too large to
// show on the form, to the person as a message (see respond).
func (s *Surface) formErrorsElsewhere(ctx context.Context, cb slack.InteractionCallback, answer any) {
	res, ok := answer.(*slack.ViewSubmissionResponse)
	if !ok || res == nil || len(res.Errors) == 0 {
		return
	}
	st, err := decodeState(cb.View.PrivateMetadata)
	if err != nil {
		return
	}
	msgs := make([]string, 0, len(res.Errors))
	for _, in := range st.Form.Inputs {
		if m := strings.TrimSpace(res.Errors[in.Name]); m != "" {
			msgs = append(msgs, m)
		}
	}
	s.respond(ctx, st.ResponseURL, st.Channel, cb.User.ID, bot.Reply{Text: "Nothing from the form was saved. " + strings.Join(msgs, "\n")})
}

// socketID names a Socket Mode request by its payload (a slash command's or
// an interaction's carries a trigger id of its own), or by its envelope id
// when there is no payload to go by.
func socketID(kind string, req socketmode.Request) string {
	if len(req.Payload) > 0 {
		return requestID(kind, req.Payload)
	}
	return requestID(kind, []byte(req.EnvelopeID))
}
