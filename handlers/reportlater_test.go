package handlers

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
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

// countingStore is a store that counts the reports reading it at once.
type countingStore struct {
	*store.Store
	now, most atomic.Int32
}

func (s *countingStore) EachActive(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, fn func([]*pathway.Case, map[int64][]pathway.Event)) (int, int, error) {
	n := s.now.Add(1)
	defer s.now.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	time.Sleep(20 * time.Millisecond) // long enough for the others to start, were they let
	return s.Store.EachActive(ctx, from, to, keep, fn)
}

// TestLargeReportsTakeTurns: many people asking for a large report at once
// are each answered at once, and the figures are worked out a few at a
// time; every one of them arrives.
func TestLargeReportsTakeTurns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.as("sam", "/hpp open INC-1 service=maternity harm=moderate")
	f.as("sam", "/hpp open INC-2 service=maternity harm=moderate")
	cs := &countingStore{Store: f.st}
	h := New(Config{Store: cs, Policy: f.h.Policy, Messenger: f.sent, Admins: []string{"admin"}, Clock: f.clock.Now})
	h.atOnceMax = 1
	const n = 8
	for range n {
		if got := h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:admin", Text: "/hpp report days=30"}).PlainText(); !strings.HasPrefix(got, "Working on it") {
			t.Fatalf("answer %q", got)
		}
	}
	h.Wait()
	if got := len(f.sent.to("console:admin")); got != n {
		t.Errorf("%d sets of figures sent, want %d", got, n)
	}
	if most := cs.most.Load(); most > reportsAtOnce {
		t.Errorf("%d reports were worked out at once, want at most %d", most, reportsAtOnce)
	}
}
