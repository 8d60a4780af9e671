package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"hppbot/pathway"
)

// wants fails for each fragment text does not hold.
func wants(t *testing.T, what, text string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("%s doesn't say %q:\n%s", what, f, text)
		}
	}
}

func TestOpenAsksWhetherPsychologicalHarmIsProlonged(t *testing.T) {
	tests := []struct {
		line   string
		asks   bool
		opened []string
	}{
		{"open INC-21 psych=moderate Distress after delayed diagnosis", true, nil},
		{"open INC-21 psych=moderate prolonged=yes Distress after delayed diagnosis", false, []string{"moderate psychological harm, prolonged (28 days or more)", "Duty of Candour notification", "by the end of"}},
		{"open INC-21 psych=moderate prolonged=no Distress after delayed diagnosis", false, []string{"not prolonged (under 28 days)", "doesn't usually apply"}},
		{"open INC-21 harm=severe psych=moderate", false, []string{"severe physical harm · moderate psychological harm", "Duty of Candour notification"}},
		{"open INC-21 psych=moderate candour=no", false, []string{"You said the Duty of Candour doesn't apply"}},
		{"open INC-21 harm=psychological", false, []string{"moderate psychological harm, prolonged", "Duty of Candour notification"}},
		{"open INC-21 harm=fatal", false, []string{"INC-21 · death", "Duty of Candour notification"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			x := newLearningHarness(t)
			x.at("2026-12-07 10:00")
			r := x.as("sam", tt.line)
			text := r.PlainText()
			if !tt.asks {
				wants(t, tt.line, text, append([]string{"HPP-1 is open"}, tt.opened...)...)
				return
			}
			wants(t, "the question", text, "28 days or more?", "Nothing is opened yet",
				"/hpp open INC-21 psych=moderate prolonged=yes Distress after delayed diagnosis",
				"/hpp open INC-21 psych=moderate prolonged=no Distress after delayed diagnosis")
			if len(r.Buttons) != 2 || r.Buttons[0].Command != "open INC-21 psych=moderate prolonged=yes Distress after delayed diagnosis" {
				t.Errorf("buttons %+v", r.Buttons)
			}
			if got := x.as("sam", "status HPP-1").Text; !strings.Contains(got, "can't find HPP-1") {
				t.Errorf("a case was opened before the answer: %s", got)
			}
			// Pressing the button opens it.
			wants(t, "the answer", x.as("sam", r.Buttons[0].Command).PlainText(), "HPP-1 is open", "Duty of Candour notification")
		})
	}
}

