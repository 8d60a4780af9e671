package pathway

import (
	"slices"
	"time"
)

// OpenInput is what a person gives when opening a case.
type OpenInput struct {
	Ref       string
	Service   string
	Harm      Harm // physical harm; HarmPsychological is read as Psych moderate, prolonged
	Psych     Harm
	Prolonged Prolonged
	Candour   CandourMode
	Aware     time.Time // local midnight; zero means today
	Lead      string    // defaults to the person opening
	Involved  []string
	Every     Span // an agreed cadence, if already known
	Summary   string
}

// Open makes a new case. The id is set by the store.
func Open(in OpenInput, actor string, p *Policy, now time.Time) (*Case, Event, error) {
	if err := CheckRef(in.Ref); err != nil {
		return nil, Event{}, err
	}
	if err := CheckLength("summary", in.Summary, MaxSummaryLen); err != nil {
		return nil, Event{}, err
	}
	if err := CheckText("summary", in.Summary); err != nil {
		return nil, Event{}, err
	}
	loc := p.Location()
	today := Midnight(now, loc)
	aware := in.Aware
	if aware.IsZero() {
		aware = today
	}
	if aware.After(today) {
		return nil, Event{}, Errorf(Invalid, "aware=%s is in the future. Use the date your organisation became aware of the harm — today or earlier.", aware.Format("2006-01-02"))
	}
	if aware.Before(today.AddDate(-5, 0, 0)) {
		return nil, Event{}, Errorf(Invalid, "aware=%s is more than five years ago. Please check the date (year-month-day).", aware.Format("2006-01-02"))
	}
	if len(in.Involved) > MaxInvolved {
		return nil, Event{}, Errorf(Invalid, "That's %d people; I can record up to %d staff involved on one case.", len(in.Involved), MaxInvolved)
	}
	if err := checkEvery(in.Every); err != nil {
		return nil, Event{}, err
	}
	if err := in.harmAxes(); err != nil {
		return nil, Event{}, err
	}
	mode := in.Candour
	if mode == "" {
		mode = CandourAuto
	}
	lead := in.Lead
	if lead == "" {
		lead = actor
	}
	c := &Case{
		Ref:         in.Ref,
		Service:     in.Service,
		Harm:        in.Harm,
		Psych:       in.Psych,
		Prolonged:   in.Prolonged,
		Summary:     in.Summary,
		CandourMode: mode,
		Aware:       aware,
		Lead:        lead,
		OpenedBy:    actor,
		Opened:      now,
	}
	for _, person := range in.Involved {
		if !slices.Contains(c.Involved, person) {
			c.Involved = append(c.Involved, person)
		}
	}
	c.DutyApplies = c.decideDuty(p)
	c.candourDeadlines(p)
	first := p.DueAfter(now, p.FirstContactWithin)
	if !in.Every.IsZero() {
		c.Plan = &Plan{Every: in.Every, Agreed: now}
		if e := p.DueAfter(now, in.Every); e.Before(first) {
			first = e
		}
	}
	c.NextContact = first
	ev := Event{At: now, Actor: actor, Kind: EventOpened, Note: in.Summary, People: c.Involved, Every: in.Every}
	return c, ev, nil
}

// harmAxes checks the two harm axes belong together, and reads the older
// harm=psychological as psych=moderate prolonged=yes.
func (in *OpenInput) harmAxes() error {
	if in.Harm == HarmPsychological {
		if in.Psych != "" {
			return Errorf(Invalid, "harm=psychological and psych= both describe psychological harm. Give psych= on its own, for example psych=%s prolonged=yes — and harm= for any physical harm.", in.Psych)
		}
		if in.Prolonged == ProlongedNo {
			return Errorf(Invalid, "harm=psychological means prolonged psychological harm, but you also said prolonged=no. Give psych=<level> prolonged=no instead, for example psych=moderate prolonged=no.")
		}
		in.Harm, in.Psych, in.Prolonged = "", HarmModerate, ProlongedYes
	}
	return checkProlonged(in.Psych, in.Prolonged)
}

