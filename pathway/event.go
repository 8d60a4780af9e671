package pathway

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// EventKind names what happened on a case.
type EventKind string

const (
	EventOpened     EventKind = "opened"
	EventContact    EventKind = "contact"
	EventPlan       EventKind = "plan"
	EventCandour    EventKind = "candour"
	EventFamily     EventKind = "family"
	EventParallel   EventKind = "parallel"
	EventLead       EventKind = "lead"
	EventInvolve    EventKind = "involve"
	EventSnooze     EventKind = "snooze"
	EventClosed     EventKind = "closed"
	EventReopened   EventKind = "reopened"
	EventReminder   EventKind = "reminder"   // a nudge went to someone
	EventEscalation EventKind = "escalation" // the pathway lead and channel were told
	// EventUndelivered: a reminder could not reach someone, and the
	// platform said it won't until someone acts (Why says why, in plain
	// words). The reminder counts as given, so escalation carries on.
	EventUndelivered EventKind = "undelivered"
	EventCorrected   EventKind = "corrected" // a fact of the case changed: Step the field, From and To its values
	EventStruck      EventKind = "struck"    // an entry marked as recorded in error: Target its id
)

// Bot is the actor for what hppbot does on its own.
const Bot = "hppbot"

// Event is one entry in a case's append-only timeline: who, when, what.
// Events never hold wellbeing answers.
type Event struct {
	ID   string    `json:"-"` // assigned by the store
	Case int64     `json:"-"`
	At   time.Time `json:"t,omitzero"`
	// DateOnly marks an event recorded afterwards with on=<date>: only its
	// day is known. At is the start of working hours that day, for
	// ordering; it is shown as the day alone and judged against what was
	// due by the day.
	DateOnly bool      `json:"do,omitempty"`
	Actor    string    `json:"a"` // a person id, or Bot
	Kind     EventKind `json:"k"`
	Step     string    `json:"st,omitempty"` // candour step, family step, parallel process, reminder kind
	Stage    string    `json:"sg,omitempty"` // reminder stage: warn, due, overdue
	Via      string    `json:"v,omitempty"`  // contact method, or plan method
	Due      time.Time `json:"d,omitzero"`   // contact: when it had been due; reminder: the deadline it was about
	Next     time.Time `json:"n,omitzero"`   // contact: the next one due; snooze: until
	Every    Span      `json:"e,omitzero"`   // plan: the agreed cadence
	People   []string  `json:"p,omitempty"`  // lead: [from, to]; involve: added; reminder/escalation: who was told
	Note     string    `json:"no,omitempty"` // free text as typed (already checked for identifiers); a correction or strike: the reason
	From     string    `json:"fr,omitempty"` // corrected: the old value, as stored
	To       string    `json:"to,omitempty"` // corrected: the new value, as stored
	Target   string    `json:"tg,omitempty"` // struck: the id of the entry recorded in error
	Channel  string    `json:"ch,omitempty"` // escalation: the team channel it was posted to (People holds only people)
	Why      string    `json:"y,omitempty"`  // undelivered: why, in plain words ("their Slack account has been deactivated")
	Prefer   string    `json:"pf,omitempty"` // prefer: the family's preferred time (prefer.go; "any" when cleared)

	// Worked out when a timeline is read (ReadTimeline), never stored.
	No       int    `json:"-"` // the entry's number, in the order entries were recorded (1 is the first)
	StruckBy *Event `json:"-"` // the entry that marked this one as recorded in error, if any
	Strikes  int    `json:"-"` // struck: the number of the entry it marks as recorded in error
}

// CountsAsContact reports whether the event was a communication with the
// patient or family: a logged contact, a Duty of Candour notification,
// written follow-up or update, or findings shared with the family. Each
// answers reminders about contact and sets when the next one is due.
// An entry recorded in error counts as nothing.
func (e Event) CountsAsContact() bool {
	if e.StruckBy != nil {
		return false
	}
	switch e.Kind {
	case EventContact:
		return true
	case EventCandour:
		return e.Step == CandourNotified || e.Step == CandourWritten || e.Step == CandourUpdate
	case EventFamily:
		return e.Step == "findings"
	}
	return false
}

// Struck reports whether the entry was marked as recorded in error.
func (e Event) Struck() bool { return e.StruckBy != nil }

// ReadTimeline works out, for a case's entries in the order they were
// recorded, each one's number (kept when the store has numbered it already,
// counting entries it could not read) and which were later marked as
// recorded in error. Nothing is ever removed from a timeline: a strike is
// an entry of its own that names the entry it marks, and it is read here.
func ReadTimeline(events []Event) {
	at := make(map[string]int, len(events))
	for i := range events {
		if events[i].No == 0 {
			events[i].No = i + 1
		}
		events[i].StruckBy = nil
		if events[i].ID != "" {
			at[events[i].ID] = i
		}
	}
	for i := range events {
		e := events[i]
		if e.Kind != EventStruck || e.Target == "" {
			continue
		}
		j, ok := at[e.Target]
		if !ok || j >= i || events[j].StruckBy != nil {
			continue
		}
		events[i].Strikes = events[j].No
		strike := events[i]
		events[j].StruckBy = &strike
	}
}

