package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
	"hppbot/store"
	"hppbot/store/storetest"
)

// learningHarness drives the handler as people would, with a clock the test
// moves, on a store of its own.
type learningHarness struct {
	t   *testing.T
	h   *Handler
	st  *store.Store
	now time.Time
	loc *time.Location
}

// Display names people type under; the export should show them.
var learningNames = map[string]string{"sam": "Sam Carter", "jo": "Jo Patel", "alex": "Alex Rowe", "pat": "Pat Lee", "kim": "Kim Shaw", "admin": "Admin"}

func newLearningHarness(t *testing.T) *learningHarness {
	t.Helper()
	p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	x := &learningHarness{t: t, st: storetest.New(t), loc: p.Location()}
	x.h = New(Config{Store: x.st, Policy: p, Admins: []string{"console:admin"}, Clock: func() time.Time { return x.now }})
	return x
}

// at moves the clock to a local time "2006-01-02 15:04".
func (x *learningHarness) at(v string) *learningHarness {
	x.t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", v, x.loc)
	if err != nil {
		x.t.Fatal(err)
	}
	x.now = tm
	return x
}

// as runs a command line as a person (a console name).
func (x *learningHarness) as(person, line string) bot.Reply {
	x.t.Helper()
	return x.h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:" + person, Name: "@" + learningNames[person], Text: line})
}

// must runs a command and fails the test if it was refused.
func (x *learningHarness) must(person, line string) bot.Reply {
	x.t.Helper()
	r := x.as(person, line)
	for _, bad := range []string{"isn't", "I can't", "only open", "Something went wrong", "Nothing was saved", "I don't know", "are for"} {
		if strings.Contains(r.Text, bad) {
			x.t.Fatalf("%s: %q was refused: %s", person, line, r.Text)
		}
	}
	return r
}

// botEvents adds hppbot's own events to a case, as the scheduler would.
func (x *learningHarness) botEvents(id int64, events ...pathway.Event) {
	x.t.Helper()
	ctx := context.Background()
	c, err := x.st.GetCase(ctx, id)
	if err != nil {
		x.t.Fatal(err)
	}
	if err := x.st.SaveCase(ctx, c, c.Clone(), x.h.Policy, events...); err != nil {
		x.t.Fatal(err)
	}
}

func (x *learningHarness) participation(service, month, which string, people ...string) {
	x.t.Helper()
	for _, p := range people {
		if err := x.st.Client().SAdd(context.Background(), x.st.Prefix()+"wb:part:"+service+":"+month+":"+which, p).Err(); err != nil {
			x.t.Fatal(err)
		}
	}
}

// knownMaternity builds the synthetic set the report is checked against:
// five cases in maternity and one in surgery, over November 2026.
func knownMaternity(t *testing.T) *learningHarness {
	x := newLearningHarness(t)
	x.at("2026-11-02 08:00").must("admin", "service maternity lead=@alex")
	x.must("admin", "service surgery lead=@pat")
	x.at("2026-11-02 09:00").must("sam", "open INC-1 service=maternity harm=moderate involved=@jo Baby moved to NICU")  // HPP-1
	x.at("2026-11-03 08:30").must("sam", "contact HPP-1 via=phone next=2026-11-10 First call with the mother")          // on time, 1.35 days
	x.at("2026-11-03 09:30").must("sam", "candour HPP-1 notified Met both parents and apologised")                      // on time
	x.at("2026-11-04 10:00").must("jo", "open INC-2 service=maternity harm=severe aware=2026-11-02")                    // HPP-2
	x.at("2026-11-06 10:00").must("jo", "contact HPP-2 via=meeting next=2026-12-01")                                    // late, 4.42 days
	x.at("2026-11-09 09:00").must("sam", "open INC-3 service=maternity harm=low")                                       // HPP-3
	x.at("2026-11-09 15:00").must("sam", "contact HPP-3 via=phone")                                                     // on time, 0.63 days
	x.at("2026-11-10 11:00").must("pat", "open INC-9 service=surgery harm=moderate")                                    // HPP-4, another service
	x.at("2026-11-10 11:30").must("pat", "contact HPP-4 via=phone")                                                     //
	x.at("2026-11-10 14:00").must("sam", "candour HPP-1 written Letter sent")                                           // on time
	x.at("2026-11-11 10:00").must("sam", "contact HPP-1 via=video next=2026-12-01 =SUM(A1) second call, a little late") // late
	x.at("2026-11-13 16:00").must("sam", "close HPP-3 Family content")                                                  //
	x.at("2026-11-16 09:00").must("sam", "open INC-5 service=maternity harm=moderate")                                  // HPP-5, no contact
	remind := func(at string, kind pathway.EventKind) pathway.Event {
		x.at(at)
		return pathway.Event{At: x.now, Actor: pathway.Bot, Kind: kind, Step: pathway.RemindContact, Stage: pathway.StageOverdue, People: []string{"console:sam"}}
	}
	x.botEvents(5, remind("2026-11-17 09:00", pathway.EventReminder), remind("2026-11-18 09:00", pathway.EventReminder),
		remind("2026-11-19 09:00", pathway.EventReminder), remind("2026-11-19 09:00", pathway.EventEscalation))
	x.at("2026-11-25 12:00")
	return x
}

