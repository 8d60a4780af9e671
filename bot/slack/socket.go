package slack

import (
	"context"
	"errors"
	"io"
	"log"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
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
			if s.ack(ack, req, answer) == nil || answer == nil {
				s.keepAnswer(ctx, id, encodeAnswer(answer), cmd.Text)
				return
			}
			// Socket Mode drops an answer of 20 KB or more (a long
			// timeline can be): acknowledge, then answer through the
			// response_url instead.
			s.ack(ack, req, nil)
			s.keepAnswer(ctx, id, nil, "")
			if msg, ok := answer.(*slack.WebhookMessage); ok && cmd.ResponseURL != "" {
				work, cancel := s.workContext(ctx)
				defer cancel()
				if err := slack.PostWebhookCustomHTTPContext(work, cmd.ResponseURL, s.client, msg); err != nil {
					s.log.Warn("reply not delivered", "to", "slack:"+cmd.UserID, "method", "response_url", "err", err)
				}
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
			_ = s.ack(ack, req, answer)
			kept := encodeAnswer(answer)
			s.keepAnswer(ctx, id, kept, string(kept))
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

// socketID names a Socket Mode request by its payload (a slash command's or
// an interaction's carries a trigger id of its own), or by its envelope id
// when there is no payload to go by.
func socketID(kind string, req socketmode.Request) string {
	if len(req.Payload) > 0 {
		return requestID(kind, req.Payload)
	}
	return requestID(kind, []byte(req.EnvelopeID))
}
