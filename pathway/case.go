package pathway

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Case is one harm case: the promise of communication with a patient and
// family after harm, and the Duty of Candour steps that go with it. A case is
// known by its id and the local incident reference, never by anything that
// identifies the patient.
//
// The json tags are the keys of the case record the store keeps (short, as
// a case is read and written whole on every command): a new field is one
// more field here with a key of its own.
type Case struct {
	Version int64  `json:"v"` // for compare-and-set in the store; 0 before it is stored
	ID      int64  `json:"id"`
	Ref     string `json:"r"` // the local incident reference, e.g. INC-1042
	Service string `json:"s,omitempty"`
	Harm    Harm   `json:"h,omitempty"` // physical harm (axes.go); "" when not recorded
	Summary string `json:"m,omitempty"`

	Psych     Harm      `json:"ph,omitempty"` // psychological harm: none, low, moderate, severe; "" when not recorded
	Prolonged Prolonged `json:"pl,omitempty"` // psychological harm lasting, or likely to last, 28 days or more

	CandourMode CandourMode `json:"cm,omitempty"`
	DutyApplies bool        `json:"da,omitempty"` // the Duty of Candour applies, decided when the case was opened
	Aware       time.Time   `json:"aw,omitzero"`  // the day the organisation became aware (local midnight)

	Lead     string    `json:"l"`           // the named contact for the family (a person id)
	Involved []string  `json:"i,omitempty"` // staff involved (person ids)
	OpenedBy string    `json:"b,omitempty"`
	Opened   time.Time `json:"o,omitzero"`
	Closed   time.Time `json:"cl,omitzero"` // zero while open

	NextContact  time.Time `json:"nc,omitzero"`  // when the next contact with the family is due
	Plan         *Plan     `json:"p,omitempty"`  // the communication expectations agreed with the family
	PreferAt     string    `json:"pa,omitempty"` // the time the family prefers to be contacted: "17:00" or morning|afternoon|evening (prefer.go)
	FirstContact time.Time `json:"fc,omitzero"`
	LastContact  time.Time `json:"lc,omitzero"`
	Contacts     int       `json:"ct,omitempty"`

	Notified   time.Time `json:"nf,omitzero"`  // candour: the family told (in person, phone or video)
	Written    time.Time `json:"wr,omitzero"`  // candour: the written follow-up sent
	NotifyDue  time.Time `json:"nd,omitzero"`  // end of the day the notification is due
	WrittenDue time.Time `json:"wd,omitzero"`  // end of the day the written follow-up is due; zero until known
	Updates    int       `json:"up,omitempty"` // candour updates given
	NotNeeded  string    `json:"na,omitempty"` // the reason the duty does not apply, when recorded

	Family   map[string]time.Time `json:"f,omitzero"`  // family commitments done: support, questions, investigation, findings, improvement
	Parallel map[string]time.Time `json:"pp,omitzero"` // parallel processes the family has started

	SnoozedUntil time.Time `json:"sn,omitzero"`

	// Reminder state, kept by the scheduler (see reminders.go).
	Round            int       `json:"rd,omitempty"` // goes up whenever contact reminders are answered or reset; part of each contact reminder's identity
	CandourRound     int       `json:"cr,omitempty"` // the same for candour reminders, so answering one kind never renames a sent reminder of the other
	ContactNudges    int       `json:"cn,omitempty"` // unanswered nudges about contact in this round
	LastNudge        time.Time `json:"ln,omitzero"`  // when the last contact nudge went
	Escalated        bool      `json:"es,omitempty"` // the pathway lead and channel were told about contact
	EscalatedTo      []string  `json:"et,omitempty"` // who a contact escalation reached, by a recorded delivery
	EscalatedChannel string    `json:"ec,omitempty"` // the channel a contact escalation was posted to
	NotifyStage      int       `json:"ns,omitempty"` // candour notification reminders sent: 1 warning, 2 on the day, 3+ overdue
	WrittenStage     int       `json:"ws,omitempty"` // the same for the written follow-up
	NotifyNudged     time.Time `json:"nn,omitzero"`  // when the last notification reminder went
	WrittenNudged    time.Time `json:"wn,omitzero"`
	CandourEscalated bool      `json:"ce,omitempty"` // the pathway lead and channel were told about an overdue candour step
	DelayAsked       bool      `json:"dl,omitempty"` // Scotland: asked to record the reason for a delay past a month
}