func TestReportKnownSet(t *testing.T) {
	x := knownMaternity(t)
	x.participation("maternity", "2026-11", "invited", "console:sam", "console:jo", "console:lee")
	x.participation("maternity", "2026-11", "answered", "console:sam")
	r := x.must("alex", "report service=maternity days=28")
	text := r.PlainText()
	for _, want := range []string{
		"Learning figures for maternity* — the last 28 days, Wed 28 Oct 2026 to Wed 25 Nov 2026",
		"Opened: 4 — cases opened in these 28 days.",
		"Closed: 1 — cases closed",
		"Overdue now: 2 of 3 open cases",
		"Time to first contact: typically 1.4 days (the median); 9 in 10 within 4.4 days",
		"over the 3 cases whose first contact was in these 28 days",
		"Still waiting for a first contact: 1 case opened",
		"Contacts on time: 4 of 6 (67%)", // HPP-1's notification and letter count as contacts: the letter late against the week the notification set
		"Notification within its deadline: 1 of 2 (50%)",
		"Written follow-up within its deadline: 1 of 2 (50%)",
		"Nudges sent: 3",
		"Escalations: 1",
		"Too few to show",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report doesn't say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Invited:") {
		t.Error("check-in figures shown for fewer than 5 people")
	}
	if len(r.Files) != 1 {
		t.Fatalf("%d files, want the chart", len(r.Files))
	}
	f := r.Files[0]
	if f.Type != "image/png" || !strings.HasSuffix(f.Name, ".png") {
		t.Errorf("chart file %q is %q", f.Name, f.Type)
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("the chart doesn't decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != report.ChartWidth || b.Dy() != report.ChartHeight {
		t.Errorf("chart is %dx%d", b.Dx(), b.Dy())
	}

	// Six people invited: the aggregate is shown, and nothing about anyone.
	x.participation("maternity", "2026-10", "invited", "console:ana", "console:ben", "console:sam")
	x.participation("maternity", "2026-11", "answered", "console:jo")
	text = x.must("alex", "report service=maternity days=28").PlainText()
	if !strings.Contains(text, "Invited: 5 people; answered: 2") {
		t.Errorf("participation over 5 not shown:\n%s", text)
	}
	for _, name := range []string{"console:", "@sam", "@ana"} {
		if strings.Contains(text, name) {
			t.Errorf("the report names a person (%s)", name)
		}
	}

	// An admin with no service sees every case: surgery's too.
	text = x.must("admin", "report days=28").PlainText()
	if !strings.Contains(text, "Learning figures for all services") || !strings.Contains(text, "Opened: 5") || !strings.Contains(text, "Contacts on time: 5 of 7 (71%)") {
		t.Errorf("the organisation-wide report:\n%s", text)
	}
}

func TestReportAccess(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 08:00").must("admin", "service maternity lead=@alex")
	x.must("admin", "service surgery lead=@pat")
	x.must("admin", "service theatres channel=#theatres")
	tests := []struct {
		person, line string
		allowed      bool
		says         string
	}{
		{"admin", "report", true, "Learning figures for all services"},
		{"admin", "report service=surgery", true, "Learning figures for surgery"},
		{"alex", "report service=maternity", true, "Learning figures for maternity"},
		{"alex", "report", true, "Learning figures for maternity"},
		{"alex", "report yearly", true, "for maternity"},
		{"alex", "report service=surgery", false, "The figures for surgery are for its pathway lead, <@console:pat>, and hppbot admins"},
		{"kim", "report service=maternity", false, "ask <@console:alex>"},
		{"kim", "report", false, "Reports are for each service's pathway lead and for hppbot admins"},
		{"kim", "report yearly", false, "or an hppbot admin"},
		{"kim", "report service=theatres", false, "has no pathway lead set up yet. If they would help you, please ask an hppbot admin"},
	}
	for _, tt := range tests {
		r := x.as(tt.person, tt.line)
		if !strings.Contains(r.Text, tt.says) {
			t.Errorf("%s: %q said %q, want it to contain %q", tt.person, tt.line, r.Text, tt.says)
		}
		if got := len(r.Files) > 0; got != tt.allowed {
			t.Errorf("%s: %q gave files %v, want %v", tt.person, tt.line, got, tt.allowed)
		}
	}
}

func TestReportArguments(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 08:00")
	for line, says := range map[string]string{
		"report days=3":                 "days= takes a number of days from 7 to 730",
		"report days=731":               "from 7 to 730",
		"report days=ninety":            "from 7 to 730",
		"report yearly days=90":         "doesn't take days=",
		"report year=2025":              "year= goes with the yearly report",
		"report yearly year=1900":       "year= takes the year a financial year starts in",
		"report yearly year=2030":       "hasn't started yet",
		"report monthly":                "report takes service= and days=, or the word yearly",
		"report service=Not_A_Service!": "isn't a service name",
		"report colour=blue":            "I don't know the option colour=",
	} {
		r := x.as("admin", line)
		if !strings.Contains(r.Text, says) || len(r.Files) > 0 {
			t.Errorf("%q said %q, want %q", line, r.Text, says)
		}
	}
	if r := x.as("admin", "report days=7d"); len(r.Files) != 1 {
		t.Errorf("days=7d should be read as 7 days: %s", r.Text)
	}
}

func TestReportYearly(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-03-30 09:00").must("admin", "service maternity lead=@alex")
	x.must("sam", "open INC-0 service=maternity harm=severe")                        // HPP-1: the year before
	x.at("2026-04-01 09:00").must("sam", "open INC-1 service=maternity harm=severe") // HPP-2
	x.at("2026-04-02 09:00").must("sam", "candour HPP-2 notified")
	x.at("2026-04-20 09:00").must("sam", "candour HPP-2 written") // after 15 Apr: late
	x.must("sam", "open INC-2 service=maternity harm=moderate")   // HPP-3
	x.must("sam", "candour HPP-3 na Reviewed: not caused by care")
	x.must("sam", "open INC-3 harm=death") // HPP-4, no service
	x.at("2026-11-25 12:00")
	r := x.must("admin", "report yearly")
	text := r.PlainText()
	for _, want := range []string{
		"Duty of Candour yearly counts — 2026–27* (1 April 2026 to 31 March 2027, so far) for all services",
		"Counted by financial year",
		"*maternity*\n\nCases where the duty applied: 1\nNotifications made: 1 (1 within the deadline)\nWritten follow-ups sent: 1 (0 within the deadline)\nRecorded as not applying, with a reason: 1",
		"*Cases with no service*\n\nCases where the duty applied: 1",
		"*All of these together*\n\nCases where the duty applied: 2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the yearly report doesn't say %q:\n%s", want, text)
		}
	}
	if len(r.Files) != 1 || r.Files[0].Name != "hppbot-candour-2026-27.csv" {
		t.Fatalf("files: %+v", r.Files)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Files[0].Data)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("yearly CSV: %v rows, %v", len(rows), err)
	}
	text = x.must("admin", "report yearly year=2025").PlainText()
	if !strings.Contains(text, "2025–26") || !strings.Contains(text, "Cases where the duty applied: 1") || strings.Contains(text, "so far") {
		t.Errorf("the year before:\n%s", text)
	}
}

