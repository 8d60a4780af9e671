package pathway

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const nhsExample = "999 000 0018" // the widely published valid example (DOMAIN.md)

func TestOpenCandourApplies(t *testing.T) {
	tests := []struct {
		nation Nation
		harm   Harm
		mode   CandourMode
		want   bool
	}{
		{England, HarmNone, "", false},
		{England, HarmLow, "", false},
		{England, HarmModerate, "", true},
		{England, HarmSevere, "", true},
		{England, HarmDeath, "", true},
		{England, HarmPsychological, "", true},
		{England, "", "", false},
		{England, HarmModerate, CandourAuto, true},
		{NorthernIreland, HarmNone, "", false},
		{NorthernIreland, HarmLow, "", false},
		{NorthernIreland, HarmModerate, "", true},
		{NorthernIreland, HarmSevere, "", true},
		{NorthernIreland, HarmDeath, "", true},
		{NorthernIreland, HarmPsychological, "", true},
		{Scotland, HarmLow, "", false},
		{Scotland, HarmModerate, "", true},
		{Wales, HarmNone, "", false},
		{Wales, HarmLow, "", true},
		{Wales, HarmModerate, "", true},
		{Wales, HarmSevere, "", true},
		{Wales, HarmDeath, "", true},
		{Wales, HarmPsychological, "", true},
		{Wales, "", "", false},
		// The person opening the case can override the rule either way.
		{England, HarmNone, CandourYes, true},
		{England, HarmLow, CandourYes, true},
		{England, "", CandourYes, true},
		{England, HarmDeath, CandourNo, false},
		{Wales, HarmLow, CandourNo, false},
	}
	now := at(t, "2026-01-12", "10:00")
	for _, tt := range tests {
		name := fmt.Sprintf("%s/harm=%q/candour=%q", tt.nation, tt.harm, tt.mode)
		p := policyFor(t, tt.nation)
		c := mustOpen(t, p, now, OpenInput{Harm: tt.harm, Candour: tt.mode})
		if c.DutyApplies != tt.want {
			t.Errorf("%s: DutyApplies = %v, want %v", name, c.DutyApplies, tt.want)
		}
		wantMode := tt.mode
		if wantMode == "" {
			wantMode = CandourAuto
		}
		if c.CandourMode != wantMode {
			t.Errorf("%s: CandourMode = %q, want %q", name, c.CandourMode, wantMode)
		}
		if got := !c.NotifyDue.IsZero(); got != tt.want {
			t.Errorf("%s: NotifyDue set = %v, want %v", name, got, tt.want)
		}
		if !tt.want && !c.WrittenDue.IsZero() {
			t.Errorf("%s: WrittenDue = %v with no duty", name, c.WrittenDue)
		}
	}
}

func TestOpenCandourDeadlines(t *testing.T) {
	// DOMAIN.md's worked example: aware on Monday 22 December 2025; ten
	// working days later is Thursday 8 January 2026 in England and Wales and
	// Friday 9 January in Scotland (2 January is a holiday there).
	now := at(t, "2026-01-05", "10:00")
	aware := day(t, "2025-12-22")
	tests := []struct {
		nation      Nation
		notify      time.Time
		written     time.Time // zero: not known until notified
		writtenNote string
	}{
		{England, at(t, "2026-01-08", "18:00"), at(t, "2026-01-08", "18:00"), "from aware"},
		{NorthernIreland, at(t, "2026-01-08", "18:00"), at(t, "2026-01-08", "18:00"), "from aware"},
		{Scotland, at(t, "2026-01-09", "18:00"), at(t, "2026-01-09", "18:00"), "from aware"},
		{Wales, at(t, "2026-01-08", "18:00"), time.Time{}, "from the notification"},
	}
	for _, tt := range tests {
		p := policyFor(t, tt.nation)
		c := mustOpen(t, p, now, OpenInput{Harm: HarmSevere, Aware: aware})
		if !c.Aware.Equal(aware) {
			t.Errorf("%s: Aware = %v, want %v", tt.nation, c.Aware, aware)
		}
		if !c.NotifyDue.Equal(tt.notify) {
			t.Errorf("%s: NotifyDue = %v, want %v", tt.nation, c.NotifyDue, tt.notify)
		}
		if !c.WrittenDue.Equal(tt.written) {
			t.Errorf("%s: WrittenDue (%s) = %v, want %v", tt.nation, tt.writtenNote, c.WrittenDue, tt.written)
		}
	}

	// No aware= means today.
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmModerate})
	if want := day(t, "2026-01-12"); !c.Aware.Equal(want) {
		t.Errorf("Aware with none given = %v, want today %v", c.Aware, want)
	}
	if want := at(t, "2026-01-26", "18:00"); !c.NotifyDue.Equal(want) {
		t.Errorf("NotifyDue aware today = %v, want %v", c.NotifyDue, want)
	}
}

func TestWalesWrittenDueFromNotification(t *testing.T) {
	p := policyFor(t, Wales)
	opened := at(t, "2026-01-12", "10:00")
	tests := []struct {
		name string
		now  time.Time
		on   time.Time
		want time.Time
	}{
		// Five working days after Wednesday 14 January is Wednesday 21 January.
		{"recorded as it happens", at(t, "2026-01-14", "11:00"), time.Time{}, at(t, "2026-01-21", "18:00")},
		// Told on Monday 12th, recorded on Wednesday: five working days from the 12th.
		{"recorded afterwards with on=", at(t, "2026-01-14", "11:00"), day(t, "2026-01-12"), at(t, "2026-01-19", "18:00")},
		// Told on a Friday: the weekend does not count.
		{"told on a Friday", at(t, "2026-01-16", "16:00"), time.Time{}, at(t, "2026-01-23", "18:00")},
	}
	for _, tt := range tests {
		c := mustOpen(t, p, opened, OpenInput{Harm: HarmLow})
		if !c.WrittenDue.IsZero() {
			t.Fatalf("%s: Wales WrittenDue set before notification: %v", tt.name, c.WrittenDue)
		}
		if _, err := c.RecordCandour(CandourNotified, "", tt.on, "console:sam", p, tt.now); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !c.WrittenDue.Equal(tt.want) {
			t.Errorf("%s: WrittenDue = %v, want %v", tt.name, c.WrittenDue, tt.want)
		}
	}

	// England counts the written follow-up from aware: notifying does not move it.
	pe := policyFor(t, England)
	c := mustOpen(t, pe, opened, OpenInput{Harm: HarmSevere})
	before := c.WrittenDue
	if _, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", pe, at(t, "2026-01-14", "11:00")); err != nil {
		t.Fatal(err)
	}
	if !c.WrittenDue.Equal(before) {
		t.Errorf("England WrittenDue moved on notification: %v -> %v", before, c.WrittenDue)
	}
}

