package pathway

import (
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Helpers shared by the case, command and reminder tests. Every person,
// reference and note is made up.

// policyFor is the built-in policy of a nation, in Europe/London.
func policyFor(t testing.TB, n Nation) *Policy {
	t.Helper()
	p, err := DefaultPolicy(n, "Europe/London")
	if err != nil {
		t.Fatalf("DefaultPolicy(%s): %v", n, err)
	}
	return p
}

// day is a London date at local midnight, as ParseDate gives it.
func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s, london(t))
	if err != nil {
		t.Fatalf("bad test date %q: %v", s, err)
	}
	return d
}

// mustOpen opens a case and fails the test if it is refused.
func mustOpen(t testing.TB, p *Policy, now time.Time, in OpenInput) *Case {
	t.Helper()
	if in.Ref == "" {
		in.Ref = "INC-1042"
	}
	c, _, err := Open(in, "console:sam", p, now)
	if err != nil {
		t.Fatalf("Open(%+v): %v", in, err)
	}
	c.ID = 7
	return c
}

// wantCode fails unless err is a pathway error with the code, and with a
// message holding every fragment.
func wantCode(t testing.TB, err error, code Code, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := ErrorCode(err); got != code {
		t.Fatalf("error code %q, want %q (%v)", got, code, err)
	}
	msg := ErrorMessage(err)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message %q does not contain %q", msg, f)
		}
	}
}

func TestParseCaseID(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"HPP-12", 12},
		{"hpp-12", 12},
		{"Hpp-12", 12},
		{"12", 12},
		{"HPP12", 12},
		{"  HPP-3 ", 3},
		{"HPP-007", 7},
		{"999999999999", 999999999999},
	}
	for _, tt := range tests {
		got, err := ParseCaseID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCaseID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "HPP-", "HPP-0", "0", "-12", "HPP--12", "HPP-12a", "INC-12", "12.5", "1234567890123", "HPP 12", "HPP-١٢"} {
		got, err := ParseCaseID(bad)
		if err == nil {
			t.Errorf("ParseCaseID(%q) = %d, want an error", bad, got)
			continue
		}
		wantCode(t, err, Invalid, "HPP-12", "/hpp list")
	}
}

