package handlers

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// The same contact typed again within a few minutes is asked about, not
// logged twice; again=yes logs it; different details, or later, log at once.
func TestRepeatedCommandAsksFirst(t *testing.T) {
	f := newFixture(t)
	// Aware a week before, so a letter dated 20 November is part of the case.
	f.as("lee", "/hpp open INC-1 harm=moderate aware=2026-11-18 Fall")
	steps := []struct {
		advance  time.Duration
		line     string
		want     string
		contacts int
	}{
		{0, "/hpp contact HPP-1 via=phone Spoke with mum", "Contact logged", 1},
		{2 * time.Minute, "/hpp contact HPP-1 via=phone Spoke with mum", "That looks like the contact you logged for *HPP-1* at Wed 25 Nov, 10:00", 1},
		{0, "/hpp contact HPP-1 via=phone again=maybe Spoke with mum", "again= takes yes", 1},
		{0, "/hpp contact HPP-1 again=yes via=phone Spoke with mum", "Contact logged", 2},
		{0, "/hpp contact HPP-1 via=meeting Spoke with mum", "Contact logged", 3},
		{11 * time.Minute, "/hpp contact HPP-1 via=meeting Spoke with mum", "Contact logged", 4},
		{0, "/hpp candour HPP-1 update Shared the review date", "Recorded for *HPP-1*", 5},
		{time.Minute, "/hpp candour HPP-1 update Shared the review date", "That looks like the Duty of Candour update you logged", 5},
		{0, "/hpp contact HPP-1 via=letter on=2026-11-20 Letter sent", "Contact logged", 6},
		{time.Hour, "/hpp contact HPP-1 via=letter on=2026-11-20 Letter sent", "That looks like the contact you logged", 6},
	}
	for _, s := range steps {
		f.clock.now = f.clock.now.Add(s.advance)
		r := f.as("lee", s.line)
		if got := text(r); !strings.Contains(got, s.want) {
			t.Errorf("%q:\n%s\nwant %q", s.line, got, s.want)
		}
		c, err := f.st.GetCase(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if c.Contacts != s.contacts {
			t.Errorf("after %q: %d contacts, want %d", s.line, c.Contacts, s.contacts)
		}
	}
	// The question's button carries the command with again=yes, and
	// pressing it logs the second one.
	f.clock.now = f.clock.now.Add(time.Minute)
	f.as("lee", "/hpp contact HPP-1 via=video Second call")
	q := f.as("lee", "/hpp contact HPP-1 via=video Second call")
	if len(q.Buttons) != 2 || q.Buttons[0].Command != "contact HPP-1 again=yes via=video Second call" {
		t.Fatalf("buttons %+v", q.Buttons)
	}
	if got := text(f.as("lee", q.Buttons[0].Command)); !strings.Contains(got, "Contact logged") {
		t.Errorf("pressing Log it again: %s", got)
	}
}

// A Redis whose writes are held longer than a command waits: the command
// that landed is answered as saved (never "Nothing was saved"), and typing
// it again asks before logging it twice.
func TestStalledRedisNeverSaysNothingWasSavedForASave(t *testing.T) {
	direct := storetest.New(t)
	if direct.IsEmbedded() {
		t.Skip("needs a real Redis to put a proxy in front of")
	}
	o, err := store.Options(storetest.URL())
	if err != nil || len(o.Addrs) != 1 {
		t.Skipf("the test Redis is not a single server: %v", err)
	}
	if _, _, err := net.SplitHostPort(o.Addrs[0]); err != nil {
		t.Skip("the test Redis is not on TCP")
	}
	proxy := storetest.StartProxy(t, o.Addrs[0])
	slow, err := store.Connect(proxy.URL(), direct.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slow.Close() })

	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())}
	h := New(Config{Store: slow, Policy: p, Messenger: &recorder{}, Clock: clock.Now, Log: slog.New(slog.DiscardHandler)})
	as := func(line string) string {
		return h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:lee", Text: line}).PlainText()
	}
	if got := as("/hpp open INC-1 harm=moderate Fall"); !strings.Contains(got, "HPP-1 is open") {
		t.Fatalf("open: %s", got)
	}

	// Writes held 1 s, reads not: as seen.
	proxy.Hold(time.Second, store.ApplyScriptHash)
	for i, line := range []string{"/hpp contact HPP-1 via=phone Spoke with mum", "/hpp contact HPP-1 via=phone Spoke with mum"} {
		start := time.Now()
		got := as(line)
		took := time.Since(start)
		if strings.Contains(got, "Nothing was saved") {
			t.Errorf("typed %d: told %q", i+1, got)
		}
		want := []string{"Contact logged", "That looks like the contact you logged"}[i]
		if !strings.Contains(got, want) {
			t.Errorf("typed %d: %s\nwant %q", i+1, got, want)
		}
		if took > 3*time.Second {
			t.Errorf("typed %d: answered in %v, after Slack's 3 s", i+1, took)
		}
	}
	proxy.Hold(0)
	c, err := direct.GetCase(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Contacts != 1 {
		t.Errorf("%d contacts logged, want 1", c.Contacts)
	}
}