// Plan is what was agreed with the family about keeping in touch.
type Plan struct {
	Every  Span      `json:"e"`
	None   bool      `json:"x,omitempty"` // no regular contact agreed: the family asked to hear only when there is news (Note says why)
	Via    string    `json:"v,omitempty"`
	Note   string    `json:"n,omitempty"`
	Agreed time.Time `json:"a,omitzero"`
}

// Family commitment steps, and the commitment each belongs to.
var FamilySteps = []string{"support", "questions", "investigation", "findings", "improvement"}

// FamilyStepCommitment maps a family step to its commitment.
func FamilyStepCommitment(step string) string {
	switch step {
	case "support":
		return CommitSupport
	case "improvement":
		return CommitImprovement
	}
	return CommitInvestigation
}

// ParallelProcesses are the routes a family may take alongside the pathway.
var ParallelProcesses = []string{"complaint", "claim", "inquest", "regulator"}

// ContactMethods are the ways a contact with the family can be made.
var ContactMethods = []string{"phone", "meeting", "video", "letter", "email"}

// Name is the case id as people write it.
func (c *Case) Name() string { return CaseName(c.ID) }

// CaseName formats a case number.
func CaseName(id int64) string { return "HPP-" + strconv.FormatInt(id, 10) }

// ParseCaseID reads HPP-12, hpp-12, HPP12 or 12 (at most twelve digits).
// Every case command reads one, so it is parsed by hand: a test holds it to
// the pattern ^(?i)(?:hpp-?)?([0-9]{1,12})$.
func ParseCaseID(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if hasFoldPrefix(t, "hpp") {
		t = strings.TrimPrefix(t[3:], "-")
	}
	if t == "" || len(t) > 12 || strings.TrimLeft(t, "0123456789") != "" {
		return 0, notCaseID(s)
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, notCaseID(s)
	}
	return n, nil
}

func isCaseID(s string) bool {
	_, err := ParseCaseID(s)
	return err == nil
}

func notCaseID(s string) error {
	return Errorf(Invalid, "%q isn't a case id. Case ids look like HPP-12 — /hpp list shows yours.", s)
}

// IsOpen reports whether the case is open.
func (c *Case) IsOpen() bool { return c.Closed.IsZero() }

// Clone returns a deep copy, so a command can change a case and the store can
// compare it with the original.
func (c *Case) Clone() *Case {
	d := *c
	d.Involved = slices.Clone(c.Involved)
	d.EscalatedTo = slices.Clone(c.EscalatedTo)
	if c.Plan != nil {
		p := *c.Plan
		d.Plan = &p
	}
	d.Family = cloneTimes(c.Family)
	d.Parallel = cloneTimes(c.Parallel)
	return &d
}

