package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"hppbot/bot"
	"hppbot/pathway"
)

// people returns n console mentions: "@p1 @p2 ...", joined by sep.
func people(n int, sep string) string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("@p%d", i))
	}
	return strings.Join(out, sep)
}

func TestEveryInputIsBounded(t *testing.T) {
	note := strings.Repeat("n", pathway.MaxNoteLen+1)
	summary := strings.Repeat("s", pathway.MaxSummaryLen+1)
	tests := []struct {
		line string
		want string
	}{
		{"/hpp contact HPP-1 " + strings.Repeat("x", MaxLine), "too long for me to read"},
		{"/hpp open INC-2 harm=low " + summary, "The summary is 501 characters long"},
		{"/hpp open " + strings.Repeat("R", pathway.MaxRefLen+1) + " harm=low", "incident reference"},
		{"/hpp contact HPP-1 via=phone " + note, "The note is 1001 characters long"},
		{"/hpp plan HPP-1 every=1w " + note, "The note is 1001 characters long"},
		{"/hpp candour HPP-1 notified " + note, "The note is 1001 characters long"},
		{"/hpp candour HPP-1 na " + note, "1001 characters long"},
		{"/hpp family HPP-1 support " + note, "The note is 1001 characters long"},
		{"/hpp family HPP-1 parallel=claim " + note, "The note is 1001 characters long"},
		{"/hpp close HPP-1 " + note, "The note is 1001 characters long"},
		{"/hpp involve HPP-1 " + people(MaxMentions+1, " "), "more than 25 people"},
		{"/hpp involve HPP-1 " + people(MaxMentions+1, ","), "more than 25 people"},
		{"/hpp open INC-3 involved=" + people(MaxMentions+1, ","), "more than 25 people"},
		{"/hpp open INC-3 involved=" + people(pathway.MaxInvolved+1, ","), "up to 20 staff involved"},
		// 15 in involved= and 10 more as mentions: 25 staff, over the 20 a case holds.
		{"/hpp open INC-3 involved=" + people(15, ",") + " " + strings.ReplaceAll(people(10, " "), "@p", "@q"), "That's 25 people; I can record up to 20 staff involved"},
		{"/hpp involve HPP-1 " + people(pathway.MaxInvolved, " "), "more than 20 staff involved"},
		{"/hpp service " + strings.Repeat("s", pathway.MaxService+1) + " lead=@pat", "service name"},
		{"/hpp lead HPP-1 @" + strings.Repeat("a", 41), "isn't a name I can use"},
	}
	for _, tt := range tests {
		name := tt.line
		if len(name) > 60 {
			name = name[:60] + "…"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.as("admin", "/hpp open INC-1 involved=@sam harm=moderate Fall")
			version, events := f.caseState(t, 1)
			got := text(f.as("admin", tt.line))
			if !strings.Contains(got, tt.want) {
				t.Fatalf("reply:\n%s\nwant %q", got, tt.want)
			}
			if len(got) > 600 {
				t.Errorf("the refusal is %d characters: it should not echo the input back", len(got))
			}
			if v, n := f.caseState(t, 1); v != version || n != events {
				t.Errorf("a refused command changed the case")
			}
			if n, err := f.st.CountOpen(context.Background()); err != nil || n != 1 {
				t.Errorf("%d open cases after a refusal (%v); want 1", n, err)
			}
		})
	}
}

func TestLongDisplayNamesAreNotKept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	long := strings.Repeat("N", 201)
	f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:lee", Name: long, Text: "/hpp help"})
	f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:sam", Name: "Sam", Text: "/hpp help"})
	got := f.st.Names().Lookup(ctx, []string{"console:lee", "console:sam"})
	if _, ok := got["console:lee"]; ok || got["console:sam"] != "Sam" {
		t.Errorf("names kept: %v; want only the short one", got)
	}
}