func TestExportRecord(t *testing.T) {
	x := knownMaternity(t)
	x.at("2026-11-25 12:00").must("sam", "plan HPP-1 every=1w via=phone Tuesday afternoons, \"after school\"\nand never before 2pm")
	x.must("sam", "family HPP-1 support +44 helpline details given")
	x.must("sam", "candour HPP-1 update @mention-like note shared the timeline")
	r := x.must("sam", "export HPP-1")
	if len(r.Files) != 2 {
		t.Fatalf("%d files, want Markdown and CSV", len(r.Files))
	}
	md, csvFile := r.Files[0], r.Files[1]
	if md.Name != "HPP-1-candour-record.md" || csvFile.Name != "HPP-1-candour-record.csv" {
		t.Errorf("file names %q, %q", md.Name, csvFile.Name)
	}
	events, err := x.st.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 8 {
		t.Fatalf("HPP-1 has %d events, want 8", len(events))
	}

	text := string(md.Data)
	for _, want := range []string{
		"# Openness and transparency — INC-1",
		"- **Incident reference:** INC-1",
		"- **hppbot case:** HPP-1",
		"- **Harm:** Moderate harm",
		"- **Duty of Candour applies:** Yes — moderate harm is at or above the level",
		"- **Date became aware:** Mon 2 Nov 2026",
		"- **Notification (telling the family what happened, in person, by phone or by video):** Tue 3 Nov 2026 by Sam Carter — within the deadline (due by the end of Mon 16 Nov 2026).",
		"- **Written follow-up:** Tue 10 Nov 2026 by Sam Carter — within the deadline",
		"- **Apology given:** Yes — recorded as part of the notification on Tue 3 Nov 2026.",
		"- **Further updates:** 1 update:\n  - Wed 25 Nov 2026 by Sam Carter. Note: “@mention-like note shared the timeline”",
		"- **Named contact:** Sam Carter",
		"- **Communication plan:** Every week by phone, agreed Wed 25 Nov 2026 — “Tuesday afternoons, \"after school\" and never before 2pm”.",
		"### Contacts log\n1. Tue 3 Nov 2026, 08:30 — By phone, logged by Sam Carter; on time (due Tue 3 Nov 2026, 09:00)",
		// Candour steps are contact with the family, so they are in the log
		// and each sets when the next contact is due.
		"2. Tue 3 Nov 2026, 09:30 — Duty of Candour notification, logged by Sam Carter; on time (due Tue 10 Nov 2026, 08:00); next due Tue 10 Nov 2026, 09:30.",
		"3. Tue 10 Nov 2026, 14:00 — Duty of Candour written follow-up, logged by Sam Carter; after its due time of Tue 10 Nov 2026, 09:30",
		"4. Wed 11 Nov 2026, 10:00 — By video, logged by Sam Carter; on time (due Tue 17 Nov 2026, 14:00)",
		"5. Wed 25 Nov 2026, 12:00 — Duty of Candour update, logged by Sam Carter",
		"- **Contacts logged:** 5 (a Duty of Candour notification",
		"## Support offered\n- Independent support or advice offered to the family: Wed 25 Nov 2026, recorded by Sam Carter. Note: “+44 helpline details given”",
		"- The family's questions taken into the investigation: not recorded yet.",
		"## Staff involved\nJo Patel.",
		"## Full timeline (oldest first)\n1. Mon 2 Nov 2026, 09:00 — Sam Carter opened the case; staff involved Jo Patel. Summary: “Baby moved to NICU”",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Markdown doesn't hold %q", want)
		}
	}
	for i, e := range events {
		item := fmt.Sprintf("\n%d. %s — ", i+1, pathway.FormatTime(e.At, x.loc))
		if !strings.Contains(text, item) {
			t.Errorf("the Markdown timeline is missing event %d (%s)", i+1, e.Kind)
		}
	}
	if strings.Contains(text, "<@") || strings.Contains(text, "console:") {
		t.Error("the Markdown shows raw person ids instead of names")
	}

	// The CSV reads back with every event, in order, with the note exact.
	rows, err := csv.NewReader(bytes.NewReader(csvFile.Data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV doesn't read back: %v", err)
	}
	if len(rows) != len(events)+1 {
		t.Fatalf("%d CSV rows, want a header and %d events", len(rows), len(events))
	}
	if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header = %q", rows[0])
	}
	for i, e := range events {
		row := rows[i+1]
		at, err := time.Parse(time.RFC3339, row[0])
		if err != nil || !at.Equal(e.At) {
			t.Errorf("row %d timestamp %q (%v), want %s", i+1, row[0], err, e.At)
		}
		if row[2] != e.Actor || row[3] != string(e.Kind) || row[4] != e.Step || row[5] != e.Via {
			t.Errorf("row %d = %q, want actor %s kind %s step %s via %s", i+1, row, e.Actor, e.Kind, e.Step, e.Via)
		}
		note := row[8]
		if report.SafeCell(e.Note) != note {
			t.Errorf("row %d note %q, want %q", i+1, note, e.Note)
		}
		if row[12] != "HPP-1" || row[13] != "INC-1" {
			t.Errorf("row %d case columns %q", i+1, row[12:])
		}
	}
	byKind := func(kind pathway.EventKind, step string) []string {
		for _, row := range rows[1:] {
			if row[3] == string(kind) && (step == "" || row[4] == step) {
				return row
			}
		}
		t.Fatalf("no %s %s row", kind, step)
		return nil
	}
	if row := byKind(pathway.EventOpened, ""); row[1] != "Sam Carter" || row[10] != "Jo Patel" {
		t.Errorf("opened row names: %q", row)
	}
	if row := byKind(pathway.EventFamily, "support"); row[8] != "'+44 helpline details given" {
		t.Errorf("a note starting with + is not protected: %q", row[8])
	}
	if row := byKind(pathway.EventCandour, "update"); row[8] != "'@mention-like note shared the timeline" {
		t.Errorf("a note starting with @ is not protected: %q", row[8])
	}
	if row := rows[5]; row[3] != "contact" || !strings.HasPrefix(row[8], "'=SUM(A1)") {
		t.Errorf("a note starting with = is not protected: %q", row)
	}
	if row := byKind(pathway.EventPlan, ""); row[8] != "Tuesday afternoons, \"after school\"\nand never before 2pm" {
		t.Errorf("a note with commas, quotes and a line break didn't round-trip: %q", row[8])
	}
}