// checkProlonged refuses prolonged= without a psychological harm level.
func checkProlonged(psych Harm, prolonged Prolonged) error {
	switch {
	case prolonged != "" && psych == "":
		return Errorf(Invalid, "prolonged= says how long psychological harm lasts; give its level with it, for example psych=moderate prolonged=%s.", prolonged)
	case prolonged == ProlongedYes && psych == HarmNone:
		return Errorf(Invalid, "psych=none and prolonged=yes don't go together. If there is psychological harm, give its level, for example psych=moderate prolonged=yes.")
	}
	return nil
}

// candourDeadlines sets the candour deadlines from the facts: from the day
// of becoming aware, and for a written follow-up counted from the
// notification, from the notification once it is recorded. No deadlines
// when the duty does not apply.
func (c *Case) candourDeadlines(p *Policy) {
	c.NotifyDue, c.WrittenDue = time.Time{}, time.Time{}
	if !c.DutyApplies {
		return
	}
	c.NotifyDue = deadline(p, c.Aware, p.Candour.NotifyWithin)
	switch {
	case p.Candour.WrittenFrom == "aware":
		c.WrittenDue = deadline(p, c.Aware, p.Candour.WrittenWithin)
	case !c.Notified.IsZero() && c.NotNeeded == "":
		c.WrittenDue = deadline(p, Midnight(c.Notified, p.Location()), p.Candour.WrittenWithin)
	}
}

// DueAt is the one calendar rule every due time the bot works out goes
// through: t itself when it falls in working hours, otherwise the start of
// the next working period (the next working morning). Nothing is ever due
// at 05:15 on a Sunday.
func (p *Policy) DueAt(t time.Time) time.Time {
	return p.Calendar.NextWorkingStart(t)
}

// DueAfter is when something is due s after from: the span counted on the
// calendar (see Calendar.Add), then moved into working hours by DueAt.
func (p *Policy) DueAfter(from time.Time, s Span) time.Time {
	return p.DueAt(p.Calendar.Add(from, s))
}

// deadline counts a span from the day of becoming aware (day 1 is the first
// working day after it) and returns the end of the working day it lands on.
func deadline(p *Policy, from time.Time, s Span) time.Time {
	return p.Calendar.DayEnd(p.Calendar.Add(from, s))
}

// ContactInput is a logged communication with the patient or family.
type ContactInput struct {
	Via  string
	Next *When
	On   time.Time // the date it happened (local midnight), if not today
	Note string
}

// LogContact records a contact and sets when the next one is due: from
// next=, else the agreed plan, else the policy default. It answers any
// reminder about contact.
func (c *Case) LogContact(in ContactInput, actor string, p *Policy, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "log a contact on it"); err != nil {
		return Event{}, err
	}
	if err := checkNote(in.Note); err != nil {
		return Event{}, err
	}
	at, dateOnly, err := c.happened(in.On, p, now)
	if err != nil {
		return Event{}, err
	}
	var next time.Time
	switch {
	case in.Next != nil:
		if err := checkNext(*in.Next, p, now); err != nil {
			return Event{}, err
		}
		next = in.Next.Resolve(p, now)
	default:
		next = c.nextContact(p, now)
	}
	ev := Event{At: at, DateOnly: dateOnly, Actor: actor, Kind: EventContact, Via: in.Via, Note: in.Note}
	c.countContact(&ev, next)
	return ev, nil
}

// happened is when something recorded now took place: now, or, for on= an
// earlier date, the start of that working day, marked as known only to the
// day. on= must fall between the day the organisation became aware and
// today.
func (c *Case) happened(on time.Time, p *Policy, now time.Time) (at time.Time, dateOnly bool, err error) {
	if on.IsZero() {
		return now, false, nil
	}
	if err := checkPast(on, c, p, now); err != nil {
		return time.Time{}, false, err
	}
	if Midnight(on, p.Location()).Before(Midnight(now, p.Location())) {
		return p.Calendar.DayStart(on), true, nil
	}
	return now, false, nil
}