// TestDueTimesInWorkingHours: whenever a command is typed, every due time
// it sets falls inside working hours (08:00–18:00, Monday to Friday, not a
// bank holiday).
func TestDueTimesInWorkingHours(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct {
		name string
		now  time.Time
		want time.Time // the first contact due
	}{
		{"opened at 05:15 on a Sunday", at(t, "2026-12-06", "05:15"), at(t, "2026-12-07", "08:00")},
		{"opened at 22:00 on a Monday", at(t, "2026-12-07", "22:00"), at(t, "2026-12-09", "08:00")},
		{"opened at 07:00 on a Tuesday", at(t, "2026-12-08", "07:00"), at(t, "2026-12-09", "08:00")},
		{"opened on Christmas Eve afternoon", at(t, "2026-12-24", "15:00"), at(t, "2026-12-29", "15:00")},
		{"opened in working hours", at(t, "2026-12-08", "10:30"), at(t, "2026-12-09", "10:30")},
	}
	inHours := func(name, what string, due time.Time) {
		t.Helper()
		if !p.Calendar.InWorkingHours(due) {
			t.Errorf("%s: %s due %v, outside working hours", name, what, due)
		}
	}
	for _, tt := range tests {
		c := mustOpen(t, p, tt.now, OpenInput{Harm: HarmModerate})
		if !c.NextContact.Equal(tt.want) {
			t.Errorf("%s: first contact due %v, want %v", tt.name, c.NextContact, tt.want)
		}
		inHours(tt.name, "first contact", c.NextContact)
		for _, every := range []Span{{90, Minute}, {3, Hour}, {1, Day}, {2, Day}, {1, Week}, {2, WorkingDay}} {
			k := c.Clone()
			if _, err := k.SetPlan(every, "", "", "console:sam", p, tt.now); err != nil {
				t.Fatal(err)
			}
			inHours(tt.name, "plan every="+every.String(), k.NextContact)
			k = c.Clone()
			w := When{Span: every}
			if _, err := k.LogContact(ContactInput{Next: &w}, "console:sam", p, tt.now); err != nil {
				t.Fatal(err)
			}
			inHours(tt.name, "contact next="+every.String(), k.NextContact)
			k = c.Clone()
			k.Plan = &Plan{Every: every}
			if _, err := k.LogContact(ContactInput{}, "console:sam", p, tt.now); err != nil {
				t.Fatal(err)
			}
			inHours(tt.name, "contact with a plan every="+every.String(), k.NextContact)
			k = c.Clone()
			k.Plan = &Plan{Every: every}
			if _, err := k.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, tt.now); err != nil {
				t.Fatal(err)
			}
			inHours(tt.name, "candour notified with a plan every="+every.String(), k.NextContact)
		}
		for _, s := range []Span{{1, Hour}, {1, Day}, {3, Day}} {
			k := c.Clone()
			if _, err := k.Snooze(s, "console:sam", p, tt.now); err != nil {
				t.Fatal(err)
			}
			inHours(tt.name, "snooze "+s.String(), k.SnoozedUntil)
		}
		k := c.Clone()
		if _, err := k.Close("", "console:sam", tt.now); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Reopen("console:sam", p, tt.now); err != nil {
			t.Fatal(err)
		}
		inHours(tt.name, "reopen", k.NextContact)
		if w := c.NextWake(p); !p.Calendar.InWorkingHours(w) {
			t.Errorf("%s: next reminder at %v, outside working hours", tt.name, w)
		}
	}
}

func TestOpenFirstContact(t *testing.T) {
	p := policyFor(t, England)
	friday := at(t, "2026-01-16", "15:00")
	tests := []struct {
		name  string
		every Span
		want  time.Time
	}{
		{"one working day: Friday to Monday", Span{}, at(t, "2026-01-19", "15:00")},
		// A day from Friday is Saturday: due on Monday morning, still sooner.
		{"an agreed cadence that is sooner shortens it", Span{1, Day}, at(t, "2026-01-19", "08:00")},
		{"an agreed cadence that is later does not lengthen it", Span{1, Week}, at(t, "2026-01-19", "15:00")},
		// 19:00 is after working hours.
		{"hours", Span{4, Hour}, at(t, "2026-01-19", "08:00")},
		{"hours within the working day", Span{2, Hour}, at(t, "2026-01-16", "17:00")},
	}
	for _, tt := range tests {
		c := mustOpen(t, p, friday, OpenInput{Every: tt.every})
		if !c.NextContact.Equal(tt.want) {
			t.Errorf("%s: NextContact = %v, want %v", tt.name, c.NextContact, tt.want)
		}
		if tt.every.IsZero() != (c.Plan == nil) {
			t.Errorf("%s: Plan = %+v", tt.name, c.Plan)
		} else if c.Plan != nil && (c.Plan.Every != tt.every || !c.Plan.Agreed.Equal(friday)) {
			t.Errorf("%s: Plan = %+v", tt.name, c.Plan)
		}
	}

	// A policy of two working days.
	p2 := policyFor(t, England)
	p2.FirstContactWithin = Span{2, WorkingDay}
	if c := mustOpen(t, p2, friday, OpenInput{}); !c.NextContact.Equal(at(t, "2026-01-20", "15:00")) {
		t.Errorf("first_contact_within 2wd: NextContact = %v", c.NextContact)
	}
}

func TestOpenRecordsTheCase(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-01-12", "10:00")
	in := OpenInput{
		Ref: "INC-2001", Service: "maternity", Harm: HarmSevere, Summary: "Delay in escalation on the ward",
		Involved: []string{"console:ash", "console:bo", "console:ash"}, Every: Span{1, Week},
	}
	c, ev, err := Open(in, "console:sam", p, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ref != "INC-2001" || c.Service != "maternity" || c.Harm != HarmSevere || c.Summary != in.Summary {
		t.Errorf("case = %+v", c)
	}
	if c.Lead != "console:sam" || c.OpenedBy != "console:sam" || !c.Opened.Equal(now) || !c.IsOpen() {
		t.Errorf("lead %q, opened by %q at %v, open %v", c.Lead, c.OpenedBy, c.Opened, c.IsOpen())
	}
	if want := []string{"console:ash", "console:bo"}; !reflect.DeepEqual(c.Involved, want) {
		t.Errorf("Involved = %v, want %v (repeats dropped)", c.Involved, want)
	}
	if c.ID != 0 || c.Version != 0 {
		t.Errorf("Open set ID %d / Version %d; the store sets them", c.ID, c.Version)
	}
	want := Event{At: now, Actor: "console:sam", Kind: EventOpened, Note: in.Summary, People: c.Involved, Every: Span{1, Week}}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event = %+v, want %+v", ev, want)
	}

	c2, _, err := Open(OpenInput{Ref: "INC-2002", Lead: "console:kit"}, "console:sam", p, now)
	if err != nil || c2.Lead != "console:kit" || c2.OpenedBy != "console:sam" {
		t.Errorf("lead= given: lead %q opened by %q, %v", c2.Lead, c2.OpenedBy, err)
	}
}

func TestOpenRefusals(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-01-12", "10:00")
	many := make([]string, MaxInvolved+1)
	for i := range many {
		many[i] = fmt.Sprintf("console:staff%d", i)
	}
	tests := []struct {
		name      string
		in        OpenInput
		code      Code
		fragments []string
	}{
		{"no reference", OpenInput{}, Invalid, []string{"incident reference", "INC-1042"}},
		{"a reference with spaces", OpenInput{Ref: "INC 1042"}, Invalid, []string{"INC-1042"}},
		{"a reference too long", OpenInput{Ref: strings.Repeat("X", MaxRefLen+1)}, Invalid, []string{"doesn't look like an incident reference"}},
		{"an hppbot case id as the reference", OpenInput{Ref: "HPP-12"}, Invalid, []string{"hppbot case id", "risk system"}},
		{"an NHS number as the reference", OpenInput{Ref: "9990000018"}, Identifiable, []string{"Nothing was saved", "NHS number"}},
		{"an NHS number in the summary", OpenInput{Ref: "INC-1", Summary: "Patient " + nhsExample + " fell"}, Identifiable, []string{"Nothing was saved", "NHS number", "incident reference instead"}},
		{"a postcode in the summary", OpenInput{Ref: "INC-1", Summary: "Fell at home, SW1A 1AA"}, Identifiable, []string{"postcode"}},
		{"full-width digits in the summary", OpenInput{Ref: "INC-1", Summary: "Patient ９９９ ０００ ００１８ fell"}, Identifiable, []string{"NHS number (999…18)"}},
		{"a name with a title in the summary", OpenInput{Ref: "INC-1", Summary: "Mrs Jane Smith aged 76 fell"}, Identifiable, []string{"Nothing was saved", "name (Mrs J…)", `"the patient"`, "@mention"}},
		{"a summary too long", OpenInput{Ref: "INC-1", Summary: strings.Repeat("a", MaxSummaryLen+1)}, Invalid, []string{"summary", "under 500"}},
		{"aware in the future", OpenInput{Ref: "INC-1", Aware: day(t, "2026-01-13")}, Invalid, []string{"aware=2026-01-13 is in the future", "today or earlier"}},
		{"aware years ago", OpenInput{Ref: "INC-1", Aware: day(t, "2020-01-01")}, Invalid, []string{"more than five years ago"}},
		{"more than 20 involved", OpenInput{Ref: "INC-1", Involved: many}, Invalid, []string{"21 people", "up to 20"}},
		{"an agreed cadence over three months", OpenInput{Ref: "INC-1", Every: Span{13, Week}}, Invalid, []string{"every=13w", "more than three months"}},
	}
	for _, tt := range tests {
		c, ev, err := Open(tt.in, "console:sam", p, now)
		if err == nil {
			t.Errorf("%s: opened %+v", tt.name, c)
			continue
		}
		if c != nil || !reflect.DeepEqual(ev, Event{}) {
			t.Errorf("%s: refused but returned a case or event", tt.name)
		}
		t.Run(tt.name, func(t *testing.T) { wantCode(t, err, tt.code, tt.fragments...) })
	}

	// The limits themselves are allowed.
	ok := []OpenInput{
		{Ref: "INC-1", Summary: strings.Repeat("a", MaxSummaryLen)},
		{Ref: "INC-1", Involved: many[:MaxInvolved]},
		{Ref: "INC-1", Aware: day(t, "2026-01-12")},
		{Ref: "INC-1", Every: Span{12, Week}},
		{Ref: "INC-1", Summary: "Ward phone 9990000019 is not a valid NHS number"},
	}
	for _, in := range ok {
		if _, _, err := Open(in, "console:sam", p, now); err != nil {
			t.Errorf("Open(%+v): %v", in, err)
		}
	}
}