func TestExportAccess(t *testing.T) {
	x := knownMaternity(t)
	// HPP-1: opened by and led by sam, jo involved, maternity led by alex.
	for _, tt := range []struct {
		person  string
		allowed bool
	}{
		{"sam", true}, {"jo", true}, {"alex", true}, {"admin", true}, {"pat", false}, {"kim", false},
	} {
		r := x.as(tt.person, "export HPP-1")
		if got := len(r.Files) == 2; got != tt.allowed {
			t.Errorf("%s: files %v, want %v (%s)", tt.person, got, tt.allowed, r.Text)
		}
		if !tt.allowed && (!strings.Contains(r.Text, "only open to the people on it") || !strings.Contains(r.Text, "<@console:alex>")) {
			t.Errorf("%s: the refusal doesn't name who can help: %s", tt.person, r.Text)
		}
	}
	// The opener who handed the case on can still export it.
	x.must("jo", "lead HPP-2 @sam")
	if r := x.as("jo", "export HPP-2"); len(r.Files) != 2 {
		t.Errorf("the opener who handed over was refused: %s", r.Text)
	}
	if r := x.as("sam", "export"); !strings.Contains(r.Text, "Which case?") {
		t.Errorf("export with no case: %s", r.Text)
	}
	if r := x.as("sam", "export HPP-99"); !strings.Contains(r.Text, "I can't find HPP-99") || len(r.Files) > 0 {
		t.Errorf("export of a missing case: %s", r.Text)
	}
}

