package pathway

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var allWeekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

func TestDefaultPolicy(t *testing.T) {
	tests := []struct {
		nation   Nation
		holidays string
		candour  CandourPolicy
	}{
		{England, HolidaysEnglandAndWales, CandourPolicy{AppliesFrom: HarmModerate, NotifyWithin: Span{10, WorkingDay}, WrittenWithin: Span{10, WorkingDay}, WrittenFrom: "aware", WarnBefore: Span{2, WorkingDay}, ProlongedPsych: true, Label: "Duty of Candour", Name: "Duty of Candour"}},
		{Wales, HolidaysEnglandAndWales, CandourPolicy{AppliesFrom: HarmLow, NotifyWithin: Span{10, WorkingDay}, WrittenWithin: Span{5, WorkingDay}, WrittenFrom: "notified", WarnBefore: Span{2, WorkingDay}, Label: "Duty of Candour (Wales)", Name: "Duty of Candour (Wales)"}},
		{Scotland, HolidaysScotland, CandourPolicy{AppliesFrom: HarmModerate, NotifyWithin: Span{10, WorkingDay}, WrittenWithin: Span{10, WorkingDay}, WrittenFrom: "aware", WarnBefore: Span{2, WorkingDay}, ExplainDelay: true, ProlongedPsych: true, Label: "Duty of Candour (Scotland)", Name: "Duty of Candour (Scotland)"}},
		{NorthernIreland, HolidaysNorthernIreland, CandourPolicy{AppliesFrom: HarmModerate, NotifyWithin: Span{10, WorkingDay}, WrittenWithin: Span{10, WorkingDay}, WrittenFrom: "aware", WarnBefore: Span{2, WorkingDay}, ProlongedPsych: true, Label: "Being Open (not statutory)", Name: "Being Open"}},
	}
	for _, tt := range tests {
		p, err := DefaultPolicy(tt.nation, "Europe/London")
		if err != nil {
			t.Fatalf("%s: %v", tt.nation, err)
		}
		if p.Nation != tt.nation || p.Timezone != "Europe/London" || p.Holidays != tt.holidays {
			t.Errorf("%s: nation %q timezone %q holidays %q", tt.nation, p.Nation, p.Timezone, p.Holidays)
		}
		if p.Candour != tt.candour {
			t.Errorf("%s: candour %+v, want %+v", tt.nation, p.Candour, tt.candour)
		}
		// The rest is the same everywhere (SPEC.md's policy defaults).
		if p.WorkStart != 8*time.Hour || p.WorkEnd != 18*time.Hour || !reflect.DeepEqual(p.WorkingDays, allWeekdays) {
			t.Errorf("%s: working time %v-%v %v", tt.nation, p.WorkStart, p.WorkEnd, p.WorkingDays)
		}
		if p.FirstContactWithin != (Span{1, WorkingDay}) || p.DefaultEvery != (Span{7, Day}) || p.NudgeRepeat != (Span{1, WorkingDay}) ||
			p.EscalateAfter != 2 || p.MaxSnooze != (Span{3, Day}) || p.DigestAt != 9*time.Hour {
			t.Errorf("%s: cadences %+v", tt.nation, p)
		}
		if want := []Span{{1, WorkingDay}, {3, Day}, {14, Day}, {28, Day}}; !reflect.DeepEqual(p.Checkins, want) || p.CheckinAnswerTTL != (Span{90, Day}) {
			t.Errorf("%s: check-ins %v ttl %v", tt.nation, p.Checkins, p.CheckinAnswerTTL)
		}
		if !reflect.DeepEqual(p.Commitments, AllCommitments) || p.WellbeingContact != "" || len(p.Support) == 0 {
			t.Errorf("%s: commitments %v wellbeing %q support %d", tt.nation, p.Commitments, p.WellbeingContact, len(p.Support))
		}
		for _, c := range AllCommitments {
			if !p.Enabled(c) {
				t.Errorf("%s: %s not switched on by default", tt.nation, c)
			}
		}
		if p.Calendar == nil || p.Location().String() != "Europe/London" {
			t.Fatalf("%s: calendar %v", tt.nation, p.Calendar)
		}
	}

	// The calendar follows the nation: 2 January is a holiday only in Scotland.
	if policyFor(t, England).Calendar.IsWorkingDay(day(t, "2026-01-02")) != true {
		t.Error("England: 2 January 2026 is not a working day")
	}
	if policyFor(t, Scotland).Calendar.IsWorkingDay(day(t, "2026-01-02")) != false {
		t.Error("Scotland: 2 January 2026 is a working day")
	}

	// The defaults are a fresh copy each time.
	a, b := policyFor(t, England), policyFor(t, England)
	a.Commitments[0] = "changed"
	a.Support[0].Name = "changed"
	if b.Commitments[0] != CommitCommunication || b.Support[0].Name == "changed" || AllCommitments[0] != CommitCommunication {
		t.Error("changing one policy's defaults changed another's")
	}

	if _, err := DefaultPolicy(England, "Europe/Atlantis"); err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Errorf("bad time zone: %v", err)
	}
}

