package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hppbot/bot"
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
	var rec reminded
	var pending []pathway.Reminder
	for _, r := range it.reminders {
		if it.wasSent(r.Occurrence) {
			rec.done = append(rec.done, r)
		} else {
			pending = append(pending, r)
		}
	}
	retry := false
	if len(pending) > 0 {
		if s.sendReminders(ctx, it.c, pending, svcs, now, &rec) {
			sent++
		} else {
			failed++
			retry = true
		}
	}
	var notBefore time.Time
	if retry {
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

// sendReminders sends pending as one message to the case's named contact
// and, if that went, the escalations they call for; it adds what went to
// rec. It reports false when the named contact's message did not go.
func (s *Scheduler) sendReminders(ctx context.Context, c *pathway.Case, pending []pathway.Reminder, svcs store.Services, now time.Time, rec *reminded) bool {
	msgs := s.messagesFor(c, pending, svcs, now)
	msgs.keyed(reminderKey(c, pending))
	if err := s.deliver(ctx, msgs.primary); err != nil {
		s.cfg.Log.Warn("reminder not delivered; will try again", "case", c.Name(), "err", err)
		if errors.Is(err, bot.ErrNotReachable) {
			s.askToOpen(ctx, c, msgs.primary.to, svcs, now)
		}
		return false
	}
	told, channel, recorded := s.escalate(ctx, c, msgs)
	for _, r := range pending {
		rec.marks = append(rec.marks, r.Occurrence)
		rec.events = append(rec.events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventReminder, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: []string{msgs.primary.to}})
		if r.Escalate {
			if recorded {
				rec.events = append(rec.events, pathway.Event{At: now, Actor: pathway.Bot, Kind: pathway.EventEscalation, Step: r.Kind, Stage: r.Stage, Due: r.Due, People: told, Channel: channel})
				r.Told, r.ToldChannel = told, channel
			} else {
				// Nobody was reached, or the pathway lead could not be:
				// the case is not marked escalated, and the next
				// reminder tries again.
				r.Escalate = false
			}
		}
		rec.done = append(rec.done, r)
	}
	return true
}

// reminderKey is the idempotency key of a case's reminder message: the case
// and the oldest occurrence it carries. A claim run again after a crash
// owes at least that occurrence again, so it queues the same key.
func reminderKey(c *pathway.Case, pending []pathway.Reminder) string {
	return fmt.Sprintf("remind:%d:%s", c.ID, pending[0].Occurrence)
}

// keyed gives each of m's messages its key, from the reminder's.
func (m *messages) keyed(key string) {
	m.key = key
	m.primary.key, m.primary.about = key, m.caseID
	m.leadMsg.key, m.leadMsg.about, m.leadMsg.confirm = key+":lead", m.caseID, true
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
	if note, ok := noteToContact(c, m, leadTold); ok {
		if err := s.deliver(ctx, message{to: c.Lead, reply: note, key: m.key + ":note", about: c.ID}); err != nil {
			s.cfg.Log.Warn("could not tell the named contact about an escalation", "case", c.Name(), "err", cause(err))
		}
	}
	if m.channel != "" {
		if err := s.deliver(ctx, message{to: m.channel, channel: true, reply: channelPost(c, m, leadTold), key: m.key + ":channel", about: c.ID, confirm: true}); err != nil {
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
