package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

func TestHome(t *testing.T) {
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, p.Location()) // a Monday
	h := New(Config{Store: st, Policy: p, Clock: func() time.Time { return now }})
	ctx := context.Background()
	me := "slack:U0LEAD"

	empty := h.Home(ctx, me)
	if !strings.Contains(empty.Text, "You have no open cases") || len(empty.Buttons) != 1 || empty.Buttons[0].Form == nil {
		t.Fatalf("empty home: %+v", empty)
	}

	run := func(text string) {
		t.Helper()
		if _, err := h.Run(ctx, bot.Request{Surface: bot.Slack, Person: me, Text: text}); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	run("open INC-1 First case")
	now = now.Add(10 * 24 * time.Hour) // the first case's first contact is now overdue
	run("open INC-2 Second case")
	if _, err := h.Run(ctx, bot.Request{Surface: bot.Slack, Person: "slack:U0OTHER", Text: "open INC-3 Not mine"}); err != nil {
		t.Fatal(err)
	}

	home := h.Home(ctx, me)
	if !strings.HasPrefix(home.Text, "*My open cases* — 2 cases, 1 with something overdue") {
		t.Fatalf("head: %q", home.Text)
	}
	if len(home.Sections) != 3 || home.Sections[0].Title != "Overdue" || !strings.Contains(home.Sections[0].Text, "INC-1") ||
		home.Sections[1].Title != "Coming up" || !strings.Contains(home.Sections[1].Text, "INC-2") ||
		home.Sections[2].Title != "My wellbeing check-ins" || !strings.HasPrefix(home.Sections[2].Text, "On") {
		t.Fatalf("sections: %+v", home.Sections)
	}
	if strings.Contains(home.PlainText(), "INC-3") {
		t.Fatal("home shows a case the person is not on")
	}
	run("wellbeing off")
	if got := h.Home(ctx, me).Sections[2].Text; !strings.HasPrefix(got, "Off") {
		t.Errorf("after wellbeing off, home says %q", got)
	}
}

func TestRunReturnsTheError(t *testing.T) {
	st := storetest.New(t)
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{Store: st, Policy: p})
	ctx := context.Background()
	tests := []struct {
		text string
		code pathway.Code
	}{
		{"open INC-7 harm=catastrophic", pathway.Invalid},
		{"open INC-7 Patient 999 000 0018", pathway.Identifiable},
		{"status HPP-999", pathway.NotFound},
		{"help", ""},
		{"nonsense", ""},
		{"open INC-7 Fall on the ward", ""},
	}
	for _, tt := range tests {
		reply, err := h.Run(ctx, bot.Request{Surface: bot.Slack, Person: "slack:U1", Text: tt.text})
		if got := pathway.ErrorCode(err); got != tt.code {
			t.Errorf("%q: code %q, want %q", tt.text, got, tt.code)
		}
		if err != nil && reply.Text != pathway.ErrorMessage(err) {
			t.Errorf("%q: the reply should be the error's message: %q", tt.text, reply.Text)
		}
		if again := h.Handle(ctx, bot.Request{Surface: bot.Slack, Person: "slack:U1", Text: tt.text}); tt.code != "" && again.Text != reply.Text {
			t.Errorf("%q: Handle and Run disagree", tt.text)
		}
	}
}
