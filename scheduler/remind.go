package scheduler

import (
	"context"
	"fmt"
	"time"

	"hppbot/delivery"
	"hppbot/pathway"
	"hppbot/store"
)

// reminded is what went out for a case and is to be recorded: the
// reminders now done, the timeline events, and the occurrences to mark sent.
type reminded struct {
	done   []pathway.Reminder
	events []pathway.Event
	marks  []string
}

// setAsideFor is how long a claim whose record could not be read waits
// before it is read again: long enough not to fill the log, short enough
// that a mended record's reminders soon carry on.
const setAsideFor = time.Hour

// process delivers one claim; it returns how many messages went and how
// many failed.
func (s *Scheduler) process(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	switch {
	case it.unreadable:
		// Not dropped: once the record is mended, its reminders carry on.
		if err := s.cfg.Store.Release(ctx, it.claim, now.Add(setAsideFor)); err != nil {
			s.cfg.Log.Warn("could not set aside an unreadable record's reminder", "member", it.claim.Member, "err", cause(err))
		}
		return 0, 0
	case it.job != nil:
		return s.runJob(ctx, it, svcs, now)
	case it.c == nil:
		if err := s.cfg.Store.Drop(ctx, it.claim); err != nil {
			s.cfg.Log.Warn("could not drop a stale reminder", "member", it.claim.Member, "err", cause(err))
		}
		return 0, 0
	}
	return s.remind(ctx, it, svcs, now)
}

// remind sends a case's due reminders and records them. What another
// replica or a crashed run already sent is recorded, not resent; the rest
// goes to the named contact as one message.
func (s *Scheduler) remind(ctx context.Context, it *item, svcs store.Services, now time.Time) (sent, failed int) {
	if !s.freshen(ctx, it, now) {
		return 0, 0
	}
	rec, pending := it.split()
	o := outcomeNone
	if len(pending) > 0 {
		o = s.sendReminders(ctx, it, pending, svcs, now, &rec)
	}
	return s.finish(ctx, it, rec, o, now)
}

// split sorts the item's reminders into those already sent (by another
// replica, or a run that crashed before recording them), recorded as done,
// and those still to send.
func (it *item) split() (rec reminded, pending []pathway.Reminder) {
	for _, r := range it.reminders {
		if it.wasSent(r.Occurrence) {
			rec.done = append(rec.done, r)
		} else {
			pending = append(pending, r)
		}
	}
	return rec, pending
}

// finish records what became of a case's reminders and counts the message:
// a failed send is released to be tried again later (or, when part of the
// case's reminders went, recorded with a later next time).
func (s *Scheduler) finish(ctx context.Context, it *item, rec reminded, o outcome, now time.Time) (sent, failed int) {
	var notBefore time.Time
	switch o {
	case outcomeSent:
		sent = 1
	case outcomeFailed:
		failed = 1
		// Whatever failed is tried again later; the marks stop repeats of what went.
		notBefore = now.Add(s.cfg.Retry)
		if len(rec.done) == 0 {
			if err := s.cfg.Store.Release(ctx, it.claim, notBefore); err != nil {
				s.cfg.Log.Warn("could not reschedule a failed reminder", "case", it.c.Name(), "err", cause(err))
			}
			return sent, failed
		}
	}
	// With nothing owed after all, this still sets the case's next time,
	// through the same compare-and-set as an acknowledgement, so a command
	// that ran while the case was held can't leave a stale time behind.
	s.acknowledge(ctx, it, rec, now, notBefore)
	return sent, failed
}

// What became of a case's reminders.
type outcome int

const (
	outcomeNone        outcome = iota // nothing was owed
	outcomeSent                       // delivered to the named contact
	outcomeFailed                     // not delivered; to be tried again
	outcomeUndelivered                // can't be delivered until someone acts: recorded as not delivered
)

// sendReminders sends pending as one message to the case's named contact
// and records the outcome (recordSend).
func (s *Scheduler) sendReminders(ctx context.Context, it *item, pending []pathway.Reminder, svcs store.Services, now time.Time, rec *reminded) outcome {
	c := it.c
	msgs := s.messagesFor(c, pending, svcs, now)
	s.shapeNudge(ctx, it, pending, &msgs, svcs, now)
	msgs.keyed(reminderKey(c, pending), pending)
	return s.recordSend(ctx, c, pending, msgs, s.deliver(ctx, msgs.primary), svcs, now, rec)
}

// recordSend follows the named contact's message, whose send ended in err
// (alone, or bundled with their other cases'), with the escalations the
// reminders call for, and adds what went to rec.
func (s *Scheduler) recordSend(ctx context.Context, c *pathway.Case, pending []pathway.Reminder, msgs messages, err error, svcs store.Services, now time.Time, rec *reminded) outcome {
	msgs, final, ok := s.afterPrimary(ctx, c, pending, msgs, err, svcs, now, rec)
	if !ok {
		return outcomeFailed
	}
	told, channel, recorded := s.escalate(ctx, c, msgs)
	return s.recordReminders(pending, msgs, final, escalation{told, channel, recorded}, now, rec)
}

