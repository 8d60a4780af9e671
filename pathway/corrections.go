package pathway

import (
	"slices"
	"time"
)

// Corrections keep the record true without rewriting it. A fact of the case
// changed after review (harm regraded, the aware date, service, reference or
// summary) is a "corrected" entry with the old and new values and the
// reason; an entry recorded by mistake is marked by a "struck" entry that
// names it. Both are new entries: nothing recorded is deleted or overwritten,
// and what the case works out from them (deadlines, contacts) is worked out
// again at once.

// Fields that can be corrected, as people name them.
const (
	FieldHarm      = "harm"
	FieldPsych     = "psych"
	FieldProlonged = "prolonged"
	FieldAware     = "aware"
	FieldService   = "service"
	FieldRef       = "ref"
	FieldSummary   = "summary"
	FieldCandour   = "candour"
)

// CorrectInput is what a person corrects; nil means unchanged.
type CorrectInput struct {
	Harm      *Harm
	Psych     *Harm
	Prolonged *Prolonged
	Aware     *time.Time // local midnight
	Service   *string    // "" takes the case out of any service
	Ref       *string
	Summary   *string
	Candour   *CandourMode
	Reason    string
}

// Correct changes facts of the case, one corrected entry per fact that
// changes, and works out the Duty of Candour and its deadlines again from
// the new facts. Steps already recorded are kept. A regrade that brings the
// duty back after it was recorded as not applying ends that record (it stays
// on the timeline).
func (c *Case) Correct(in CorrectInput, actor string, p *Policy, now time.Time) ([]Event, error) {
	if in.Reason == "" {
		return nil, Errorf(Invalid, "Please say why, so the record shows it — for example: /hpp correct %s harm=moderate regraded at the weekly review", c.Name())
	}
	if err := checkNote(in.Reason); err != nil {
		return nil, err
	}
	var events []Event
	change := func(field, from, to string) {
		if from != to {
			events = append(events, Event{At: now, Actor: actor, Kind: EventCorrected, Step: field, From: from, To: to, Note: in.Reason})
		}
	}
	// A case stored before the two axes says "psychological" on the physical
	// axis: once either axis is corrected, it is written on both.
	if (in.Harm != nil || in.Psych != nil || in.Prolonged != nil) && c.Harm == HarmPsychological {
		c.Psych, c.Prolonged = c.PsychHarm()
		c.Harm = ""
	}
	harmBefore, psychBefore, prolongedBefore := c.Harm, c.Psych, c.Prolonged
	if in.Harm != nil {
		h := *in.Harm
		if h == HarmPsychological {
			return nil, Errorf(Invalid, "Psychological harm has its own scale now: /hpp correct %s psych=moderate prolonged=yes <reason>", c.Name())
		}
		c.Harm = h
	}
	if in.Psych != nil {
		c.Psych = *in.Psych
		if in.Prolonged == nil && c.Psych == HarmNone {
			c.Prolonged = ""
		}
	}
	if in.Prolonged != nil {
		c.Prolonged = *in.Prolonged
	}
	if err := checkProlonged(c.Psych, c.Prolonged); err != nil {
		return nil, err
	}
	change(FieldHarm, string(harmBefore), string(c.Harm))
	change(FieldPsych, string(psychBefore), string(c.Psych))
	change(FieldProlonged, string(prolongedBefore), string(c.Prolonged))
	if in.Candour != nil {
		change(FieldCandour, string(c.CandourMode), string(*in.Candour))
		c.CandourMode = *in.Candour
	}
	if in.Aware != nil {
		if err := checkAware(*in.Aware, p, now); err != nil {
			return nil, err
		}
		change(FieldAware, dateText(c.Aware, p), dateText(*in.Aware, p))
		c.Aware = *in.Aware
	}
	if in.Service != nil {
		change(FieldService, c.Service, *in.Service)
		c.Service = *in.Service
	}
	if in.Ref != nil {
		if err := CheckRef(*in.Ref); err != nil {
			return nil, err
		}
		change(FieldRef, c.Ref, *in.Ref)
		c.Ref = *in.Ref
	}
	if in.Summary != nil {
		if err := CheckLength("summary", *in.Summary, MaxSummaryLen); err != nil {
			return nil, err
		}
		if err := CheckText("summary", *in.Summary); err != nil {
			return nil, err
		}
		change(FieldSummary, c.Summary, *in.Summary)
		c.Summary = *in.Summary
	}
	if len(events) == 0 {
		return nil, Errorf(Invalid, "That is what %s already records, so nothing was changed. /hpp status %s shows what it holds.", c.Name(), c.Name())
	}
	rethink := false
	regraded := false
	for _, e := range events {
		switch e.Step {
		case FieldHarm, FieldPsych, FieldProlonged, FieldCandour:
			rethink, regraded = true, true
		case FieldAware:
			rethink = true
		}
	}
	if rethink {
		c.rethinkCandour(p, regraded)
	}
	return events, nil
}

