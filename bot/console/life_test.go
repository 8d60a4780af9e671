package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"hppbot/pathway"
)

// lifeNations are the four nations the whole-life transcript runs for, with
// the golden file each is kept in.
var lifeNations = []struct {
	nation pathway.Nation
	golden string
}{
	{pathway.England, "life-england.txt"},
	{pathway.Wales, "life-wales.txt"},
	{pathway.Scotland, "life-scotland.txt"},
	{pathway.NorthernIreland, "life-northern-ireland.txt"},
}

// lifeAdmin, the one admin, sets the services up; only what @ada types, and
// what is sent to @ada, counts as an admin's own messages.
const lifeAdmin = "@ada"

// lifeScript walks the whole life of a case, from Wednesday 25 November
// 2026, 10:00: an admin sets up the service; @lee opens a case with @sam
// involved; prompts; @sam's check-in asks for the wellbeing contact; the
// first contact, the candour notification, support and a complaint; @lee
// tries to make themself a lead (admins only) and opens a second case, with
// no service; then silence, so nudges and the escalation to @pat and
// #maternity; @lee, worn down, asks for someone to talk to; a handover
// to @alex; the written follow-up; later check-ins and contacts; the pathway lead's
// report and yearly counts; the export; and closing the case.
var lifeScript = []string{
	":as " + lifeAdmin,
	"/hpp service maternity lead=@pat channel=#maternity wellbeing=@wendy",
	":as @lee",
	"/hpp open INC-2041 service=maternity harm=moderate involved=@sam every=3d Baby moved to NICU after a delayed escalation",
	"/hpp prompt first-contact",
	"/hpp status HPP-1",
	":advance 1d",
	":as @sam",
	":press 2", // Finding it hard
	":press 1", // I'd like to talk to someone
	":press 1", // Yes, please let them know
	"/hpp support",
	":as @lee",
	"/hpp contact HPP-1 via=phone Spoke with mother; she would like calls in the afternoon",
	"/hpp candour HPP-1 notified Met both parents with the consultant and said sorry",
	"/hpp family HPP-1 support Gave details of an independent advocacy service",
	"/hpp family HPP-1 parallel=complaint",
	"/hpp prompt HPP-1",
	"/hpp service maternity lead=@lee",
	"/hpp commitments",
	"/hpp open INC-2042 harm=low Fall on the ward, no injury found",
	":advance 4d",
	":advance 1d",
	":advance 2d",
	"/hpp status HPP-1",
	"/hpp status HPP-2",
	"/hpp support",
	":press 1", // I'd like to talk to someone
	":as @pat",
	"/hpp list overdue",
	":as @lee",
	"/hpp lead HPP-1 @alex",
	"/hpp close HPP-2 Family moved to another hospital, which has the incident now",
	":as @alex",
	":press 1",
	"/hpp contact HPP-1 via=meeting next=7d Met the family with the ward manager",
	"/hpp candour HPP-1 written Letter sent with the apology and what we know so far",
	":advance 7d",
	":as @sam",
	":press 4", // Doing OK
	":as @alex",
	"/hpp contact HPP-1 via=phone next=2w Call with mother; next call after the review meeting",
	":advance 14d",
	"/hpp timeline HPP-1",
	":as @pat",
	"/hpp report service=maternity",
	"/hpp report yearly",
	"/hpp export HPP-1",
	":as @alex",
	"/hpp close HPP-1 Family content with the final meeting",
	"/hpp status HPP-1",
}

// lifeTranscript runs lifeScript for a nation and returns the transcript,
// with the export folder written as <files> and the exported Markdown
// appended after it, so a change to the export shows in the same golden.
func lifeTranscript(t *testing.T, nation pathway.Nation) string {
	t.Helper()
	files := t.TempDir()
	out := runNation(t, nation, []string{strings.TrimPrefix(lifeAdmin, "@")}, wednesday, files, lifeScript...)
	out = strings.ReplaceAll(out, files, "<files>")
	names, err := filepath.Glob(filepath.Join(files, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Errorf("the export wrote no Markdown file:\n%s", out)
	}
	sort.Strings(names)
	for _, name := range names {
		md, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out += "\n=== exported file " + filepath.Base(name) + " ===\n" + string(md)
	}
	return out
}

// TestLifeOfACase keeps the whole life of a case, in each nation, as a
// golden transcript: any change to what hppbot says shows up in review.
func TestLifeOfACase(t *testing.T) {
	for _, n := range lifeNations {
		t.Run(string(n.nation), func(t *testing.T) {
			out := lifeTranscript(t, n.nation)
			for _, want := range []string{
				"HPP-1 is open",
				"[DM @sam]",
				"[DM @wendy]",
				"[DM @pat]",
				"[#maternity]",
				"[DM @alex]",
				"Saved ",
				"=== exported file ",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the transcript lacks %q", want)
				}
			}
			golden(t, n.golden, out)
		})
	}
}