const fullPolicy = `# every key, none at its default
nation: wales
timezone: Europe/London
holidays: none
working_hours: "07:30-19:15"
working_days: [mon, tue, wed, thu, fri, sat]
first_contact_within: 2wd
default_every: 2w
nudge_repeat: 4h
nudge_repeat_after_escalation: 1wd
reminder_late_by: 6h
escalate_after: 4
max_snooze: 5d
digest_at: "08:45"
candour:
  applies_from: severe
  notify_within: 8wd
  written_within: 12wd
  written_from: aware
  warn_before: 3wd
checkins: [2wd, 7d, 21d]
checkin_answer_ttl: 60d
wellbeing_contact: " slack:U0WELL "
commitments: [parallel, communication, support]
support:
  - {name: "Peer support team", how: "Call the team's extension", when: "Weekdays"}
  - name: Chaplaincy
    how: Ask on the ward
retention:
  closed_case_keep: 6mo
  settings_keep: 52w
  purge_audit_keep: 3650d
`

func TestParsePolicyEveryKey(t *testing.T) {
	p, err := ParsePolicy([]byte(fullPolicy), England, "Europe/London", false, false)
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{
		Nation:               Wales,
		Timezone:             "Europe/London",
		Holidays:             HolidaysNone,
		WorkStart:            7*time.Hour + 30*time.Minute,
		WorkEnd:              19*time.Hour + 15*time.Minute,
		WorkingDays:          []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
		FirstContactWithin:   Span{2, WorkingDay},
		DefaultEvery:         Span{2, Week},
		NudgeRepeat:          Span{4, Hour},
		ReminderLateBy:       Span{6, Hour},
		EscalateAfter:        4,
		NudgeRepeatEscalated: Span{1, WorkingDay},
		MaxSnooze:            Span{5, Day},
		DigestAt:             8*time.Hour + 45*time.Minute,
		Candour: CandourPolicy{
			AppliesFrom: HarmSevere, NotifyWithin: Span{8, WorkingDay}, WrittenWithin: Span{12, WorkingDay},
			WrittenFrom: "aware", WarnBefore: Span{3, WorkingDay}, Label: "Duty of Candour (Wales)", Name: "Duty of Candour (Wales)",
		},
		Checkins:         []Span{{2, WorkingDay}, {7, Day}, {21, Day}},
		CheckinAnswerTTL: Span{60, Day},
		WellbeingContact: "slack:U0WELL",
		Commitments:      []string{CommitCommunication, CommitSupport, CommitParallel},
		Support: []SupportOption{
			{Name: "Peer support team", How: "Call the team's extension", When: "Weekdays"},
			{Name: "Chaplaincy", How: "Ask on the ward"},
		},
		Retention: Retention{ClosedCaseKeep: Span{6, Month}, SettingsKeep: Span{52, Week}, PurgeAuditKeep: Span{3650, Day}},
	}
	got := *p
	got.Calendar = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed policy:\n%+v\nwant:\n%+v", got, want)
	}

	// The calendar is built from the parsed values.
	cal := p.Calendar
	if !cal.IsWorkingDay(day(t, "2026-01-17")) || !cal.IsWorkingDay(day(t, "2026-12-25")) || cal.IsWorkingDay(day(t, "2026-01-18")) {
		t.Error("calendar ignores working_days or holidays")
	}
	if !cal.InWorkingHours(at(t, "2026-01-12", "07:30")) || cal.InWorkingHours(at(t, "2026-01-12", "19:15")) {
		t.Error("calendar ignores working_hours")
	}
	for _, c := range []string{CommitInvestigation, CommitImprovement, CommitCulture} {
		if p.Enabled(c) {
			t.Errorf("%s switched on though not listed", c)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name      string
		yaml      string
		fragments []string
	}{
		{"unknown top-level key", "default_every: 7d\n\ncolour: blue\n", []string{"line 3", `unknown key "colour"`, "default_every"}},
		{"unknown key under candour", "candour:\n  applies_from: low\n  notify_in: 5wd\n", []string{"line 3", `unknown key "candour.notify_in"`, "notify_within"}},
		{"unknown key in a support option", "support:\n  - name: A\n    how: B\n    phone: 1\n", []string{"line 4", `"support.phone"`}},
		{"support option not a mapping", "support:\n  - just a line\n", []string{"line 2", "support"}},
		{"bad span", "nudge_repeat: soon\n", []string{"line 1", "nudge_repeat"}},
		{"bad span, second line", "nation: england\ndefault_every: 7 days\n", []string{"line 2", "default_every"}},
		{"bad first_contact_within", "first_contact_within: 0wd\n", []string{"first_contact_within"}},
		{"bad max_snooze", "max_snooze: -1d\n", []string{"max_snooze"}},
		{"bad reminder_late_by", "reminder_late_by: soon\n", []string{"line 1", "reminder_late_by"}},
		{"bad checkin_answer_ttl", "checkin_answer_ttl: forever\n", []string{"checkin_answer_ttl"}},
		{"bad span under candour", "candour:\n  warn_before: 2x\n", []string{"line 2", "warn_before", "candour"}},
		{"bad notify_within", "candour:\n  notify_within: ten\n", []string{"notify_within"}},
		{"candour not a mapping", "candour: yes\n", []string{"line 1", "candour"}},
		{"applies_from none", "candour:\n  applies_from: none\n", []string{"candour.applies_from"}},
		{"applies_from unknown", "candour:\n  applies_from: awful\n", []string{"candour.applies_from", "awful"}},
		{"written_from unknown", "candour:\n  written_from: later\n", []string{"candour.written_from", "aware or notified"}},
		{"working_hours no dash", "working_hours: \"08:00\"\n", []string{"working_hours", "08:00-18:00"}},
		{"working_hours backwards", "working_hours: \"18:00-08:00\"\n", []string{"working_hours", "after the start"}},
		{"working_hours not a time", "working_hours: 8am-6pm\n", []string{"working_hours", "24-hour"}},
		{"working_days unknown day", "working_days: [mon, funday]\n", []string{"working_days", "funday"}},
		{"working_days empty", "working_days: []\n", []string{"working_days"}},
		{"working_days not a list", "working_days: weekdays\n", []string{"working_days"}},
		{"digest_at", "digest_at: 9am\n", []string{"line 1", "digest_at", "09:00"}},
		{"digest_at out of range", "digest_at: \"25:00\"\n", []string{"digest_at"}},
		{"escalate_after zero", "escalate_after: 0\n", []string{"escalate_after", "1 to 20"}},
		{"slower repeats sooner", "nudge_repeat: 2wd\nnudge_repeat_after_escalation: 1wd\n", []string{"line 2", "nudge_repeat_after_escalation", "sooner than nudge_repeat"}},
		{"escalate_after too many", "escalate_after: 21\n", []string{"escalate_after"}},
		{"escalate_after words", "escalate_after: two\n", []string{"escalate_after"}},
		{"unknown commitment", "commitments: [communication, kindness]\n", []string{"commitments", "kindness", "communication, support"}},
		{"commitment twice", "commitments: [support, support]\n", []string{"commitments", "support is listed twice"}},
		{"commitments not a list", "commitments: all\n", []string{"commitments"}},
		{"unknown holidays", "holidays: wales\n", []string{"holidays", "england-and-wales, scotland, northern-ireland, none"}},
		{"unknown nation", "nation: mars\n", []string{"line 1", "nation"}},
		{"unknown timezone", "timezone: Europe/Atlantis\n", []string{"line 1", "timezone", "Europe/Atlantis"}},
		{"checkins not a list", "checkins: 3d\n", []string{"checkins"}},
		{"checkins bad item", "checkins:\n  - 1wd\n  - soon\n", []string{"line 3", "checkins"}},
		{"too many checkins", "checkins: [1d, 2d, 3d, 4d, 5d, 6d, 7d, 8d, 9d, 10d, 11d, 12d, 13d]\n", []string{"at most 12"}},
		{"support without how", "support:\n  - name: Peers\n", []string{"line 2", "support", "name and how"}},
		{"a key set twice", "default_every: 3d\nnation: england\ndefault_every: 9d\n", []string{"line 3", "default_every is set twice", "line 1"}},
		{"a key set twice under candour", "candour:\n  warn_before: 1wd\n  warn_before: 3wd\n", []string{"line 3", "candour.warn_before is set twice"}},
		{"not keys", "- a\n- b\n", []string{"line 1", "expected keys"}},
		{"not YAML", "nation: [england\n", []string{"not valid YAML"}},
	}
	for _, tt := range tests {
		p, err := ParsePolicy([]byte(tt.yaml), England, "Europe/London", false, false)
		if err == nil {
			t.Errorf("%s: parsed %q without an error", tt.name, tt.yaml)
			continue
		}
		if p != nil {
			t.Errorf("%s: returned a policy with the error", tt.name)
		}
		for _, f := range tt.fragments {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", tt.name, err, f)
			}
		}
	}
}

