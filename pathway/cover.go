package pathway

import (
	"time"
)

// Cover for leave: a named contact who is away (annual leave, sickness, a
// course) says so, and names a colleague who covers. While they are away,
// the reminders for the cases they are the named contact for go to the
// cover; with nobody covering (none named, or the cover away too) they go
// to the service's pathway lead. The named contact stays the family's
// contact: cover is about who is nudged, not a handover (that is `lead`).

// EventAway records, on each affected case, that its named contact's time
// away began (Step AwayStart) or ended (AwayEnd: as planned; AwayOff: ended
// early by someone). People is [away person, cover] (the cover left out
// when nobody covers); Next is when the time away ends.
const EventAway EventKind = "away"

// Away event steps.
const (
	AwayStart = "start"
	AwayEnd   = "end" // ended by itself, at the end of its last day
	AwayOff   = "off" // ended early with `away off`
)

// MaxAwayDays is how far ahead a time away may run. It matches the longest
// a family may wait between contacts (plan every= and next= stop at three
// months): leave longer than that is better handed over with `lead`, so the
// family has a named contact who is there, rather than a cover who only
// gets reminders.
const MaxAwayDays = 90

// Away is one person's time away. Until is the moment it ends: midnight
// (policy time zone) after the last day away.
type Away struct {
	Person string    `json:"p"`
	Cover  string    `json:"c,omitempty"` // "" when nobody covers: the pathway lead is nudged
	From   time.Time `json:"f"`
	Until  time.Time `json:"u"`
	SetBy  string    `json:"b"`
	// Cases are the cases whose timelines recorded the start, so the end is
	// recorded on the same ones.
	Cases []int64 `json:"k,omitempty"`
}

// ActiveAt reports whether the person is away at now.
func (a Away) ActiveAt(now time.Time) bool {
	return a.Person != "" && !now.Before(a.From) && now.Before(a.Until)
}

// LastDay is the last day away (local midnight).
func (a Away) LastDay(loc *time.Location) time.Time {
	return Midnight(a.Until.Add(-time.Minute), loc)
}

// AwayInput is what `away` was given.
type AwayInput struct {
	Person string    // who is away
	Cover  string    // who covers; "" for nobody (the pathway lead)
	Until  time.Time // the last day away, local midnight
}

// NewAway checks a time away and makes it, starting now. It refuses a last
// day in the past, a cover who is the person themself and a last day more
// than MaxAwayDays ahead, each saying what to type instead.
func NewAway(in AwayInput, actor string, p *Policy, now time.Time) (Away, error) {
	loc := p.Location()
	today := Midnight(now, loc)
	day := Midnight(in.Until, loc)
	example := today.AddDate(0, 0, 7).Format("2006-01-02")
	self := in.Person == actor
	switch {
	case in.Until.IsZero():
		return Away{}, Errorf(Invalid, "Say the last day away with until=, for example: /hpp away until=%s cover=@sam", example)
	case day.Before(today):
		return Away{}, Errorf(Invalid, "until=%s is in the past. Give the last day away — today or later — such as until=%s.", day.Format("2006-01-02"), example)
	case day.After(today.AddDate(0, 0, MaxAwayDays)):
		return Away{}, Errorf(Invalid, "until=%s is more than %d days away. For a longer absence, please hand each case to a colleague the family can get to know (/hpp lead <case> @name); or set up to %s now and renew it then.",
			day.Format("2006-01-02"), MaxAwayDays, FormatDay(today.AddDate(0, 0, MaxAwayDays), loc))
	case in.Cover != "" && in.Cover == in.Person && self:
		return Away{}, Errorf(Invalid, "You can't cover for yourself while you're away. Name a colleague who will be around, such as cover=@sam — or leave cover= out and your pathway lead will get your reminders.")
	case in.Cover != "" && in.Cover == in.Person:
		return Away{}, Errorf(Invalid, "%s can't cover for themself while they're away. Name a colleague who will be around, such as cover=@sam — or leave cover= out and the pathway lead will get their reminders.", mention(in.Person))
	}
	return Away{Person: in.Person, Cover: in.Cover, From: now, Until: day.AddDate(0, 0, 1), SetBy: actor}, nil
}

// mention writes a person as the reply markup does (bot.Mention), without
// importing the surfaces' package.
func mention(person string) string { return "<@" + person + ">" }

// Nudge routes: who gets a case's reminders.
const (
	RouteNamed = "named" // the named contact, who is not away
	RouteCover = "cover" // the cover of an away named contact
	RouteLead  = "lead"  // the pathway lead: the named contact is away and nobody covers
)

// Route is who a case's reminders go to now, and why.
type Route struct {
	To    string
	Why   string // RouteNamed, RouteCover or RouteLead
	Away  Away   // the named contact's time away, when Why is not RouteNamed
	Cover Away   // the cover's own time away, when they are away too
}

// RouteNudge works out who gets a case's reminders at now: the named
// contact; while they are away, their cover; with nobody covering (none
// named, or the cover away too), the service's pathway lead. awayOf says
// whether a person has a time away recorded (active or not). With no
// pathway lead to turn to, or when the lead is the one away, the named
// contact still gets them: a reminder waiting for their return is better
// than none.
func RouteNudge(named, pathwayLead string, awayOf func(person string) (Away, bool), now time.Time) Route {
	a, ok := awayOf(named)
	if !ok || !a.ActiveAt(now) {
		return Route{To: named, Why: RouteNamed}
	}
	r := Route{Away: a}
	if a.Cover != "" && a.Cover != named {
		ca, away := awayOf(a.Cover)
		if !away || !ca.ActiveAt(now) {
			r.To, r.Why = a.Cover, RouteCover
			return r
		}
		r.Cover = ca
	}
	if pathwayLead != "" && pathwayLead != named {
		r.To, r.Why = pathwayLead, RouteLead
		return r
	}
	r.To, r.Why = named, RouteNamed
	return r
}