// contactCase is an England case opened on Monday 12 January 2026 at 10:00.
func contactCase(t *testing.T) (*Policy, *Case) {
	t.Helper()
	p := policyFor(t, England)
	return p, mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmModerate})
}

func TestLogContactNext(t *testing.T) {
	now := at(t, "2026-01-13", "11:00") // Tuesday
	when := func(s string) *When {
		w, err := ParseWhen(s, london(t))
		if err != nil {
			t.Fatal(err)
		}
		return &w
	}
	tests := []struct {
		name string
		plan Span
		next *When
		want time.Time
	}{
		{"next= a span in days", Span{}, when("7d"), at(t, "2026-01-20", "11:00")},
		{"next= working days", Span{}, when("2wd"), at(t, "2026-01-15", "11:00")},
		{"next= working days over a weekend", Span{}, when("4wd"), at(t, "2026-01-19", "11:00")},
		{"next= a date: the start of that working day", Span{}, when("2026-01-20"), at(t, "2026-01-20", "08:00")},
		{"no next=: the agreed plan", Span{3, Day}, nil, at(t, "2026-01-16", "11:00")},
		{"no next=: a plan in working days", Span{3, WorkingDay}, nil, at(t, "2026-01-16", "11:00")},
		{"no next= and no plan: the policy default", Span{}, nil, at(t, "2026-01-20", "11:00")},
		{"next= wins over the plan", Span{3, Day}, when("1d"), at(t, "2026-01-14", "11:00")},
		{"next= a Saturday: Monday morning", Span{}, when("2026-01-17"), at(t, "2026-01-19", "08:00")},
		{"next= hours into the evening: the next working morning", Span{}, when("8h"), at(t, "2026-01-14", "08:00")},
		{"next= days onto a Sunday: Monday morning", Span{}, when("5d"), at(t, "2026-01-19", "08:00")},
		{"next= three months is allowed", Span{}, when("90d"), at(t, "2026-04-13", "11:00")},
	}
	for _, tt := range tests {
		p, c := contactCase(t)
		if !tt.plan.IsZero() {
			if _, err := c.SetPlan(tt.plan, "phone", "", "console:sam", p, at(t, "2026-01-12", "12:00")); err != nil {
				t.Fatal(err)
			}
		}
		prevDue := c.NextContact
		ev, err := c.LogContact(ContactInput{Via: "phone", Next: tt.next, Note: "Talked through what happens next"}, "console:sam", p, now)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !c.NextContact.Equal(tt.want) {
			t.Errorf("%s: NextContact = %v, want %v", tt.name, c.NextContact, tt.want)
		}
		want := Event{At: now, Actor: "console:sam", Kind: EventContact, Via: "phone", Due: prevDue, Next: tt.want, Note: "Talked through what happens next"}
		if !reflect.DeepEqual(ev, want) {
			t.Errorf("%s: event = %+v, want %+v", tt.name, ev, want)
		}
	}
}

func TestLogContactRefusals(t *testing.T) {
	now := at(t, "2026-01-13", "11:00")
	when := func(s string) *When {
		w, err := ParseWhen(s, london(t))
		if err != nil {
			t.Fatal(err)
		}
		return &w
	}
	tests := []struct {
		name      string
		in        ContactInput
		closed    bool
		code      Code
		fragments []string
	}{
		{"next= a date in the past", ContactInput{Next: when("2026-01-12")}, false, Invalid, []string{"next=2026-01-12 is in the past", "next=2026-01-20"}},
		{"next= today", ContactInput{Next: when("2026-01-13")}, false, Invalid, []string{"next=2026-01-13 is today", "next=4h"}},
		// next= is bounded as plan every= is: three months.
		{"next= more than a year away (date)", ContactInput{Next: when("2027-02-01")}, false, Invalid, []string{"next=2027-02-01 is more than three months away", "try next=4w"}},
		{"next= more than a year away (span)", ContactInput{Next: when("60w")}, false, Invalid, []string{"next=60w is more than three months away", "try next=4w"}},
		{"next= 180 days away", ContactInput{Next: when("180d")}, false, Invalid, []string{"next=180d is more than three months away"}},
		{"next= a date four months away", ContactInput{Next: when("2026-05-13")}, false, Invalid, []string{"next=2026-05-13 is more than three months away"}},
		{"on= in the future", ContactInput{On: day(t, "2026-01-14")}, false, Invalid, []string{"on=2026-01-14 is in the future", "today (Tue 13 Jan 2026) or earlier", "on=2026-01-12"}},
		{"on= long before the case", ContactInput{On: day(t, "2025-09-01")}, false, Invalid, []string{"on=2025-09-01 is before Mon 12 Jan 2026, the day your organisation became aware", "such as on=2026-01-12"}},
		{"on= the day before aware", ContactInput{On: day(t, "2026-01-11")}, false, Invalid, []string{"on=2026-01-11 is before Mon 12 Jan 2026", "from Mon 12 Jan 2026 to today"}},
		{"a note with an NHS number", ContactInput{Note: "Confirmed " + nhsExample}, false, Identifiable, []string{"Nothing was saved"}},
		{"a note with a relative's name and age", ContactInput{Note: "Spoke with Tom Smith, aged 50"}, false, Identifiable, []string{"Nothing was saved", "their mother"}},
		{"a note too long", ContactInput{Note: strings.Repeat("a", MaxNoteLen+1)}, false, Invalid, []string{"note", "under 1000"}},
		{"a closed case", ContactInput{}, true, Invalid, []string{"HPP-7 is closed", "/hpp reopen HPP-7"}},
	}
	for _, tt := range tests {
		p, c := contactCase(t)
		if tt.closed {
			if _, err := c.Close("", "console:sam", at(t, "2026-01-12", "12:00")); err != nil {
				t.Fatal(err)
			}
		}
		before := c.Clone()
		_, err := c.LogContact(tt.in, "console:sam", p, now)
		t.Run(tt.name, func(t *testing.T) { wantCode(t, err, tt.code, tt.fragments...) })
		if !reflect.DeepEqual(c, before) {
			t.Errorf("%s: a refused contact changed the case", tt.name)
		}
	}
}

