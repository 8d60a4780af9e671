package scheduler

import (
	"context"

	"hppbot/bot"
)

// message is one thing to send.
type message struct {
	to      string // a person or channel id
	channel bool
	reply   bot.Reply
}

// deliver is the one way a message leaves the scheduler: reminders,
// escalations, the request to help reach someone, and the digest all go
// through here. (A job's own messages are sent by its JobFunc.)
func (s *Scheduler) deliver(ctx context.Context, m message) error {
	if m.channel {
		return s.cfg.Messenger.PostChannel(ctx, m.to, m.reply)
	}
	return s.cfg.Messenger.SendDirect(ctx, m.to, m.reply)
}