// lifeMessage is one message in a transcript: who reads it and its text.
type lifeMessage struct {
	to   string // "@name", "#channel", or "" for the console's own lines
	text string
	line int // the line of the transcript it starts on, from 1
}

// lifeMessages splits a transcript into messages by who reads them: a
// command's reply goes to whoever typed it, "[DM @x]" and "[#c]" lines (and
// their indented continuation) to @x and #c, and the exported Markdown to
// whoever ran the export.
func lifeMessages(out string) []lifeMessage {
	var msgs []lifeMessage
	typist, cur := "", -1
	for i, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "@") && strings.Contains(line, " › "):
			typist = line[:strings.Index(line, " › ")]
			cur = -1
		case strings.HasPrefix(line, "[DM @") || strings.HasPrefix(line, "[#"):
			end := strings.Index(line, "] ")
			if end < 0 {
				end = len(line) - 1
			}
			to := strings.TrimPrefix(line[1:end], "DM ")
			msgs = append(msgs, lifeMessage{to: to, text: line[end+1:], line: i + 1})
			cur = len(msgs) - 1
		case strings.HasPrefix(line, "  ") && cur >= 0 && msgs[cur].to != typist:
			msgs[cur].text += "\n" + line
		case strings.HasPrefix(line, "⏩"), strings.HasPrefix(line, "hppbot console —"):
			msgs = append(msgs, lifeMessage{text: line, line: i + 1})
			cur = -1
		case strings.HasPrefix(line, "=== exported file"):
			msgs = append(msgs, lifeMessage{to: typist, line: i + 1})
			cur = len(msgs) - 1
		default:
			if cur < 0 || msgs[cur].to != typist {
				msgs = append(msgs, lifeMessage{to: typist, line: i + 1})
				cur = len(msgs) - 1
			}
			msgs[cur].text += "\n" + line
		}
	}
	return msgs
}

// lifeLine returns the first line of a message that ok accepts, with its
// line number in the transcript, or "".
func lifeLine(m lifeMessage, ok func(string) bool) string {
	for i, l := range strings.Split(m.text, "\n") {
		if ok(l) {
			return fmt.Sprintf("line %d: %q", m.line+i-lifeOffset(m), strings.TrimSpace(l))
		}
	}
	return ""
}

// lifeOffset is 1 for a reply, whose text lifeMessages starts with an
// empty line so that its first real line is on m.line; else 0.
func lifeOffset(m lifeMessage) int {
	if strings.HasPrefix(m.text, "\n") {
		return 1
	}
	return 0
}