func TestParsePolicyEnvironment(t *testing.T) {
	tests := []struct {
		name            string
		yaml            string
		nation          Nation
		tz              string
		setNation, setT bool
		wantNation      Nation
		wantTZ          string
		fragments       []string // an error
	}{
		{"file names the nation", "nation: scotland\n", England, "Europe/London", false, false, Scotland, "Europe/London", nil},
		{"environment names it, the file agrees", "nation: wales\n", Wales, "Europe/London", true, false, Wales, "Europe/London", nil},
		{"environment and file disagree", "default_every: 3d\nnation: wales\n", England, "Europe/London", true, false, "", "", []string{"line 2", "nation is wales but HPP_NATION is england"}},
		{"environment nation and no nation in the file", "default_every: 3d\n", NorthernIreland, "Europe/London", true, false, NorthernIreland, "Europe/London", nil},
		{"file names the time zone", "timezone: Europe/Belfast\n", England, "Europe/London", false, false, England, "Europe/Belfast", nil},
		{"time zones disagree", "timezone: Europe/Dublin\n", England, "Europe/London", false, true, "", "", []string{"line 1", "timezone is Europe/Dublin but HPP_TIMEZONE is Europe/London"}},
	}
	for _, tt := range tests {
		p, err := ParsePolicy([]byte(tt.yaml), tt.nation, tt.tz, tt.setNation, tt.setT)
		if tt.fragments != nil {
			if err == nil {
				t.Errorf("%s: no error", tt.name)
				continue
			}
			for _, f := range tt.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("%s: error %q does not contain %q", tt.name, err, f)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if p.Nation != tt.wantNation || p.Timezone != tt.wantTZ || p.Location().String() != tt.wantTZ {
			t.Errorf("%s: nation %q timezone %q (%v)", tt.name, p.Nation, p.Timezone, p.Location())
		}
		// The nation's candour defaults and holidays come with it.
		def := policyFor(t, tt.wantNation)
		if p.Candour != def.Candour || p.Holidays != def.Holidays {
			t.Errorf("%s: candour %+v holidays %q, want the %s defaults", tt.name, p.Candour, p.Holidays, tt.wantNation)
		}
	}
}

func TestParsePolicyEmpty(t *testing.T) {
	for _, text := range []string{"", "\n\n", "# nothing set yet\n# default_every: 7d\n", "---\n", "---\n# nothing set yet\n"} {
		for _, n := range []Nation{England, Scotland} {
			p, err := ParsePolicy([]byte(text), n, "Europe/London", true, true)
			if err != nil {
				t.Errorf("ParsePolicy(%q): %v", text, err)
				continue
			}
			got, want := *p, *policyFor(t, n)
			got.Calendar, want.Calendar = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParsePolicy(%q) for %s = %+v, want the defaults %+v", text, n, got, want)
			}
		}
	}
}

