package pathway

import (
	"fmt"
	"time"
)

// Reminder kinds.
const (
	RemindContact = "contact" // contact with the family is due
	RemindNotify  = "notify"  // the candour notification
	RemindWritten = "written" // the candour written follow-up
	RemindDelay   = "delay"   // Scotland: record why notification is taking over a month
)

// Reminder stages for candour steps.
const (
	StageWarn    = "warn"    // a few working days before the deadline
	StageDue     = "due"     // on the day
	StageOverdue = "overdue" // after the deadline
)

// Reminder is one nudge a case owes at a moment. Its Occurrence identifies it
// across restarts and replicas, so it is sent once.
type Reminder struct {
	Kind       string
	Stage      string
	Due        time.Time // the deadline the reminder is about
	Count      int       // contact: which nudge in this round (1-based); candour: which overdue nudge
	Escalate   bool      // also tell the service's pathway lead and channel
	Occurrence string
	// Told and ToldChannel are set by the scheduler once an escalation has
	// been delivered: the people it reached and the channel it was posted
	// to. MarkSent keeps them on the case, so what the case later says
	// about who was told comes from deliveries, not from intentions.
	Told        []string
	ToldChannel string
}

// Reminders lists what the case should send at now. It does not change the
// case: the scheduler sends, then calls MarkSent for each one sent.
func (c *Case) Reminders(p *Policy, now time.Time) []Reminder {
	var out []Reminder
	if t := c.contactFire(p); !t.IsZero() && !t.After(now) {
		stage := StageDue
		if now.After(c.NextContact) {
			stage = StageOverdue
		}
		out = append(out, Reminder{
			Kind: RemindContact, Stage: stage, Due: c.NextContact, Count: c.ContactNudges + 1,
			Escalate:   c.ContactNudges >= p.EscalateAfter && !c.Escalated,
			Occurrence: fmt.Sprintf("%s:%d:%d", RemindContact, c.Round, c.ContactNudges),
		})
	}
	for _, kind := range []string{RemindNotify, RemindWritten} {
		st, ok := c.candourStep(kind, p)
		if !ok {
			continue
		}
		t := st.fire(c, p)
		if t.After(now) {
			continue
		}
		stage, next := StageWarn, 1
		switch {
		case !now.Before(st.overAt):
			stage, next = StageOverdue, max(*st.stage, 2)+1
		case !now.Before(st.dayAt):
			stage, next = StageDue, 2
		}
		overdueSent := max(*st.stage-2, 0)
		out = append(out, Reminder{
			Kind: kind, Stage: stage, Due: st.due, Count: max(next-2, 0),
			Escalate:   stage == StageOverdue && overdueSent >= p.EscalateAfter && !c.CandourEscalated,
			Occurrence: fmt.Sprintf("%s:%d:%d", kind, c.CandourRound, next),
		})
	}
	if t := c.delayFire(p); !t.IsZero() && !t.After(now) {
		out = append(out, Reminder{Kind: RemindDelay, Stage: StageOverdue, Due: c.NotifyDue, Occurrence: fmt.Sprintf("%s:%d", RemindDelay, c.CandourRound)})
	}
	return out
}

// StillChasing says whether a reminder of kind about the deadline due,
// worked out and recorded earlier for lead as the case's named contact, is
// still worth delivering at now; if not, why, in words for the timeline.
// A reminder that waited in the delivery queue (the platform busy or down)
// is checked with it before it goes: a contact logged, a step recorded, a
// snooze, a close or a handover since means the person would be chased for
// what is done, or for a case that is no longer theirs. lead "" is not
// checked (a message queued before the named contact was kept with it).
func (c *Case) StillChasing(kind string, due time.Time, lead string, p *Policy, now time.Time) (ok bool, why string) {
	switch {
	case !c.IsOpen():
		return false, "the case was closed before it could be sent"
	case c.SnoozedUntil.After(now):
		return false, "reminders for the case were snoozed before it could be sent"
	case lead != "" && c.Lead != lead:
		return false, "the case was handed to a new named contact before it could be sent"
	}
	switch kind {
	case RemindContact:
		if c.contactFire(p).IsZero() || !c.NextContact.Equal(due) {
			return false, "contact with the family was logged, or the next contact date changed, before it could be sent"
		}
	case RemindNotify, RemindWritten:
		if st, ok := c.candourStep(kind, p); !ok || !st.due.Equal(due) {
			return false, "the step was recorded, or its deadline changed, before it could be sent"
		}
	case RemindDelay:
		// The reminder is recorded as asked when it is queued, so what is
		// checked is what it asks about: the notification, still not made.
		if !p.Candour.ExplainDelay || !c.CandourActive() || !c.Notified.IsZero() || !c.NotifyDue.Equal(due) {
			return false, "the notification was recorded before it could be sent"
		}
	}
	return true, ""
}