func cloneTimes(m map[string]time.Time) map[string]time.Time {
	if m == nil {
		return nil
	}
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// People returns everyone on the case: the named contact, the person who
// opened it and the staff involved, without repeats.
func (c *Case) People() []string {
	out := []string{c.Lead}
	for _, p := range append([]string{c.OpenedBy}, c.Involved...) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// IsOn reports whether a person is the lead, the opener or involved.
func (c *Case) IsOn(person string) bool { return slices.Contains(c.People(), person) }

// CandourActive reports whether candour reminders are due for this case.
func (c *Case) CandourActive() bool { return c.DutyApplies && c.NotNeeded == "" }

// Deadline is the earliest outstanding deadline on an open case: the next
// contact, or a candour step not yet done. Zero when closed.
func (c *Case) Deadline() time.Time {
	if !c.IsOpen() {
		return time.Time{}
	}
	d := c.NextContact
	if c.CandourActive() {
		if c.Notified.IsZero() && !c.NotifyDue.IsZero() && (d.IsZero() || c.NotifyDue.Before(d)) {
			d = c.NotifyDue
		}
		if c.Written.IsZero() && !c.WrittenDue.IsZero() && (d.IsZero() || c.WrittenDue.Before(d)) {
			d = c.WrittenDue
		}
	}
	return d
}

// DueItem is one thing a case owes, with its deadline.
type DueItem struct {
	What string // "contact", "notify", "written"
	Due  time.Time
}

// Label says what a due item is in words.
func (d DueItem) Label(p *Policy) string {
	switch d.What {
	case "notify":
		return p.Candour.Label + " notification"
	case "written":
		return p.Candour.Label + " written follow-up"
	}
	return "contact with the family"
}

// Outstanding lists what the case owes, earliest first.
func (c *Case) Outstanding() []DueItem {
	if !c.IsOpen() {
		return nil
	}
	var out []DueItem
	if !c.NextContact.IsZero() {
		out = append(out, DueItem{"contact", c.NextContact})
	}
	if c.CandourActive() {
		if c.Notified.IsZero() && !c.NotifyDue.IsZero() {
			out = append(out, DueItem{"notify", c.NotifyDue})
		}
		if c.Written.IsZero() && !c.WrittenDue.IsZero() {
			out = append(out, DueItem{"written", c.WrittenDue})
		}
	}
	slices.SortStableFunc(out, func(a, b DueItem) int { return a.Due.Compare(b.Due) })
	return out
}

// Overdue lists what is past its deadline at now.
func (c *Case) Overdue(now time.Time) []DueItem {
	var out []DueItem
	for _, d := range c.Outstanding() {
		if d.Due.Before(now) {
			out = append(out, d)
		}
	}
	return out
}

// Limits on what people type, so one message cannot fill the store.
const (
	MaxRefLen     = 40
	MaxNoteLen    = 1000
	MaxSummaryLen = 500
	MaxInvolved   = 20
	MaxService    = 40
)

// isRef reports whether s is a letter or digit followed by letters, digits
// and / _ . : - (ASCII only): the shape of a risk system's reference.
func isRef(s string) bool {
	return isWord(s, func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
	}, "/_.:-")
}

// isServiceName reports whether s is a lowercase letter or digit followed by
// lowercase letters, digits and hyphens.
func isServiceName(s string) bool {
	return isWord(s, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }, "-")
}

// isWord reports whether s starts with a byte alnum takes and goes on with
// bytes alnum takes or more lists. (Checked by hand: every open and service
// command checks one, and a pattern costs more than the rest of the check.)
func isWord(s string, alnum func(byte) bool, more string) bool {
	if s == "" || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && strings.IndexByte(more, c) < 0 {
			return false
		}
	}
	return true
}

// CheckRef validates a local incident reference.
func CheckRef(ref string) error {
	if ref == "" {
		return Errorf(Invalid, "Please give the incident reference from your risk system first, for example: /hpp open INC-1042 harm=moderate")
	}
	if len(ref) > MaxRefLen || !isRef(ref) {
		return Errorf(Invalid, "%q doesn't look like an incident reference. Use the number from your risk system, such as INC-1042 or W123456 (letters, digits and - / . only).", truncate(ref, 50))
	}
	if hasFoldPrefix(ref, "hpp") && isCaseID(ref) {
		return Errorf(Invalid, "%s looks like an hppbot case id. The reference should be the one from your risk system, such as INC-1042.", ref)
	}
	if f, ok := FindIdentifier(ref); ok && (f.Kind == NHSNumber || f.Kind == CHINumber) {
		return refIdentifierError(f)
	}
	return CheckText("incident reference", ref)
}

// ParseServiceName normalises and validates a service name.
func ParseServiceName(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "#")))
	if name == "" || len(name) > MaxService || !isServiceName(name) {
		return "", Errorf(Invalid, "%q isn't a service name I can use. Use lowercase letters, digits and hyphens, such as maternity or emergency-dept.", truncate(s, 50))
	}
	return name, nil
}

// CheckText refuses free text that looks like a patient identifier, and text
// that is too long. field names what the text is, for the message.
func CheckText(field, text string) error {
	if f, ok := FindIdentifier(text); ok {
		return IdentifierError(f)
	}
	return nil
}

