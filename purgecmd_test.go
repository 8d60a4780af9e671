package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

// hppbot purge --dry-run lists the closed cases past their retention and
// removes nothing; hppbot purge removes them and says what went.
func TestPurgeCommandLine(t *testing.T) {
	if !redisAnswers() {
		if storetest.Required() {
			t.Fatalf("HPP_TEST_REDIS=require but %s does not answer", storetest.URL())
		}
		t.Skip("no Redis answering")
	}
	st := storetest.New(t)
	ctx := context.Background()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, p.Location())
	opened := time.Date(2025, 11, 24, 10, 0, 0, 0, p.Location())
	var ids []int64
	for i, closeAt := range []time.Time{opened.AddDate(0, 0, 7), now.AddDate(0, -1, 0), {}} {
		c, ev, err := pathway.Open(pathway.OpenInput{Ref: []string{"INC-71", "INC-72", "INC-73"}[i], Harm: pathway.HarmModerate, Lead: "console:lee"}, "console:lee", p, opened)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if !closeAt.IsZero() {
			old := c.Clone()
			ev, err := c.Close("", "console:lee", closeAt)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.SaveCase(ctx, old, c, p, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	environ := env(map[string]string{"REDIS_URL": storetest.URL(), "HPP_REDIS_PREFIX": st.Prefix()})
	clock := func() time.Time { return now }
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{"dry run", []string{"--dry-run"}, 0, "Closed cases kept past 13 months after closing (retention.closed_case_keep 13mo):\n" +
			"  HPP-1\tINC-71\tclosed 2025-12-01\tdue for purge since 2027-01-01\n" +
			"1 case would be purged. Nothing was removed. To keep a copy of one first, an admin can export it in chat (/hpp export HPP-1); then run hppbot purge without --dry-run.\n"},
		{"dry run again: nothing removed", []string{"--dry-run"}, 0, "  HPP-1\tINC-71\tclosed 2025-12-01"},
		{"purge", nil, 0, "purged HPP-1\tINC-71\tclosed 2025-12-01\n" +
			"1 case purged. One audit line is kept for each (case, reference, closed and purged dates).\n"},
		{"nothing left", nil, 0, "No closed case has been kept past 13 months after closing (retention.closed_case_keep 13mo). Nothing to purge.\n"},
		{"nothing left, dry run", []string{"--dry-run"}, 0, "No closed case has been kept past 13 months after closing (retention.closed_case_keep 13mo). Nothing to purge.\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := runPurge(tt.args, environ, &stdout, &stderr, clock)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || stderr.Len() > 0 {
			t.Errorf("%s: exit %d, stdout:\n%s\nstderr: %s\nwant exit %d and:\n%s", tt.name, code, stdout.String(), stderr.String(), tt.code, tt.stdout)
		}
		if tt.name == "dry run again: nothing removed" {
			for _, id := range ids {
				if _, err := st.GetCase(ctx, id); err != nil {
					t.Errorf("after --dry-run, HPP-%d: %v", id, err)
				}
			}
		}
	}
	if _, err := st.GetCase(ctx, ids[0]); pathway.ErrorCode(err) != pathway.NotFound {
		t.Errorf("HPP-1 after the purge: %v", err)
	}
	for _, id := range ids[1:] {
		if _, err := st.GetCase(ctx, id); err != nil {
			t.Errorf("HPP-%d should be kept: %v", id, err)
		}
	}
	if log, err := st.PurgeLog(ctx); err != nil || len(log) != 1 || log[0] != (store.PurgeRecord{Case: ids[0], Ref: "INC-71", Closed: opened.AddDate(0, 0, 7).UTC(), Purged: now.UTC()}) {
		t.Errorf("audit: %+v, %v", log, err)
	}
}

func TestPurgeCommandLineRefusals(t *testing.T) {
	tests := []struct {
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{[]string{"--now"}, nil, 2, "hppbot purge: flag provided but not defined: -now (hppbot purge --help lists the flags)"},
		{[]string{"all"}, nil, 2, `hppbot purge: unexpected "all": it takes only --dry-run (hppbot purge --help)`},
		{nil, nil, 2, "hppbot purge: REDIS_URL is not set, so there is no stored case to purge"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"purge"}, tt.args...), env(tt.env), strings.NewReader(""), &stdout, &stderr)
		if code != tt.code || !strings.HasPrefix(stderr.String(), tt.stderr) || stdout.Len() > 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stderr)
		}
	}
	var stdout bytes.Buffer
	if code := run([]string{"purge", "--help"}, env(nil), strings.NewReader(""), &stdout, &bytes.Buffer{}); code != 0 || !strings.Contains(stdout.String(), "--dry-run  list what would be removed") {
		t.Errorf("purge --help: %d %q", code, stdout.String())
	}
}