// rethinkCandour decides the duty again from the facts and sets its
// deadlines. When anything about it changed, its reminders start afresh, so
// a deadline already past is nudged about at once.
func (c *Case) rethinkCandour(p *Policy, regraded bool) {
	wasActive, notifyDue, writtenDue := c.CandourActive(), c.NotifyDue, c.WrittenDue
	c.DutyApplies = c.decideDuty(p)
	if regraded && c.DutyApplies && c.NotNeeded != "" {
		c.NotNeeded = ""
	}
	c.candourDeadlines(p)
	if wasActive != c.CandourActive() || !notifyDue.Equal(c.NotifyDue) || !writtenDue.Equal(c.WrittenDue) {
		c.resetCandourReminders()
	}
}

func checkAware(aware time.Time, p *Policy, now time.Time) error {
	today := Midnight(now, p.Location())
	if aware.After(today) {
		return Errorf(Invalid, "aware=%s is in the future. Use the date your organisation became aware of the harm — today or earlier.", aware.Format("2006-01-02"))
	}
	if aware.Before(today.AddDate(-5, 0, 0)) {
		return Errorf(Invalid, "aware=%s is more than five years ago. Please check the date (year-month-day).", aware.Format("2006-01-02"))
	}
	return nil
}

func dateText(t time.Time, p *Policy) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.Location()).Format("2006-01-02")
}

// Strikable reports whether an entry of this kind can be marked as recorded
// in error, and if not, what to do instead.
func (c *Case) strikable(e Event) error {
	name := c.Name()
	switch e.Kind {
	case EventContact, EventCandour, EventFamily, EventParallel, EventPlan:
		return nil
	case EventOpened:
		return Errorf(Invalid, "Entry %d is the opening of the case, so it can't be struck out. To put a fact right, use /hpp correct %s, for example harm=moderate or aware=2026-11-20, with the reason.", e.No, name)
	case EventCorrected:
		return Errorf(Invalid, "Entry %d is a correction. To put it right, correct the value again: /hpp correct %s %s=<value> <reason>", e.No, name, e.Step)
	case EventStruck:
		return Errorf(Invalid, "Entry %d already marks entry %d as recorded in error; it stays as part of the record.", e.No, e.Strikes)
	case EventUndelivered:
		return Errorf(Invalid, "Entry %d records a reminder hppbot could not deliver; it stays as part of the record. Only entries people recorded can be struck out.", e.No)
	case EventReminder, EventEscalation:
		return Errorf(Invalid, "Entry %d is a reminder hppbot sent; it stays as sent. Only entries people recorded can be struck out.", e.No)
	case EventLead:
		return Errorf(Invalid, "Entry %d is a handover. To hand the role back, use /hpp lead %s @person.", e.No, name)
	case EventClosed:
		return Errorf(Invalid, "Entry %d closed the case. To carry on, use /hpp reopen %s.", e.No, name)
	case EventReopened:
		return Errorf(Invalid, "Entry %d reopened the case. To end it again, use /hpp close %s <note>.", e.No, name)
	case EventSnooze:
		return Errorf(Invalid, "Entry %d is a snooze; it ends on its own. Log a contact or /hpp status %s to see what is due.", e.No, name)
	case EventAway:
		return Errorf(Invalid, "Entry %d records a time away; it stays as part of the record. A time away ends on its own after its last day, or with /hpp away off.", e.No)
	case EventPrefer:
		return Errorf(Invalid, "Entry %d records the family's preferred time. To change it, give the right one: /hpp plan %s at=17:00 (or at=any to clear it).", e.No, name)
	}
	return Errorf(Invalid, "Entry %d can't be struck out. Only contacts, plans, %s steps and what was recorded for the family can be.", e.No, "Duty of Candour")
}

