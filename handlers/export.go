package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
	"hppbot/store"
)

// The candour record: a case's whole timeline, its Duty of Candour steps and
// deadlines, the communication plan and the other commitments, as Markdown
// laid out for the "openness and transparency" section of an incident record
// (keyed by the local incident reference), and as CSV with one row per event.
// It holds no wellbeing answers: cases never hold any.

// isoTime is ISO 8601 with the offset always written, in the policy's zone.
const isoTime = "2006-01-02T15:04:05-07:00"

// csvHeader is the export's CSV header.
// The columns after incident_ref carry the national record's fields (the
// harm on its two axes and the yes/no Duty of Candour flag, the same on
// every row, as case and incident_ref are) and the audit trail: each
// entry's number, whether it was recorded in error, the entry a strike
// marks, and a correction's old and new values.
var csvHeader = []string{"timestamp", "actor_name", "actor_id", "kind", "step", "via", "due", "next", "note", "stage", "people", "description", "case", "incident_ref",
	"physical_harm", "psychological_harm", "psychological_harm_prolonged", "duty_of_candour", "entry", "recorded_in_error", "refers_to_entry", "old_value", "new_value"}

func (h *Handler) exportCommand() *command {
	return &command{
		name:    "export",
		grammar: grammar{positional: 1},
		run:     h.export,
		usage:   "export <case>",
		summary: "the candour record of a case as files (Markdown and CSV)",
		group:   "learning",
		help: "Gives you the case's candour record as two files: Markdown laid out for the openness and transparency section of your risk system's incident record, and CSV with one row per event.\n" +
			"It holds every event with who and when, the Duty of Candour steps with their deadlines, the agreed communication plan and what was done for the family. It is open to the people on the case, the service's pathway lead and admins.\n" +
			"Example: /hpp export HPP-3",
	}
}

func (h *Handler) export(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if len(cmd.Args) == 0 {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "Which case? For example: /hpp export HPP-3")
	}
	c, svcs, err := h.readCase(ctx, req, cmd.Args[0])
	if err != nil {
		return bot.Reply{}, err
	}
	events, unreadable, err := h.Store.TimelineCounted(ctx, c.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	rec := h.candourRecord(ctx, c, svcs, pathway.Rejudge(events, h.Policy), req.Person)
	md := rec.markdown()
	data, err := rec.csv()
	if err != nil {
		return bot.Reply{}, pathway.Errorf(pathway.Internal, "writing the CSV: %v", err)
	}
	base := c.Name() + "-candour-record"
	reply := bot.Reply{
		Text: fmt.Sprintf("Here is the candour record for *%s* (%s): %s, with the %s steps, the communication plan and what was done for the family.",
			c.Name(), c.Ref, plural(len(events), "event", "events"), h.Policy.Candour.Name),
		Sections: []bot.Section{{Text: "• The Markdown file is laid out to copy into the openness and transparency section of the incident record for " + c.Ref + ".\n" +
			"• The CSV file has one row per event, for a spreadsheet or your risk system's import."}},
		Note: "The files include the notes as they were typed. Keep them with the incident record, not in shared folders. They never include staff wellbeing check-ins.",
		Files: []bot.File{
			{Name: base + ".md", Type: "text/markdown; charset=utf-8", Title: "Candour record for " + c.Name() + " (Markdown)", Data: []byte(md)},
			{Name: base + ".csv", Type: "text/csv; charset=utf-8", Title: "Candour record for " + c.Name() + " (CSV)", Data: data},
		},
	}
	addSkipped(&reply, unreadable, "these files")
	return reply, nil
}

// candourRecord is what the export files are written from.
type candourRecord struct {
	h        *Handler
	c        *pathway.Case
	svcs     store.Services
	events   []pathway.Event
	names    map[string]string
	now      time.Time
	exporter string
}

