package scheduler

import (
	"context"
	"errors"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
)

// message is one thing to send.
type message struct {
	to      string // a person or channel id
	channel bool
	reply   bot.Reply
	// key makes it one message: built from the occurrence it is for, so a
	// claim run again after a crash queues the same key, and it goes once.
	key   string
	about int64 // the case it is about; 0 for none
	// confirm: deliver returns only once the platform has it, or with the
	// reason it did not go (and then it is not left queued), because what
	// is said next depends on it (an escalation says who was told).
	confirm bool
}

// deliver is the one way a message leaves the scheduler: reminders,
// escalations, the request to help reach someone, and the digest all go
// through here, into the delivery queue. (A job's own messages are queued
// by its JobFunc through Outbox.) An error means it could not be queued, or
// the platform refused it for good at once (*bot.Undeliverable); once
// queued it is the queue's to deliver, worth sending for the policy's
// reminder_late_by, and a refusal found later comes to undelivered.
func (s *Scheduler) deliver(ctx context.Context, m message) error {
	if s.outbox == nil {
		return errors.New("scheduler: no store to queue messages in")
	}
	now := s.cfg.Clock()
	dm := delivery.Message{
		Key: m.key, To: m.to, Channel: m.channel, Reply: m.reply, Case: m.about,
		NotAfter: s.cfg.Policy.Calendar.Add(now, s.cfg.Policy.ReminderLateBy),
	}
	if m.confirm {
		ctx, cancel := context.WithTimeout(ctx, confirmWithin)
		defer cancel()
		return s.outbox.SendNow(ctx, dm)
	}
	return s.outbox.Send(ctx, dm)
}

// confirmWithin bounds how long an escalation waits for its turn under the
// platform's limits before it is left for the next reminder.
const confirmWithin = 30 * time.Second

// undelivered hears from the delivery queue of a message that will not go,
// or cannot go yet. A person who has not opened hppbot (Teams) is asked for
// through the case's service channel.
func (s *Scheduler) undelivered(ctx context.Context, m delivery.Message, err error) {
	if !errors.Is(err, bot.ErrNotReachable) || m.Case == 0 || m.Channel {
		return
	}
	c, cerr := s.cfg.Store.GetCase(ctx, m.Case)
	if cerr != nil {
		return
	}
	svcs, serr := s.cfg.Store.Services(ctx)
	if serr != nil {
		return
	}
	s.askToOpen(ctx, c, m.To, svcs, s.cfg.Clock())
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
	if err := s.deliver(ctx, message{to: channel, channel: true, reply: askToOpenReply(c, person), key: key, about: c.ID}); err != nil {
		s.cfg.Log.Warn("could not ask the service channel to help reach someone", "case", c.Name(), "err", err)
		_ = s.cfg.Store.ForgetMark(ctx, key)
	}
}