func TestLogContactRecordsContacts(t *testing.T) {
	p, c := contactCase(t)
	c.ContactNudges, c.Escalated, c.LastNudge, c.Round = 2, true, at(t, "2026-01-13", "10:00"), 5

	wed := at(t, "2026-01-14", "11:00")
	ev, err := c.LogContact(ContactInput{Via: "meeting"}, "console:sam", p, wed)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.At.Equal(wed) || !c.FirstContact.Equal(wed) || !c.LastContact.Equal(wed) || c.Contacts != 1 {
		t.Errorf("after one contact: at %v first %v last %v count %d", ev.At, c.FirstContact, c.LastContact, c.Contacts)
	}
	if c.ContactNudges != 0 || c.Escalated || !c.LastNudge.IsZero() || c.Round != 6 {
		t.Errorf("reminders not reset: nudges %d escalated %v last %v round %d", c.ContactNudges, c.Escalated, c.LastNudge, c.Round)
	}

	// A contact recorded afterwards, on= an earlier day: it happened at the
	// start of that working day, and it becomes the first contact.
	thu := at(t, "2026-01-15", "09:00")
	ev, err = c.LogContact(ContactInput{Via: "phone", On: day(t, "2026-01-13")}, "console:sam", p, thu)
	if err != nil {
		t.Fatal(err)
	}
	tue := at(t, "2026-01-13", "08:00")
	if !ev.DateOnly {
		t.Errorf("a contact recorded with on= an earlier day is not marked as known only to the day")
	}
	if !ev.At.Equal(tue) || !c.FirstContact.Equal(tue) || !c.LastContact.Equal(wed) || c.Contacts != 2 || c.Round != 7 {
		t.Errorf("after an earlier contact: at %v first %v last %v count %d round %d", ev.At, c.FirstContact, c.LastContact, c.Contacts, c.Round)
	}
	// The next contact still counts from now.
	if want := at(t, "2026-01-22", "09:00"); !c.NextContact.Equal(want) {
		t.Errorf("NextContact = %v, want %v", c.NextContact, want)
	}

	// on= today is simply now.
	fri := at(t, "2026-01-16", "14:00")
	ev, err = c.LogContact(ContactInput{On: day(t, "2026-01-16")}, "console:sam", p, fri)
	if err != nil || !ev.At.Equal(fri) || ev.DateOnly || !c.LastContact.Equal(fri) || !c.FirstContact.Equal(tue) {
		t.Errorf("on= today: at %v last %v first %v, %v", ev.At, c.LastContact, c.FirstContact, err)
	}
}

func TestSetPlan(t *testing.T) {
	tests := []struct {
		name      string
		every     Span
		note      string
		wantNext  string // "" keeps the first-contact time
		code      Code
		fragments []string
	}{
		{"a sooner cadence brings the next contact forward", Span{2, Hour}, "", "2026-01-12 14:00", "", nil},
		{"a later cadence leaves the next contact where it is", Span{1, Week}, "Tuesday afternoons suit them", "", "", nil},
		{"twelve weeks is allowed", Span{12, Week}, "", "", "", nil},
		{"no cadence", Span{}, "", "", Invalid, []string{"every=1w"}},
		{"over three months", Span{13, Week}, "", "", Invalid, []string{"every=13w", "every=4w"}},
		{"over three months in days", Span{91, Day}, "", "", Invalid, []string{"more than three months"}},
		{"a note with an identifier", Span{1, Week}, "call on " + nhsExample, "", Identifiable, nil},
	}
	now := at(t, "2026-01-12", "12:00")
	for _, tt := range tests {
		p, c := contactCase(t)
		before := c.Clone()
		ev, err := c.SetPlan(tt.every, "phone", tt.note, "console:sam", p, now)
		if tt.code != "" {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, err, tt.code, tt.fragments...) })
			if !reflect.DeepEqual(c, before) {
				t.Errorf("%s: refused plan changed the case", tt.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		wantPlan := Plan{Every: tt.every, Via: "phone", Note: tt.note, Agreed: now}
		if c.Plan == nil || *c.Plan != wantPlan {
			t.Errorf("%s: Plan = %+v, want %+v", tt.name, c.Plan, wantPlan)
		}
		wantNext := before.NextContact
		if tt.wantNext != "" {
			wantNext = at(t, tt.wantNext[:10], tt.wantNext[11:])
		}
		if !c.NextContact.Equal(wantNext) {
			t.Errorf("%s: NextContact = %v, want %v", tt.name, c.NextContact, wantNext)
		}
		want := Event{At: now, Actor: "console:sam", Kind: EventPlan, Every: tt.every, Via: "phone", Note: tt.note, Next: wantNext}
		if !reflect.DeepEqual(ev, want) {
			t.Errorf("%s: event = %+v, want %+v", tt.name, ev, want)
		}
	}
}

// TestSetPlanReplacesTheEarlierPlansNextContact: a plan mistyped as one
// minute (meant as a month) made contact due at once, whether when agreed or
// through a contact logged under it; the corrected plan puts the next
// contact where the new cadence and the first-contact time say.
func TestSetPlanReplacesTheEarlierPlansNextContact(t *testing.T) {
	opened := at(t, "2026-01-12", "10:00") // Monday
	tests := []struct {
		name    string
		contact bool // a contact is logged between the plans
		second  Span
		want    string
	}{
		{"no contact yet: the first-contact time again", false, Span{4, Week}, "2026-01-13 10:00"},
		{"no contact yet, a shorter plan", false, Span{2, Hour}, "2026-01-12 13:00"},
		{"after a contact under it, the new plan's own time", true, Span{4, Week}, "2026-02-09 11:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policyFor(t, England)
			c := mustOpen(t, p, opened, OpenInput{Harm: HarmModerate})
			if _, err := c.SetPlan(Span{1, Minute}, "", "", "console:sam", p, opened.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			now := opened.Add(time.Hour)
			if tt.contact {
				// Logged under the one-minute plan: next due a minute later.
				if _, err := c.LogContact(ContactInput{}, "console:sam", p, opened.Add(30*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if !c.NextContact.Before(now) {
				t.Fatalf("the one-minute plan left the next contact at %v; want it due already", c.NextContact)
			}
			if _, err := c.SetPlan(tt.second, "", "", "console:sam", p, now); err != nil {
				t.Fatal(err)
			}
			if want := at(t, tt.want[:10], tt.want[11:]); !c.NextContact.Equal(want) {
				t.Errorf("NextContact = %v, want %v", c.NextContact, want)
			}
		})
	}
}

func TestRecordCandour(t *testing.T) {
	p := policyFor(t, England)
	opened := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere})
	tue := at(t, "2026-01-13", "15:00")
	firstDue := c.NextContact

	ev, err := c.RecordCandour(CandourNotified, "Met the family with the ward manager", time.Time{}, "console:sam", p, tue)
	if err != nil {
		t.Fatal(err)
	}
	// The notification is contact with the family too: the event says what
	// had been due and when the next contact is (the default week on).
	want := Event{At: tue, Actor: "console:sam", Kind: EventCandour, Step: CandourNotified, Note: "Met the family with the ward manager",
		Due: firstDue, Next: p.Calendar.Add(tue, p.DefaultEvery)}
	if !reflect.DeepEqual(ev, want) || !c.Notified.Equal(tue) {
		t.Errorf("notified: event %+v, want %+v; Notified %v", ev, want, c.Notified)
	}

	// Each step once; the refusal says when it was recorded and what to use instead.
	before := c.Clone()
	_, err = c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, tue.Add(time.Hour))
	wantCode(t, err, Invalid, "already recorded on Tue 13 Jan 2026", "/hpp candour HPP-7 update")
	if !reflect.DeepEqual(c, before) {
		t.Error("a refused duplicate changed the case")
	}

	// Written, recorded afterwards for an earlier day.
	thu := at(t, "2026-01-15", "10:00")
	if _, err := c.RecordCandour(CandourWritten, "", day(t, "2026-01-14"), "console:sam", p, thu); err != nil {
		t.Fatal(err)
	}
	if want := at(t, "2026-01-14", "08:00"); !c.Written.Equal(want) {
		t.Errorf("Written with on= = %v, want %v", c.Written, want)
	}
	_, err = c.RecordCandour(CandourWritten, "", time.Time{}, "console:sam", p, thu)
	wantCode(t, err, Invalid, "already recorded on Wed 14 Jan 2026")

	// Updates repeat.
	for i := 1; i <= 2; i++ {
		if _, err := c.RecordCandour(CandourUpdate, "Shared the timeline", time.Time{}, "console:sam", p, thu); err != nil {
			t.Fatal(err)
		}
		if c.Updates != i {
			t.Errorf("Updates = %d, want %d", c.Updates, i)
		}
	}
	if len(c.Outstanding()) != 1 || c.Outstanding()[0].What != "contact" {
		t.Errorf("after both steps, Outstanding = %v, want contact only", c.Outstanding())
	}

	refusals := []struct {
		name      string
		step      string
		note      string
		on        time.Time
		code      Code
		fragments []string
	}{
		{"unknown step", "apology", "", time.Time{}, Invalid, []string{"notified, written, update, na"}},
		{"on= in the future", CandourUpdate, "", day(t, "2026-01-16"), Invalid, []string{"in the future"}},
		{"note with an identifier", CandourUpdate, "Letter to " + nhsExample, time.Time{}, Identifiable, nil},
	}
	for _, tt := range refusals {
		before := c.Clone()
		_, err := c.RecordCandour(tt.step, tt.note, tt.on, "console:sam", p, thu)
		t.Run(tt.name, func(t *testing.T) { wantCode(t, err, tt.code, tt.fragments...) })
		if !reflect.DeepEqual(c, before) {
			t.Errorf("%s: refusal changed the case", tt.name)
		}
	}
}