// The shapes isRef and isServiceName check, as patterns.
var (
	refPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.:-]*$`)
	servicePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// FuzzWordShapes: isRef and isServiceName take exactly what their patterns
// match.
func FuzzWordShapes(f *testing.F) {
	for _, s := range []string{"", "INC-1042", "W123456", "a/b_c.d:e-f", "-x", "x y", "é", "maternity", "emergency-dept", "Maternity", "a\n", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isRef(s), refPattern.MatchString(s); got != want {
			t.Fatalf("isRef(%q) = %v, the pattern says %v", s, got, want)
		}
		if got, want := isServiceName(s), servicePattern.MatchString(s); got != want {
			t.Fatalf("isServiceName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}

// caseIDPattern is what ParseCaseID reads, as a pattern.
var caseIDPattern = regexp.MustCompile(`^(?i)(?:hpp-?)?([0-9]{1,12})$`)

// FuzzParseCaseID: ParseCaseID takes exactly what caseIDPattern matches
// (less zero), and reads the same number.
func FuzzParseCaseID(f *testing.F) {
	for _, s := range []string{"HPP-12", "hpp12", " 7 ", "HPP-", "hpp--1", "0", "HPP-0000000000001", "ḤPP-1", "HPP- 1", "\thpp-3\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCaseID(s)
		want := int64(0)
		if m := caseIDPattern.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			want, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if want == 0 {
			if err == nil {
				t.Fatalf("ParseCaseID(%q) = %d, want an error", s, got)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("ParseCaseID(%q) = %d, %v; want %d", s, got, err, want)
		}
	})
}

func TestCaseName(t *testing.T) {
	c := &Case{ID: 42}
	if c.Name() != "HPP-42" || CaseName(1) != "HPP-1" {
		t.Fatalf("Name() = %q, CaseName(1) = %q", c.Name(), CaseName(1))
	}
	id, err := ParseCaseID(c.Name())
	if err != nil || id != 42 {
		t.Fatalf("ParseCaseID(Name()) = %d, %v", id, err)
	}
}

func TestParseServiceName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"maternity", "maternity"},
		{"Maternity", "maternity"},
		{"#maternity", "maternity"},
		{" emergency-dept ", "emergency-dept"},
		{"ward-4b", "ward-4b"},
		{"4west", "4west"},
		{strings.Repeat("a", MaxService), strings.Repeat("a", MaxService)},
	}
	for _, tt := range tests {
		got, err := ParseServiceName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseServiceName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "#", "   ", "-maternity", "ward 4", "ward_4", "children's", "émergency", "a/b", strings.Repeat("a", MaxService+1)} {
		got, err := ParseServiceName(bad)
		if err == nil {
			t.Errorf("ParseServiceName(%q) = %q, want an error", bad, got)
			continue
		}
		wantCode(t, err, Invalid, "lowercase letters, digits and hyphens")
	}
}

func TestParseWhen(t *testing.T) {
	loc := london(t)
	tests := []struct {
		in   string
		want When
	}{
		{"2026-12-01", When{Date: time.Date(2026, 12, 1, 0, 0, 0, 0, loc)}},
		{"2026-06-30", When{Date: time.Date(2026, 6, 30, 0, 0, 0, 0, loc)}},
		{"7d", When{Span: Span{7, Day}}},
		{"2w", When{Span: Span{2, Week}}},
		{"3wd", When{Span: Span{3, WorkingDay}}},
		{"36h", When{Span: Span{36, Hour}}},
	}
	for _, tt := range tests {
		got, err := ParseWhen(tt.in, loc)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", tt.in, err)
			continue
		}
		if !got.Date.Equal(tt.want.Date) || got.Span != tt.want.Span {
			t.Errorf("ParseWhen(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if !got.Date.IsZero() && got.Date.Location() != loc {
			t.Errorf("ParseWhen(%q) date in %v, want %v", tt.in, got.Date.Location(), loc)
		}
	}
	for _, bad := range []string{"", "tomorrow", "2026-13-01", "2026-02-30", "01/12/2026", "7 days", "0d", "-3d"} {
		if _, err := ParseWhen(bad, loc); err == nil {
			t.Errorf("ParseWhen(%q): want an error", bad)
		} else {
			wantCode(t, err, Invalid, "2026-12-01", "7d")
		}
	}
}

func TestParseDate(t *testing.T) {
	loc := london(t)
	got, err := ParseDate("2026-07-01", loc)
	if err != nil || !got.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, loc)) {
		t.Fatalf("ParseDate = %v, %v", got, err)
	}
	// Midnight in London, which is 23:00 UTC the day before in summer.
	if got.UTC().Day() != 30 {
		t.Errorf("ParseDate did not use the location: %v", got.UTC())
	}
	for _, bad := range []string{"", "2026-7-1", "1 July 2026", "2026-02-29", "2026/07/01", "7d"} {
		if _, err := ParseDate(bad, loc); err == nil {
			t.Errorf("ParseDate(%q): want an error", bad)
		} else {
			wantCode(t, err, Invalid, "year-month-day")
		}
	}
}

func TestWhenResolve(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-01-16", "15:00") // a Friday
	tests := []struct {
		name string
		w    When
		want time.Time
	}{
		{"a date is due at the start of that working day", When{Date: day(t, "2026-01-20")}, at(t, "2026-01-20", "08:00")},
		{"days keep the time of day", When{Span: Span{4, Day}}, at(t, "2026-01-20", "15:00")},
		{"working days skip the weekend", When{Span: Span{1, WorkingDay}}, at(t, "2026-01-19", "15:00")},
		{"hours are elapsed time", When{Span: Span{2, Hour}}, at(t, "2026-01-16", "17:00")},
		// Every due time falls in working hours: what would land outside
		// them is due at the start of the next working morning.
		{"a Saturday date: the next working morning", When{Date: day(t, "2026-01-17")}, at(t, "2026-01-19", "08:00")},
		{"a bank holiday date: the next working morning", When{Date: day(t, "2026-12-25")}, at(t, "2026-12-29", "08:00")},
		{"days landing on a Sunday: Monday morning", When{Span: Span{2, Day}}, at(t, "2026-01-19", "08:00")},
		{"hours past the end of the day: the next working morning", When{Span: Span{3, Hour}}, at(t, "2026-01-19", "08:00")},
	}
	for _, tt := range tests {
		if got := tt.w.Resolve(p, now); !got.Equal(tt.want) {
			t.Errorf("%s: Resolve = %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.w.Resolve(p, now); !p.Calendar.InWorkingHours(got) {
			t.Errorf("%s: Resolve = %v, outside working hours", tt.name, got)
		}
	}
	// Target is what was asked for, before it is moved.
	if got, want := (When{Span: Span{2, Day}}).Target(p, now), at(t, "2026-01-18", "15:00"); !got.Equal(want) {
		t.Errorf("Target = %v, want %v", got, want)
	}
}

func TestParseVia(t *testing.T) {
	for _, v := range []string{"phone", "meeting", "video", "letter", "email", " Phone ", "EMAIL"} {
		got, err := ParseVia(v)
		if err != nil || got != strings.ToLower(strings.TrimSpace(v)) {
			t.Errorf("ParseVia(%q) = %q, %v", v, got, err)
		}
	}
	for _, bad := range []string{"", "text", "carrier pigeon"} {
		_, err := ParseVia(bad)
		wantCode(t, err, Invalid, "phone, meeting, video, letter or email")
	}
}

func TestCheckRef(t *testing.T) {
	for _, ok := range []string{"INC-1042", "W123456", "12", "DATIX/2026/001", "inc_7.a:b", strings.Repeat("A", MaxRefLen)} {
		if err := CheckRef(ok); err != nil {
			t.Errorf("CheckRef(%q): %v", ok, err)
		}
	}
	tests := []struct {
		ref       string
		code      Code
		fragments []string
	}{
		{"", Invalid, []string{"incident reference", "INC-1042"}},
		{"INC 1042", Invalid, []string{"doesn't look like an incident reference"}},
		{"-INC", Invalid, []string{"doesn't look like an incident reference"}},
		{strings.Repeat("A", MaxRefLen+1), Invalid, []string{"doesn't look like an incident reference"}},
		{"HPP-12", Invalid, []string{"hppbot case id"}},
		{"hpp-12", Invalid, []string{"hppbot case id"}},
		{"9990000018", Identifiable, []string{"Nothing was saved", "NHS number", "incident reference"}},
		{"9990000018", Identifiable, []string{"Nothing was saved"}},
	}
	for _, tt := range tests {
		wantCode(t, CheckRef(tt.ref), tt.code, tt.fragments...)
	}
}

func TestIdentifierErrorSaysWhatAndHow(t *testing.T) {
	tests := []struct {
		text      string
		fragments []string
		whole     string // never repeated whole
	}{
		{"spoke to family, NHS no 999 000 0018", []string{"an NHS number (999…18)", "incident reference instead", "phone number"}, "999 000 0018"},
		{"visited at LS1 4AP", []string{"a postcode", "Leave the address out"}, "LS1 4AP"},
		{"patient DOB 01/02/1990", []string{"a date of birth", "Leave the date of birth out"}, "01/02/1990"},
	}
	for _, tt := range tests {
		err := CheckText("note", tt.text)
		wantCode(t, err, Identifiable, append(tt.fragments, "Nothing was saved")...)
		if strings.Contains(ErrorMessage(err), tt.whole) {
			t.Errorf("refusal for %q repeats the identifier: %s", tt.text, ErrorMessage(err))
		}
	}
	if err := CheckText("note", "Called the family; they asked for a meeting next week."); err != nil {
		t.Errorf("plain note refused: %v", err)
	}
}

func TestCheckLength(t *testing.T) {
	if err := CheckLength("note", strings.Repeat("é", 10), 10); err != nil {
		t.Errorf("10 characters (20 bytes) refused at a limit of 10: %v", err)
	}
	wantCode(t, CheckLength("note", strings.Repeat("a", 11), 10), Invalid, "The note is 11 characters long", "under 10")
}

func TestErrors(t *testing.T) {
	cause := errors.New("dial tcp: connection refused")
	tests := []struct {
		err  error
		code Code
		msg  string
	}{
		{nil, "", ""},
		{Errorf(Invalid, "Use %s.", "HPP-1"), Invalid, "Use HPP-1."},
		{ErrUnavailable(cause), Unavailable, NothingSaved},
		{cause, Internal, "Something went wrong on my side"},
		{Errorf(Internal, "secret detail"), Internal, "Something went wrong on my side"},
		{errors.Join(errors.New("wrapped"), Errorf(NotFound, "No such case.")), NotFound, "No such case."},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if tt.err == nil {
			continue
		}
		if got := ErrorMessage(tt.err); !strings.HasPrefix(got, tt.msg) {
			t.Errorf("ErrorMessage(%v) = %q, want it to start %q", tt.err, got, tt.msg)
		}
	}
	u := ErrUnavailable(cause)
	if !errors.Is(u, cause) || !strings.Contains(u.Error(), "connection refused") {
		t.Errorf("ErrUnavailable hides its cause from logs: %v", u)
	}
	if strings.Contains(ErrorMessage(u), "connection refused") {
		t.Errorf("the person is shown the internal cause: %q", ErrorMessage(u))
	}
}

func TestPeopleAndIsOn(t *testing.T) {
	c := &Case{Lead: "slack:U2", OpenedBy: "slack:U1", Involved: []string{"slack:U3", "slack:U2", "slack:U1", "slack:U4"}}
	want := []string{"slack:U2", "slack:U1", "slack:U3", "slack:U4"}
	if got := c.People(); !reflect.DeepEqual(got, want) {
		t.Fatalf("People() = %v, want %v", got, want)
	}
	for _, p := range want {
		if !c.IsOn(p) {
			t.Errorf("IsOn(%q) = false", p)
		}
	}
	if c.IsOn("slack:U9") {
		t.Error("IsOn(a stranger) = true")
	}
}

func TestCloneIsDeep(t *testing.T) {
	p := policyFor(t, England)
	now := at(t, "2026-01-12", "10:00")
	orig := mustOpen(t, p, now, OpenInput{Harm: HarmModerate, Involved: []string{"console:ash", "console:bo"}, Every: Span{1, Week}})
	if _, err := orig.RecordFamily("support", "", "console:sam", p, now); err != nil {
		t.Fatal(err)
	}
	if _, err := orig.RecordParallel("complaint", "", "console:sam", now); err != nil {
		t.Fatal(err)
	}
	snapshot := *orig
	snapshot.Involved = append([]string(nil), orig.Involved...)
	plan := *orig.Plan
	family := map[string]time.Time{"support": orig.Family["support"]}
	parallel := map[string]time.Time{"complaint": orig.Parallel["complaint"]}

	d := orig.Clone()
	if !reflect.DeepEqual(d, orig) {
		t.Fatalf("Clone differs from the original:\n%+v\n%+v", d, orig)
	}
	d.Involved[0] = "console:changed"
	d.Involved = append(d.Involved, "console:extra")
	d.Plan.Every = Span{2, Day}
	d.Plan.Note = "changed"
	d.Family["support"] = now.Add(time.Hour)
	d.Family["findings"] = now
	d.Parallel["complaint"] = now.Add(time.Hour)
	d.Parallel["claim"] = now
	d.Lead = "console:other"

	if !reflect.DeepEqual(orig.Involved, snapshot.Involved) {
		t.Errorf("Involved changed through the clone: %v", orig.Involved)
	}
	if *orig.Plan != plan {
		t.Errorf("Plan changed through the clone: %+v", *orig.Plan)
	}
	if !reflect.DeepEqual(orig.Family, family) {
		t.Errorf("Family changed through the clone: %v", orig.Family)
	}
	if !reflect.DeepEqual(orig.Parallel, parallel) {
		t.Errorf("Parallel changed through the clone: %v", orig.Parallel)
	}
	if orig.Lead != snapshot.Lead {
		t.Errorf("Lead changed through the clone: %v", orig.Lead)
	}

	// Nil stays nil, so a clone compares equal to a case read from the store.
	bare := &Case{ID: 1}
	if c := bare.Clone(); c.Plan != nil || c.Family != nil || c.Parallel != nil || c.Involved != nil {
		t.Errorf("Clone of a bare case = %+v", c)
	}
}

func TestOutstandingDeadlineOverdue(t *testing.T) {
	p := policyFor(t, England)
	contact := at(t, "2026-01-20", "10:00")
	notify := at(t, "2026-01-26", "18:00")
	written := at(t, "2026-01-19", "18:00")
	base := Case{ID: 3, DutyApplies: true, NextContact: contact, NotifyDue: notify, WrittenDue: written}

	tests := []struct {
		name   string
		change func(c *Case)
		want   []DueItem
	}{
		{"everything owed, earliest first", func(c *Case) {}, []DueItem{{"written", written}, {"contact", contact}, {"notify", notify}}},
		{"done steps drop out", func(c *Case) { c.Written = written.Add(-time.Hour) }, []DueItem{{"contact", contact}, {"notify", notify}}},
		{"candour not applying", func(c *Case) { c.DutyApplies = false }, []DueItem{{"contact", contact}}},
		{"candour recorded as not needed", func(c *Case) { c.NotNeeded = "assessed as low harm" }, []DueItem{{"contact", contact}}},
		{"written due not yet known", func(c *Case) { c.WrittenDue = time.Time{} }, []DueItem{{"contact", contact}, {"notify", notify}}},
		{"closed owes nothing", func(c *Case) { c.Closed = contact }, nil},
	}
	for _, tt := range tests {
		c := base
		tt.change(&c)
		got := c.Outstanding()
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Outstanding() = %v, want %v", tt.name, got, tt.want)
		}
		var wantDeadline time.Time
		if len(tt.want) > 0 {
			wantDeadline = tt.want[0].Due
		}
		if d := c.Deadline(); !d.Equal(wantDeadline) {
			t.Errorf("%s: Deadline() = %v, want %v", tt.name, d, wantDeadline)
		}
	}

	c := base
	if got := c.Overdue(contact); len(got) != 1 || got[0].What != "written" {
		t.Errorf("Overdue at the contact time = %v, want the written follow-up only", got)
	}
	if got := c.Overdue(written); len(got) != 0 {
		t.Errorf("Overdue exactly at a deadline = %v, want nothing", got)
	}

	labels := map[string]string{"contact": "contact with the family", "notify": "Duty of Candour notification", "written": "Duty of Candour written follow-up"}
	for what, want := range labels {
		if got := (DueItem{What: what}).Label(p); got != want {
			t.Errorf("Label(%s) = %q, want %q", what, got, want)
		}
	}
	if got := (DueItem{What: "notify"}).Label(policyFor(t, NorthernIreland)); got != "Being Open (not statutory) notification" {
		t.Errorf("Northern Ireland label = %q", got)
	}
}

func TestFormatDayAndTime(t *testing.T) {
	loc := london(t)
	moment := time.Date(2026, 1, 8, 17, 30, 0, 0, time.UTC)
	if got := FormatDay(moment, loc); got != "Thu 8 Jan 2026" {
		t.Errorf("FormatDay = %q", got)
	}
	summer := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	if got := FormatTime(summer, loc); got != "Wed 1 Jul 2026, 09:00" {
		t.Errorf("FormatTime = %q (London is an hour ahead of UTC in July)", got)
	}
}

func TestDescriptions(t *testing.T) {
	for _, step := range FamilySteps {
		if d := DescribeFamilyStep(step); d == step || d == "" {
			t.Errorf("DescribeFamilyStep(%q) = %q", step, d)
		}
	}
	for _, proc := range ParallelProcesses {
		if d := DescribeParallel(proc); d == proc || d == "" {
			t.Errorf("DescribeParallel(%q) = %q", proc, d)
		}
	}
	commitments := map[string]string{"support": CommitSupport, "questions": CommitInvestigation, "investigation": CommitInvestigation, "findings": CommitInvestigation, "improvement": CommitImprovement}
	for step, want := range commitments {
		if got := FamilyStepCommitment(step); got != want {
			t.Errorf("FamilyStepCommitment(%q) = %q, want %q", step, got, want)
		}
	}
}
