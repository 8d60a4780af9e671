package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

const maxDMCache = 50000

// SendDirect implements bot.Messenger: a private message to a Slack user,
// in their direct-message conversation with hppbot (conversations.open,
// then chat.postMessage; the conversation is remembered). Files follow as
// uploads to the same conversation. Slack's final refusals (a deactivated
// account, an unknown user) come back as *bot.Undeliverable.
func (s *Surface) SendDirect(ctx context.Context, person string, r bot.Reply) error {
	surface, user := bot.SplitID(person)
	if surface != bot.Slack || !isSlackID(user) {
		return bot.ErrNoRoute
	}
	channel, err := s.directChannel(ctx, user)
	if err != nil {
		s.log.Warn("message not delivered", "to", person, "method", "conversations.open", "err", err)
		return undeliverable(err, true)
	}
	if err := s.post(ctx, channel, r); err != nil {
		if isGone(err) {
			s.forgetDirect(user)
		}
		s.log.Warn("message not delivered", "to", person, "method", "chat.postMessage", "err", err)
		return undeliverable(err, true)
	}
	s.upload(ctx, channel, person, r.Files)
	return nil
}

// PostChannel implements bot.Messenger: a message to a Slack channel
// hppbot has been added to.
func (s *Surface) PostChannel(ctx context.Context, channel string, r bot.Reply) error {
	surface, id := bot.SplitID(channel)
	if surface != bot.Slack || !isSlackID(id) {
		return bot.ErrNoRoute
	}
	if err := s.post(ctx, id, r); err != nil {
		s.log.Warn("message not delivered", "to", channel, "method", "chat.postMessage", "err", err)
		return undeliverable(err, false)
	}
	s.upload(ctx, id, channel, r.Files)
	return nil
}

// post sends a reply to a conversation with chat.postMessage.
func (s *Surface) post(ctx context.Context, channel string, r bot.Reply) error {
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	_, _, err := s.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
	return err
}

// directChannel returns the direct-message conversation with a user.
func (s *Surface) directChannel(ctx context.Context, user string) (string, error) {
	s.dmMu.Lock()
	channel, ok := s.dms[user]
	s.dmMu.Unlock()
	if ok {
		return channel, nil
	}
	ch, _, _, err := s.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
	if err != nil {
		return "", err
	}
	if ch == nil || ch.ID == "" {
		return "", errors.New("slack: conversations.open gave no channel")
	}
	s.rememberDirect(user, ch.ID)
	return ch.ID, nil
}

// rememberDirect keeps a user's direct-message conversation.
func (s *Surface) rememberDirect(user, channel string) {
	s.dmMu.Lock()
	if len(s.dms) >= maxDMCache {
		s.dms = map[string]string{}
	}
	s.dms[user] = channel
	s.dmMu.Unlock()
}

func (s *Surface) forgetDirect(user string) {
	s.dmMu.Lock()
	delete(s.dms, user)
	s.dmMu.Unlock()
}

// isGone reports whether Slack says a conversation no longer exists for us.
func isGone(err error) bool {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		switch e.Err {
		case "channel_not_found", "is_archived", "not_in_channel":
			return true
		}
	}
	return strings.Contains(err.Error(), "channel_not_found")
}

// upload attaches files to a conversation (the files upload v2 flow). A
// failure is logged by file name only, and the reader is told.
func (s *Surface) upload(ctx context.Context, channel, to string, files []bot.File) {
	for _, f := range files {
		if len(f.Data) == 0 {
			continue
		}
		title := f.Title
		if title == "" {
			title = f.Name
		}
		_, err := s.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:   bytes.NewReader(f.Data),
			FileSize: len(f.Data),
			Filename: f.Name,
			Title:    title,
			AltTxt:   f.Alt,
			Channel:  channel,
		})
		if err != nil {
			s.log.Warn("file not delivered", "to", to, "file", f.Name, "err", err)
			_ = s.post(ctx, channel, bot.Reply{Text: fmt.Sprintf("I couldn't attach %s just now. Please ask for it again in a minute.", f.Name)})
		}
	}
}

// respond delivers a reply to the person who asked for it, when it can't go
// back as the answer to their request (see deliver). Files go to their
// direct messages.
func (s *Surface) respond(ctx context.Context, responseURL, channel, user string, r bot.Reply) {
	r.Form = nil
	files := r.Files
	r.Files = nil
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	if !s.deliver(ctx, responseURL, channel, user, r.Public, msg) {
		return
	}
	if len(files) > 0 {
		s.sendFiles(ctx, user, files)
	}
}

// deliver sends a rendered answer to the person who asked for it: through
// the response_url (only they see it, in the conversation they asked in,
// unless the answer is public), else as an ephemeral message in that
// channel, else in their direct messages. It reports whether it arrived.
func (s *Surface) deliver(ctx context.Context, responseURL, channel, user string, public bool, msg message) bool {
	person := bot.PersonID(bot.Slack, user)
	if responseURL != "" {
		rt := slack.ResponseTypeEphemeral
		if public {
			rt = slack.ResponseTypeInChannel
		}
		err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, s.client, &slack.WebhookMessage{
			ResponseType: rt, Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks},
		})
		if err == nil {
			return true
		}
		s.log.Info("reply through response_url failed; trying another way", "to", person, "err", err)
	}
	if channel != "" && !isDirect(channel) && !public {
		_, err := s.api.PostEphemeralContext(ctx, channel, user,
			slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		if err == nil {
			return true
		}
		s.log.Info("ephemeral reply failed; sending it as a direct message", "to", person, "err", err)
	}
	if !isSlackID(user) {
		return false
	}
	dm, err := s.directChannel(ctx, user)
	if err != nil {
		s.log.Warn("message not delivered", "to", person, "method", "conversations.open", "err", err)
		return false
	}
	if _, _, err := s.api.PostMessageContext(ctx, dm, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)); err != nil {
		if isGone(err) {
			s.forgetDirect(user)
		}
		s.log.Warn("message not delivered", "to", person, "method", "chat.postMessage", "err", err)
		return false
	}
	return true
}

// sendFiles uploads files to a user's direct messages.
func (s *Surface) sendFiles(ctx context.Context, user string, files []bot.File) {
	person := bot.PersonID(bot.Slack, user)
	channel, err := s.directChannel(ctx, user)
	if err != nil {
		s.log.Warn("file not delivered", "to", person, "method", "conversations.open", "err", err)
		return
	}
	s.upload(ctx, channel, person, files)
}

func responseType(r bot.Reply) string {
	if r.Public {
		return slack.ResponseTypeInChannel
	}
	return slack.ResponseTypeEphemeral
}