func TestExportDutyLines(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 09:00")
	x.must("sam", "open INC-1 harm=low")                 // HPP-1: below the threshold in England
	x.must("sam", "open INC-2 harm=moderate candour=no") // HPP-2: said no, no reason yet
	x.must("sam", "open INC-3")                          // HPP-3: no harm level
	x.must("sam", "open INC-4 harm=low candour=yes")     // HPP-4: applies by choice
	x.must("sam", "open INC-5 harm=severe")              // HPP-5: recorded as not applying
	x.must("sam", "candour HPP-5 na Reviewed by the panel: not caused by care")
	x.at("2026-11-30 09:00")
	for id, want := range map[int]string{
		1: "No — low harm is below the level at which it applies here (moderate harm or above).",
		2: "No — recorded as not applying when the case was opened; no reason has been recorded yet.",
		3: "Not decided — no harm level was recorded",
		4: "Yes — recorded as applying when the case was opened.",
		5: "No — recorded as not applying on Mon 2 Nov 2026 by Sam Carter. Reason: “Reviewed by the panel: not caused by care”",
	} {
		r := x.must("sam", fmt.Sprintf("export HPP-%d", id))
		if len(r.Files) != 2 || !strings.Contains(string(r.Files[0].Data), want) {
			t.Errorf("HPP-%d: the Markdown doesn't say %q", id, want)
		}
	}
	md := string(x.must("sam", "export HPP-4").Files[0].Data)
	if !strings.Contains(md, "- **Notification (telling the family what happened, in person, by phone or by video):** Not yet recorded — it was due by the end of Mon 16 Nov 2026, so it is overdue.") {
		t.Errorf("an overdue notification isn't shown as overdue:\n%s", md)
	}
}

