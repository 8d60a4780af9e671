package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
)

func TestPurgeIsForAdminsOnly(t *testing.T) {
	f := newFixture(t)
	f.as("lee", "/hpp open INC-31 harm=moderate Synthetic fall")
	f.as("lee", "/hpp close HPP-1")
	f.clock.Add(14 * 31 * 24 * time.Hour)
	version, events := f.caseState(t, 1)
	want := "Only hppbot admins can purge closed cases. Nothing has been removed. Closed cases are removed on their own 13 months after closing; if one needs to go sooner, or to be kept, please ask your hppbot administrator (the people listed in HPP_ADMINS)."
	for _, line := range []string{"/hpp purge", "/hpp purge confirm", "/hpp purge whatever"} {
		// lee opened and closed the case, and is still no admin.
		if got := text(f.as("lee", line)); got != want {
			t.Errorf("%q as a non-admin:\n%s\nwant:\n%s", line, got, want)
		}
	}
	if v, n := f.caseState(t, 1); v != version || n != events {
		t.Errorf("a refused purge changed the case: version %d→%d, events %d→%d", version, v, events, n)
	}
}

func TestPurgeListsThenRemoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.as("lee", "/hpp open INC-31 harm=moderate Synthetic fall")
	f.as("lee", "/hpp open INC-32 harm=moderate Synthetic slip")
	f.as("lee", "/hpp close HPP-1")
	closed := f.clock.Now()

	if got, want := text(f.as("admin", "/hpp purge")), "No closed case has been kept past its time (13 months after closing), so there is nothing to remove."; got != want {
		t.Errorf("nothing due:\n%s\nwant:\n%s", got, want)
	}
	f.clock.Add(f.h.Policy.PurgeDue(closed).Add(time.Hour).Sub(f.clock.Now()))

	r := f.as("admin", "/hpp purge")
	got := text(r)
	for _, want := range []string{
		"Closed cases kept past their time* (13 months after closing): 1. Nothing has been removed yet.",
		"• HPP-1 · INC-31 · closed Wed 25 Nov 2026",
		"To keep a copy of any of them, export it first, for example /hpp export HPP-1. Then /hpp purge confirm removes them, keeping one line per case (its number, reference and dates). If you do nothing, tonight's clean-up removes them.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("preview lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "HPP-2") || strings.Contains(got, "Synthetic") {
		t.Errorf("preview lists an open case or a summary:\n%s", got)
	}
	if len(r.Buttons) != 1 || r.Buttons[0].Command != "purge confirm" {
		t.Errorf("preview buttons: %+v", r.Buttons)
	}
	if _, err := f.st.GetCase(ctx, 1); err != nil {
		t.Fatalf("the preview removed the case: %v", err)
	}
	// Export is offered, and works, before the purge.
	if ex := f.as("admin", "/hpp export HPP-1"); len(ex.Files) == 0 {
		t.Errorf("export before purge gave no files: %s", text(ex))
	}

	if got, want := text(f.as("admin", "/hpp purge now")), "I only know /hpp purge, which lists the closed cases due to be removed, and /hpp purge confirm, which removes them. Nothing has been removed."; got != want {
		t.Errorf("unknown word:\n%s\nwant:\n%s", got, want)
	}
	if got, want := text(f.as("admin", "/hpp purge confirm")), "Removed 1 closed case: HPP-1. For each, one line is kept — its number, reference and the dates it closed and was removed; nothing else of it remains."; got != want {
		t.Errorf("confirm:\n%s\nwant:\n%s", got, want)
	}
	if _, err := f.st.GetCase(ctx, 1); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("after purge, HPP-1: %v", err)
	}
	if _, err := f.st.GetCase(ctx, 2); err != nil {
		t.Errorf("the open case went too: %v", err)
	}
	if log, err := f.st.PurgeLog(ctx); err != nil || len(log) != 1 || log[0].Case != 1 || log[0].Ref != "INC-31" {
		t.Errorf("audit: %+v, %v", log, err)
	}
	if got := text(f.as("admin", "/hpp purge confirm")); !strings.HasPrefix(got, "No closed case has been kept past its time") {
		t.Errorf("second confirm: %s", got)
	}
	if strings.Contains(f.logs.String(), "INC-31") || strings.Contains(f.logs.String(), "Synthetic") {
		t.Errorf("the logs name the case's reference or summary:\n%s", f.logs.String())
	}
}
