package scheduler

import (
	"context"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
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

// askToOpen tells a case's service channel, at most once a day for each
// person, that someone on the case can't get hppbot's messages until they
// open hppbot once (bot.ErrNotReachable). It names the case id only: not
// the person, and nothing about the patient or what the message was.
func (s *Scheduler) askToOpen(ctx context.Context, c *pathway.Case, person string, svcs store.Services, now time.Time) {
	channel := svcs[c.Service].Channel
	if channel == "" {
		s.cfg.Log.Warn("someone on a case can't be reached and its service has no channel to tell", "case", c.Name())
		return
	}
	key := "unreachable:" + person + ":" + now.In(s.cfg.Policy.Location()).Format("2006-01-02")
	first, err := s.cfg.Store.MarkOnce(ctx, key, 48*time.Hour)
	if err != nil || !first {
		return
	}
	if err := s.deliver(ctx, message{to: channel, channel: true, reply: askToOpenReply(c, person)}); err != nil {
		s.cfg.Log.Warn("could not ask the service channel to help reach someone", "case", c.Name(), "err", err)
		_ = s.cfg.Store.ForgetMark(ctx, key)
	}
}