func (h *Handler) candourRecord(ctx context.Context, c *pathway.Case, svcs store.Services, events []pathway.Event, exporter string) *candourRecord {
	people := append(c.People(), exporter)
	if lead := svcs[c.Service].Lead; lead != "" {
		people = append(people, lead)
	}
	for _, e := range events {
		people = append(people, e.Actor)
		people = append(people, e.People...)
	}
	names := map[string]string{}
	if h.names != nil {
		names = h.names.Lookup(ctx, uniq(people))
	}
	return &candourRecord{h: h, c: c, svcs: svcs, events: events, names: names, now: h.Clock(), exporter: exporter}
}

// name is how a person appears in the files: their display name where one
// is known, else the id on their platform.
func (r *candourRecord) name(person string) string {
	if person == pathway.Bot {
		return "hppbot"
	}
	if n := strings.TrimPrefix(strings.TrimSpace(r.names[person]), "@"); n != "" {
		return n
	}
	_, raw := bot.SplitID(person)
	return raw
}

// namesOf lists people by name: "Sam, Jo and Alex".
func (r *candourRecord) namesOf(people []string) string {
	parts := make([]string, len(people))
	for i, p := range people {
		parts[i] = r.name(p)
	}
	return joinAnd(parts)
}

func (r *candourRecord) loc() *time.Location { return r.h.Policy.Location() }

func (r *candourRecord) when(t time.Time) string { return pathway.FormatTime(t, r.loc()) }

// eventWhen is when an event happened: a moment, or for one recorded
// afterwards with on=<date>, the day alone.
func (r *candourRecord) eventWhen(e pathway.Event) string {
	if e.DateOnly {
		return r.day(e.At)
	}
	return r.when(e.At)
}

// eventISO is eventWhen for the CSV: an ISO moment, or an ISO date.
func (r *candourRecord) eventISO(e pathway.Event) string {
	if e.DateOnly {
		return e.At.In(r.loc()).Format(time.DateOnly)
	}
	return r.iso(e.At)
}

func (r *candourRecord) day(t time.Time) string { return pathway.FormatDay(t, r.loc()) }

func (r *candourRecord) iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(r.loc()).Format(isoTime)
}

// sentence describes an event for a file: Describe's words, with people as
// names, and the note in full (Describe trims long notes for chat).
func (r *candourRecord) sentence(e pathway.Event, withNote bool) string {
	bare := e
	bare.Note = ""
	s := r.h.Describe(bare)
	s = bot.ReplaceMentions(s, func(kind byte, id string) string {
		if kind == '@' {
			return r.name(id)
		}
		_, raw := bot.SplitID(id)
		return "#" + raw
	})
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	if withNote && e.Note != "" {
		label := "Note"
		switch e.Kind {
		case pathway.EventOpened:
			label = "Summary"
		case pathway.EventCorrected, pathway.EventStruck:
			label = "Reason"
		}
		s += " " + label + ": “" + oneLine(e.Note) + "”"
	}
	return s
}

// oneLine folds text onto one line, for Markdown lists.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstEvent finds the first event of a kind and step, leaving out entries
// recorded in error.
func (r *candourRecord) firstEvent(kind pathway.EventKind, step string) (pathway.Event, bool) {
	for _, e := range r.events {
		if e.Kind == kind && (step == "" || e.Step == step) && !e.Struck() {
			return e, true
		}
	}
	return pathway.Event{}, false
}

// eventsOf lists the events of a kind and step, leaving out entries
// recorded in error.
func (r *candourRecord) eventsOf(kind pathway.EventKind, step string) []pathway.Event {
	var out []pathway.Event
	for _, e := range r.events {
		if e.Kind == kind && (step == "" || e.Step == step) && !e.Struck() {
			out = append(out, e)
		}
	}
	return out
}