// checkNext refuses a next= in the past, today as a date, or further away
// than the longest cadence plan every= accepts.
func checkNext(w When, p *Policy, now time.Time) error {
	loc := p.Location()
	today := Midnight(now, loc)
	example := now.In(loc).AddDate(0, 0, 7).Format("2006-01-02")
	if !w.Date.IsZero() {
		day := Midnight(w.Date, loc)
		switch {
		case day.Before(today):
			return Errorf(Invalid, "next=%s is in the past. Give the date the next contact is due, such as next=%s.", w.Date.Format("2006-01-02"), example)
		case day.Equal(today):
			return Errorf(Invalid, "next=%s is today. For later today, give the hours instead, such as next=4h; otherwise a later date, such as next=%s.", w.Date.Format("2006-01-02"), example)
		case day.Sub(today) > maxEvery:
			return Errorf(Invalid, "next=%s is more than three months away. If the family asked for that, note it, but please agree at least a check-in every few weeks — try next=4w.", w.Date.Format("2006-01-02"))
		}
		return nil
	}
	if w.Span.IsZero() {
		return Errorf(Invalid, "next= should be in the future, such as next=7d or next=%s.", example)
	}
	if w.Span.Approx() > maxEvery {
		return Errorf(Invalid, "next=%s is more than three months away. If the family asked for that, note it, but please agree at least a check-in every few weeks — try next=4w.", w.Span)
	}
	return nil
}

// nextContact is when the next contact is due after one made now: the
// agreed plan's cadence, else the policy default.
func (c *Case) nextContact(p *Policy, now time.Time) time.Time {
	if c.NoRegularContact() {
		return time.Time{}
	}
	if c.Plan != nil {
		return p.DueAfter(now, c.Plan.Every)
	}
	return p.DueAfter(now, p.DefaultEvery)
}

// nextAfterStep is when the next contact is due after a candour step or
// findings shared with the family: as after a contact, but never earlier
// than a date already agreed (a contact logged an hour before with
// next=2w keeps its fortnight).
func (c *Case) nextAfterStep(p *Policy, now time.Time) time.Time {
	next := c.nextContact(p, now)
	if c.NextContact.After(next) {
		return c.NextContact
	}
	return next
}

// countContact records ev, which happened at ev.At, as contact with the
// family: it notes on ev what had been due and what is due next, moves the
// case's contact dates and answers any reminder about contact.
func (c *Case) countContact(ev *Event, next time.Time) {
	ev.Due, ev.Next = c.NextContact, next
	if c.FirstContact.IsZero() || ev.At.Before(c.FirstContact) {
		c.FirstContact = ev.At
	}
	if ev.At.After(c.LastContact) {
		c.LastContact = ev.At
	}
	c.Contacts++
	c.NextContact = next
	c.answerContactNudges()
}

// answerContactNudges resets the repeat and escalation count: someone has
// acted, so the next reminder starts a new round.
func (c *Case) answerContactNudges() {
	c.ContactNudges = 0
	c.LastNudge = time.Time{}
	c.Escalated = false
	c.EscalatedTo, c.EscalatedChannel = nil, ""
	c.Round++
}

func (c *Case) resetCandourReminders() {
	c.NotifyStage, c.WrittenStage = 0, 0
	c.NotifyNudged, c.WrittenNudged = time.Time{}, time.Time{}
	c.CandourEscalated = false
	c.CandourRound++
}

func checkNote(note string) error {
	if err := CheckLength("note", note, MaxNoteLen); err != nil {
		return err
	}
	return CheckText("note", note)
}

// checkPast refuses an on= date after today, or before the day the
// organisation became aware of the harm (or, on a case with no aware date,
// long before it was opened), saying which dates it may be.
func checkPast(on time.Time, c *Case, p *Policy, now time.Time) error {
	loc := p.Location()
	day, today := Midnight(on, loc), Midnight(now, loc)
	given := day.Format("2006-01-02")
	// The example offered is a date that would be accepted: yesterday, or
	// the aware date when that is later.
	example := today.AddDate(0, 0, -1)
	var aware time.Time
	if !c.Aware.IsZero() {
		aware = Midnight(c.Aware, loc)
		if example.Before(aware) {
			example = aware
		}
	}
	switch {
	case day.After(today):
		return Errorf(Invalid, "on=%s is in the future. Record things once they have happened: give the date it took place, today (%s) or earlier, such as on=%s.", given, FormatDay(today, loc), example.Format("2006-01-02"))
	case !aware.IsZero() && day.Before(aware):
		return Errorf(Invalid, "on=%s is before %s, the day your organisation became aware of the harm, so it can't be part of this case. Give a date from %s to today, such as on=%s — or, if the aware date is wrong, ask your pathway lead to correct it.", given, FormatDay(aware, loc), FormatDay(aware, loc), example.Format("2006-01-02"))
	case aware.IsZero() && day.Before(Midnight(c.Opened, loc).AddDate(0, 0, -90)):
		return Errorf(Invalid, "on=%s is long before this case was opened. Please check the date (year-month-day).", given)
	}
	return nil
}