func TestRecordCandourNotApplicable(t *testing.T) {
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmModerate})
	c.NotifyStage, c.WrittenStage, c.CandourEscalated, c.Round = 3, 1, true, 4
	now := at(t, "2026-01-22", "09:00") // inside the warning window

	_, err := c.RecordCandour(CandourNA, "", time.Time{}, "console:sam", p, now)
	wantCode(t, err, Invalid, "reason", "/hpp candour HPP-7 na")
	if c.NotNeeded != "" {
		t.Fatal("na without a reason was recorded")
	}

	if _, err := c.RecordCandour(CandourNA, "Harm reassessed as low after review", time.Time{}, "console:sam", p, now); err != nil {
		t.Fatal(err)
	}
	if c.NotNeeded != "Harm reassessed as low after review" || c.CandourActive() {
		t.Errorf("NotNeeded %q, CandourActive %v", c.NotNeeded, c.CandourActive())
	}
	if c.NotifyStage != 0 || c.WrittenStage != 0 || c.CandourEscalated || c.CandourRound != 1 {
		t.Errorf("candour reminders not reset: %d %d %v candour round %d", c.NotifyStage, c.WrittenStage, c.CandourEscalated, c.CandourRound)
	}
	if c.Round != 4 {
		t.Errorf("na started a new round of contact reminders: round %d", c.Round)
	}
	for _, r := range c.Reminders(p, at(t, "2026-02-27", "10:00")) {
		if r.Kind != RemindContact {
			t.Errorf("candour reminder after na: %+v", r)
		}
	}
}

func TestRecordFamilyAndParallel(t *testing.T) {
	p, c := contactCase(t)
	first := at(t, "2026-01-13", "10:00")
	later := at(t, "2026-01-20", "10:00")

	for _, step := range FamilySteps {
		ev, err := c.RecordFamily(step, "", "console:sam", p, first)
		if err != nil {
			t.Fatalf("family %s: %v", step, err)
		}
		if ev.Kind != EventFamily || ev.Step != step || !ev.At.Equal(first) {
			t.Errorf("family %s: event %+v", step, ev)
		}
	}
	ev, err := c.RecordFamily("support", "Second advocacy leaflet", "console:sam", p, later)
	if err != nil || ev.Note != "Second advocacy leaflet" || !ev.At.Equal(later) {
		t.Fatalf("repeat family step: %+v, %v", ev, err)
	}
	if !c.Family["support"].Equal(first) {
		t.Errorf("repeating a step moved its first date: %v", c.Family["support"])
	}

	contactBefore := c.NextContact
	for _, proc := range ParallelProcesses {
		if _, err := c.RecordParallel(proc, "", "console:sam", first); err != nil {
			t.Fatalf("parallel %s: %v", proc, err)
		}
	}
	if _, err := c.RecordParallel("claim", "", "console:sam", later); err != nil {
		t.Fatal(err)
	}
	if !c.Parallel["claim"].Equal(first) || len(c.Parallel) != len(ParallelProcesses) {
		t.Errorf("Parallel = %v", c.Parallel)
	}
	if !c.NextContact.Equal(contactBefore) {
		t.Error("a parallel process changed when the next contact is due (commitment 5: communication carries on)")
	}

	refusals := []struct {
		name      string
		do        func() error
		fragments []string
	}{
		{"unknown family step", func() error { _, err := c.RecordFamily("apology", "", "console:sam", p, later); return err }, []string{`"apology" isn't a step`, "support, questions, investigation, findings, improvement"}},
		{"a parallel process as a step", func() error { _, err := c.RecordFamily("complaint", "", "console:sam", p, later); return err }, []string{"parallel=complaint"}},
		{"unknown parallel process", func() error { _, err := c.RecordParallel("ombudsman", "", "console:sam", later); return err }, []string{"complaint, claim, inquest or regulator", "ombudsman"}},
		{"family note with an identifier", func() error {
			_, err := c.RecordFamily("support", "Posted to SW1A 1AA", "console:sam", p, later)
			return err
		}, []string{"postcode"}},
	}
	for _, tt := range refusals {
		before := c.Clone()
		err := tt.do()
		code := Invalid
		if strings.Contains(tt.name, "identifier") {
			code = Identifiable
		}
		t.Run(tt.name, func(t *testing.T) { wantCode(t, err, code, tt.fragments...) })
		if !reflect.DeepEqual(c, before) {
			t.Errorf("%s: refusal changed the case", tt.name)
		}
	}
}

func TestHandOver(t *testing.T) {
	_, c := contactCase(t)
	c.ContactNudges, c.Escalated, c.Round = 3, true, 2
	now := at(t, "2026-01-13", "10:00")

	before := c.Clone()
	_, err := c.HandOver("console:sam", "console:sam", now)
	wantCode(t, err, Invalid, "already the named contact for HPP-7")
	if !reflect.DeepEqual(c, before) {
		t.Error("refused hand-over changed the case")
	}

	ev, err := c.HandOver("console:kit", "console:sam", now)
	if err != nil {
		t.Fatal(err)
	}
	want := Event{At: now, Actor: "console:sam", Kind: EventLead, People: []string{"console:sam", "console:kit"}}
	if !reflect.DeepEqual(ev, want) || c.Lead != "console:kit" {
		t.Errorf("event %+v, lead %q", ev, c.Lead)
	}
	if c.ContactNudges != 0 || c.Escalated || c.Round != 3 {
		t.Errorf("the new lead inherits old nudges: %d %v round %d", c.ContactNudges, c.Escalated, c.Round)
	}
}