func TestParsePolicyCommitments(t *testing.T) {
	tests := []struct {
		yaml string
		want []string
	}{
		{"commitments: [culture, communication, support]\n", []string{CommitCommunication, CommitSupport, CommitCulture}},
		{"commitments: [improvement, investigation]\n", []string{CommitInvestigation, CommitImprovement}},
		{"commitments: [parallel, culture, improvement, investigation, support, communication]\n", AllCommitments},
		{"commitments: []\n", nil},
	}
	for _, tt := range tests {
		p, err := ParsePolicy([]byte(tt.yaml), England, "Europe/London", false, false)
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		if !reflect.DeepEqual(p.Commitments, tt.want) {
			t.Errorf("%q: Commitments = %v, want %v", tt.yaml, p.Commitments, tt.want)
		}
		for _, c := range AllCommitments {
			listed := false
			for _, w := range tt.want {
				listed = listed || w == c
			}
			if p.Enabled(c) != listed {
				t.Errorf("%q: Enabled(%s) = %v", tt.yaml, c, p.Enabled(c))
			}
		}
	}
}

func TestParsePolicyPartialCandour(t *testing.T) {
	// Keys left out of the candour section keep the nation's defaults.
	p, err := ParsePolicy([]byte("candour:\n  warn_before: 1wd\n"), Wales, "Europe/London", true, false)
	if err != nil {
		t.Fatal(err)
	}
	want := policyFor(t, Wales).Candour
	want.WarnBefore = Span{1, WorkingDay}
	if p.Candour != want {
		t.Errorf("candour = %+v, want %+v", p.Candour, want)
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(fullPolicy))
	f.Add([]byte("candour:\n  applies_from: low\n"))
	f.Add([]byte("support:\n  - {name: a, how: b}\n"))
	f.Add([]byte("working_days: [sat, sun]\nworking_hours: \"00:00-23:59\"\n"))
	f.Add([]byte("---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data, England, "Europe/London", false, false)
		if err != nil {
			if p != nil {
				t.Fatalf("a policy returned with an error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "policy file") {
				t.Fatalf("error does not say it is about the policy file: %v", err)
			}
			return
		}
		if p.Calendar == nil || p.EscalateAfter < 1 || p.WorkEnd <= p.WorkStart || len(p.WorkingDays) == 0 {
			t.Fatalf("parsed an unusable policy: %+v", p)
		}
	})
}

// TestCandourInRunningText: the duty's name reads in a sentence in every
// nation ("Being Open doesn't usually apply", not "the Being Open (not
// statutory) doesn't").
func TestCandourInRunningText(t *testing.T) {
	for n, want := range map[Nation]string{England: "the Duty of Candour", NorthernIreland: "Being Open"} {
		p, err := DefaultPolicy(n, "Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Candour.The(); got != want || strings.Contains(got, "(") && n == NorthernIreland {
			t.Errorf("%s: The() = %q, want %q", n, got, want)
		}
	}
}

// PolicyKeys lists every key of the policy file, nested ones included, once
// each and sorted.
func TestPolicyKeys(t *testing.T) {
	keys := PolicyKeys()
	for _, want := range []string{"nation", "default_every", "wellbeing_contact", "commitments", "notify_within", "closed_case_keep", "how"} {
		if !contains(keys, want) {
			t.Errorf("PolicyKeys lacks %q: %v", want, keys)
		}
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("PolicyKeys not sorted or repeats at %q, %q", keys[i-1], keys[i])
		}
	}
}