// Strike marks entry no of the case's timeline (as ReadTimeline numbered
// it) as recorded in error, with the reason. The entry stays; it stops
// counting, and what it had set is worked out again from the entries that
// remain: contacts and the first and latest contact, the next contact due
// (back to what was due before it, if nothing has set it since), candour
// steps and their deadlines, what was recorded for the family, the plan.
func (c *Case) Strike(timeline []Event, no int, reason, actor string, p *Policy, now time.Time) (Event, error) {
	if reason == "" {
		return Event{}, Errorf(Invalid, "Please say why entry %d was recorded in error, for example: /hpp strike %s %d logged on the wrong case", no, c.Name(), no)
	}
	if err := checkNote(reason); err != nil {
		return Event{}, err
	}
	i := slices.IndexFunc(timeline, func(e Event) bool { return e.No == no })
	if i < 0 {
		last := 0
		for _, e := range timeline {
			last = max(last, e.No)
		}
		return Event{}, Errorf(Invalid, "%s has no entry %d: its entries are numbered 1 to %d. /hpp timeline %s shows them.", c.Name(), no, last, c.Name())
	}
	target := timeline[i]
	if target.StruckBy != nil {
		return Event{}, Errorf(Invalid, "Entry %d was already marked as recorded in error on %s. Nothing more to do.", no, FormatDay(target.StruckBy.At, p.Location()))
	}
	if err := c.strikable(target); err != nil {
		return Event{}, err
	}
	var rest []Event
	for _, e := range timeline {
		if e.StruckBy == nil && e.No != no && e.Kind != EventStruck {
			rest = append(rest, e)
		}
	}
	if target.CountsAsContact() {
		c.recountContacts(rest, target)
	}
	switch target.Kind {
	case EventCandour:
		c.restepCandour(rest, target, p)
	case EventFamily:
		c.Family = firstOfSteps(rest, EventFamily, c.Family, target.Step)
	case EventParallel:
		c.Parallel = firstOfSteps(rest, EventParallel, c.Parallel, target.Step)
	case EventPlan:
		c.Plan = nil
		for _, e := range rest {
			switch {
			case e.Kind == EventPlan:
				c.Plan = &Plan{Every: e.Every, Via: e.Via, Note: e.Note, Agreed: e.At, None: e.Step == PlanNone}
			case e.Kind == EventOpened && !e.Every.IsZero():
				c.Plan = &Plan{Every: e.Every, Agreed: e.At}
			}
		}
	}
	return Event{At: now, Actor: actor, Kind: EventStruck, Target: target.ID, Step: string(target.Kind), Note: reason, Strikes: no}, nil
}

// recountContacts counts contact again without target, and puts the next
// contact back to what was due before target if nothing has set it since.
func (c *Case) recountContacts(rest []Event, target Event) {
	c.Contacts, c.FirstContact, c.LastContact = 0, time.Time{}, time.Time{}
	setSince := false
	for _, e := range rest {
		if e.CountsAsContact() {
			c.Contacts++
			if c.FirstContact.IsZero() || e.At.Before(c.FirstContact) {
				c.FirstContact = e.At
			}
			if e.At.After(c.LastContact) {
				c.LastContact = e.At
			}
		}
		if e.No > target.No && (e.CountsAsContact() || e.Kind == EventPlan || e.Kind == EventReopened) {
			setSince = true
		}
	}
	if !setSince && !target.Due.IsZero() && c.NextContact.Equal(target.Next) {
		c.NextContact = target.Due
	}
	c.answerContactNudges()
}

// restepCandour works out a candour step again without target.
func (c *Case) restepCandour(rest []Event, target Event, p *Policy) {
	steps := map[string][]Event{}
	for _, e := range rest {
		if e.Kind == EventCandour {
			steps[e.Step] = append(steps[e.Step], e)
		}
	}
	switch target.Step {
	case CandourNotified:
		c.Notified = time.Time{}
		if s := steps[CandourNotified]; len(s) > 0 {
			c.Notified = s[0].At
		}
	case CandourWritten:
		c.Written = time.Time{}
		if s := steps[CandourWritten]; len(s) > 0 {
			c.Written = s[0].At
		}
	case CandourUpdate:
		c.Updates = len(steps[CandourUpdate])
	case CandourNA:
		c.NotNeeded = ""
		if s := steps[CandourNA]; len(s) > 0 {
			c.NotNeeded = s[len(s)-1].Note
		}
	case CandourDelay:
		c.DelayAsked = len(steps[CandourDelay]) > 0 || slices.ContainsFunc(rest, func(e Event) bool {
			return e.Kind == EventReminder && e.Step == RemindDelay
		})
	}
	c.candourDeadlines(p)
	c.resetCandourReminders()
}

// firstOfSteps sets step in m to the first remaining entry of kind with that
// step, or takes it out.
func firstOfSteps(rest []Event, kind EventKind, m map[string]time.Time, step string) map[string]time.Time {
	delete(m, step)
	for _, e := range rest {
		if e.Kind == kind && e.Step == step {
			if m == nil {
				m = map[string]time.Time{}
			}
			m[step] = e.At
			break
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