// MarkSent records that r was sent at now. It reports false, and changes
// nothing, when the case has moved on since r was worked out (someone logged
// a contact, snoozed or closed the case in the meantime).
func (c *Case) MarkSent(r Reminder, p *Policy, now time.Time) bool {
	current := false
	for _, x := range c.Reminders(p, now) {
		if x.Occurrence == r.Occurrence {
			current = true
		}
	}
	if !current {
		return false
	}
	switch r.Kind {
	case RemindContact:
		c.ContactNudges++
		c.LastNudge = now
		if r.Escalate {
			c.Escalated = true
			c.EscalatedTo = append([]string(nil), r.Told...)
			c.EscalatedChannel = r.ToldChannel
		}
	case RemindNotify, RemindWritten:
		st, _ := c.candourStep(r.Kind, p)
		switch r.Stage {
		case StageWarn:
			*st.stage = 1
		case StageDue:
			*st.stage = 2
		default:
			*st.stage = max(*st.stage, 2) + 1
		}
		*st.nudged = now
		if r.Escalate {
			c.CandourEscalated = true
		}
	case RemindDelay:
		c.DelayAsked = true
	}
	return true
}

// NextWake is when the case next owes a reminder; zero when it owes none.
// The store keeps every open case in its due index under this time.
func (c *Case) NextWake(p *Policy) time.Time {
	var wake time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (wake.IsZero() || t.Before(wake)) {
			wake = t
		}
	}
	consider(c.contactFire(p))
	for _, kind := range []string{RemindNotify, RemindWritten} {
		if st, ok := c.candourStep(kind, p); ok {
			consider(st.fire(c, p))
		}
	}
	consider(c.delayFire(p))
	return wake
}

// RepeatAfter is how long after the last unanswered nudge the next one
// goes, when sent nudges have gone unanswered: nudge_repeat until the
// escalation has gone (escalate_after nudges, then the one that escalates),
// then the slower nudge_repeat_after_escalation.
func (p *Policy) RepeatAfter(sent int) Span {
	if sent > p.EscalateAfter && p.NudgeRepeatEscalated.Approx() > p.NudgeRepeat.Approx() {
		return p.NudgeRepeatEscalated
	}
	return p.NudgeRepeat
}

func (c *Case) contactFire(p *Policy) time.Time {
	if !c.IsOpen() || !p.Enabled(CommitCommunication) || c.NextContact.IsZero() {
		return time.Time{}
	}
	t := c.firstContactFire(p)
	if c.ContactNudges > 0 {
		t = p.DueAfter(c.LastNudge, p.RepeatAfter(c.ContactNudges))
	}
	if c.SnoozedUntil.After(t) {
		t = c.SnoozedUntil
	}
	return t
}

func (c *Case) delayFire(p *Policy) time.Time {
	if !c.IsOpen() || !p.Candour.ExplainDelay || !c.CandourActive() || !c.Notified.IsZero() || c.DelayAsked {
		return time.Time{}
	}
	t := p.DueAt(p.Calendar.DayStart(c.Aware.In(p.Location()).AddDate(0, 1, 0)))
	if c.SnoozedUntil.After(t) {
		t = c.SnoozedUntil
	}
	return t
}

// candourStep gathers the state of one candour step's reminders.
type candourStep struct {
	due                   time.Time
	warnAt, dayAt, overAt time.Time
	stage                 *int
	nudged                *time.Time
}

func (c *Case) candourStep(kind string, p *Policy) (candourStep, bool) {
	if !c.IsOpen() || !c.CandourActive() {
		return candourStep{}, false
	}
	var st candourStep
	var done time.Time
	switch kind {
	case RemindNotify:
		st.due, done, st.stage, st.nudged = c.NotifyDue, c.Notified, &c.NotifyStage, &c.NotifyNudged
	case RemindWritten:
		st.due, done, st.stage, st.nudged = c.WrittenDue, c.Written, &c.WrittenStage, &c.WrittenNudged
	default:
		return candourStep{}, false
	}
	if st.due.IsZero() || !done.IsZero() {
		return candourStep{}, false
	}
	cal := p.Calendar
	day := Midnight(st.due, p.Location())
	switch warn := p.Candour.WarnBefore; warn.Unit {
	case WorkingDay:
		st.warnAt = cal.DayStart(cal.SubWorkingDays(day, warn.N))
	case Day, Week:
		// Count calendar days on the calendar, not in hours, so a clock
		// change in between does not move the warning a day earlier.
		n := warn.N
		if warn.Unit == Week {
			n *= 7
		}
		st.warnAt = cal.DayStart(day.AddDate(0, 0, -n))
	default:
		st.warnAt = cal.DayStart(day.Add(-warn.Approx()))
	}
	st.dayAt = cal.DayStart(day)
	st.overAt = cal.DayStart(cal.AddWorkingDays(day, 1))
	return st, true
}

func (st candourStep) fire(c *Case, p *Policy) time.Time {
	var t time.Time
	switch *st.stage {
	case 0:
		t = st.warnAt
	case 1:
		t = st.dayAt
	case 2:
		t = st.overAt
	default:
		t = p.DueAfter(*st.nudged, p.RepeatAfter(*st.stage-2))
	}
	if c.SnoozedUntil.After(t) {
		t = c.SnoozedUntil
	}
	return t
}