// maxEvery is the longest a family may go without hearing from us, for
// plan every= and contact next= alike: three months.
const maxEvery = 90 * 24 * time.Hour

// checkEvery bounds an agreed cadence, whether given when the case is
// opened or later with plan: a family should hear from us at least every
// three months.
func checkEvery(every Span) error {
	if every.Approx() > maxEvery {
		return Errorf(Invalid, "every=%s is more than three months. If the family asked for that, note it, but please agree at least a check-in every few weeks — try every=4w.", every)
	}
	return nil
}

// SetPlan records the communication expectations agreed with the family.
func (c *Case) SetPlan(every Span, via, note, actor string, p *Policy, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "change its plan"); err != nil {
		return Event{}, err
	}
	if every.IsZero() {
		return Event{}, Errorf(Invalid, "Say how often you agreed to be in touch, for example: /hpp plan %s every=1w via=phone Tuesday afternoons", c.Name())
	}
	if err := checkEvery(every); err != nil {
		return Event{}, err
	}
	if err := checkNote(note); err != nil {
		return Event{}, err
	}
	earlier := c.Plan
	c.Plan = &Plan{Every: every, Via: via, Note: note, Agreed: now}
	n := p.DueAfter(now, every)
	switch {
	case earlier != nil && c.NextContact.Equal(p.DueAfter(earlier.Agreed, earlier.Every)),
		earlier != nil && !c.LastContact.Before(earlier.Agreed) && c.NextContact.Equal(p.DueAfter(c.LastContact, earlier.Every)):
		// The next contact was set by the earlier plan (when it was agreed,
		// or by a contact logged under it), so the new plan replaces it
		// rather than only bringing it forward: a plan typed as every=1m
		// meaning a month set contact due a minute later, and a corrected
		// plan must not leave it due now. The first contact is still due
		// within the policy's time.
		if first := p.DueAfter(c.Opened, p.FirstContactWithin); c.Contacts == 0 && first.Before(n) {
			n = first
		}
		c.NextContact = n
	case c.NextContact.IsZero() || n.Before(c.NextContact):
		// The next contact comes no later than the new cadence allows.
		c.NextContact = n
	}
	return Event{At: now, Actor: actor, Kind: EventPlan, Every: every, Via: via, Note: note, Next: c.NextContact}, nil
}

// Candour steps.
const (
	CandourNotified = "notified"
	CandourWritten  = "written"
	CandourUpdate   = "update"
	CandourNA       = "na"
	// CandourDelay is the reason the notification is taking longer than a
	// month (Scotland's guidance asks for it to be written down). It is a
	// record for the organisation, not a conversation with the family.
	CandourDelay = "delay"
)

