// Package report computes hppbot's learning figures — how quickly families
// first heard from us, how often contact came when it was due, whether the
// Duty of Candour steps met their deadlines, the yearly candour counts — from
// cases and their timelines, and draws them as a chart.
//
// Everything here is a pure function of what it is given: no I/O, and the
// clock is passed in. It never sees a wellbeing answer (cases hold none), and
// the only check-in figure it handles is an aggregate count, shown only over
// MinGroup people.
package report

import (
	"math"
	"slices"
	"time"

	"hppbot/pathway"
)

// MinGroup is the fewest people a check-in figure may describe: fewer could
// identify someone (DOMAIN.md: hppbot uses 5).
const MinGroup = 5

// Share is a part of a whole: Num of Den.
type Share struct {
	Num, Den int
}

// Percent is the share as a whole percentage, rounded half up; 0 when there
// is nothing to count.
func (s Share) Percent() int {
	if s.Den == 0 {
		return 0
	}
	return int(math.Floor(float64(s.Num)*100/float64(s.Den) + 0.5))
}

// FirstContact is one case's first contact with the family.
type FirstContact struct {
	Case  int64
	Aware time.Time
	At    time.Time
	Days  float64 // from the day of becoming aware to the first contact; never negative
}

// Week is one ISO week (Monday to Sunday in the policy's time zone) of the
// window.
type Week struct {
	Start  time.Time // Monday 00:00
	OnTime int       // contacts made on or before their due time
	Late   int       // contacts made after it
	// FirstContactDays are the days from awareness to first contact of the
	// cases whose first contact fell in this week.
	FirstContactDays []float64
}

// Figures are the learning figures for a window.
type Figures struct {
	From, To time.Time // the window: From inclusive, To exclusive
	Now      time.Time

	Opened int // cases opened in the window
	// Harm counts the cases opened in the window by their harm on the
	// national record's two axes ("" when not recorded).
	Physical, Psych map[pathway.Harm]int
	PsychProlonged  int // of the cases with psychological harm, those where it is prolonged
	Closed          int // cases closed in the window (and still closed)

	OpenNow    int // cases open at Now
	OverdueNow int // of those, cases with something overdue at Now

	// FirstContacts are the cases whose first contact was made in the window.
	FirstContacts []FirstContact
	// NoContactYet counts cases opened in the window with no contact logged.
	NoContactYet int

	// Contacts compares each contact made in the window with when it was
	// due: Num made on or before the due time, of Den contacts that had one.
	Contacts Share
	// Notify and Written: the Duty of Candour steps within their deadline,
	// over cases where the duty applies whose deadline fell in the window
	// (and has passed) or whose step was recorded in the window.
	Notify, Written Share

	Nudges      int // reminders sent in the window
	Escalations int // times the pathway lead and channel were told, in the window

	Weeks []Week
}

// Input is what Compute works from.
type Input struct {
	Cases     []*pathway.Case
	Timelines map[int64][]pathway.Event
	From, To  time.Time
	Now       time.Time
	Loc       *time.Location // the policy's time zone: weeks and deadline days
}

// Compute works out the figures for the cases given. The caller chooses the
// cases (a service's, or every case); Compute decides what falls in the
// window. It is a Tally given every case at once.
func Compute(in Input) Figures {
	t := NewTally(in.From, in.To, in.Now, in.Loc)
	for _, c := range in.Cases {
		t.Add(c, in.Timelines[c.ID])
	}
	return t.Figures()
}

// Tally works out the figures one case at a time, so a report over many
// cases can read them a page at a time and keep none of them: what it
// keeps is the counts, and one FirstContact per case whose first contact
// fell in the window.
type Tally struct {
	f    Figures
	loc  *time.Location
	done bool
}

// NewTally starts the figures for the window [from, to) as seen at now, in
// loc (UTC when nil).
func NewTally(from, to, now time.Time, loc *time.Location) *Tally {
	if loc == nil {
		loc = time.UTC
	}
	return &Tally{f: Figures{From: from, To: to, Now: now, Weeks: weeksOf(from, to, loc)}, loc: loc}
}