// lifeUnique returns list without repeats, in order.
func lifeUnique(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// lifeCaseID matches a case id.
var lifeCaseID = regexp.MustCompile(`\bHPP-[0-9]+\b`)

// lifeEnvVar matches the names of hppbot's environment variables.
var lifeEnvVar = regexp.MustCompile(`\b(HPP_[A-Z_]+|REDIS_URL|SLACK_[A-Z_]+|MICROSOFT_[A-Z_]+)\b`)

// lifeSetupWords returns what, in a message to anyone but an admin, is a
// setup word: an environment variable name; a policy file key written as
// in the file ("commitments:", "default_every:"); a key with an underscore
// even written bare ("wellbeing_contact" is no English word, while "support"
// or "nation" alone are); a commitment named as in the file, in quotes.
func lifeSetupWords(text string) []string {
	found := lifeEnvVar.FindAllString(text, -1)
	for _, key := range pathway.PolicyKeys() {
		re := `\b` + regexp.QuoteMeta(key) + `:`
		if strings.Contains(key, "_") {
			re = `\b` + regexp.QuoteMeta(key) + `\b`
		}
		found = append(found, regexp.MustCompile(re).FindAllString(text, -1)...)
	}
	for _, c := range pathway.AllCommitments {
		found = append(found, regexp.MustCompile(`["“]`+regexp.QuoteMeta(c)+`["”] commitment`).FindAllString(text, -1)...)
	}
	return found
}

// lifeRuleViolations checks a transcript against issue 19's rules for what
// people read: "pathway lead has been" only after a message to the lead
// about the same case shows in the transcript, and no setup words outside an admin's own
// messages. It returns every violation, one a line.
func lifeRuleViolations(out, admin, lead string) []string {
	var bad []string
	leadTold := map[string]bool{} // cases a message to the lead has named
	for _, m := range lifeMessages(out) {
		cases := lifeCaseID.FindAllString(m.text, -1)
		if m.to == lead {
			for _, c := range cases {
				leadTold[c] = true
			}
		}
		claim := lifeLine(m, func(l string) bool { return strings.Contains(strings.ToLower(l), "pathway lead has been") })
		if claim != "" {
			told := len(cases) > 0
			for _, c := range cases {
				told = told && leadTold[c]
			}
			if !told {
				bad = append(bad, fmt.Sprintf("%s — to %s, about %s, but no message to %s about it shows before", claim, m.to, strings.Join(lifeUnique(cases), ", "), lead))
			}
		}
		if m.to == admin {
			continue
		}
		for i, l := range strings.Split(m.text, "\n") {
			if words := lifeSetupWords(l); len(words) > 0 {
				bad = append(bad, fmt.Sprintf("line %d: %q — to %s, setup words %q", m.line+i-lifeOffset(m), strings.TrimSpace(l), m.to, words))
			}
		}
	}
	return bad
}

// TestLifeWordsTrue is issue 19's acceptance for the golden transcripts: no
// transcript says the pathway lead has been told unless it shows the message
// to that lead, and none shows a clinician an environment variable or a
// policy key. It reads the golden files, so it checks what review sees.
func TestLifeWordsTrue(t *testing.T) {
	for _, n := range lifeNations {
		t.Run(string(n.nation), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", n.golden))
			if err != nil {
				t.Fatalf("%v (run go test ./bot/console -update to write it)", err)
			}
			for _, v := range lifeRuleViolations(string(data), lifeAdmin, "@pat") {
				t.Errorf("%s: %s", n.golden, v)
			}
		})
	}
}

// TestLifeRuleViolations checks the checker: it catches each kind of
// violation, and lets pass what is allowed.
func TestLifeRuleViolations(t *testing.T) {
	tests := []struct {
		name, out string
		bad       int
	}{
		{"claim with no message to the lead", "@lee › /hpp status HPP-1\nHPP-1 · INC-7\nReminders: 4 (the pathway lead has been told)\n", 1},
		{"claim in a channel with no message to the lead", "@lee › :advance 3d\n[#maternity] HPP-1 (maternity): overdue. The pathway lead has been asked to help.\n", 1},
		{"claim after the message to the lead", "@lee › :advance 3d\n[DM @pat] A gentle heads-up about HPP-1\n  [1] Status\n[#maternity] HPP-1 (maternity): overdue. The pathway lead has been asked to help.\n", 0},
		{"claim after a message to the lead about another case", "@lee › :advance 3d\n[DM @pat] A gentle heads-up about HPP-1\n@lee › /hpp status HPP-2\nHPP-2 · INC-7\nReminders: 4 (the pathway lead has been told)\n", 1},
		{"claim before the message to the lead", "@lee › :advance 3d\n[#maternity] HPP-1 (maternity): overdue. The pathway lead has been asked to help.\n[DM @pat] A gentle heads-up about HPP-1\n", 1},
		{"environment variable to a clinician", "@lee › /hpp list all\nOnly admins (the people listed in HPP_ADMINS) can do that.\n", 1},
		{"environment variable to the admin", "@ada › /hpp purge\nSet HPP_ADMINS to add admins.\n", 0},
		{"environment variable in a DM", "@ada › :advance 1d\n[DM @sam] Ask whoever set REDIS_URL\n", 1},
		{"policy key with a colon", "@sam › /hpp commitments\nSwitch it on in the policy file (commitments:).\n", 1},
		{"policy key with an underscore", "@sam › /hpp support\nNo wellbeing_contact is set.\n", 1},
		{"commitment named as in the file", "@sam › /hpp support\nThe \"support\" commitment is off here.\n", 1},
		{"plain words", "@sam › /hpp support\nSupport for staff: talk to someone. Duty of Candour: due by Wed 9 Dec.\n", 0},
		{"exported file read by a clinician", "@pat › /hpp export HPP-1\nSaved\n\n=== exported file x.md ===\n- default_every: 7d\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lifeRuleViolations(tt.out, lifeAdmin, "@pat"); len(got) != tt.bad {
				t.Errorf("%d violations, want %d: %q", len(got), tt.bad, got)
			}
		})
	}
}
