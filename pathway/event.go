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
	Note   string    `json:"no,omitempty"` // free text as typed (already checked for identifiers)
}

// CountsAsContact reports whether the event was a communication with the
// patient or family: a logged contact, a Duty of Candour notification,
// written follow-up or update, or findings shared with the family. Each
// answers reminders about contact and sets when the next one is due.
func (e Event) CountsAsContact() bool {
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
