package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// TestLongListShowsTheEarliest: a list longer than it shows says how many
// there are and shows the earliest deadlines, for an admin, a service's
// lead, and an admin picking out a service, with cases in other services
// and closed cases around them.
func TestLongListShowsTheEarliest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.as("admin", "/hpp service maternity lead=@pat")
	const n = 75
	for i := 1; i <= n; i++ {
		svc := "maternity"
		if i%5 == 0 {
			svc = "surgery"
		}
		f.as("sam", fmt.Sprintf("/hpp open INC-%d service=%s harm=low", i, svc))
		if i%7 == 0 {
			f.as("sam", fmt.Sprintf("/hpp close HPP-%d", i))
		}
		f.clock.Add(7 * time.Hour) // each case's first contact falls due later than the one before
	}
	var open, maternity []string
	for i := 1; i <= n; i++ {
		if i%7 == 0 {
			continue
		}
		open = append(open, fmt.Sprintf("HPP-%d", i))
		if i%5 != 0 {
			maternity = append(maternity, fmt.Sprintf("HPP-%d", i))
		}
	}
	caseName := regexp.MustCompile(`HPP-\d+`)
	for _, tc := range []struct {
		who, line string
		want      []string
	}{
		{"admin", "/hpp list all", open},
		{"pat", "/hpp list all", maternity},
		{"admin", "/hpp list all service=maternity", maternity},
		{"pat", "/hpp list all service=maternity", maternity},
	} {
		got := text(f.as(tc.who, tc.line))
		head := fmt.Sprintf("— %d cases; showing the first %d", len(tc.want), listMax)
		if !strings.Contains(got, head) {
			t.Errorf("%s %q: want %q in:\n%s", tc.who, tc.line, head, got)
		}
		shown := caseName.FindAllString(got, -1)
		deadline := func(name string) time.Time {
			id, _ := pathway.ParseCaseID(name)
			c, err := f.st.GetCase(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return c.Deadline()
		}
		want := slices.Clone(tc.want)
		slices.SortStableFunc(want, func(a, b string) int { return deadline(a).Compare(deadline(b)) })
		last := deadline(want[listMax-1])
		if len(shown) != listMax {
			t.Fatalf("%s %q shows %d cases, want %d", tc.who, tc.line, len(shown), listMax)
		}
		for i, name := range shown {
			if !slices.Contains(tc.want, name) || deadline(name).After(last) || i > 0 && deadline(name).Before(deadline(shown[i-1])) {
				t.Errorf("%s %q shows %v, want the earliest deadlines first, %v", tc.who, tc.line, shown, want[:listMax])
				break
			}
		}
	}
}