// Add counts one case with its timeline (oldest event first). Each case is
// added once; the order does not matter.
func (t *Tally) Add(c *pathway.Case, timeline []pathway.Event) {
	f, loc := &t.f, t.loc
	inWindow := func(at time.Time) bool { return !at.IsZero() && !at.Before(f.From) && at.Before(f.To) }
	if inWindow(c.Opened) {
		f.Opened++
		countHarm(f, c)
		if c.FirstContact.IsZero() {
			f.NoContactYet++
		}
	}
	if !c.IsOpen() && inWindow(c.Closed) {
		f.Closed++
	}
	if c.IsOpen() {
		f.OpenNow++
		if len(c.Overdue(f.Now)) > 0 {
			f.OverdueNow++
		}
	}
	if inWindow(c.FirstContact) {
		f.FirstContacts = append(f.FirstContacts, FirstContact{Case: c.ID, Aware: c.Aware, At: c.FirstContact, Days: daysBetween(c.Aware, c.FirstContact)})
	}
	if c.CandourActive() {
		countStep(&f.Notify, c.Notified, c.NotifyDue, inWindow, f.Now, loc)
		if !c.WrittenDue.IsZero() || !c.Written.IsZero() {
			countStep(&f.Written, c.Written, c.WrittenDue, inWindow, f.Now, loc)
		}
	}
	for _, e := range timeline {
		if !inWindow(e.At) {
			continue
		}
		switch {
		case e.Kind == pathway.EventReminder:
			f.Nudges++
		case e.Kind == pathway.EventEscalation:
			f.Escalations++
		case e.CountsAsContact():
			if e.Due.IsZero() {
				continue
			}
			onTime := e.OnTime(loc)
			f.Contacts.Den++
			w := weekIndex(f.Weeks, e.At)
			if onTime {
				f.Contacts.Num++
			}
			if w >= 0 {
				if onTime {
					f.Weeks[w].OnTime++
				} else {
					f.Weeks[w].Late++
				}
			}
		}
	}
}

// Figures are the figures for the cases added: first contacts in order of
// time, then case, whatever order the cases came in, and each week's days
// to first contact in the same order.
func (t *Tally) Figures() Figures {
	f := t.f
	f.FirstContacts = slices.Clone(f.FirstContacts)
	slices.SortFunc(f.FirstContacts, func(a, b FirstContact) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return int(a.Case - b.Case)
	})
	f.Weeks = slices.Clone(f.Weeks)
	for w := range f.Weeks {
		f.Weeks[w].FirstContactDays = nil
	}
	for _, fc := range f.FirstContacts {
		if w := weekIndex(f.Weeks, fc.At); w >= 0 {
			f.Weeks[w].FirstContactDays = append(f.Weeks[w].FirstContactDays, fc.Days)
		}
	}
	return f
}

// countStep adds one case's candour step to a share: it counts when the
// step was recorded in the window, or its deadline fell in the window and
// has passed.
func countStep(s *Share, done, due time.Time, inWindow func(time.Time) bool, now time.Time, loc *time.Location) {
	if !inWindow(done) && !(inWindow(due) && due.Before(now)) {
		return
	}
	s.Den++
	if pathway.WithinDeadline(done, due, loc) {
		s.Num++
	}
}

// FirstContactDays returns the days from awareness to first contact, in
// order of first contact.
func (f Figures) FirstContactDays() []float64 {
	out := make([]float64, len(f.FirstContacts))
	for i, fc := range f.FirstContacts {
		out[i] = fc.Days
	}
	return out
}

// daysBetween is the time from the day of becoming aware (local midnight)
// to t, in days; a contact recorded as earlier than that counts as 0.
func daysBetween(aware, t time.Time) float64 {
	if aware.IsZero() || t.Before(aware) {
		return 0
	}
	return t.Sub(aware).Hours() / 24
}

// Median is the middle value (the mean of the two middle values for an even
// count); ok is false when there are none.
func Median(vs []float64) (m float64, ok bool) {
	if len(vs) == 0 {
		return 0, false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// Percentile is the nearest-rank percentile p (0 < p <= 100): the smallest
// value with at least p% of the values at or below it. ok is false when
// there are none.
func Percentile(vs []float64, p float64) (v float64, ok bool) {
	if len(vs) == 0 || p <= 0 || p > 100 {
		return 0, false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[max(rank, 1)-1], true
}

// WeekStart is the Monday 00:00 of the ISO week holding t, in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	d := pathway.Midnight(t, loc)
	back := (int(d.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return d.AddDate(0, 0, -back)
}

// weeksOf lists the ISO weeks that overlap [from, to).
func weeksOf(from, to time.Time, loc *time.Location) []Week {
	if from.IsZero() || !to.After(from) {
		return nil
	}
	var out []Week
	for w := WeekStart(from, loc); w.Before(to); w = w.AddDate(0, 0, 7) {
		out = append(out, Week{Start: w})
		if len(out) > 1000 { // a window is at most two years; never loop on bad input
			break
		}
	}
	return out
}

// weekIndex finds the week holding t; -1 when none does.
func weekIndex(weeks []Week, t time.Time) int {
	i, found := slices.BinarySearchFunc(weeks, t, func(w Week, t time.Time) int {
		switch {
		case t.Before(w.Start):
			return 1
		case !t.Before(w.Start.AddDate(0, 0, 7)):
			return -1
		}
		return 0
	})
	if !found {
		return -1
	}
	return i
}

// countHarm counts a case's harm on both axes.
func countHarm(f *Figures, c *pathway.Case) {
	if f.Physical == nil {
		f.Physical, f.Psych = map[pathway.Harm]int{}, map[pathway.Harm]int{}
	}
	f.Physical[c.PhysicalHarm()]++
	psych, prolonged := c.PsychHarm()
	f.Psych[psych]++
	if psych != "" && psych != pathway.HarmNone && prolonged == pathway.ProlongedYes {
		f.PsychProlonged++
	}
}
