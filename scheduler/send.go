package scheduler

import (
	"context"
	"errors"
	"time"

	"hppbot/bot"
	"hppbot/delivery"
	"hppbot/pathway"
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
	// reminds: the reminders it carries, recorded on their cases as not
	// delivered if it does not go (undelivered).
	reminds []delivery.Reminded
	// confirm: deliver returns only once the platform has it, or with the
	// reason it did not go (and then it is not left queued), because what
	// is said next depends on it (an escalation says who was told).
	confirm bool
	// covers: the keys of the messages this one stands for (a bundle's
	// cases' own), known with it (delivery.Message.Covers).
	covers []string
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
		Key: m.key, To: m.to, Channel: m.channel, Reply: m.reply, Case: m.about, Live: m.live, Reminds: m.reminds, Covers: m.covers,
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
// try comes back from deliver itself and is handled there). The reminders
// it carried are recorded on their cases as not delivered, saying why, so
// that no case looks chased when it was not: the platform refused it for
// good, or it waited past the policy's reminder_late_by and the next
// reminder takes its place. A person the platform refuses for good is told
// to whoever can help, once (cannotReach), as on the first try.
func (s *Scheduler) undelivered(ctx context.Context, m delivery.Message, err error) {
	if errors.Is(err, delivery.ErrNoLongerDue) {
		s.recordNoLongerDue(ctx, m)
		return
	}
	u, final := finalFailure(err)
	tooLate := errors.Is(err, delivery.ErrTooLate)
	if m.Channel || (!final && !tooLate) {
		return
	}
	why := u.Reason
	if tooLate {
		why = tooLateWhy
	}
	s.recordUndelivered(ctx, m, why)
	if !final || m.Case == 0 {
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

// tooLateWhy is the timeline's reason for a reminder that waited too long
// to be worth sending.
const tooLateWhy = "the chat platform could not take it in time (it was busy or not answering), so the next reminder takes its place"

// recordUndelivered writes on each case a message carried reminders for
// that they did not reach m.To, and why.
func (s *Scheduler) recordUndelivered(ctx context.Context, m delivery.Message, why string) {
	now := s.cfg.Clock()
	byCase := map[int64][]pathway.Event{}
	var order []int64
	for _, r := range m.Reminds {
		if _, ok := byCase[r.Case]; !ok {
			order = append(order, r.Case)
		}
		byCase[r.Case] = append(byCase[r.Case], pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventUndelivered, Step: r.Step, Stage: r.Stage, Due: r.Due, People: []string{m.To}, Why: why})
	}
	for _, id := range order {
		if _, err := s.cfg.Store.CorrectRecord(ctx, id, s.cfg.Policy, byCase[id]...); err != nil {
			s.cfg.Log.Warn("could not record on a case that its reminder was not delivered", "case", pathway.CaseName(id), "err", cause(err))
		}
	}
}

// wanted says whether a reminder message that waited in the delivery queue
// still chases anything: at least one case it reminds of still owes that
// reminder, to the named contact it was worked out for (StillChasing). A
// bundle whose cases all moved on is dropped; one with any still owed goes.
func (s *Scheduler) wanted(ctx context.Context, m delivery.Message) (bool, error) {
	now := s.cfg.Clock()
	for _, r := range m.Reminds {
		c, err := s.cfg.Store.GetCase(ctx, r.Case)
		switch pathway.ErrorCode(err) {
		case "":
		case pathway.NotFound:
			continue // purged: nothing to chase
		default:
			return true, err
		}
		if ok, _ := c.StillChasing(r.Step, r.Due, r.Lead, s.cfg.Policy, now); ok {
			return true, nil
		}
	}
	return false, nil
}

// recordNoLongerDue writes on each case a dropped reminder message was
// about that its reminder was not sent, and why: the case changed while
// the message waited for the platform. The reminder was recorded as sent
// when it was queued; this says it did not go after all.
func (s *Scheduler) recordNoLongerDue(ctx context.Context, m delivery.Message) {
	now := s.cfg.Clock()
	for _, r := range m.Reminds {
		c, err := s.cfg.Store.GetCase(ctx, r.Case)
		if err != nil {
			continue
		}
		_, why := c.StillChasing(r.Step, r.Due, r.Lead, s.cfg.Policy, now)
		if why == "" {
			why = "the case changed before it could be sent"
		}
		ev := pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventUndelivered, Step: r.Step, Stage: r.Stage, Due: r.Due, People: []string{m.To}, Why: why}
		if _, err := s.cfg.Store.CorrectRecord(ctx, r.Case, s.cfg.Policy, ev); err != nil {
			s.cfg.Log.Warn("could not record on a case that a queued reminder was not sent", "case", pathway.CaseName(r.Case), "err", cause(err))
		}
	}
}
