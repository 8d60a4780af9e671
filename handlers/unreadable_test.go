package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A case whose record cannot be read is left out of lists and reports,
// which say so in a plain line; a command on that case says what happened
// and what to do, never an internal error.
func TestUnreadableCaseIsNamedNotFatal(t *testing.T) {
	f := newFixture(t)
	for _, line := range []string{
		"/hpp open INC-1 service=maternity harm=moderate",
		"/hpp open INC-2 service=maternity harm=severe",
		"/hpp open INC-3 service=maternity harm=moderate",
	} {
		if r := f.as("lee", line); !strings.Contains(text(r), "is open") {
			t.Fatalf("%s: %s", line, text(r))
		}
	}
	if err := f.st.Client().Set(context.Background(), f.st.CaseKey(2), "not a case record", 0).Err(); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(60 * 24 * time.Hour) // everything overdue
	const skipped = "1 case could not be read — admins have been told."
	tests := []struct {
		person, line string
		want         []string
	}{
		{"lee", "/hpp list", []string{"Your open cases* — 2 cases", "HPP-1", "HPP-3", skipped + " It is left out of this list."}},
		{"lee", "/hpp list mine", []string{"HPP-1", "HPP-3", skipped}},
		{"admin", "/hpp list all", []string{"Open cases you can see* — 2 cases", skipped}},
		{"admin", "/hpp list all service=maternity", []string{"HPP-1", "HPP-3", skipped}},
		{"lee", "/hpp list overdue", []string{"HPP-1", "HPP-3", skipped}},
		{"admin", "/hpp report", []string{"Learning figures", skipped + " It is left out of these figures."}},
		{"admin", "/hpp report yearly", []string{"yearly counts", skipped + " It is left out of these counts."}},
		{"lee", "/hpp status HPP-2", []string{"I can't read HPP-2's record just now, so I've set it aside.", "The hppbot admins have been told"}},
		{"lee", "/hpp contact HPP-2 via=phone Spoke with the family", []string{"I can't read HPP-2's record just now"}},
		{"lee", "/hpp timeline HPP-2", []string{"I can't read HPP-2's record just now"}},
		{"lee", "/hpp status HPP-1", []string{"HPP-1", "INC-1"}},
	}
	for _, tt := range tests {
		r := f.as(tt.person, tt.line)
		got := text(r)
		for _, want := range tt.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s as %s lacks %q:\n%s", tt.line, tt.person, want, got)
			}
		}
		for _, never := range []string{"not a case record", "Something went wrong", "HPP-2 —", "INC-2"} {
			if strings.Contains(got, never) {
				t.Errorf("%s as %s shows %q:\n%s", tt.line, tt.person, never, got)
			}
		}
	}
	if strings.Contains(f.logs.String(), "not a case record") {
		t.Errorf("the log holds the record's content:\n%s", f.logs.String())
	}
}

// Lists that find nothing readable say so, rather than "no open cases".
func TestListWithOnlyAnUnreadableCase(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 harm=moderate")
	if err := f.st.Client().Set(context.Background(), f.st.CaseKey(1), "{", 0).Err(); err != nil {
		t.Fatal(err)
	}
	got := text(f.as("lee", "/hpp list"))
	for _, want := range []string{"Your open cases: none I could read.", "1 case could not be read — admins have been told."} {
		if !strings.Contains(got, want) {
			t.Errorf("list lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "You have no open cases") {
		t.Errorf("list says there are no cases:\n%s", got)
	}
}

// A timeline entry that is not an event is left out of the timeline, the
// export and the report, each of which says so; the case still reads.
func TestUnreadableTimelineEntryIsNamed(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-1 service=maternity harm=moderate")
	f.as("lee", "/hpp contact HPP-1 via=phone Spoke with the family")
	ctx := context.Background()
	rdb := f.st.Client()
	part := strings.TrimSuffix(f.st.CaseKey(1), "case:1")
	entry, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: part + "events", Values: []any{"c", "1", "e", "garbled entry"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := rdb.HGet(ctx, part+"tl", "1").Result()
	if err != nil || rdb.HSet(ctx, part+"tl", "1", ids+entry+" ").Err() != nil {
		t.Fatalf("timeline index: %q, %v", ids, err)
	}
	f.clock.Add(time.Hour)
	tests := []struct {
		person, line string
		want         []string
	}{
		{"lee", "/hpp timeline HPP-1", []string{"2 events", "1 timeline entry could not be read — admins have been told. It is left out of this timeline."}},
		{"lee", "/hpp export HPP-1", []string{"2 events", "1 timeline entry could not be read — admins have been told. It is left out of these files."}},
		{"admin", "/hpp report", []string{"Learning figures", "1 timeline entry could not be read — admins have been told. It is left out of these figures."}},
		{"lee", "/hpp status HPP-1", []string{"INC-1"}},
	}
	for _, tt := range tests {
		got := text(f.as(tt.person, tt.line))
		for _, want := range tt.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s lacks %q:\n%s", tt.line, want, got)
			}
		}
		if strings.Contains(got, "garbled") || strings.Contains(got, "Something went wrong") {
			t.Errorf("%s:\n%s", tt.line, got)
		}
	}
}
