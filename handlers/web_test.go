package handlers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

// TestWebLinkAndHomeButton: with the pages on, /hpp web gives the person
// the link made for them, with how long it works, and App Home offers the
// button; with them off, neither.
func TestWebLinkAndHomeButton(t *testing.T) {
	f := newFixture(t)
	if got := text(f.as("lee", "/hpp web")); !strings.Contains(got, "isn't switched on here yet") {
		t.Errorf("pages off:\n%s", got)
	}
	for _, b := range f.h.Home(context.Background(), "console:lee").Buttons {
		if b.Command == "web" {
			t.Error("App Home offers the web view while it is off")
		}
	}
	var asked []string
	f.h.SignInLink = func(ctx context.Context, person string) (string, time.Time, error) {
		asked = append(asked, person)
		return "https://hpp.test/signin/TOKEN", f.clock.Now().Add(10 * time.Minute), nil
	}
	got := text(f.as("lee", "/hpp web"))
	// The fixture's clock is the year 2026, not the real one: the minutes
	// are counted on the handler's clock (the console moves it).
	for _, want := range []string{"https://hpp.test/signin/TOKEN", "works once, for the next 10 minutes", "only for you", "don't forward it"} {
		if !strings.Contains(got, want) {
			t.Errorf("/hpp web lacks %q:\n%s", want, got)
		}
	}
	if len(asked) != 1 || asked[0] != "console:lee" {
		t.Errorf("links made for %v, want console:lee", asked)
	}
	found := false
	for _, b := range f.h.Home(context.Background(), "console:lee").Buttons {
		found = found || b.Command == "web"
	}
	if !found {
		t.Error("App Home has no button for the web view")
	}
	f.h.SignInLink = func(context.Context, string) (string, time.Time, error) {
		return "", time.Time{}, pathway.Errorf(pathway.Unavailable, "redis down")
	}
	if got := text(f.as("lee", "/hpp web")); strings.Contains(got, "redis") || !strings.Contains(got, "try again") {
		t.Errorf("store down:\n%s", got)
	}
}

// TestReadUsesChatsRule: Read refuses what chat refuses, runs only reads,
// and gives the whole timeline at once.
func TestReadUsesChatsRule(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-5 harm=low Synthetic slip")
	for i := 0; i < 60; i++ {
		f.clock.Add(time.Hour)
		f.as("lee", fmt.Sprintf("/hpp contact HPP-1 via=phone Synthetic call %d", i))
	}
	ctx := context.Background()
	if _, err := f.h.Read(ctx, "console:robin", "status HPP-1"); pathway.ErrorCode(err) != pathway.Forbidden {
		t.Errorf("robin reads HPP-1: %v", err)
	}
	if _, err := f.h.Read(ctx, "console:lee", "close HPP-1"); err == nil {
		t.Error("Read ran a change")
	}
	r, err := f.h.Read(ctx, "console:lee", "timeline HPP-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.PlainText(); !strings.Contains(got, "(entry 1)") || !strings.Contains(got, "(entry 61)") || strings.Contains(got, "page=2") {
		t.Errorf("the whole timeline is not one page:\n%s", got[:min(len(got), 400)])
	}
	if _, err := f.h.Read(ctx, "console:lee", "status HPP-99"); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("a case that doesn't exist: %v", err)
	}
}
