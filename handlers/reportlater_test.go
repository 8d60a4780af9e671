package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

// TestLargeReportAnswersAtOnce: with more cases than a report works out
// while the person waits, it says at once that the figures follow, and
// sends them to the person who asked — the same figures the report gives
// when it answers directly.
func TestLargeReportAnswersAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for _, ref := range []string{"INC-1", "INC-2", "INC-3"} {
		f.as("sam", "/hpp open "+ref+" service=maternity harm=moderate")
	}
	f.clock.Add(time.Hour)
	direct := f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:admin", Text: "/hpp report days=30"})
	if !strings.Contains(direct.PlainText(), "Opened: 3") {
		t.Fatalf("a report over 3 cases, worked out while the person waits:\n%s", direct.PlainText())
	}

	f.h.atOnceMax = 2
	for _, tc := range []struct {
		personal bool
		where    string
	}{{false, "to you in a direct message"}, {true, "here"}} {
		before := len(f.sent.to("console:admin"))
		answer := f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:admin", Text: "/hpp report days=30", Personal: tc.personal})
		if got := answer.PlainText(); !strings.HasPrefix(got, "Working on it") || !strings.Contains(got, "figures "+tc.where+" in a moment") || len(answer.Files) > 0 {
			t.Errorf("personal %v: the answer is %q, want it to say at once that the figures follow %s", tc.personal, got, tc.where)
		}
		f.h.Wait()
		sent := f.sent.to("console:admin")
		if len(sent) != before+1 {
			t.Fatalf("personal %v: %d messages sent after the answer, want 1", tc.personal, len(sent)-before)
		}
		later := sent[len(sent)-1]
		if later.PlainText() != direct.PlainText() || len(later.Files) != len(direct.Files) {
			t.Errorf("personal %v: the figures sent after differ from those answered directly:\n%s\n---\n%s", tc.personal, later.PlainText(), direct.PlainText())
		}
	}

	// Someone who may not see the figures is told so at once, as before.
	refused := f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:kit", Text: "/hpp report days=30"})
	if strings.Contains(refused.PlainText(), "Working on it") {
		t.Errorf("a person with no report to see was told it is being worked on: %q", refused.PlainText())
	}
	f.h.Wait()
}
