package pathway

import "time"

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
	EventCorrected  EventKind = "corrected"  // a fact of the case changed: Step the field, From and To its values
	EventStruck     EventKind = "struck"     // an entry marked as recorded in error: Target its id
)

// Bot is the actor for what hppbot does on its own.
const Bot = "hppbot"

// Event is one entry in a case's append-only timeline: who, when, what.
// Events never hold wellbeing answers.
type Event struct {
	ID     string    `json:"-"` // assigned by the store
	Case   int64     `json:"-"`
	At     time.Time `json:"t,omitzero"`
	Actor  string    `json:"a"` // a person id, or Bot
	Kind   EventKind `json:"k"`
	Step   string    `json:"st,omitempty"` // candour step, family step, parallel process, reminder kind
	Stage  string    `json:"sg,omitempty"` // reminder stage: warn, due, overdue
	Via    string    `json:"v,omitempty"`  // contact method, or plan method
	Due    time.Time `json:"d,omitzero"`   // contact: when it had been due; reminder: the deadline it was about
	Next   time.Time `json:"n,omitzero"`   // contact: the next one due; snooze: until
	Every  Span      `json:"e,omitzero"`   // plan: the agreed cadence
	People []string  `json:"p,omitempty"`  // lead: [from, to]; involve: added; reminder/escalation: who was told
	Note   string    `json:"no,omitempty"` // free text as typed (already checked for identifiers); a correction or strike: the reason
	From   string    `json:"fr,omitempty"` // corrected: the old value, as stored
	To     string    `json:"to,omitempty"` // corrected: the new value, as stored
	Target string    `json:"tg,omitempty"` // struck: the id of the entry recorded in error

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
// recorded, each one's number and which were later marked as recorded in
// error. Nothing is ever removed from a timeline: a strike is an entry of
// its own that names the entry it marks, and it is read here.
func ReadTimeline(events []Event) {
	at := make(map[string]int, len(events))
	for i := range events {
		events[i].No = i + 1
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
