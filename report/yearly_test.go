package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"hppbot/pathway"
)

func TestFinancialYear(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	from, to := FinancialYear(2026, loc)
	if got := from.Format("2006-01-02 15:04 MST"); got != "2026-04-01 00:00 BST" {
		t.Errorf("from = %s", got)
	}
	if got := to.Format("2006-01-02 15:04 MST"); got != "2027-04-01 00:00 BST" {
		t.Errorf("to = %s", got)
	}
	for in, want := range map[string]int{"2026-03-31": 2025, "2026-04-01": 2026, "2026-12-31": 2026, "2027-01-15": 2026} {
		d, _ := time.ParseInLocation("2006-01-02", in, loc)
		if got := FinancialYearOf(d, loc); got != want {
			t.Errorf("FinancialYearOf(%s) = %d, want %d", in, got, want)
		}
	}
	if got := FinancialYearLabel(2026); got != "2026–27" {
		t.Errorf("label = %q", got)
	}
	if got := FinancialYearLabel(2099); got != "2099–00" {
		t.Errorf("label = %q", got)
	}
}

func TestYearly(t *testing.T) {
	p, err := pathway.DefaultPolicy(pathway.Wales, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, loc); return d }
	at := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02 15:04", s, loc); return d }
	open := func(service string, harm pathway.Harm, aware string) *pathway.Case {
		c, _, err := pathway.Open(pathway.OpenInput{Ref: "INC-9", Service: service, Harm: harm, Aware: day(aware)}, "console:sam", p, at(aware+" 10:00"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var cases []*pathway.Case
	// maternity: three where the duty applied (Wales: from low harm).
	a := open("maternity", pathway.HarmLow, "2026-05-04")
	if _, err := a.RecordCandour(pathway.CandourNotified, "", time.Time{}, "console:sam", p, at("2026-05-05 10:00")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RecordCandour(pathway.CandourWritten, "", time.Time{}, "console:sam", p, at("2026-05-08 10:00")); err != nil {
		t.Fatal(err)
	}
	b := open("maternity", pathway.HarmSevere, "2026-06-01")
	if _, err := b.RecordCandour(pathway.CandourNotified, "", time.Time{}, "console:sam", p, at("2026-06-30 10:00")); err != nil { // late
		t.Fatal(err)
	}
	c := open("maternity", pathway.HarmModerate, "2027-03-31") // last day of the year, nothing yet
	d := open("maternity", pathway.HarmModerate, "2026-07-01")
	if _, err := d.RecordCandour(pathway.CandourNA, "reviewed: not caused by care", time.Time{}, "console:sam", p, at("2026-07-02 10:00")); err != nil {
		t.Fatal(err)
	}
	e := open("maternity", pathway.HarmNone, "2026-08-03")        // no harm: neither
	f := open("emergency-dept", pathway.HarmDeath, "2026-09-01")  // another service
	g := open("", pathway.HarmModerate, "2026-10-01")             // no service
	before := open("maternity", pathway.HarmSevere, "2026-03-31") // the year before
	after := open("maternity", pathway.HarmSevere, "2026-04-01")  // first day: counts
	after.Aware = day("2027-04-01")                               // …moved to the next year: doesn't
	cases = append(cases, a, b, c, d, e, f, g, before, after)
	from, to := FinancialYear(2026, loc)
	rows := Yearly(cases, from, to, loc)
	want := []YearRow{
		{Service: "emergency-dept", DutyApplied: 1},
		{Service: "maternity", DutyApplied: 3, Notified: 2, NotifiedOnTime: 1, Written: 1, WrittenOnTime: 1, NotApplying: 1},
		{Service: "", DutyApplied: 1},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("rows = %+v\nwant %+v", rows, want)
	}

	data, err := YearlyCSV(2026, rows)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not read back: %v", err)
	}
	if len(records) != 5 {
		t.Fatalf("%d records, want header + 3 rows + total", len(records))
	}
	if got := records[2]; !slices.Equal(got, []string{"2026-27", "maternity", "3", "2", "1", "1", "1", "1"}) {
		t.Errorf("maternity row = %q", got)
	}
	if got := records[4]; !slices.Equal(got, []string{"2026-27", "all services", "5", "2", "1", "1", "1", "1"}) {
		t.Errorf("total row = %q", got)
	}
	if records[3][1] != "(no service)" {
		t.Errorf("no-service row = %q", records[3])
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+44 1234":          "'+44 1234",
		"-1":                "'-1",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tx":               "'\tx",
		"called the family": "called the family",
		"":                  "",
		"2026-11-25":        "2026-11-25",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
