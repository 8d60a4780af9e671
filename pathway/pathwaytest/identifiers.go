// Package pathwaytest gives the surfaces' tests patient identifiers to try
// against the guard: synthetic ones only (NHS numbers in the test range
// 999 000 0000–999 999 9999), written in the ways that once got through
// (issue 20). It computes check digits itself, apart from the code it tests.
package pathwaytest

import (
	"fmt"
	"strings"
)

// NHSNumber is a valid NHS number in the test range, 999 476 xxxx: ten
// ASCII digits.
func NHSNumber() string {
	for i := 5910; ; i++ {
		nine := fmt.Sprintf("999476%03d", i%1000)
		sum := 0
		for k := 0; k < 9; k++ {
			sum += int(nine[k]-'0') * (10 - k)
		}
		switch c := 11 - sum%11; c {
		case 10:
			continue
		case 11:
			return nine + "0"
		default:
			return fmt.Sprintf("%s%d", nine, c)
		}
	}
}

// Variant is an identifier as someone might type it.
type Variant struct {
	Name string // what is odd about it
	Text string // as typed
	// Plain are the forms the guard reads it as; none may be stored either.
	Plain []string
}

// Variants are the identifiers issue 20 saw stored through Slack and Teams,
// written with a synthetic number: dots between the groups, zero-width
// spaces or soft hyphens between them, full-width digits, Arabic-Indic
// digits, and a postcode with a zero-width or no-break space inside.
func Variants() []Variant {
	n := NHSNumber()
	groups := func(sep string) string { return n[:3] + sep + n[3:6] + sep + n[6:] }
	number := []string{n, groups(" ")}
	postcode := []string{"SW1A 1AA", "SW1A1AA"}
	return []Variant{
		{"dots between groups", groups("."), number},
		{"zero-width spaces between groups", groups("\u200b"), number},
		{"soft hyphens between groups", groups("\u00ad"), number},
		{"full-width digits", inScript(n, '０'), number},
		{"Arabic-Indic digits", inScript(n, '٠'), number},
		{"postcode with a zero-width space", "SW1A\u200b1AA", postcode},
		{"postcode with a no-break space", "SW1A\u00a01AA", postcode},
	}
}

// inScript writes the ASCII digits of s in the script whose zero is zero.
func inScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}
