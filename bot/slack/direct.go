package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"hppbot/bot"
)

// A message a person sends hppbot in its Messages tab (the message.im event)
// is a command line, as a message to the bot is in Teams: "status HPP-3"
// and "/hpp status HPP-3" do the same as the slash command, and the answer
// comes back in the same conversation. Only a person's own new messages are
// read: hppbot's own, other apps', edits, deletions and file shares are
// left alone, so nothing answers itself.

// directMessage answers a message in a person's direct conversation with
// hppbot.
func (s *Surface) directMessage(ctx context.Context, e *slackevents.MessageEvent) {
	if e.ChannelType != slack.TYPE_IM || !isDirect(e.Channel) || !isSlackID(e.Channel) ||
		e.SubType != "" || e.BotID != "" || !isSlackID(e.User) {
		return
	}
	line := s.directLine(unescape(e.Text))
	req := s.request(e.User, "", e.Channel, line)
	channel, user, thread := e.Channel, e.User, e.ThreadTimeStamp
	s.async(func() {
		work, cancel := s.workContext(ctx)
		defer cancel()
		reply, _ := s.cfg.Handler.Run(work, req)
		s.answerDirect(work, channel, user, thread, reply)
	})
}

// directLine is the command line a message holds: its text, without the
// slash command when the person typed that too.
func (s *Surface) directLine(text string) string {
	line := strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(line, s.cfg.Command); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\n') {
		line = strings.TrimSpace(rest)
	}
	return line
}

// answerDirect posts a reply in the direct conversation a message came
// from (in its thread, when it was in one). A form can't open without a
// person's click, so the reply offers a button that opens it.
func (s *Surface) answerDirect(ctx context.Context, channel, user, thread string, r bot.Reply) {
	if r.Form != nil {
		r.Buttons = append([]bot.Button{{Label: r.Form.Title, Command: r.Form.Command, Style: "primary", Form: r.Form}}, r.Buttons...)
		r.Form = nil
	}
	person := bot.PersonID(bot.Slack, user)
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, _, err := s.api.PostMessageContext(ctx, channel, opts...); err != nil {
		s.log.Warn("reply not delivered", "to", person, "method", "chat.postMessage", "err", err)
		return
	}
	s.upload(ctx, channel, person, r.Files)
}
