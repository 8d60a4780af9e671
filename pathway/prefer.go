package pathway

import (
	"fmt"
	"strings"
	"time"
)

// The family's preferred time: some families can only talk after work, or
// in the morning before visiting. It is kept on the case (at= on plan or
// contact) and said in every reminder about contact; reminders still come
// at the start of working hours on the day contact is due, so the named
// contact can plan the call. Candour deadlines do not move for it.

// Parts of the day a family may prefer, and the hours each means.
var preferParts = []struct {
	Name       string
	From, Till string
}{
	{"morning", "08:00", "12:00"},
	{"afternoon", "12:00", "17:00"},
	{"evening", "17:00", "20:00"},
}

// PreferAny clears a preferred time (at=any).
const PreferAny = "any"

// ParsePreferredTime reads at=: a time of day on the 24-hour clock (17:00,
// 9:30) or morning, afternoon or evening; "any" clears it (returned as "").
// The time is returned as written canonically: "17:00", "09:30", "evening".
func ParsePreferredTime(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == PreferAny {
		return "", nil
	}
	for _, part := range preferParts {
		if v == part.Name {
			return v, nil
		}
	}
	if h, m, ok := clockTime(v); ok {
		return fmt.Sprintf("%02d:%02d", h, m), nil
	}
	return "", Errorf(Invalid, "at= is the time the family prefers to be contacted: a time on the 24-hour clock such as at=17:00, or at=morning (08:00–12:00), at=afternoon (12:00–17:00) or at=evening (17:00–20:00). at=any clears it. You typed %q.", truncate(s, 30))
}

// clockTime reads H:MM or HH:MM (00:00 to 23:59), also with a dot (17.30).
func clockTime(v string) (h, m int, ok bool) {
	i := strings.IndexAny(v, ":.")
	if i < 1 || i > 2 || len(v)-i-1 != 2 {
		return 0, 0, false
	}
	for j := 0; j < len(v); j++ {
		if j != i && (v[j] < '0' || v[j] > '9') {
			return 0, 0, false
		}
	}
	for j := 0; j < i; j++ {
		h = h*10 + int(v[j]-'0')
	}
	m = int(v[i+1]-'0')*10 + int(v[i+2]-'0')
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// PreferredTimeWords says a preferred time in running text, to follow
// "the family prefers": "around 17:00", "the evening (17:00–20:00)". Empty
// for none.
func PreferredTimeWords(at string) string {
	for _, part := range preferParts {
		if at == part.Name {
			return fmt.Sprintf("the %s (%s–%s)", part.Name, part.From, part.Till)
		}
	}
	if at == "" {
		return ""
	}
	return "around " + at
}

// SetPreferredTime sets the family's preferred time on the case; it
// reports whether it changed.
func (c *Case) SetPreferredTime(at string) bool {
	if c.PreferAt == at {
		return false
	}
	c.PreferAt = at
	return true
}

// firstContactFire is when the first reminder about a contact falls due:
// when the family has a preferred time, the start of working hours on the
// day contact is due (the named contact can then plan the call for the
// family's time); otherwise the due time itself.
func (c *Case) firstContactFire(p *Policy) time.Time {
	if c.PreferAt == "" {
		return c.NextContact
	}
	return p.Calendar.DayStart(c.NextContact)
}

// PlanNone marks a plan event that records no regular contact: the family
// asked to hear only when there is news.
const PlanNone = "none"

// NoRegularContact reports whether the agreed plan is no regular contact.
func (c *Case) NoRegularContact() bool { return c.Plan != nil && c.Plan.None }

// SetNoRegularContact records that the family chose no regular contact
// (for example, to be told only when there is news). Then nothing about
// contact is due until someone sets next= with a contact; the candour
// deadlines carry on as before. The reason is required, so colleagues
// reading the case know it was the family's choice.
func (c *Case) SetNoRegularContact(via, reason, actor string, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "change its plan"); err != nil {
		return Event{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Event{}, Errorf(Invalid, "Please say why no regular contact was agreed, so colleagues know it was the family's choice — for example: /hpp plan %s every=none the family asked to hear only when there is news", c.Name())
	}
	if err := checkNote(reason); err != nil {
		return Event{}, err
	}
	c.Plan = &Plan{None: true, Via: via, Note: reason, Agreed: now}
	c.NextContact = time.Time{}
	c.answerContactNudges()
	return Event{At: now, Actor: actor, Kind: EventPlan, Step: PlanNone, Via: via, Note: reason}, nil
}

// EventPrefer records the family's preferred time being set (Prefer holds
// it) or cleared (Prefer is PreferAny).
const EventPrefer EventKind = "prefer"

// RecordPreferredTime sets the family's preferred time ("" clears it) and
// returns the timeline entry; ok is false when nothing changed.
func (c *Case) RecordPreferredTime(at, actor string, now time.Time) (ev Event, ok bool, err error) {
	if err := mustBeOpen(c, "change the family's preferred time"); err != nil {
		return Event{}, false, err
	}
	if !c.SetPreferredTime(at) {
		return Event{}, false, nil
	}
	recorded := at
	if at == "" {
		recorded = PreferAny
	}
	return Event{At: now, Actor: actor, Kind: EventPrefer, Prefer: recorded}, true, nil
}