// IdentifierError is the refusal for text that looks like a patient
// identifier. It says what was found, that nothing was saved, and how to go on.
func IdentifierError(f Finding) *Error {
	hint := f.Normal
	if hint == "" {
		hint = f.Match
	}
	var what, instead string
	switch f.Kind {
	case Name:
		return Errorf(Identifiable, "Nothing was saved: that looks like a patient's or relative's name (%s), and hppbot never keeps anything that could identify a patient or their family. Write \"the patient\" or \"their mother\" instead. If it's a colleague (surgeons are often Mr or Ms), name them with an @mention, which is never refused.", nameHint(hint))
	case Postcode:
		what = "a postcode (" + maskMiddle(hint) + ")"
		instead = "Leave the address out — the incident reference is enough to find the record."
	case DateOfBirth:
		what = "a date of birth"
		instead = "Leave the date of birth out — the incident reference is enough to find the record."
	default:
		// The number's digits, however they were written and spaced.
		hint = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, hint)
		what = "an " + string(f.Kind) + " (" + maskMiddle(hint) + ")"
		if f.Kind == CHINumber {
			what = "a " + string(f.Kind) + " (" + maskMiddle(hint) + ")"
		}
		instead = "Use the incident reference instead (for example INC-1042). If it's something else, such as a phone number, write it differently — in two parts, or with words — and send it again."
	}
	return Errorf(Identifiable, "Nothing was saved: that looks like it contains %s, and hppbot never keeps anything that could identify a patient. %s", what, instead)
}

// refIdentifierError is the refusal for an incident reference that itself
// reads as an NHS or CHI number: telling the person to "use the incident
// reference instead" would send them round in a circle, and a prefix
// doesn't help (the number inside is still read), so it says what to use.
func refIdentifierError(f Finding) *Error {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, f.Match)
	article := "an"
	if f.Kind == CHINumber {
		article = "a"
	}
	return Errorf(Identifiable, "Nothing was saved, and the number isn't stored: the incident reference contains a number (%s) that reads as %s %s, and hppbot never keeps anything that could identify a patient — even when the number is really your risk system's. "+
		"Open the case with another reference your organisation can trace back to the incident, such as the date and place it was reported (for example /hpp open INC-20261206-WARD4 harm=moderate), and keep the full number in the risk system.",
		maskMiddle(digits), article, f.Kind)
}

// maskMiddle shows the first and last few characters of an identifier so
// the person can find it in what they typed, without repeating it whole.
func maskMiddle(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return "…"
	}
	if len(r) <= 5 {
		return string(r[:1]) + "…"
	}
	return string(r[:3]) + "…" + string(r[len(r)-2:])
}

// nameHint shows where a name is without repeating it: every word but a
// title or "aged" and its number cut to its first letter ("Mrs J… S…",
// "J… S… aged 76").
func nameHint(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if slices.Contains(patientTitles, strings.TrimSuffix(w, ".")) || isAgeWord(w) || (i > 0 && isAgeWord(words[i-1])) {
			continue
		}
		r := []rune(w)
		words[i] = string(r[:1]) + "…"
	}
	return strings.Join(words, " ")
}

func isAgeWord(w string) bool {
	w = strings.ToLower(strings.TrimSuffix(w, ":"))
	return w == "age" || w == "aged"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// CheckLength refuses text longer than max characters.
func CheckLength(field, text string, max int) error {
	if n := len([]rune(text)); n > max {
		return Errorf(Invalid, "The %s is %d characters long; please keep it under %d. The full story belongs in your risk system — a short note is enough here.", field, n, max)
	}
	return nil
}

// ParseVia reads a contact method.
func ParseVia(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(ContactMethods, v) {
		return v, nil
	}
	return "", Errorf(Invalid, "via= takes phone, meeting, video, letter or email (you typed %q).", s)
}

// When is a moment people type: a date (YYYY-MM-DD) or a length of time from now.
type When struct {
	Date time.Time // a date at local midnight, or zero
	Span Span      // a length of time, or zero
}

// ParseWhen reads YYYY-MM-DD or a span such as 7d.
func ParseWhen(s string, loc *time.Location) (When, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return When{Date: d}, nil
	}
	sp, err := ParseTypedSpan(s)
	if _, ambiguous := minutesOrMonths(s); ambiguous {
		return When{}, Errorf(Invalid, "%v.", err)
	}
	if errors.Is(err, ErrZeroSpan) {
		return When{}, Errorf(Invalid, "%v (such as 7d), or a date like 2026-12-01.", err)
	}
	if err != nil {
		return When{}, Errorf(Invalid, "%q isn't a date or a length of time. Use a date like 2026-12-01, or a length like 7d, 2w or 3wd (working days).", s)
	}
	return When{Span: sp}, nil
}