// remindersWent counts a timeline's reminders that went, and those that
// could not be delivered. A reminder is recorded when it is queued; one that
// then did not go (too late, refused, or no longer due) is recorded again,
// as not delivered, for the same step, deadline and person, and is counted
// there only, not as sent as well.
func remindersWent(events []pathway.Event) (went, undelivered int) {
	key := func(e pathway.Event) string {
		return e.Step + "|" + strconv.FormatInt(e.Due.Unix(), 10) + "|" + strings.Join(e.People, ",")
	}
	queued := map[string]int{} // reminders recorded and not yet undone
	for _, e := range events {
		if e.Struck() {
			continue
		}
		switch e.Kind {
		case pathway.EventReminder:
			went++
			queued[key(e)]++
		case pathway.EventUndelivered:
			undelivered++
			if k := key(e); queued[k] > 0 {
				queued[k]--
				went--
			}
		}
	}
	return went, undelivered
}

// dutyLine says whether the duty applies, and why.
func (r *candourRecord) dutyLine() string {
	c := r.c
	switch {
	case c.NotNeeded != "":
		s := "No — recorded as not applying"
		if e, ok := r.firstEvent(pathway.EventCandour, pathway.CandourNA); ok {
			s += fmt.Sprintf(" on %s by %s", r.day(e.At), r.name(e.Actor))
		}
		return s + ". Reason: “" + oneLine(c.NotNeeded) + "”"
	case c.DutyApplies && c.CandourMode == pathway.CandourYes:
		return "Yes — recorded as applying when the case was opened."
	case c.DutyApplies:
		return fmt.Sprintf("Yes — %s is at or above the level at which it applies here (%s or above).", c.HarmSummary(), r.threshold())
	case c.CandourMode == pathway.CandourNo:
		return "No — recorded as not applying when the case was opened; no reason has been recorded yet."
	case !c.HarmRecorded():
		return "Not decided — no harm level was recorded when the case was opened."
	}
	return fmt.Sprintf("No — %s is below the level at which it applies here (%s or above).", c.HarmSummary(), r.threshold())
}

// threshold says from what harm the duty applies here, on both axes when a
// psychological harm level is recorded.
func (r *candourRecord) threshold() string {
	cp := r.h.Policy.Candour
	s := cp.AppliesFrom.Label()
	if psych, _ := r.c.PsychHarm(); psych == "" {
		return s
	}
	if cp.ProlongedPsych {
		return s + ", or psychological harm lasting 28 days or more"
	}
	return s + ", physical or psychological"
}

// nationalFlag is the national record's yes/no Duty of Candour flag.
func (r *candourRecord) nationalFlag() string {
	c := r.c
	switch {
	case c.CandourActive():
		return "Yes"
	case c.CandourMode == pathway.CandourAuto && !c.HarmRecorded():
		return "No (not decided: no harm level is recorded yet)"
	}
	return "No"
}

// psychLevel is the psychological axis for the files.
func (r *candourRecord) psychLevel() (level, prolonged string) {
	psych, pr := r.c.PsychHarm()
	if psych == "" {
		return "", ""
	}
	return psych.Level(), string(pr)
}

// stepLine describes a candour step: when, by whom, and against its deadline.
func (r *candourRecord) stepLine(step string, done, due time.Time) string {
	c, p := r.c, r.h.Policy
	active := c.CandourActive()
	var s string
	if !done.IsZero() {
		s = r.day(done)
		if e, ok := r.firstEvent(pathway.EventCandour, step); ok {
			s += " by " + r.name(e.Actor)
		}
		switch {
		case due.IsZero():
			s += "."
		case pathway.WithinDeadline(done, due, r.loc()):
			s += fmt.Sprintf(" — within the deadline (due by the end of %s).", r.day(due))
		default:
			late := ""
			if n := p.Calendar.WorkingDaysBetween(due, done); n > 0 {
				late = "; " + plural(n, "working day", "working days") + " late"
			}
			s += fmt.Sprintf(" — after the deadline (due by the end of %s%s).", r.day(due), late)
		}
		return s
	}
	switch {
	case !active:
		return "Not recorded."
	case due.IsZero() && step == pathway.CandourWritten && p.Candour.WrittenFrom == "notified":
		return fmt.Sprintf("Not yet recorded — due %s after the notification.", p.Candour.WrittenWithin.Human())
	case due.IsZero():
		return "Not yet recorded."
	case due.Before(r.now):
		return fmt.Sprintf("Not yet recorded — it was due by the end of %s, so it is overdue.", r.day(due))
	}
	return fmt.Sprintf("Not yet recorded — due by the end of %s.", r.day(due))
}

