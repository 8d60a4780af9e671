package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

// TestUnreadableRecordsAreCountedLoggedAndToldOnce: a corrupt case and a
// corrupt timeline entry, read many times by lists, reports and ticks, are
// counted each time, logged by key (never content) and told to each admin
// once.
func TestUnreadableRecordsAreCountedLoggedAndToldOnce(t *testing.T) {
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	st := storetest.New(t)
	box := &inbox{sent: map[string][]string{}}
	var logs bytes.Buffer
	a := New(Config{Store: st, Policy: p, Messenger: box, Admins: []string{"console:ada", " @console:bo "},
		Clock: func() time.Time { return wednesday }, Workers: 1, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	ctx := context.Background()
	run := func(person, line string) string {
		return a.Handlers.Handle(ctx, bot.Request{Surface: bot.Console, Person: person, Text: line}).PlainText()
	}
	for _, line := range []string{"/hpp open INC-1 harm=moderate", "/hpp open INC-2 harm=moderate"} {
		if got := run("console:lee", line); !strings.Contains(got, "is open") {
			t.Fatalf("%s: %s", line, got)
		}
	}
	rdb := st.Client()
	if err := rdb.Set(ctx, st.CaseKey(2), "secret-looking junk 9990000018", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if got := run("console:lee", "/hpp list"); !strings.Contains(got, "1 case could not be read — admins have been told.") {
			t.Fatalf("list: %s", got)
		}
		run("console:ada", "/hpp report")
		if _, err := a.Scheduler.Tick(ctx, wednesday.Add(24*time.Hour+time.Duration(i)*2*time.Hour)); err != nil {
			t.Fatalf("tick %d: %v", i, err)
		}
	}
	a.telling.Wait()
	for _, admin := range []string{"console:ada", "console:bo"} {
		got := box.sent[admin]
		if len(got) != 1 {
			t.Fatalf("%s was told %d times:\n%s", admin, len(got), strings.Join(got, "\n"))
		}
		for _, want := range []string{"I couldn't read the record of HPP-2 in Redis (key " + st.CaseKey(2) + ")", "set it aside", "docs/operations.md", "30 days"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("%s's notice lacks %q:\n%s", admin, want, got[0])
			}
		}
	}
	if strings.Contains(logs.String(), "secret-looking") || strings.Contains(logs.String(), "9990000018") {
		t.Errorf("the log holds the record's content:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"record set aside: it could not be read","kind":"case","key":"`+st.CaseKey(2)+`"`) {
		t.Errorf("the log does not name the key:\n%s", logs.String())
	}

	// A timeline entry that is not an event: the timeline still shows, and
	// the admins are told once about it too.
	part := strings.TrimSuffix(st.CaseKey(1), "case:1")
	entry, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: part + "events", Values: []any{"c", "1", "e", "junk"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := rdb.HGet(ctx, part+"tl", "1").Result()
	if err != nil || rdb.HSet(ctx, part+"tl", "1", ids+entry+" ").Err() != nil {
		t.Fatalf("timeline index: %q, %v", ids, err)
	}
	for i := 0; i < 2; i++ {
		if got := run("console:lee", "/hpp timeline HPP-1"); !strings.Contains(got, "HPP-1") || strings.Contains(got, "junk") {
			t.Fatalf("timeline: %s", got)
		}
	}
	a.telling.Wait()
	if got := box.sent["console:ada"]; len(got) != 2 || !strings.Contains(got[1], "I couldn't read one entry of HPP-1's timeline in Redis (key "+part+"events, entry "+entry+"), so I've left it out") {
		t.Errorf("ada's notices:\n%s", strings.Join(got, "\n"))
	}

	rec := httptest.NewRecorder()
	a.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{`hpp_unreadable_records_total{kind="event"} 2`, `hpp_unreadable_records_total{kind="job"} 0`} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, `hpp_unreadable_records_total{kind="case"} 0`) || !strings.Contains(text, `hpp_unreadable_records_total{kind="case"}`) {
		t.Errorf("/metrics does not count the unreadable case:\n%s", grepLines(text, "hpp_unreadable"))
	}
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