// afterPrimary reads the outcome of the named contact's message. ok is
// false when it failed and is to be tried again. When the platform says
// the named contact can't be reached for now (bot.Undeliverable; final),
// the reminders are recorded as not delivered and still count, so
// escalation carries on, the pathway lead's heads-up says so, and the
// pathway lead is told once how to fix it.
func (s *Scheduler) afterPrimary(ctx context.Context, c *pathway.Case, pending []pathway.Reminder, msgs messages, err error, svcs store.Services, now time.Time, rec *reminded) (_ messages, final, ok bool) {
	u, final := finalFailure(err)
	switch {
	case err != nil && !final:
		s.cfg.Log.Warn("reminder not delivered; will try again", "case", c.Name(), "err", err)
		return msgs, false, false
	case final:
		s.cfg.Log.Info("reminder can't be delivered; recorded on the case", "case", c.Name(), "code", u.Code)
		s.cfg.Metrics.Reminders("undelivered", 1)
		s.cannotReach(ctx, c, msgs.primary.to, u, svcs, now)
		msgs.unreached = true
		msgs.reason = u.Reason
		if msgs.lead != "" {
			msgs.leadMsg.reply = unreachedHeadsUp(c, msgs, u)
		}
		undelivered(rec, pending, msgs.primary.to, u, now)
	}
	return msgs, final, true
}

// escalation is who an escalation reached: the people told, the channel
// posted to, and whether it is to be recorded as done.
type escalation struct {
	told     []string
	channel  string
	recorded bool
}

// recordReminders adds to rec the reminders of pending as given (unless
// final: then afterPrimary recorded them as not delivered) and the
// escalation they called for, as far as it went.
func (s *Scheduler) recordReminders(pending []pathway.Reminder, msgs messages, final bool, esc escalation, now time.Time, rec *reminded) outcome {
	for _, r := range pending {
		rec.marks = append(rec.marks, r.Occurrence)
		if !final {
			rec.events = append(rec.events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventReminder, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: []string{msgs.primary.to}})
		}
		if r.Escalate {
			if esc.recorded {
				rec.events = append(rec.events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventEscalation, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: esc.told, Channel: esc.channel, Every: s.slowerPace()})
				r.Told, r.ToldChannel = esc.told, esc.channel
			} else {
				// Nobody was reached, or the pathway lead could not be:
				// the case is not marked escalated, and the next
				// reminder tries again.
				r.Escalate = false
			}
		}
		rec.done = append(rec.done, r)
	}
	if final {
		return outcomeUndelivered
	}
	return outcomeSent
}

// reminderKey is the idempotency key of a case's reminder message: the case
// and the oldest occurrence it carries. A claim run again after a crash
// owes at least that occurrence again, so it queues the same key.
func reminderKey(c *pathway.Case, pending []pathway.Reminder) string {
	return fmt.Sprintf("remind:%d:%s", c.ID, pending[0].Occurrence)
}

// keyed gives each of m's messages its key, from the reminder's, and says
// which reminders the named contact's message carries.
func (m *messages) keyed(key string, pending []pathway.Reminder) {
	m.key = key
	m.primary.key, m.primary.about, m.primary.live = key, m.caseID, []int64{m.caseID}
	m.primary.reminds = reminding(m.caseID, m.named, pending)
	m.leadMsg.key, m.leadMsg.about, m.leadMsg.confirm = key+":lead", m.caseID, true
	// The heads-up is live too: logging contact or taking the case on
	// changes it, so its buttons are not pressed for what is done.
	m.leadMsg.live = []int64{m.caseID}
}

// reminding is what the reminders in pending are, as the delivery queue
// keeps them with a message: a message that does not go is recorded on
// the case as not delivered (undelivered, in send.go).
func reminding(caseID int64, named string, pending []pathway.Reminder) []delivery.Reminded {
	out := make([]delivery.Reminded, 0, len(pending))
	for _, r := range pending {
		out = append(out, delivery.Reminded{Case: caseID, Step: r.Kind, Stage: r.Stage, Due: r.Due, Lead: named})
	}
	return out
}

// escalate sends a case's escalation: the heads-up to the pathway lead,
// then a note to the named contact saying what happened, then the post to
// the team channel, each built from what went before it. It returns the
// people told and the channel posted to, and whether the escalation is to
// be recorded as done: the pathway lead was told, or there is none to ask
// and the channel was told.
func (s *Scheduler) escalate(ctx context.Context, c *pathway.Case, m messages) (told []string, channel string, recorded bool) {
	if !m.escalate {
		return nil, "", false
	}
	leadTold := false
	if m.lead != "" {
		if err := s.deliver(ctx, m.leadMsg); err != nil {
			s.cfg.Log.Warn("escalation not delivered; will try again", "case", c.Name(), "err", cause(err))
		} else {
			leadTold = true
			told = append(told, m.lead)
		}
	}
	if note, ok := noteToContact(c, m, leadTold); ok && !m.unreached {
		if err := s.deliver(ctx, message{to: m.primary.to, reply: note, key: m.key + ":note", about: c.ID}); err != nil {
			s.cfg.Log.Warn("could not tell the named contact about an escalation", "case", c.Name(), "err", cause(err))
		}
	}
	if m.channel != "" {
		if err := s.deliver(ctx, message{to: m.channel, channel: true, reply: channelPost(c, m, leadTold), key: m.key + ":channel", about: c.ID, live: []int64{c.ID}, confirm: true}); err != nil {
			s.cfg.Log.Warn("escalation not posted; will try again", "case", c.Name(), "err", cause(err))
		} else {
			channel = m.channel
		}
	}
	recorded = leadTold || (m.lead == "" && channel != "")
	if recorded {
		s.cfg.Metrics.Reminders("escalated", 1)
	}
	return told, channel, recorded
}