// The acceptance: a low-harm case regraded to moderate gets its deadlines,
// from the aware date, overdue and said so; the timeline shows old → new
// with the reason; a contact struck out stays in the timeline and export,
// struck, and is not counted in the report; the export carries both axes
// and the national yes/no flag.
func TestRegradeAndStrikeEndToEnd(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 08:00").must("admin", "service maternity lead=@alex")
	x.at("2026-11-02 09:00").must("sam", "open INC-30 service=maternity harm=low Fall on ward")
	x.at("2026-11-02 11:00").must("sam", "contact HPP-1 via=phone Spoke with daughter")
	x.at("2026-11-03 11:00").must("sam", "contact HPP-1 via=phone Logged here by mistake")

	status := x.must("sam", "status HPP-1").PlainText()
	wants(t, "status before", status, "Physical harm: Low", "Psychological harm: Not recorded", "Not applying at this harm level", "Contacts logged: 2")

	x.at("2026-11-30 14:00")
	r := x.as("jo", "correct HPP-1 harm=moderate psych=low prolonged=no Regraded at the weekly review")
	if !strings.Contains(r.Text, "only open") {
		// jo is not on the case: the same rule as contact.
		t.Errorf("someone not on the case corrected it: %s", r.Text)
	}
	r = x.must("alex", "correct HPP-1 harm=moderate Regraded at the weekly review")
	wants(t, "the correction", r.PlainText(),
		"Corrected on *HPP-1* — physical harm: low → moderate. Reason: “Regraded at the weekly review”",
		"The Duty of Candour now applies to HPP-1.",
		"was due by the end of Mon 16 Nov 2026 — *overdue* now",
		"Those deadlines have already passed, counted from becoming aware on Mon 2 Nov 2026",
		"A reminder goes to the named contact, <@console:sam>, now.")
	// The reminder about the overdue notification is due at once.
	if c, err := x.st.GetCase(context.Background(), 1); err != nil || c.NextWake(x.h.Policy).After(x.now) {
		t.Errorf("after the regrade the case next wakes at %v, want now (%v); %v", c.NextWake(x.h.Policy), x.now, err)
	}
	status = x.must("sam", "status HPP-1").PlainText()
	wants(t, "status after", status, "Physical harm: Moderate", "• Notification: was due by the end of Mon 16 Nov 2026 — *overdue*", "• Written follow-up: was due by the end of Mon 16 Nov 2026")

	tl := x.must("sam", "timeline HPP-1").PlainText()
	wants(t, "timeline", tl, "• Mon 30 Nov, 14:00 — <@console:alex> corrected the physical harm: low → moderate. Reason: “Regraded at the weekly review” (entry 4)")

	r = x.must("sam", "strike HPP-1 3 Logged on the wrong case")
	wants(t, "the strike", r.PlainText(), "Entry 3 of *HPP-1* is marked as recorded in error:\n~Tue 3 Nov, 11:00 — <@console:sam> logged a contact with the family by phone", "Contacts logged now: 1", "Reason: “Logged on the wrong case”")
	tl = x.must("sam", "timeline HPP-1").PlainText()
	wants(t, "timeline", tl, "• ~Tue 3 Nov, 11:00 — <@console:sam> logged a contact", "“Logged here by mistake” (entry 3)~ *Recorded in error* — marked by <@console:sam> on Mon 30 Nov, 14:00 (entry 5). Reason: “Logged on the wrong case”",
		"• Mon 30 Nov, 14:00 — <@console:sam> marked entry 3 as recorded in error. Reason: “Logged on the wrong case” (entry 5)")
	if r := x.as("sam", "strike HPP-1 3 again"); !strings.Contains(r.Text, "already marked") {
		t.Errorf("struck twice: %s", r.Text)
	}
	if r := x.as("sam", "strike HPP-1 1 oops"); !strings.Contains(r.Text, "/hpp correct HPP-1") {
		t.Errorf("the opening struck: %s", r.Text)
	}

	exp := x.must("sam", "export HPP-1")
	md := string(exp.Files[0].Data)
	wants(t, "the Markdown", md,
		"- **Physical harm (national record):** Moderate",
		"- **Psychological harm (national record):** Not recorded",
		"- **Duty of Candour (national record, yes/no):** Yes",
		"- **Contacts logged:** 1 ",
		"- Not counted: entry 3 (~~Tue 3 Nov 2026, 11:00 — Sam Carter logged a contact",
		"## Corrections\n- Mon 30 Nov 2026, 14:00 — Physical harm: low → moderate, corrected by Alex Rowe. Reason: “Regraded at the weekly review”\n- Mon 30 Nov 2026, 14:00 — entry 3 marked as recorded in error by Sam Carter. Reason: “Logged on the wrong case”",
		"3. ~~Tue 3 Nov 2026, 11:00 — Sam Carter logged a contact with the family by phone",
		"4. Mon 30 Nov 2026, 14:00 — Alex Rowe corrected the physical harm: low → moderate. Reason: “Regraded at the weekly review”",
		"~~ **Recorded in error** — marked by Sam Carter on Mon 30 Nov 2026, 14:00 (entry 5).")
	rows, err := csv.NewReader(bytes.NewReader(exp.Files[1].Data)).ReadAll()
	if err != nil || len(rows) != 6 {
		t.Fatalf("CSV rows %d, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, row := range rows[1:] {
		if row[col["physical_harm"]] != "Moderate" || row[col["duty_of_candour"]] != "Yes" || row[col["entry"]] != strings.TrimSpace(string(rune('1'+i))) {
			t.Errorf("row %d: %q", i+1, row)
		}
	}
	if rows[3][col["recorded_in_error"]] != "yes" || rows[2][col["recorded_in_error"]] != "" {
		t.Errorf("recorded_in_error: %q / %q", rows[3], rows[2])
	}
	if c := rows[4]; c[col["old_value"]] != "low" || c[col["new_value"]] != "moderate" || c[col["step"]] != "harm" {
		t.Errorf("correction row %q", c)
	}
	if s := rows[5]; s[col["refers_to_entry"]] != "3" || s[col["kind"]] != "struck" {
		t.Errorf("strike row %q", s)
	}

	rep := x.must("alex", "report service=maternity days=60").PlainText()
	wants(t, "the report", rep, "Contacts on time: 1 of 1", "Harm recorded on the cases opened — physical: 1 moderate; psychological: 1 not recorded.")
}

func TestCorrectCommand(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		reply []string
		check func(c *pathway.Case) bool
	}{
		{"summary", "correct HPP-1 summary Fall in the bathroom reason: the place was recorded wrongly", []string{"summary: “Fall on ward” → “Fall in the bathroom”", "Reason: “the place was recorded wrongly”"}, func(c *pathway.Case) bool { return c.Summary == "Fall in the bathroom" }},
		{"summary without a reason", "correct HPP-1 summary Fall in the bathroom", []string{"then reason: and why"}, nil},
		{"summary=", "correct HPP-1 summary=Fall reason", []string{"write it after the word summary"}, nil},
		{"reason=", "correct HPP-1 ref=INC-31 reason=typo in the number", []string{"incident reference: INC-30 → INC-31", "Reason: “typo in the number”"}, func(c *pathway.Case) bool { return c.Ref == "INC-31" }},
		{"service", "correct HPP-1 service=surgery moved after review", []string{"service: maternity → surgery", "HPP-1 now belongs to surgery: its pathway lead, <@console:pat>, can see it now."}, func(c *pathway.Case) bool { return c.Service == "surgery" }},
		{"aware", "correct HPP-1 aware=2026-10-26 the fall was reported a week earlier", []string{"date the organisation became aware: Mon 2 Nov 2026 → Mon 26 Oct 2026", "The Duty of Candour deadlines are counted again from Mon 26 Oct 2026", "due by the end of Mon 9 Nov 2026"}, func(c *pathway.Case) bool { return c.DutyApplies }},
		{"regrade down", "correct HPP-1 harm=low reviewed: no lasting harm", []string{"physical harm: moderate → low", "doesn't usually apply here, so its reminders have stopped"}, func(c *pathway.Case) bool { return !c.DutyApplies }},
		{"psych asks", "correct HPP-1 harm=low psych=moderate family distressed", []string{"28 days or more?", "Nothing is changed yet", "/hpp correct HPP-1 harm=low psych=moderate prolonged=yes family distressed"}, func(c *pathway.Case) bool { return c.Psych == "" }},
		{"psych with prolonged", "correct HPP-1 harm=low psych=moderate prolonged=yes family distressed", []string{"psychological harm: not recorded → moderate", "psychological harm lasting 28 days or more: not recorded → yes", "deadlines are unchanged"}, func(c *pathway.Case) bool { return c.DutyApplies && c.Psych == pathway.HarmModerate }},
		{"no reason", "correct HPP-1 harm=severe", []string{"Please say why"}, nil},
		{"nothing to change", "correct HPP-1 harm=moderate same as before", []string{"already records"}, nil},
		{"no field", "correct HPP-1 it was wrong", []string{"What should change?"}, nil},
		{"an entry number", "correct HPP-1 2 wrong case", []string{"/hpp strike HPP-1 2 <reason>"}, nil},
		{"unknown option", "correct HPP-1 harms=low x", []string{"did you mean harm="}, nil},
		{"not on the case", "correct HPP-1 harm=severe x", []string{"only open to the people on it"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newLearningHarness(t)
			x.at("2026-11-02 08:00").must("admin", "service maternity lead=@alex")
			x.must("admin", "service surgery lead=@pat")
			x.at("2026-11-02 09:00").must("sam", "open INC-30 service=maternity harm=moderate Fall on ward")
			x.at("2026-11-04 10:00")
			person := "sam"
			if tt.name == "not on the case" {
				person = "kim"
			}
			wants(t, tt.line, x.as(person, tt.line).PlainText(), tt.reply...)
			c, err := x.st.GetCase(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil && !tt.check(c) {
				t.Errorf("case after %q: %+v", tt.line, c)
			}
			if tt.check == nil && c.Version != 1 {
				t.Errorf("a refused correction changed the case (version %d)", c.Version)
			}
		})
	}
}

func TestStrikeCommand(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		reply  []string
		before string
	}{
		{"the notification", "strike HPP-1 3 recorded on the wrong case", []string{"Entry 3 of *HPP-1*", "Contacts logged now: 1", "• Notification (telling the family, in person or by phone or video, and saying sorry): due by the end of Mon 16 Nov 2026 (in 8 working days)."}, "strike HPP-1 5 belonged to another case"},
		{"the notification while not applying", "strike HPP-1 3 recorded on the wrong case", []string{"Entry 3 of *HPP-1*", "Contacts logged now: 1"}, ""},
		{"not applying", "strike HPP-1 5 reason belonged to another case", []string{"The Duty of Candour applies again, and its reminders start again:", "• Notification (telling the family, in person or by phone or video, and saying sorry): already recorded on Mon 2 Nov 2026 — kept."}, ""},
		{"the plan", "strike HPP-1 4 wrong family", []string{"No plan is recorded now"}, ""},
		{"no entry number", "strike HPP-1", []string{"Which entry?"}, ""},
		{"a word for a number", "strike HPP-1 three wrong", []string{"isn't an entry number"}, ""},
		{"no such entry", "strike HPP-1 40 wrong", []string{"has no entry 40: its entries are numbered 1 to 5"}, ""},
		{"no reason", "strike HPP-1 2", []string{"Please say why entry 2"}, ""},
		{"not on the case", "strike HPP-1 2 wrong", []string{"only open to the people on it"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newLearningHarness(t)
			x.at("2026-11-02 09:00").must("sam", "open INC-30 harm=moderate Fall on ward")
			x.at("2026-11-02 11:00").must("sam", "contact HPP-1 via=phone Spoke with daughter")
			x.must("sam", "candour HPP-1 notified Met with her son")
			x.must("sam", "plan HPP-1 every=1w")
			x.must("sam", "candour HPP-1 na not caused by care")
			x.at("2026-11-04 10:00")
			if tt.before != "" {
				x.must("sam", tt.before)
			}
			person := "sam"
			if tt.name == "not on the case" {
				person = "kim"
			}
			wants(t, tt.line, x.as(person, tt.line).PlainText(), tt.reply...)
		})
	}
}