func TestInvolve(t *testing.T) {
	now := at(t, "2026-01-13", "10:00")
	staff := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("console:staff%d", i))
		}
		return out
	}
	tests := []struct {
		name      string
		already   []string
		add       []string
		wantAdded []string
		fragments []string // a refusal
	}{
		{"new people", []string{"console:ash"}, []string{"console:bo", "console:cy"}, []string{"console:bo", "console:cy"}, nil},
		{"repeats dropped", []string{"console:ash"}, []string{"console:ash", "console:bo", "console:bo"}, []string{"console:bo"}, nil},
		{"everyone already there", []string{"console:ash", "console:bo"}, []string{"console:bo", "console:ash"}, nil, []string{"already recorded as involved in HPP-7"}},
		{"up to the cap", staff(0, 18), staff(17, 20), staff(18, 20), nil},
		{"over the cap", staff(0, 19), staff(19, 21), nil, []string{"more than 20 staff"}},
	}
	for _, tt := range tests {
		_, c := contactCase(t)
		c.Involved = tt.already
		before := c.Clone()
		ev, added, err := c.Involve(tt.add, "console:sam", now)
		if tt.fragments != nil {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, err, Invalid, tt.fragments...) })
			if !reflect.DeepEqual(c, before) || added != nil {
				t.Errorf("%s: refusal changed the case or added %v", tt.name, added)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(added, tt.wantAdded) || !reflect.DeepEqual(ev.People, tt.wantAdded) || ev.Kind != EventInvolve {
			t.Errorf("%s: added %v, event %+v; want %v", tt.name, added, ev, tt.wantAdded)
		}
		if want := append(append([]string(nil), tt.already...), tt.wantAdded...); !reflect.DeepEqual(c.Involved, want) {
			t.Errorf("%s: Involved = %v, want %v", tt.name, c.Involved, want)
		}
	}
}

func TestSnooze(t *testing.T) {
	friday := at(t, "2026-01-16", "10:00")
	tests := []struct {
		name      string
		span      Span
		want      time.Time
		fragments []string // a refusal
	}{
		// Friday to Saturday: reminders resume on Monday morning.
		{"a day", Span{1, Day}, at(t, "2026-01-19", "08:00"), nil},
		{"an hour", Span{1, Hour}, at(t, "2026-01-16", "11:00"), nil},
		{"up to the limit", Span{3, Day}, at(t, "2026-01-19", "10:00"), nil},
		{"one working day is within three days", Span{1, WorkingDay}, at(t, "2026-01-19", "10:00"), nil},
		{"over the limit", Span{4, Day}, time.Time{}, []string{"up to 3 days at a time", "/hpp snooze HPP-7 3d", "/hpp plan"}},
		{"working days past the weekend go over", Span{2, WorkingDay}, time.Time{}, []string{"up to 3 days", "2 working days from now would run to Tue 20 Jan 2026, 10:00", "until Mon 19 Jan 2026, 10:00", "/hpp snooze HPP-7 3d (or 1wd)"}},
		{"a week", Span{1, Week}, time.Time{}, []string{"up to 3 days"}},
		{"no time at all", Span{}, time.Time{}, []string{"/hpp snooze HPP-7 1d"}},
	}
	for _, tt := range tests {
		_, c := contactCase(t)
		p := policyFor(t, England)
		c.ContactNudges, c.Round = 1, 1
		before := c.Clone()
		ev, err := c.Snooze(tt.span, "console:sam", p, friday)
		if tt.fragments != nil {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, err, Invalid, tt.fragments...) })
			if !reflect.DeepEqual(c, before) {
				t.Errorf("%s: refused snooze changed the case", tt.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !c.SnoozedUntil.Equal(tt.want) || c.ContactNudges != 0 || c.Round != 2 {
			t.Errorf("%s: until %v nudges %d round %d; want until %v", tt.name, c.SnoozedUntil, c.ContactNudges, c.Round, tt.want)
		}
		want := Event{At: friday, Actor: "console:sam", Kind: EventSnooze, Every: tt.span, Next: tt.want}
		if !reflect.DeepEqual(ev, want) {
			t.Errorf("%s: event %+v, want %+v", tt.name, ev, want)
		}
	}

	// The limit comes from the policy, and the message names it.
	p := policyFor(t, England)
	p.MaxSnooze = Span{1, WorkingDay}
	_, c := contactCase(t)
	if _, err := c.Snooze(Span{2, Day}, "console:sam", p, friday); err != nil {
		t.Errorf("2d from a Friday is within one working day (Monday): %v", err)
	}
	_, err := c.Snooze(Span{4, Day}, "console:sam", p, friday)
	wantCode(t, err, Invalid, "up to 1 working day at a time", "/hpp snooze HPP-7 1wd")
}

func TestCloseAndReopen(t *testing.T) {
	p := policyFor(t, England)
	c := mustOpen(t, p, at(t, "2026-01-12", "10:00"), OpenInput{Harm: HarmSevere})
	c.SnoozedUntil = at(t, "2026-01-14", "10:00")
	c.NotifyStage, c.WrittenStage, c.ContactNudges = 3, 2, 1

	closedAt := at(t, "2026-01-13", "16:00")
	ev, err := c.Close("Family asked for no further contact", "console:sam", closedAt)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsOpen() || !c.Closed.Equal(closedAt) || !c.SnoozedUntil.IsZero() || ev.Kind != EventClosed || ev.Note == "" {
		t.Errorf("closed %v at %v snoozed %v; event %+v", !c.IsOpen(), c.Closed, c.SnoozedUntil, ev)
	}
	if got := c.Reminders(p, at(t, "2026-03-01", "10:00")); len(got) != 0 {
		t.Errorf("a closed case owes reminders: %+v", got)
	}
	if w := c.NextWake(p); !w.IsZero() {
		t.Errorf("a closed case wakes at %v", w)
	}
	if !c.Deadline().IsZero() || c.Outstanding() != nil {
		t.Errorf("a closed case has a deadline %v / outstanding %v", c.Deadline(), c.Outstanding())
	}

	_, err = c.Close("", "console:sam", closedAt)
	wantCode(t, err, Invalid, "HPP-7 is already closed")

	// Every change is refused on a closed case, pointing at reopen.
	later := at(t, "2026-01-14", "10:00")
	refused := map[string]func() error{
		"contact": func() error { _, err := c.LogContact(ContactInput{}, "console:sam", p, later); return err },
		"plan":    func() error { _, err := c.SetPlan(Span{1, Week}, "", "", "console:sam", p, later); return err },
		"candour": func() error {
			_, err := c.RecordCandour(CandourUpdate, "", time.Time{}, "console:sam", p, later)
			return err
		},
		"family": func() error { _, err := c.RecordFamily("support", "", "console:sam", p, later); return err },
		"parallel": func() error {
			_, err := c.RecordParallel("complaint", "", "console:sam", later)
			return err
		},
		"lead":    func() error { _, err := c.HandOver("console:kit", "console:sam", later); return err },
		"involve": func() error { _, _, err := c.Involve([]string{"console:kit"}, "console:sam", later); return err },
		"snooze":  func() error { _, err := c.Snooze(Span{1, Day}, "console:sam", p, later); return err },
	}
	for name, do := range refused {
		before := c.Clone()
		err := do()
		t.Run(name, func(t *testing.T) { wantCode(t, err, Invalid, "HPP-7 is closed", "/hpp reopen HPP-7") })
		if !reflect.DeepEqual(c, before) {
			t.Errorf("%s on a closed case changed it", name)
		}
	}

	round, candourRound := c.Round, c.CandourRound
	reopened := at(t, "2026-01-16", "11:00") // Friday
	ev, err = c.Reopen("console:sam", p, reopened)
	if err != nil {
		t.Fatal(err)
	}
	want := at(t, "2026-01-19", "11:00")
	if !c.IsOpen() || !c.NextContact.Equal(want) || ev.Kind != EventReopened || !ev.Next.Equal(want) {
		t.Errorf("reopened: open %v next %v event %+v", c.IsOpen(), c.NextContact, ev)
	}
	if c.NotifyStage != 0 || c.WrittenStage != 0 || c.ContactNudges != 0 || c.Round <= round || c.CandourRound <= candourRound {
		t.Errorf("reminders not reset on reopen: %d %d %d rounds %d %d", c.NotifyStage, c.WrittenStage, c.ContactNudges, c.Round, c.CandourRound)
	}
	if w := c.NextWake(p); w.IsZero() {
		t.Error("a reopened case never wakes")
	}
	_, err = c.Reopen("console:sam", p, reopened)
	wantCode(t, err, Invalid, "HPP-7 is already open")
}