func (r *candourRecord) markdown() string {
	c, p := r.c, r.h.Policy
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	field := func(label, value string) { line("- **%s:** %s", label, value) }

	line("# Openness and transparency — %s", c.Ref)
	line("")
	line("Candour record from hppbot for case %s, exported %s by %s. Times are in %s. Each field below can be copied into the matching field of the incident record for %s.",
		c.Name(), r.when(r.now), r.name(r.exporter), p.Timezone, c.Ref)
	line("")

	line("## Incident")
	field("Incident reference", c.Ref)
	field("hppbot case", c.Name())
	if c.Service != "" {
		field("Service", c.Service)
	}
	harm := c.HarmSummary()
	if harm == "" {
		harm = pathway.Harm("").Label()
	}
	field("Harm", strings.ToUpper(harm[:1])+harm[1:])
	field("Physical harm (national record)", c.PhysicalHarm().Level())
	field("Psychological harm (national record)", psychValue(c))
	field("Opened", fmt.Sprintf("%s by %s", r.when(c.Opened), r.name(c.OpenedBy)))
	if c.IsOpen() {
		field("Status", "Open")
	} else {
		field("Status", "Closed on "+r.day(c.Closed))
	}
	if c.Summary != "" {
		field("Summary", "“"+oneLine(c.Summary)+"”")
	}
	line("")

	line("## %s", p.Candour.Label)
	field("Duty of Candour (national record, yes/no)", r.nationalFlag())
	field(p.Candour.Label+" applies", r.dutyLine())
	field("Date became aware", r.day(c.Aware))
	field("Notification (telling the family what happened, in person, by phone or by video)", r.stepLine(pathway.CandourNotified, c.Notified, c.NotifyDue))
	field("Written follow-up", r.stepLine(pathway.CandourWritten, c.Written, c.WrittenDue))
	if !c.Notified.IsZero() {
		field("Apology given", "Yes — recorded as part of the notification on "+r.day(c.Notified)+".")
	} else {
		field("Apology given", "Not recorded yet — an apology is part of the notification.")
	}
	for _, e := range r.eventsOf(pathway.EventCandour, pathway.CandourDelay) {
		field("Reason the notification took longer than a month", fmt.Sprintf("recorded %s by %s.%s", r.day(e.At), r.name(e.Actor), noteSuffix(e.Note)))
	}
	updates := r.eventsOf(pathway.EventCandour, pathway.CandourUpdate)
	if len(updates) == 0 {
		field("Further updates", "None recorded.")
	} else {
		field("Further updates", plural(len(updates), "update", "updates")+":")
		for _, e := range updates {
			line("  - %s by %s.%s", r.day(e.At), r.name(e.Actor), noteSuffix(e.Note))
		}
	}
	line("")

	line("## Communication with the family")
	field("Named contact", r.name(c.Lead))
	if hand := r.eventsOf(pathway.EventLead, ""); len(hand) > 0 {
		for _, e := range hand {
			switch {
			case len(e.People) == 2 && e.Step == pathway.LeadActing:
				line("  - Taken on by %s from %s as acting named contact on %s.", r.name(e.People[1]), r.name(e.People[0]), r.day(e.At))
			case len(e.People) == 2:
				line("  - Handed over from %s to %s on %s.", r.name(e.People[0]), r.name(e.People[1]), r.day(e.At))
			}
		}
	}
	if c.Plan != nil {
		plan := "Every " + c.Plan.Every.Period()
		if c.NoRegularContact() {
			plan = "No regular contact: the family will hear when there is news"
		}
		if c.Plan.Via != "" {
			plan += " by " + c.Plan.Via
		}
		plan += ", agreed " + r.day(c.Plan.Agreed)
		if c.Plan.Note != "" {
			plan += " — “" + oneLine(c.Plan.Note) + "”"
		}
		field("Communication plan", plan+".")
	} else {
		field("Communication plan", "No plan recorded.")
	}
	if c.PreferAt != "" {
		field("Family's preferred time", capitalise(pathway.PreferredTimeWords(c.PreferAt))+".")
	}
	var contacts []pathway.Event
	for _, e := range r.events {
		if e.CountsAsContact() {
			contacts = append(contacts, e)
		}
	}
	field("Contacts logged", fmt.Sprintf("%d (a %s notification, written follow-up or update, and findings shared, count as contact too)", len(contacts), p.Candour.Name))
	if c.IsOpen() && !c.NextContact.IsZero() {
		field("Next contact due", r.when(c.NextContact))
	}
	line("")
	line("### Contacts log")
	if len(contacts) == 0 {
		line("No contact with the family has been logged.")
	}
	for i, e := range contacts {
		var parts []string
		how := "Contact"
		switch {
		case e.Kind == pathway.EventCandour:
			how = p.Candour.Label + " " + map[string]string{pathway.CandourNotified: "notification", pathway.CandourWritten: "written follow-up", pathway.CandourUpdate: "update"}[e.Step]
		case e.Kind == pathway.EventFamily:
			how = "Findings shared with the family"
		case e.Via != "":
			how = "By " + e.Via
		}
		parts = append(parts, how+", logged by "+r.name(e.Actor))
		if !e.Due.IsZero() {
			if !e.OnTime(r.loc()) {
				parts = append(parts, "after its due time of "+r.when(e.Due))
			} else {
				parts = append(parts, "on time (due "+r.when(e.Due)+")")
			}
		}
		if !e.Next.IsZero() {
			parts = append(parts, "next due "+r.when(e.Next))
		}
		line("%d. %s — %s.%s", i+1, r.eventWhen(e), strings.Join(parts, "; "), noteSuffix(e.Note))
	}
	for _, e := range r.events {
		if standing := withoutStrike(e); e.Struck() && standing.CountsAsContact() {
			line("- Not counted: entry %d (~~%s — %s~~) %s", e.No, r.eventWhen(e), r.sentence(e, false), r.struckText(e))
		}
	}
	line("")

	line("## Support offered")
	r.familyLines(&b, []string{"support"}, "No independent support or advice recorded as offered yet.")
	line("")
	line("## Involvement")
	r.familyLines(&b, []string{"questions", "investigation", "findings", "improvement"}, "")
	line("")
	line("## Other processes the family has started")
	parallel := r.eventsOf(pathway.EventParallel, "")
	if len(parallel) == 0 {
		line("None recorded.")
	}
	for _, e := range parallel {
		line("- %s: %s (recorded by %s).%s", r.day(e.At), pathway.DescribeParallel(e.Step), r.name(e.Actor), noteSuffix(e.Note))
	}
	line("")

	line("## Staff involved")
	if len(c.Involved) == 0 {
		line("None recorded.")
	} else {
		line("%s. Staff wellbeing check-ins are private to each person and are not part of this record.", r.namesOf(c.Involved))
	}
	line("")
	line("## Reminders")
	nudges, undelivered := remindersWent(r.events)
	escalations := len(r.eventsOf(pathway.EventEscalation, ""))
	field("Reminders sent by hppbot about this case", fmt.Sprintf("%d", nudges))
	field("Times the pathway lead and team channel were told reminders had gone unanswered", fmt.Sprintf("%d", escalations))
	if undelivered > 0 {
		field("Reminders hppbot could not deliver", fmt.Sprintf("%d", undelivered))
	}
	line("")

	line("## Corrections")
	corrections := 0
	for _, e := range r.events {
		switch e.Kind {
		case pathway.EventCorrected:
			corrections++
			line("- %s — %s: %s → %s, corrected by %s.%s", r.when(e.At), capitalise(fieldLabel(e.Step)), r.h.fieldValue(e.Step, e.From), r.h.fieldValue(e.Step, e.To), r.name(e.Actor), reasonFileSuffix(e.Note))
		case pathway.EventStruck:
			corrections++
			line("- %s — entry %d marked as recorded in error by %s.%s", r.when(e.At), e.Strikes, r.name(e.Actor), reasonFileSuffix(e.Note))
		}
	}
	if corrections == 0 {
		line("None: nothing has been corrected or marked as recorded in error.")
	}
	line("")

	line("## Full timeline (oldest first)")
	if len(r.events) == 0 {
		line("No events recorded.")
	}
	for i, e := range r.events {
		if e.Struck() {
			line("%d. ~~%s — %s (entry %d)~~ %s", i+1, r.eventWhen(e), r.sentence(e, true), e.No, r.struckText(e))
			continue
		}
		line("%d. %s — %s (entry %d)", i+1, r.eventWhen(e), r.sentence(e, true), e.No)
	}
	return b.String()
}