// OnTime reports whether a contact was made by the time it was due: for an
// event known only to the day, by the end of the day it was due.
func (e Event) OnTime(loc *time.Location) bool {
	if e.DateOnly {
		return !Midnight(e.At, loc).After(Midnight(e.Due, loc))
	}
	return !e.At.After(e.Due)
}

// DueThen is when contact with the family had been due at the moment at,
// worked out from the case's timeline (events in the order they happened):
// the next contact set by the latest opening, contact, plan or reopening
// before it. Zero when nothing was due then (the case was closed, or not
// yet open).
//
// For an event known only to the day (dateOnly), only what was recorded
// before that day counts, and the opening that day. A contact itself known
// only to the day set the next one due from its own date, with the cadence
// agreed then (its Next was counted from when it was typed), by the end of
// that working day; for a moment, such contacts on the same day are left
// out, since they may have come after it.
func DueThen(events []Event, at time.Time, dateOnly bool, p *Policy) time.Time {
	loc := p.Location()
	day := Midnight(at, loc)
	before, opened := at, at
	if dateOnly {
		before = day
		// Contact on the day the case was opened is judged against the
		// first contact it set.
		opened = day.AddDate(0, 0, 1)
	}
	var due time.Time
	every := p.DefaultEvery
	none := false // no regular contact agreed, as of the event read
	for _, e := range events {
		if !e.At.Before(before) && !(e.Kind == EventOpened && e.At.Before(opened)) {
			continue
		}
		switch {
		case e.Kind == EventOpened:
			due = p.DueAfter(e.At, p.FirstContactWithin)
			if !e.Every.IsZero() {
				every = e.Every
				if d := p.DueAfter(e.At, e.Every); d.Before(due) {
					due = d
				}
			}
		case e.Kind == EventClosed:
			due = time.Time{}
		case e.CountsAsContact() && e.DateOnly:
			if !Midnight(e.At, loc).Before(day) {
				continue
			}
			due = p.Calendar.DayEnd(p.DueAfter(e.At, every))
			if none {
				due = time.Time{}
			}
		case e.Kind == EventPlan && e.Step == PlanNone:
			// No regular contact agreed: nothing is due until a next= says so.
			none, due = true, time.Time{}
		case e.Kind == EventPlan, e.Kind == EventReopened, e.CountsAsContact():
			if e.Kind == EventPlan {
				none = false
				if !e.Every.IsZero() {
					every = e.Every
				}
			}
			switch {
			case !e.Next.IsZero():
				due = e.Next
			case none && e.CountsAsContact():
				due = time.Time{}
			}
		}
	}
	return due
}

// Rejudge returns the timeline (in the order things happened) with each
// contact judged against what was due when it happened. Each contact
// carries the due time recorded when it was logged; but when a contact for
// an earlier day was recorded afterwards (on=) and now sits before a
// contact already logged, the family had in fact been contacted in between,
// so what was due is worked out again from the timeline. Events are not
// changed; a copy is returned when any is re-judged.
func Rejudge(events []Event, p *Policy) []Event {
	var out []Event
	for i, e := range events {
		if !e.CountsAsContact() || e.Due.IsZero() {
			continue
		}
		for _, d := range events[:i] {
			if d.DateOnly && d.CountsAsContact() && recordedAfter(d, e) {
				if out == nil {
					out = slices.Clone(events)
				}
				out[i].Due = DueThen(events[:i], e.At, e.DateOnly, p)
				break
			}
		}
	}
	if out == nil {
		return events
	}
	return out
}

// recordedAfter reports whether a was recorded after b, by the ids the
// store gives events in the order they are written ("<ms>-<seq>"); false
// when either has no such id.
func recordedAfter(a, b Event) bool {
	am, as, ok1 := recordOrder(a.ID)
	bm, bs, ok2 := recordOrder(b.ID)
	if !ok1 || !ok2 {
		return false
	}
	return am > bm || (am == bm && as > bs)
}

func recordOrder(id string) (ms, seq uint64, ok bool) {
	m, s, found := strings.Cut(id, "-")
	if !found {
		return 0, 0, false
	}
	var err1, err2 error
	ms, err1 = strconv.ParseUint(m, 10, 64)
	seq, err2 = strconv.ParseUint(s, 10, 64)
	return ms, seq, err1 == nil && err2 == nil
}
