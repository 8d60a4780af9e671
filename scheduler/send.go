package scheduler

import (
	"context"
	"errors"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
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
	// live: the cases it is the live nudge (or escalation post) for in
	// to's chat; a newer one replaces it (see live.go).
	live []int64
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
		Key: m.key, To: m.to, Channel: m.channel, Reply: m.reply, Case: m.about, Live: m.live,
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
// or cannot go yet, found after deliver returned (a refusal on the first
// try comes back from deliver itself and is handled there). A person the
// platform refuses for good is told to whoever can help, once
// (cannotReach), as on the first try.
func (s *Scheduler) undelivered(ctx context.Context, m delivery.Message, err error) {
	u, final := finalFailure(err)
	if !final || m.Case == 0 || m.Channel {
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
	s.cannotReach(ctx, c, m.To, u, svcs, s.cfg.Clock())
}
