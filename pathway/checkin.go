package pathway

import (
	"encoding/hex"
	"io"
	"time"
)

// Wellbeing check-ins for staff involved in harm (SPEC hard rule 2): the
// types a check-in is made of, its one question and scale, the schedule it
// keeps and how long its answers are kept. The wording around a check-in
// and the commands that send and answer one live in handlers; storing them
// lives in store.

// The kinds of check-in (Checkin.Kind).
const (
	CheckinForCase  = "case"     // on the schedule after being recorded as involved in a case
	CheckinSelf     = "self"     // started by the person with /hpp checkin
	CheckinFollowUp = "followup" // the extra one after a low answer, when none was due
)

const (
	// CheckinOpenFor is how long a check-in can be answered.
	CheckinOpenFor = 14 * 24 * time.Hour
	// CheckinReaskAfter is how long after "Not now" a check-in is asked
	// again (once), or the next working morning if that falls outside
	// working hours.
	CheckinReaskAfter = 3 * time.Hour
	// DefaultCheckinKeep is how long answers are kept when the policy's
	// checkin_answer_ttl gives no time at all.
	DefaultCheckinKeep = 90 * 24 * time.Hour
)

// Checkin is one check-in hppbot sent a person (or they started). It holds
// no answer: only whether one was given.
type Checkin struct {
	Token    string    // random (NewCheckinToken); the buttons carry it, looked up under the presser only
	Kind     string    // CheckinForCase, CheckinSelf or CheckinFollowUp
	Case     int64     // the case it follows, 0 for none
	Service  string    // the case's service ("none" when it has none); "" when unknown
	N        int       // its place in the schedule, from 1; 0 when not scheduled
	Sent     time.Time // when it went
	Snoozed  bool      // "Not now" was pressed: asked again once
	Answered bool
}

// CheckinAnswer is one answer on the check-in scale, seen only by the person
// who gave it.
type CheckinAnswer struct {
	At    time.Time
	Value int
	Label string // the scale's words for the value when it was given
}

// AnswerResult says what happened to an answer.
type AnswerResult int

// The results of saving an answer.
const (
	AnswerRecorded AnswerResult = iota // saved under the person
	AnswerUnknown                      // no such check-in for this person (or it has closed): nothing saved
	AnswerAlready                      // this check-in was already answered: nothing saved
)

// PersonSettings is what a person has chosen, and what hppbot remembers to
// route their requests.
type PersonSettings struct {
	CheckinsOff bool   // they opted out of check-ins
	Service     string // the service of the case they were most recently recorded as involved in
}

// ScalePoint is one answer on the check-in scale.
type ScalePoint struct {
	Value int
	Label string
	Low   bool // offers support straight away and brings the next check-in forward
}

// CheckinQuestion is the check-in's one question.
const CheckinQuestion = "How are you doing right now?"

// CheckinScale is hppbot's own single question's four-point scale, lowest
// first, written for this purpose in plain words: not taken from any
// published or proprietary measure (in particular, no Maslach Burnout
// Inventory items). Four points plus "talk" and "Not now" keep to six
// buttons, which every surface can show in one row.
func CheckinScale() []ScalePoint {
	return []ScalePoint{
		{1, "Really struggling", true},
		{2, "Finding it hard", true},
		{3, "Getting by", false},
		{4, "Doing OK", false},
	}
}

// ScalePointFor is the point on the scale with value; ok is false when
// there is none.
func ScalePointFor(value int) (ScalePoint, bool) {
	for _, p := range CheckinScale() {
		if p.Value == value {
			return p, true
		}
	}
	return ScalePoint{}, false
}

// checkinTokenBytes is how much randomness a token carries.
const checkinTokenBytes = 10

// NewCheckinToken makes a check-in token from random (crypto/rand.Reader
// outside tests): random, and meaningless outside the person it was made
// for.
func NewCheckinToken(random io.Reader) (string, error) {
	var b [checkinTokenBytes]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", Errorf(Internal, "making a check-in token: %v", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ValidCheckinToken reports whether s could be a token from
// NewCheckinToken: 20 lower-case hex digits.
func ValidCheckinToken(s string) bool {
	if len(s) != 2*checkinTokenBytes {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// CheckinAt is when a check-in span after from falls: on the day the span
// reaches, in working hours. A moment after the end of working hours on a
// working day moves to the start of that day, so "the next working day"
// stays that day; a non-working day waits for the next working morning (the
// scheduler only delivers in working hours).
func (p *Policy) CheckinAt(from time.Time, span Span) time.Time {
	cal := p.Calendar
	at := cal.Add(from, span)
	if cal.IsWorkingDay(at) && !at.Before(cal.DayEnd(at)) {
		if start := cal.DayStart(at); start.After(from) {
			return start
		}
	}
	return at
}

// CheckinSchedule is when the check-ins fall for someone recorded as
// involved at from: one for each of the policy's check-in spans, in order.
func (p *Policy) CheckinSchedule(from time.Time) []time.Time {
	out := make([]time.Time, 0, len(p.Checkins))
	for _, span := range p.Checkins {
		out = append(out, p.CheckinAt(from, span))
	}
	return out
}

// CheckinAfterLowAnswer is when the next check-in should come after a low
// answer at now: the next working day.
func (p *Policy) CheckinAfterLowAnswer(now time.Time) time.Time {
	return p.CheckinAt(now, Span{N: 1, Unit: WorkingDay})
}

// CheckinReaskAt is when a check-in put off with "Not now" at now is asked
// again: CheckinReaskAfter later, or the next working morning.
func (p *Policy) CheckinReaskAt(now time.Time) time.Time {
	return p.Calendar.NextWorkingStart(now.Add(CheckinReaskAfter))
}

// CheckinKeep is how long an answer given at now is kept: the policy's
// checkin_answer_ttl, or DefaultCheckinKeep when that gives no time.
func (p *Policy) CheckinKeep(now time.Time) time.Duration {
	if d := p.Calendar.Add(now, p.CheckinAnswerTTL).Sub(now); d > 0 {
		return d
	}
	return DefaultCheckinKeep
}

// CheckinDay is the local day of t ("2026-11-26"): a person gets at most one
// check-in a day.
func (p *Policy) CheckinDay(t time.Time) string {
	return t.In(p.Location()).Format("2006-01-02")
}
