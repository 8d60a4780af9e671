package scheduler

import (
	"context"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// A reminder is worked out when its case is claimed, and sent a moment
// later — a moment in which someone may log a contact, close the case,
// snooze it or hand it over. So the case is read again at the last moment
// before anything is delivered, and what is sent is what the case owes
// then, to whoever is its named contact then.

// fresh is a case as read at the moment of sending, with what it owes then.
type fresh struct {
	c    *pathway.Case
	owed []pathway.Reminder
}

// readFresh reads case id as it is now and works out what it owes at now.
func (s *Scheduler) readFresh(ctx context.Context, id int64, now time.Time) (fresh, error) {
	c, err := s.cfg.Store.GetCase(ctx, id)
	if err != nil {
		return fresh{}, err
	}
	return fresh{c: c, owed: c.Reminders(s.cfg.Policy, now)}, nil
}

// stillDue says whether the reminder with this occurrence is still owed
// and, if so, who is to get it: the case's named contact as it is now.
// It is the one test a reminder passes before it goes — here when a claim
// is sent, and at dequeue once sends go through a queue.
func (f fresh) stillDue(occurrence string) (recipient string, ok bool) {
	for _, r := range f.owed {
		if r.Occurrence == occurrence {
			return f.c.Lead, true
		}
	}
	return "", false
}

// freshen brings a claimed case up to date just before its reminders go.
// Unchanged, the item stays as it was. Changed, the item takes the fresh
// case and what it owes now (asking the store which of those already
// went), so a contact, a close or a snooze in between means no nudge, and
// a handover means a nudge to the new named contact. It reports false
// when the claim was dealt with here: the case is gone, unreadable, or the
// store did not answer.
func (s *Scheduler) freshen(ctx context.Context, it *item, now time.Time) bool {
	// Most cases are as claimed: the version alone says so, without
	// reading and decoding the whole record.
	v, ok, err := s.cfg.Store.CaseVersion(ctx, it.c.ID)
	if err == nil && ok && v == it.c.Version {
		return true
	}
	f, err := s.readFresh(ctx, it.c.ID, now)
	switch pathway.ErrorCode(err) {
	case "":
	case pathway.NotFound:
		if err := s.cfg.Store.Drop(ctx, it.claim); err != nil {
			s.cfg.Log.Warn("could not drop a reminder for a case that has gone", "case", it.c.Name(), "err", cause(err))
		}
		return false
	case pathway.Unreadable:
		if err := s.cfg.Store.Release(ctx, it.claim, now.Add(setAsideFor)); err != nil {
			s.cfg.Log.Warn("could not set aside an unreadable record's reminder", "case", it.c.Name(), "err", cause(err))
		}
		return false
	default:
		// Not knowing whether it is still due, send nothing: the claim is
		// tried again when its lease runs out.
		s.cfg.Log.Warn("could not read a case again before reminding; will try again", "case", it.c.Name(), "err", cause(err))
		return false
	}
	if f.c.Version == it.c.Version {
		return true
	}
	var withdrawn []string
	for _, r := range it.reminders {
		if to, ok := f.stillDue(r.Occurrence); !ok || to != it.c.Lead {
			withdrawn = append(withdrawn, r.Kind)
		}
	}
	if len(withdrawn) > 0 {
		s.cfg.Log.Info("a reminder changed or was no longer due when it came to be sent", "case", it.c.Name(), "kinds", withdrawn)
	}
	queries := make([]store.SentQuery, 0, len(f.owed))
	for _, r := range f.owed {
		queries = append(queries, it.sentQuery(r.Occurrence))
	}
	sent, err := s.wasSent(ctx, queries)
	if err != nil {
		s.cfg.Log.Warn("could not check what was sent before reminding; will try again", "case", it.c.Name(), "err", cause(err))
		return false
	}
	it.c, it.reminders, it.sent = f.c, f.owed, sent
	return true
}