func TestWithProlonged(t *testing.T) {
	tests := []struct{ line, want string }{
		{"/hpp open INC-1 psych=low Distress", "open INC-1 psych=low prolonged=yes Distress"},
		{"open INC-1 Distress psych=low", "open INC-1 Distress psych=low prolonged=yes"},
		{"hpp correct HPP-2 harm=low because", "correct HPP-2 harm=low because prolonged=yes"},
	}
	for _, tt := range tests {
		if got := withProlonged(tt.line, "yes"); got != tt.want {
			t.Errorf("withProlonged(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// A case is found by its corrected reference, and no longer by the old one;
// correct and strike take a reference where they take a case.
func TestCorrectedReferenceFindsTheCase(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 09:00").must("sam", "open INC-30 harm=moderate Fall on ward")
	x.must("sam", "contact INC-30 via=phone Spoke with daughter")
	wants(t, "correct by reference", x.must("sam", "correct inc-30 ref=INC-31 typo in the number").PlainText(), "incident reference: INC-30 → INC-31")
	wants(t, "status by the new reference", x.must("sam", "status INC-31").PlainText(), "*HPP-1* · INC-31")
	if got := x.as("sam", "status INC-30").PlainText(); !strings.Contains(got, "no case you can see has it") {
		t.Errorf("the old reference still finds the case: %s", got)
	}
	wants(t, "strike by reference", x.must("sam", "strike INC-31 2 wrong family").PlainText(), "Entry 2 of *HPP-1* is marked as recorded in error")
}

// An entry recorded afterwards for an earlier day sits where it happened in
// the timeline but keeps its number: strike names entries by number, so
// the entry struck is the one the person saw with it.
func TestStrikeByNumberInATimelineInTimeOrder(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 09:00").must("sam", "open INC-30 harm=moderate Fall on ward")
	x.at("2026-11-05 10:00").must("sam", "contact HPP-1 via=phone Call today")
	x.must("sam", "contact HPP-1 via=letter on=2026-11-03 Letter from Tuesday")
	tl := x.must("sam", "timeline HPP-1").PlainText()
	first, second := strings.Index(tl, "Letter from Tuesday” (entry 3)"), strings.Index(tl, "Call today” (entry 2)")
	if first < 0 || second < 0 || first > second {
		t.Fatalf("the backdated entry 3 should come before entry 2:\n%s", tl)
	}
	wants(t, "the strike", x.must("sam", "strike HPP-1 3 wrong family").PlainText(), "Letter from Tuesday", "(entry 3)~")
	tl = x.must("sam", "timeline HPP-1").PlainText()
	wants(t, "timeline", tl, "Letter from Tuesday” (entry 3)~ *Recorded in error*", "Call today” (entry 2)\n")
}

// A contact struck out and typed again straight away is logged without the
// "log it twice?" question: the first one no longer stands.
func TestRetypingAStruckContactIsNotARepeat(t *testing.T) {
	x := newLearningHarness(t)
	x.at("2026-11-02 09:00").must("sam", "open INC-30 harm=moderate Fall on ward")
	x.at("2026-11-02 10:00").must("sam", "contact HPP-1 via=phone Spoke with daughter")
	x.at("2026-11-02 10:01").must("sam", "strike HPP-1 2 logged before the call ended")
	x.at("2026-11-02 10:02")
	wants(t, "the contact typed again", x.must("sam", "contact HPP-1 via=phone Spoke with daughter").PlainText(), "Contact logged for *HPP-1*")
}