func TestReportUnknownService(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 08:00")
	// It says so first and only: no page of zeros, no chart.
	r := x.as("admin", "report service=maternty")
	if !strings.HasPrefix(r.Text, "maternty isn't set up as a service") || len(r.Sections) != 0 || len(r.Files) != 0 || strings.Contains(r.Text, ": 0") {
		t.Errorf("a misspelt service isn't pointed out first and alone: %+v", r)
	}
}

// The chart comes with its figures in words: a section of the reply any
// screen reader reads, and the picture's own text alternative.
func TestReportChartInWords(t *testing.T) {
	x := knownMaternity(t)
	r := x.must("alex", "report service=maternity days=28")
	text := r.PlainText()
	for _, want := range []string{
		"The chart in words",
		"Week of 2 Nov 2026: 2 on time, 1 late.", // HPP-1's call and notification on time, HPP-2's meeting late
		"Week of 2 Nov 2026: 1.4 and 4.4 days (median 2.9).",
		"Week of 9 Nov 2026: 0.6 days.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report doesn't say %q:\n%s", want, text)
		}
	}
	if len(r.Files) != 1 {
		t.Fatalf("%d files, want the chart", len(r.Files))
	}
	alt := r.Files[0].Alt
	if !strings.HasPrefix(alt, "Chart for maternity.") || !strings.Contains(alt, "Week of 2 Nov 2026: 1.4 and 4.4 days") {
		t.Errorf("the chart's text alternative doesn't state its figures: %q", alt)
	}
	if n := len([]rune(alt)); n > 1000 {
		t.Errorf("alt text of %d characters; Slack takes 1,000", n)
	}
}

func TestChartAltIsBounded(t *testing.T) {
	long := make([]string, 200)
	for i := range long {
		long[i] = "• Week of 2 Nov 2026: 12 on time, 3 late."
	}
	alt := chartAlt("maternity", long)
	if n := len([]rune(alt)); n != 1000 || !strings.HasSuffix(alt, "(every week's figures are in the message)") {
		t.Errorf("alt of %d characters ends %q", n, alt[len(alt)-60:])
	}
	if short := chartAlt("maternity", []string{"a."}); short != "Chart for maternity. a." {
		t.Errorf("short alt = %q", short)
	}
}

// TestYearlyIntroWelshOnlyInWales: the sentence about Welsh bodies' yearly
// reports is for Wales; everywhere else the year is just the financial year.
func TestYearlyIntroWelshOnlyInWales(t *testing.T) {
	for nation, want := range map[pathway.Nation]bool{pathway.England: false, pathway.Wales: true, pathway.Scotland: false, pathway.NorthernIreland: false} {
		x := newLearningHarness(t)
		p, err := pathway.DefaultPolicy(nation, "Europe/London")
		if err != nil {
			t.Fatal(err)
		}
		x.h.Policy = p
		x.at("2026-11-02 08:00")
		got := x.as("admin", "report yearly").PlainText()
		if strings.Contains(got, "Welsh") != want {
			t.Errorf("%s: Welsh sentence shown = %v:\n%s", nation, !want, got)
		}
	}
}
