package app

import (
	"context"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

// inbox is a Messenger that keeps what hppbot sends, by recipient.
type inbox struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (b *inbox) SendDirect(_ context.Context, to string, r bot.Reply) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent[to] = append(b.sent[to], r.PlainText())
	return nil
}

func (b *inbox) PostChannel(ctx context.Context, to string, r bot.Reply) error {
	return b.SendDirect(ctx, to, r)
}

func (b *inbox) to(person string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.sent[person], "\n")
}

// TestNewRegistersTheCheckinJob: a case opened with someone involved
// schedules their check-in, and the scheduler New built runs it.
func TestNewRegistersTheCheckinJob(t *testing.T) {
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, p.Location())
	box := &inbox{sent: map[string][]string{}}
	a := New(Config{Store: storetest.New(t), Policy: p, Messenger: box, Clock: func() time.Time { return wednesday }, Workers: 1})
	ctx := context.Background()
	open := a.Handlers.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:lee",
		Text: "/hpp open INC-1 harm=moderate involved=@sam Synthetic fall on the ward"})
	if !strings.Contains(open.PlainText(), "HPP-1 is open") {
		t.Fatalf("open: %s", open.PlainText())
	}
	friday := wednesday.Add(48 * time.Hour)
	if _, err := a.Scheduler.Tick(ctx, friday); err != nil {
		t.Fatal(err)
	}
	got := box.to("console:sam")
	for _, want := range []string{"A private check-in from hppbot, since you were involved in *HPP-1*.", "How are you doing right now?"} {
		if !strings.Contains(got, want) {
			t.Errorf("sam's messages after the tick lack %q:\n%s", want, got)
		}
	}
}

// TestSurfacesReachHandlersOnlyThroughBot keeps the dependency direction:
// no file under a surface, tests included, imports handlers, and app
// (which the surfaces' tests import) imports no surface.
func TestSurfacesReachHandlersOnlyThroughBot(t *testing.T) {
	surfaces := []string{"hppbot/bot/slack", "hppbot/bot/teams", "hppbot/bot/console"}
	tests := []struct {
		glob      string
		forbidden []string
	}{
		{"../bot/slack/*.go", []string{"hppbot/handlers"}},
		{"../bot/teams/*.go", []string{"hppbot/handlers"}},
		{"../bot/console/*.go", []string{"hppbot/handlers"}},
		{"*.go", surfaces},
	}
	for _, tt := range tests {
		files, err := filepath.Glob(tt.glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no files (%v)", tt.glob, err)
		}
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					t.Fatal(err)
				}
				for _, bad := range tt.forbidden {
					if path == bad {
						t.Errorf("%s imports %s", name, bad)
					}
				}
			}
		}
	}
}