// A notification, a written follow-up, an update and findings shared with
// the family are contact with the family: they count, answer contact
// reminders and set when the next contact is due. Recording that the duty
// doesn't apply, the reason for a delay, or support offered does not.
func TestCandourStepsCountAsContact(t *testing.T) {
	p := policyFor(t, Scotland)
	opened := at(t, "2026-01-12", "10:00")
	when := at(t, "2026-01-13", "15:00")
	tests := []struct {
		name    string
		record  func(c *Case) (Event, error)
		contact bool
	}{
		{"notified", func(c *Case) (Event, error) {
			return c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, when)
		}, true},
		{"written", func(c *Case) (Event, error) {
			return c.RecordCandour(CandourWritten, "", time.Time{}, "console:sam", p, when)
		}, true},
		{"update", func(c *Case) (Event, error) {
			return c.RecordCandour(CandourUpdate, "Called with news of the review", time.Time{}, "console:sam", p, when)
		}, true},
		{"findings shared", func(c *Case) (Event, error) { return c.RecordFamily("findings", "", "console:sam", p, when) }, true},
		{"na", func(c *Case) (Event, error) {
			return c.RecordCandour(CandourNA, "harm assessed as low after review", time.Time{}, "console:sam", p, when)
		}, false},
		{"delay", func(c *Case) (Event, error) {
			return c.RecordCandour(CandourDelay, "waiting for the family to say when suits them", time.Time{}, "console:sam", p, when)
		}, false},
		{"support offered", func(c *Case) (Event, error) { return c.RecordFamily("support", "", "console:sam", p, when) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere})
			c.ContactNudges = 2 // two nudges about contact already went
			due := c.NextContact
			ev, err := tt.record(c)
			if err != nil {
				t.Fatal(err)
			}
			if ev.CountsAsContact() != tt.contact {
				t.Errorf("CountsAsContact = %v, want %v", ev.CountsAsContact(), tt.contact)
			}
			if !tt.contact {
				if c.Contacts != 0 || !c.FirstContact.IsZero() || !c.NextContact.Equal(due) || c.ContactNudges != 2 {
					t.Errorf("not contact, yet the case changed: contacts %d, first %v, next %v, nudges %d", c.Contacts, c.FirstContact, c.NextContact, c.ContactNudges)
				}
				return
			}
			next := p.Calendar.Add(when, p.DefaultEvery)
			if c.Contacts != 1 || !c.FirstContact.Equal(when) || !c.LastContact.Equal(when) || !c.NextContact.Equal(next) || c.ContactNudges != 0 {
				t.Errorf("contacts %d, first %v, last %v, next %v (want %v), nudges %d", c.Contacts, c.FirstContact, c.LastContact, c.NextContact, next, c.ContactNudges)
			}
			if !ev.Due.Equal(due) || !ev.Next.Equal(next) {
				t.Errorf("event due %v next %v, want due %v next %v", ev.Due, ev.Next, due, next)
			}
		})
	}
}

