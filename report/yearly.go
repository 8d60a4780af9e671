package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hppbot/pathway"
)

// The yearly candour counts follow the Welsh duty of candour, whose annual
// reports run by financial year: 1 April to 31 March. Each case belongs to
// the year in which the organisation became aware of the incident — when
// the duty is triggered.

// FinancialYear returns the financial year starting on 1 April of
// startYear: from 1 April 00:00 (inclusive) to the next 1 April (exclusive),
// in loc.
func FinancialYear(startYear int, loc *time.Location) (from, to time.Time) {
	from = time.Date(startYear, time.April, 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(1, 0, 0)
}

// FinancialYearOf returns the first calendar year of the financial year
// holding t: 2026 for any day from 1 April 2026 to 31 March 2027.
func FinancialYearOf(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// FinancialYearLabel writes a financial year as people do: 2026–27.
func FinancialYearLabel(startYear int) string {
	return fmt.Sprintf("%d–%02d", startYear, (startYear+1)%100)
}

// YearRow is one service's candour counts for a year.
type YearRow struct {
	Service        string // "" for cases recorded without a service
	DutyApplied    int    // cases where the duty applied
	Notified       int    // of those, notifications recorded
	NotifiedOnTime int    // of those, within the deadline
	Written        int    // of those, written notifications recorded
	WrittenOnTime  int    // of those, within the deadline
	NotApplying    int    // cases recorded as not applying, with a reason
}

// Add adds another row's counts to r.
func (r *YearRow) Add(o YearRow) {
	r.DutyApplied += o.DutyApplied
	r.Notified += o.Notified
	r.NotifiedOnTime += o.NotifiedOnTime
	r.Written += o.Written
	r.WrittenOnTime += o.WrittenOnTime
	r.NotApplying += o.NotApplying
}

// Yearly counts, per service, the cases whose organisation became aware in
// [from, to). Rows are sorted by service, with cases without one last.
func Yearly(cases []*pathway.Case, from, to time.Time, loc *time.Location) []YearRow {
	rows := map[string]*YearRow{}
	row := func(svc string) *YearRow {
		r, ok := rows[svc]
		if !ok {
			r = &YearRow{Service: svc}
			rows[svc] = r
		}
		return r
	}
	for _, c := range cases {
		if c.Aware.Before(from) || !c.Aware.Before(to) {
			continue
		}
		switch {
		case c.NotNeeded != "":
			row(c.Service).NotApplying++
		case c.DutyApplies:
			r := row(c.Service)
			r.DutyApplied++
			if !c.Notified.IsZero() {
				r.Notified++
				if pathway.WithinDeadline(c.Notified, c.NotifyDue, loc) {
					r.NotifiedOnTime++
				}
			}
			if !c.Written.IsZero() {
				r.Written++
				if pathway.WithinDeadline(c.Written, c.WrittenDue, loc) {
					r.WrittenOnTime++
				}
			}
		}
	}
	out := make([]YearRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	return SortRows(out)
}

// SortRows sorts rows by service, with cases without one last.
func SortRows(out []YearRow) []YearRow {
	slices.SortFunc(out, func(a, b YearRow) int {
		switch {
		case a.Service == b.Service:
			return 0
		case a.Service == "":
			return 1
		case b.Service == "":
			return -1
		case a.Service < b.Service:
			return -1
		}
		return 1
	})
	return out
}

// YearlyCSV writes the rows as CSV with a header, one row per service and a
// total.
func YearlyCSV(startYear int, rows []YearRow) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	// A plain hyphen, not the en dash people write: spreadsheets opening
	// CSV as a legacy code page would garble it.
	label := strings.ReplaceAll(FinancialYearLabel(startYear), "–", "-")
	header := []string{"financial_year", "service", "duty_applied", "notifications_made", "notifications_within_deadline",
		"written_notifications_made", "written_within_deadline", "recorded_as_not_applying_with_reason"}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	var total YearRow
	line := func(service string, r YearRow) []string {
		return SafeRow([]string{label, service, strconv.Itoa(r.DutyApplied), strconv.Itoa(r.Notified), strconv.Itoa(r.NotifiedOnTime),
			strconv.Itoa(r.Written), strconv.Itoa(r.WrittenOnTime), strconv.Itoa(r.NotApplying)})
	}
	for _, r := range rows {
		total.Add(r)
		svc := r.Service
		if svc == "" {
			svc = "(no service)"
		}
		if err := w.Write(line(svc, r)); err != nil {
			return nil, err
		}
	}
	if err := w.Write(line("all services", total)); err != nil {
		return nil, err
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// SafeCell protects a CSV cell from formula injection: a spreadsheet would
// run a cell that starts with = + - @ (or a tab or carriage return) as a
// formula, so such a cell gets a leading single quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// SafeRow applies SafeCell to every cell.
func SafeRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = SafeCell(c)
	}
	return out
}
