package pathway

import (
	"strings"
	"testing"
	"time"
)

func TestRetentionDefaults(t *testing.T) {
	p := policyFor(t, England)
	want := Retention{ClosedCaseKeep: Span{13, Month}, SettingsKeep: Span{13, Month}, PurgeAuditKeep: Span{240, Month}}
	if p.Retention != want {
		t.Errorf("defaults: %+v, want %+v", p.Retention, want)
	}
	if err := p.Retention.check(); err != nil {
		t.Errorf("the defaults fail their own check: %v", err)
	}
}

func TestPurgeCutoffAndDue(t *testing.T) {
	p := policyFor(t, England)
	tests := []struct {
		keep        Span
		now, cutoff string
		closed, due string
	}{
		// Thirteen months back in local time, across a clock change.
		{Span{13, Month}, "2026-03-02 03:00", "2025-02-02 03:00", "2025-02-02 03:00", "2026-03-02 03:00"},
		// The end of a longer month clamps to the shorter one.
		{Span{1, Month}, "2026-03-31 12:00", "2026-02-28 12:00", "2026-01-31 12:00", "2026-02-28 12:00"},
		{Span{30, Day}, "2026-04-10 09:00", "2026-03-11 09:00", "2026-03-29 09:00", "2026-04-28 09:00"},
		{Span{6, Week}, "2026-07-15 09:00", "2026-06-03 09:00", "2026-06-03 09:00", "2026-07-15 09:00"},
	}
	for _, tt := range tests {
		p.Retention.ClosedCaseKeep = tt.keep
		if got := p.PurgeCutoff(at(t, strings.Fields(tt.now)[0], strings.Fields(tt.now)[1])); !got.Equal(at(t, strings.Fields(tt.cutoff)[0], strings.Fields(tt.cutoff)[1])) {
			t.Errorf("%s at %s: cutoff %v, want %s", tt.keep, tt.now, got, tt.cutoff)
		}
		if got := p.PurgeDue(at(t, strings.Fields(tt.closed)[0], strings.Fields(tt.closed)[1])); !got.Equal(at(t, strings.Fields(tt.due)[0], strings.Fields(tt.due)[1])) {
			t.Errorf("%s closed %s: due %v, want %s", tt.keep, tt.closed, got, tt.due)
		}
	}
	now := at(t, "2026-03-02", "03:00")
	if d := p.SettingsTTL(now); d < 390*24*time.Hour || d > 400*24*time.Hour {
		t.Errorf("settings kept %v from now, want about 13 months", d)
	}
	if d := p.PurgeAuditTTL(now); d < 20*365*24*time.Hour || d > 20*366*24*time.Hour {
		t.Errorf("audit lines kept %v from now, want about 20 years", d)
	}
}

func TestParseRetention(t *testing.T) {
	tests := []struct {
		file, want, err string
	}{
		{"retention:\n  closed_case_keep: 2mo\n", "2mo 13mo 240mo", ""},
		{"retention:\n  settings_keep: 400d\n  purge_audit_keep: 520w\n", "13mo 400d 520w", ""},
		{"retention:\n  closed_case_keep: 7d\n", "", "closed_case_keep: 7d is too short — the least is 30d"},
		{"retention:\n  closed_case_keep: 2000h\n", "", "should be in days, weeks or months"},
		{"retention:\n  closed_case_keep: 10wd\n", "", "should be in days, weeks or months"},
		{"retention:\n  keep_forever: yes\n", "", `unknown key "retention.keep_forever"`},
		{"retention: 13mo\n", "", "retention: expected keys such as closed_case_keep: 13mo"},
		{"retention:\n  closed_case_keep: soon\n", "", "(under retention)"},
	}
	for _, tt := range tests {
		p, err := ParsePolicy([]byte(tt.file), England, "Europe/London", false, false)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one saying %q", tt.file, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.file, err)
			continue
		}
		r := p.Retention
		if got := r.ClosedCaseKeep.String() + " " + r.SettingsKeep.String() + " " + r.PurgeAuditKeep.String(); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.file, got, tt.want)
		}
	}
}