// After the duty is recorded as not applying, a notification given anyway
// is recorded (and is contact) but starts no deadline for a written
// follow-up, and no candour reminder follows.
func TestNotifiedAfterNotApplyingSetsNoDeadline(t *testing.T) {
	p := policyFor(t, Wales) // the written follow-up is due from the notification
	opened := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, p, opened, OpenInput{Harm: HarmModerate})
	if _, err := c.RecordCandour(CandourNA, "harm reassessed as low", time.Time{}, "console:sam", p, opened.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RecordCandour(CandourNotified, "Told them anyway", time.Time{}, "console:sam", p, opened.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !c.WrittenDue.IsZero() {
		t.Errorf("written follow-up due %v after na", c.WrittenDue)
	}
	for d := 0; d < 60; d++ {
		for _, r := range c.Reminders(p, opened.AddDate(0, 0, d)) {
			if r.Kind != RemindContact {
				t.Fatalf("day %d: a %s reminder after na", d, r.Kind)
			}
		}
	}
}

// Scotland: the reason for a delay past a month is its own record. It needs
// a reason, stops the request for one, is refused once the family has been
// told, and is neither an update nor contact.
func TestCandourDelayReason(t *testing.T) {
	p := withoutCommunication(t, Scotland)
	opened := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, p, opened, OpenInput{Harm: HarmSevere, Aware: day(t, "2025-12-22")})
	if _, err := c.RecordCandour(CandourDelay, "", time.Time{}, "console:sam", p, opened); ErrorCode(err) != Invalid || !strings.Contains(err.Error(), "reason for the delay") {
		t.Fatalf("delay with no reason: %v", err)
	}
	ev, err := c.RecordCandour(CandourDelay, "the family asked to wait until after a funeral", time.Time{}, "console:sam", p, opened)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Step != CandourDelay || c.Updates != 0 || c.Contacts != 0 || !c.DelayAsked {
		t.Errorf("event %+v; updates %d, contacts %d, DelayAsked %v", ev, c.Updates, c.Contacts, c.DelayAsked)
	}
	if rs := only(c.Reminders(p, at(t, "2026-01-22", "08:00")), RemindDelay); len(rs) != 0 {
		t.Errorf("asked for the reason after it was recorded: %+v", rs)
	}
	if _, err := c.RecordCandour(CandourNotified, "", time.Time{}, "console:sam", p, opened.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RecordCandour(CandourDelay, "late", time.Time{}, "console:sam", p, opened.Add(2*time.Hour)); ErrorCode(err) != Invalid {
		t.Errorf("delay after notification: %v", err)
	}
}

// TestDueThen: a contact recorded afterwards is judged against what was due
// on the day it happened, not against what is due when it is typed.
func TestDueThen(t *testing.T) {
	p := policyFor(t, England)
	loc := london(t)
	events := []Event{
		// Opened on Tuesday 1 December at 10:00: first contact due Wednesday 10:00.
		{At: at(t, "2026-12-01", "10:00"), Kind: EventOpened},
		// Contact on Wednesday: next due Tuesday 8 December, 08:00.
		{At: at(t, "2026-12-02", "09:00"), Kind: EventContact, Next: at(t, "2026-12-08", "08:00")},
		// Contact on Thursday 10th: next due Thursday 17th.
		{At: at(t, "2026-12-10", "11:00"), Kind: EventContact, Next: at(t, "2026-12-17", "11:00")},
		{At: at(t, "2026-12-11", "09:00"), Kind: EventReminder, Due: at(t, "2026-12-30", "09:00")},
		{At: at(t, "2026-12-14", "09:00"), Kind: EventClosed},
		{At: at(t, "2026-12-15", "09:00"), Kind: EventReopened, Next: at(t, "2026-12-16", "09:00")},
		// Recorded on the 21st for the 17th: it set the next contact from
		// the 17th, with the plan agreed then (every 2 days), not the time it
		// was typed.
		{At: at(t, "2026-12-16", "10:00"), Kind: EventPlan, Every: Span{2, Day}, Next: at(t, "2026-12-18", "10:00")},
		{At: at(t, "2026-12-17", "08:00"), DateOnly: true, Kind: EventContact, Next: at(t, "2026-12-23", "10:00")},
	}
	tests := []struct {
		name   string
		date   string
		want   time.Time
		onTime bool
	}{
		{"the day it was opened: the first contact", "2026-12-01", at(t, "2026-12-02", "10:00"), true},
		{"before it was opened", "2026-11-30", time.Time{}, false},
		{"the day after opening", "2026-12-02", at(t, "2026-12-02", "10:00"), true},
		{"dated the day it was due", "2026-12-08", at(t, "2026-12-08", "08:00"), true},
		{"dated a day after it was due", "2026-12-09", at(t, "2026-12-08", "08:00"), false},
		{"the contact on the 10th counts only from the 11th", "2026-12-10", at(t, "2026-12-08", "08:00"), false},
		{"after the contact on the 10th", "2026-12-12", at(t, "2026-12-17", "11:00"), true},
		{"while the case was closed", "2026-12-15", time.Time{}, false},
		{"after it was reopened", "2026-12-16", at(t, "2026-12-16", "09:00"), true},
		{"after a plan", "2026-12-17", at(t, "2026-12-18", "10:00"), true},
		// Two days after the 17th is Saturday: due by the end of Monday.
		{"after a contact recorded afterwards", "2026-12-21", at(t, "2026-12-21", "18:00"), true},
		{"a day late after a contact recorded afterwards", "2026-12-22", at(t, "2026-12-21", "18:00"), false},
	}
	for _, tt := range tests {
		on := p.Calendar.DayStart(day(t, tt.date))
		got := DueThen(events, on, true, p)
		if !got.Equal(tt.want) {
			t.Errorf("%s: DueThen = %v, want %v", tt.name, got, tt.want)
		}
		if got.IsZero() {
			continue
		}
		e := Event{At: on, DateOnly: true, Kind: EventContact, Due: got}
		if e.OnTime(loc) != tt.onTime {
			t.Errorf("%s: OnTime = %v, want %v", tt.name, e.OnTime(loc), tt.onTime)
		}
	}
	// The same moment, not known only to the day: 08:00 on the 8th is on
	// time for 08:00 on the 8th, 08:01 is not.
	e := Event{At: at(t, "2026-12-08", "08:01"), Kind: EventContact, Due: at(t, "2026-12-08", "08:00")}
	if e.OnTime(loc) {
		t.Errorf("a contact a minute after its due time is on time")
	}
	e.At = e.Due
	if !e.OnTime(loc) {
		t.Errorf("a contact at its due time is late")
	}
	// A moment, not a day: what was recorded before it counts.
	if got, want := DueThen(events, at(t, "2026-12-10", "12:00"), false, p), at(t, "2026-12-17", "11:00"); !got.Equal(want) {
		t.Errorf("DueThen at a moment = %v, want %v", got, want)
	}
	// A contact known only to the day is left out for a moment that day:
	// it may have come after.
	if got, want := DueThen(events, at(t, "2026-12-17", "12:00"), false, p), at(t, "2026-12-18", "10:00"); !got.Equal(want) {
		t.Errorf("DueThen on the day of a dated contact = %v, want %v", got, want)
	}
	if got, want := DueThen(events, at(t, "2026-12-18", "12:00"), false, p), at(t, "2026-12-21", "18:00"); !got.Equal(want) {
		t.Errorf("DueThen the day after a dated contact = %v, want %v", got, want)
	}
}

// TestRejudge: a contact for an earlier day recorded after a contact that
// was judged late means the family had been contacted in between; the
// later contact is judged again. Without such an entry nothing changes.
func TestRejudge(t *testing.T) {
	p := policyFor(t, England)
	loc := london(t)
	opened := Event{ID: "1-0", At: at(t, "2026-12-01", "10:00"), Kind: EventOpened}
	first := Event{ID: "2-0", At: at(t, "2026-12-02", "09:00"), Kind: EventContact, Due: at(t, "2026-12-02", "10:00"), Next: at(t, "2026-12-09", "09:00")}
	// Logged on the 10th: late against the 9th, as far as was known.
	late := Event{ID: "3-0", At: at(t, "2026-12-10", "11:00"), Kind: EventContact, Due: at(t, "2026-12-09", "09:00"), Next: at(t, "2026-12-17", "11:00")}
	// Logged on the 11th for the 4th.
	dated := Event{ID: "4-0", At: at(t, "2026-12-04", "08:00"), DateOnly: true, Kind: EventCandour, Step: CandourNotified, Due: at(t, "2026-12-09", "09:00"), Next: at(t, "2026-12-18", "09:00")}

	events := []Event{opened, first, late}
	if got := Rejudge(events, p); &got[0] != &events[0] {
		t.Errorf("a timeline with nothing recorded afterwards was copied")
	}
	events = []Event{opened, first, dated, late}
	got := Rejudge(events, p)
	if !events[3].Due.Equal(late.Due) {
		t.Errorf("Rejudge changed its input")
	}
	// Seven days after the 4th is Friday the 11th: due by the end of it.
	if want := at(t, "2026-12-11", "18:00"); !got[3].Due.Equal(want) || !got[3].OnTime(loc) {
		t.Errorf("re-judged contact: due %v on time %v, want due %v on time", got[3].Due, got[3].OnTime(loc), want)
	}
	if !got[2].Due.Equal(dated.Due) || !got[1].Due.Equal(first.Due) {
		t.Errorf("contacts logged after nothing earlier were re-judged: %v, %v", got[1].Due, got[2].Due)
	}
	// Events with no store id are left as recorded.
	for i := range events {
		events[i].ID = ""
	}
	if got := Rejudge(events, p); !got[3].Due.Equal(late.Due) {
		t.Errorf("re-judged without ids: %v", got[3].Due)
	}
}

// TestOnRefusalsOfferADateThatWorks: the example in a refusal of on= is a
// date that would be accepted.
func TestOnRefusalsOfferADateThatWorks(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-01-12", "10:00")
	c := mustOpen(t, p, now, OpenInput{Harm: HarmModerate}) // aware today
	_, err := c.LogContact(ContactInput{On: day(t, "2026-01-13")}, "console:sam", p, now)
	wantCode(t, err, Invalid, "on=2026-01-13 is in the future", "such as on=2026-01-12.")
	_, err = c.LogContact(ContactInput{On: day(t, "2026-01-09")}, "console:sam", p, now)
	wantCode(t, err, Invalid, "on=2026-01-09 is before Mon 12 Jan 2026", "such as on=2026-01-12 ")
	// A case with no aware date (written before there was one): only a
	// date long before it was opened is refused.
	c.Aware = time.Time{}
	if _, err := c.Clone().LogContact(ContactInput{On: day(t, "2026-01-09")}, "console:sam", p, now); err != nil {
		t.Errorf("no aware date: %v", err)
	}
	_, err = c.LogContact(ContactInput{On: day(t, "2025-09-01")}, "console:sam", p, now)
	wantCode(t, err, Invalid, "long before this case was opened")
}

// TestOpenWithPastDeadlinesRemindsAtOnce: a case opened with an aware date
// whose candour deadlines have passed owes its overdue reminders now.
func TestOpenWithPastDeadlinesRemindsAtOnce(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-12-07", "10:00")
	c := mustOpen(t, p, now, OpenInput{Harm: HarmSevere, Aware: day(t, "2026-11-02")})
	if w := c.NextWake(p); w.After(now) {
		t.Errorf("next reminder at %v, want now", w)
	}
	stages := map[string]string{}
	for _, r := range c.Reminders(p, now) {
		stages[r.Kind] = r.Stage
	}
	if stages[RemindNotify] != StageOverdue || stages[RemindWritten] != StageOverdue {
		t.Errorf("reminders at once = %v, want notify and written overdue", stages)
	}
}

// TestBackdatedCandourStep: a step recorded with on= is known only to the
// day, and on= is refused before the aware date.
func TestBackdatedCandourStep(t *testing.T) {
	p, c := contactCase(t) // aware Monday 12 January
	now := at(t, "2026-01-15", "09:00")
	ev, err := c.RecordCandour(CandourNotified, "", day(t, "2026-01-13"), "console:sam", p, now)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.DateOnly || !ev.At.Equal(at(t, "2026-01-13", "08:00")) {
		t.Errorf("backdated notification: at %v date only %v", ev.At, ev.DateOnly)
	}
	before := c.Clone()
	_, err = c.RecordCandour(CandourUpdate, "", day(t, "2026-01-09"), "console:sam", p, now)
	wantCode(t, err, Invalid, "on=2026-01-09 is before Mon 12 Jan 2026", "such as on=2026-01-14")
	if !reflect.DeepEqual(c, before) {
		t.Errorf("a refused step changed the case")
	}
}
