package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// FuzzSafeCSV checks that any note written through SafeRow and encoding/csv
// reads back as written, and that no cell a spreadsheet reads can start a
// formula.
func FuzzSafeCSV(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+44 20", "-", "@SUM(A1)", "\tx", "\r\n=x", "a,b", "\"quoted\"", "line\nbreak", "“curly”"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, '\r') {
			// encoding/csv turns \r\n into \n inside quoted fields, by design.
			return
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		if err := w.Write(SafeRow([]string{s, "x"})); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("%q does not read back: %v", s, err)
		}
		if len(rows) != 1 || len(rows[0]) != 2 || rows[0][0] != SafeCell(s) {
			t.Fatalf("%q read back as %q", s, rows)
		}
		if got := rows[0][0]; got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("%q reads back as a formula: %q", s, got)
		}
	})
}