// ParseDate reads YYYY-MM-DD as local midnight.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, Errorf(Invalid, "%q isn't a date I can read. Dates are written year-month-day, like 2026-11-20.", s)
	}
	return d, nil
}

// Resolve turns a When into a due time: Target moved into working hours by
// Policy.DueAt, so a Saturday, a bank holiday or 21:00 becomes the next
// working morning.
func (w When) Resolve(p *Policy, now time.Time) time.Time {
	return p.DueAt(w.Target(p, now))
}

// Target is the moment a person asked for: the start of working hours on a
// date, or a span counted from now. It may fall outside working hours;
// Resolve gives when it is due.
func (w When) Target(p *Policy, now time.Time) time.Time {
	if !w.Date.IsZero() {
		return p.Calendar.DayStart(w.Date)
	}
	return p.Calendar.Add(now, w.Span)
}

// Midnight returns the date of t in loc at 00:00.
func Midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func describeFamilyStep(step string) string {
	switch step {
	case "support":
		return "independent support or advice offered to the family"
	case "questions":
		return "the family's questions taken into the investigation"
	case "investigation":
		return "the family invited to take part in the investigation"
	case "findings":
		return "the findings shared and discussed with the family"
	case "improvement":
		return "the family invited into the improvement work"
	}
	return step
}

// DescribeFamilyStep says what a family step means, in words.
func DescribeFamilyStep(step string) string { return describeFamilyStep(step) }

func describeParallel(process string) string {
	switch process {
	case "complaint":
		return "the family has made a complaint"
	case "claim":
		return "the family has started a claim"
	case "inquest":
		return "an inquest is under way" // a coroner's decision, not the family's
	case "regulator":
		return "the family has gone to a regulator"
	}
	return process
}

// DescribeParallel says what a parallel process means, as a clause that
// can stand on its own ("the family has made a complaint", "an inquest is
// under way"), in lower case.
func DescribeParallel(process string) string { return describeParallel(process) }

func errStepUnknown(step string) error {
	return Errorf(Invalid, "%q isn't a step I know. Use one of: %s — or parallel=complaint|claim|inquest|regulator.", step, strings.Join(FamilySteps, ", "))
}

func mustBeOpen(c *Case, what string) error {
	if !c.IsOpen() {
		return Errorf(Invalid, "%s is closed, so I can't %s. If it needs to carry on, reopen it with /hpp reopen %s.", c.Name(), what, c.Name())
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Service is a team that handles harm cases: its pathway lead, team channel
// and wellbeing contact. Services are set up by admins.
type Service struct {
	Name      string
	Lead      string // the pathway lead (a person id)
	Channel   string // the team channel (a channel id)
	Wellbeing string // the wellbeing contact (a person id)
	SetBy     string
	SetAt     time.Time
}

// WithinDeadline reports whether a step done at done met a deadline of the
// day of due. Deadlines are days ("within 10 working days"), so a step
// recorded any time on the last day is within it. A step done before its
// deadline was even known (Wales: a written notification sent before the
// notification was recorded) is within it; a step not done is not.
func WithinDeadline(done, due time.Time, loc *time.Location) bool {
	if done.IsZero() {
		return false
	}
	if due.IsZero() {
		return true
	}
	return !Midnight(done, loc).After(Midnight(due, loc))
}