// struckText says that an entry was recorded in error: by whom, when, why.
func (r *candourRecord) struckText(e pathway.Event) string {
	s := e.StruckBy
	return fmt.Sprintf("**Recorded in error** — marked by %s on %s (entry %d).%s", r.name(s.Actor), r.when(s.At), s.No, reasonFileSuffix(s.Note))
}

// withoutStrike is e as if it had not been marked recorded in error.
func withoutStrike(e pathway.Event) pathway.Event {
	e.StruckBy = nil
	return e
}

func reasonFileSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return " Reason: “" + oneLine(reason) + "”"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// familyLines writes what was recorded for some family steps, with every
// event, or says it is not recorded yet.
func (r *candourRecord) familyLines(b *strings.Builder, steps []string, none string) {
	for _, step := range steps {
		desc := pathway.DescribeFamilyStep(step)
		desc = strings.ToUpper(desc[:1]) + desc[1:]
		evs := r.eventsOf(pathway.EventFamily, step)
		if len(evs) == 0 {
			if none != "" {
				fmt.Fprintf(b, "%s\n", none)
			} else {
				fmt.Fprintf(b, "- %s: not recorded yet.\n", desc)
			}
			continue
		}
		for _, e := range evs {
			fmt.Fprintf(b, "- %s: %s, recorded by %s.%s\n", desc, r.day(e.At), r.name(e.Actor), noteSuffix(e.Note))
		}
	}
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return " Note: “" + oneLine(note) + "”"
}

// csv writes one row per event. Cells are protected from formula injection.
func (r *candourRecord) csv() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	psych, prolonged := r.psychLevel()
	flag := "No"
	if r.c.CandourActive() {
		flag = "Yes"
	}
	for _, e := range r.events {
		people := make([]string, len(e.People))
		for i, p := range e.People {
			people[i] = r.name(p)
		}
		struck, refers := "", ""
		if e.Struck() {
			struck = "yes"
		}
		if e.Strikes > 0 {
			refers = strconv.Itoa(e.Strikes)
		}
		row := []string{
			r.eventISO(e), r.name(e.Actor), e.Actor, string(e.Kind), e.Step, e.Via, r.iso(e.Due), r.iso(e.Next), e.Note,
			e.Stage, strings.Join(people, "; "), r.sentence(e, false), r.c.Name(), r.c.Ref,
			r.c.PhysicalHarm().Level(), psych, prolonged, flag, strconv.Itoa(e.No), struck, refers, e.From, e.To,
		}
		if err := w.Write(report.SafeRow(row)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