// RecordCandour records a Duty of Candour step. A notification, written
// follow-up or update is contact with the family too: it answers reminders
// about contact and sets when the next contact is due.
func (c *Case) RecordCandour(step, note string, on time.Time, actor string, p *Policy, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "record a candour step"); err != nil {
		return Event{}, err
	}
	if err := checkNote(note); err != nil {
		return Event{}, err
	}
	at, dateOnly, err := c.happened(on, p, now)
	if err != nil {
		return Event{}, err
	}
	switch step {
	case CandourNotified:
		if !c.Notified.IsZero() {
			return Event{}, Errorf(Invalid, "The notification for %s was already recorded on %s. To record a later conversation, use /hpp candour %s update <note>.", c.Name(), FormatDay(c.Notified, p.Location()), c.Name())
		}
		c.Notified = at
		// After the duty was recorded as not applying, a notification given
		// anyway starts no deadline for the written follow-up.
		if c.CandourActive() && c.WrittenDue.IsZero() && p.Candour.WrittenFrom == "notified" {
			c.WrittenDue = deadline(p, Midnight(at, p.Location()), p.Candour.WrittenWithin)
			// The written follow-up's reminders start now: an escalation
			// about a late notification was not about it.
			c.CandourEscalated = false
		}
	case CandourWritten:
		if !c.Written.IsZero() {
			return Event{}, Errorf(Invalid, "The written follow-up for %s was already recorded on %s. For a further letter, use /hpp candour %s update <note>.", c.Name(), FormatDay(c.Written, p.Location()), c.Name())
		}
		c.Written = at
	case CandourUpdate:
		c.Updates++
	case CandourNA:
		if note == "" {
			return Event{}, Errorf(Invalid, "Please give the reason the duty doesn't apply, for example: /hpp candour %s na harm assessed as low after review", c.Name())
		}
		c.NotNeeded = note
		c.resetCandourReminders()
	case CandourDelay:
		if note == "" {
			return Event{}, Errorf(Invalid, "Please give the reason for the delay, for example: /hpp candour %s delay waiting for the family to say when suits them", c.Name())
		}
		if !c.Notified.IsZero() {
			return Event{}, Errorf(Invalid, "The notification for %s was already recorded on %s, so there is no delay to explain. To record a later conversation, use /hpp candour %s update <note>.", c.Name(), FormatDay(c.Notified, p.Location()), c.Name())
		}
		c.DelayAsked = true // the reason is written down: no need to ask for it
	default:
		return Event{}, Errorf(Invalid, "%q isn't a candour step. Use notified, written, update, na (with a reason) or delay (with the reason the notification is late).", step)
	}
	ev := Event{At: at, DateOnly: dateOnly, Actor: actor, Kind: EventCandour, Step: step, Note: note}
	if ev.CountsAsContact() {
		c.countContact(&ev, c.nextAfterStep(p, now))
	}
	return ev, nil
}

// RecordFamily records one of the other commitments to the family.
func (c *Case) RecordFamily(step, note, actor string, p *Policy, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "record that"); err != nil {
		return Event{}, err
	}
	if !slices.Contains(FamilySteps, step) {
		return Event{}, errStepUnknown(step)
	}
	if err := checkNote(note); err != nil {
		return Event{}, err
	}
	if c.Family == nil {
		c.Family = map[string]time.Time{}
	}
	if _, done := c.Family[step]; !done {
		c.Family[step] = now
	}
	ev := Event{At: now, Actor: actor, Kind: EventFamily, Step: step, Note: note}
	if ev.CountsAsContact() {
		c.countContact(&ev, c.nextAfterStep(p, now))
	}
	return ev, nil
}

// RecordParallel records that the family has started a parallel process.
// Communication carries on: nothing about reminders changes.
func (c *Case) RecordParallel(process, note, actor string, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "record that"); err != nil {
		return Event{}, err
	}
	if !slices.Contains(ParallelProcesses, process) {
		return Event{}, Errorf(Invalid, "parallel= takes complaint, claim, inquest or regulator (you typed %q).", process)
	}
	if err := checkNote(note); err != nil {
		return Event{}, err
	}
	if c.Parallel == nil {
		c.Parallel = map[string]time.Time{}
	}
	if _, done := c.Parallel[process]; !done {
		c.Parallel[process] = now
	}
	return Event{At: now, Actor: actor, Kind: EventParallel, Step: process, Note: note}, nil
}

// HandOver makes someone else the named contact.
func (c *Case) HandOver(to, actor string, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "hand it over"); err != nil {
		return Event{}, err
	}
	if to == c.Lead {
		if to == actor {
			return Event{}, Errorf(Invalid, "You're already the named contact for %s.", c.Name())
		}
		return Event{}, Errorf(Invalid, "They are already the named contact for %s.", c.Name())
	}
	from := c.Lead
	c.Lead = to
	c.answerContactNudges()
	return Event{At: now, Actor: actor, Kind: EventLead, People: []string{from, to}}, nil
}

// Involve records staff involved; it returns who was newly added.
func (c *Case) Involve(people []string, actor string, now time.Time) (Event, []string, error) {
	if err := mustBeOpen(c, "add people to it"); err != nil {
		return Event{}, nil, err
	}
	var added []string
	for _, person := range people {
		if !slices.Contains(c.Involved, person) && !slices.Contains(added, person) {
			added = append(added, person)
		}
	}
	if len(added) == 0 {
		return Event{}, nil, Errorf(Invalid, "Everyone you named is already recorded as involved in %s.", c.Name())
	}
	if len(c.Involved)+len(added) > MaxInvolved {
		return Event{}, nil, Errorf(Invalid, "%s would have more than %d staff involved. Please check the names.", c.Name(), MaxInvolved)
	}
	c.Involved = append(c.Involved, added...)
	return Event{At: now, Actor: actor, Kind: EventInvolve, People: added}, added, nil
}

// Snooze postpones reminders for a case, up to the policy's limit.
func (c *Case) Snooze(s Span, actor string, p *Policy, now time.Time) (Event, error) {
	if err := mustBeOpen(c, "snooze it"); err != nil {
		return Event{}, err
	}
	if s.IsZero() {
		return Event{}, Errorf(Invalid, "Say how long to snooze for, for example: /hpp snooze %s 1d", c.Name())
	}
	limit := p.DueAfter(now, p.MaxSnooze)
	until := p.DueAfter(now, s)
	if until.After(limit) {
		// Suggest the most that fits in the unit they typed (a Friday's
		// 2wd becomes 1wd), else the limit itself.
		try := p.MaxSnooze.String()
		if s.Unit != p.MaxSnooze.Unit {
			for n := s.N - 1; n >= 1; n-- {
				if cand := (Span{N: n, Unit: s.Unit}); !p.DueAfter(now, cand).After(limit) {
					try += " (or " + cand.String() + ")"
					break
				}
			}
		}
		return Event{}, Errorf(Invalid, "%s from now would run to %s, and reminders can be snoozed for up to %s at a time here (until %s). Try /hpp snooze %s %s — and if contact isn't possible for longer, agree a plan with /hpp plan.",
			s.Human(), FormatTime(until, p.Location()), p.MaxSnooze.Human(), FormatTime(limit, p.Location()), c.Name(), try)
	}
	c.SnoozedUntil = until
	c.answerContactNudges()
	return Event{At: now, Actor: actor, Kind: EventSnooze, Every: s, Next: until}, nil
}

// Close ends a case; every reminder stops.
func (c *Case) Close(note, actor string, now time.Time) (Event, error) {
	if !c.IsOpen() {
		return Event{}, Errorf(Invalid, "%s is already closed.", c.Name())
	}
	if err := checkNote(note); err != nil {
		return Event{}, err
	}
	c.Closed = now
	c.SnoozedUntil = time.Time{}
	c.answerContactNudges()
	return Event{At: now, Actor: actor, Kind: EventClosed, Note: note}, nil
}

// Reopen resumes a closed case; the next contact is due within the policy's
// first-contact time.
func (c *Case) Reopen(actor string, p *Policy, now time.Time) (Event, error) {
	if c.IsOpen() {
		return Event{}, Errorf(Invalid, "%s is already open.", c.Name())
	}
	c.Closed = time.Time{}
	c.NextContact = p.DueAfter(now, p.FirstContactWithin)
	c.answerContactNudges()
	c.resetCandourReminders()
	return Event{At: now, Actor: actor, Kind: EventReopened, Next: c.NextContact}, nil
}

// dayLayout is a date the British way: Thu 8 Jan 2026.
const dayLayout = "Mon 2 Jan 2006"

// FormatDay writes a date the British way: Thu 8 Jan 2026.
func FormatDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(dayLayout)
}

// AppendDay appends FormatDay(t, loc) to dst.
func AppendDay(dst []byte, t time.Time, loc *time.Location) []byte {
	return t.In(loc).AppendFormat(dst, dayLayout)
}

// FormatTime writes a moment: Thu 8 Jan 2026, 09:00.
func FormatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04")
}
