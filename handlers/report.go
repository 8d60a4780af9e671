package handlers

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
	"hppbot/store"
)

// reportStore reads what the learning reports count: cases by window,
// their timelines, and check-in participation (never answers).
type reportStore interface {
	EachOpened(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, fn func(cases []*pathway.Case)) (unreadable int, err error)
	CheckinParticipationIn(ctx context.Context, services []string, from, to time.Time) (invited, answered int, err error)
	EachActive(ctx context.Context, from, to time.Time, keep func(*pathway.Case) bool, fn func(cases []*pathway.Case, timelines map[int64][]pathway.Event)) (badCases, badEntries int, err error)
	caseCounter
}

// Learning figures: `report` for a window of days, with a chart, and
// `report yearly` for the Duty of Candour counts organisations publish. Both
// are for a service's pathway lead and hppbot admins. Check-in figures are
// aggregates over at least report.MinGroup people, never anyone's answers.

// Report windows, in days.
const (
	reportDaysDefault = 90
	reportDaysMin     = 7
	reportDaysMax     = 730
)

func (h *Handler) learningCommands() []*command {
	return []*command{
		h.exportCommand(),
		{
			name:    "report",
			grammar: grammar{positional: 1, options: []string{"service", "days", "year"}},
			run:     h.report,
			usage:   "report [service=<s>] [days=<n>] | report yearly [year=<yyyy>] [service=<s>]",
			summary: "learning figures for a service, with a chart; the yearly candour counts",
			group:   "learning",
			help: "Shows how communication with families is going: cases opened and closed, time to first contact, contacts on time, what is overdue, the Duty of Candour steps within their deadlines, reminders and escalations, and check-in participation (only when 5 or more people took part). A chart comes with it.\n" +
				"• service — which service (pathway leads see their own services; admins can see any, or all)\n" +
				"• days — how far back to look, from 7 to 730 days (default 90)\n" +
				"/hpp report yearly gives the counts published each year for the Duty of Candour, by financial year (1 April to 31 March); year=2025 means 2025–26.\n" +
				"Reports are for each service's pathway lead and hppbot admins. With many cases to count, it answers at once and sends you the figures when they are ready.\n" +
				"Examples: /hpp report service=maternity days=180 · /hpp report yearly year=2025",
		},
	}
}

// reportScope is what a report covers.
type reportScope struct {
	all      bool     // every case (admins, with no service named)
	services []string // else these services
}

func (s reportScope) keep(c *pathway.Case) bool {
	return s.all || slices.Contains(s.services, c.Service)
}

func (s reportScope) label() string {
	if s.all {
		return "all services"
	}
	return joinAnd(s.services)
}

// scopeFor decides what a person may see: a named service if they are its
// pathway lead or an admin; with no service named, everything for an admin
// and their own services for a pathway lead.
func (h *Handler) scopeFor(person, service string, svcs store.Services) (reportScope, error) {
	admin := h.isAdmin(person)
	if service != "" {
		if admin || svcs[service].Lead == person {
			return reportScope{services: []string{service}}, nil
		}
		if lead := svcs[service].Lead; lead != "" {
			return reportScope{}, pathway.Errorf(pathway.Forbidden, "The figures for %s are for its pathway lead, %s, and hppbot admins. If they would help you, ask %s — they can share them with you.", service, bot.Mention(lead), bot.Mention(lead))
		}
		return reportScope{}, pathway.Errorf(pathway.Forbidden, "The figures for %s are for its pathway lead and hppbot admins, and %s has no pathway lead set up yet. If they would help you, please ask an hppbot admin.", service, service)
	}
	if admin {
		return reportScope{all: true}, nil
	}
	if mine := svcs.LeadOf(person); len(mine) > 0 {
		sort.Strings(mine)
		return reportScope{services: mine}, nil
	}
	return reportScope{}, pathway.Errorf(pathway.Forbidden, "Reports are for each service's pathway lead and for hppbot admins. If the figures for your service would help you, ask its pathway lead (/hpp service lists who they are) or an hppbot admin.")
}

func (h *Handler) report(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	yearly := false
	if len(cmd.Args) > 0 {
		if !strings.EqualFold(cmd.Args[0], "yearly") {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "report takes service= and days=, or the word yearly (you typed %q). For example: /hpp report service=maternity days=90, or /hpp report yearly", truncate(cmd.Args[0], 30))
		}
		yearly = true
	}
	service := ""
	if v, ok := cmd.Opts["service"]; ok {
		var err error
		if service, err = pathway.ParseServiceName(v); err != nil {
			return bot.Reply{}, err
		}
	}
	days := reportDaysDefault
	if v, ok := cmd.Opts["days"]; ok {
		if yearly {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "The yearly report always covers a financial year, so it doesn't take days=. Use year= to choose one, for example: /hpp report yearly year=2025")
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(v), "d"))
		if err != nil || n < reportDaysMin || n > reportDaysMax {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "days= takes a number of days from %d to %d (you typed %q). For example: /hpp report days=90", reportDaysMin, reportDaysMax, truncate(v, 20))
		}
		days = n
	}
	year := 0
	if v, ok := cmd.Opts["year"]; ok {
		if !yearly {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "year= goes with the yearly report: /hpp report yearly year=%s", truncate(v, 10))
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return bot.Reply{}, pathway.Errorf(pathway.Invalid, "year= takes the year a financial year starts in, such as year=2025 for 1 April 2025 to 31 March 2026 (you typed %q).", truncate(v, 10))
		}
		year = n
	}
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	scope, err := h.scopeFor(req.Person, service, svcs)
	if err != nil {
		return bot.Reply{}, err
	}
	now := h.Clock()
	if h.reportTakesLong(ctx) {
		h.later(ctx, req, "report", func(ctx context.Context) (bot.Reply, error) {
			if yearly {
				return h.yearlyReport(ctx, scope, svcs, year, now)
			}
			return h.windowReport(ctx, scope, svcs, days, now)
		})
		return workingOn(req), nil
	}
	if yearly {
		return h.yearlyReport(ctx, scope, svcs, year, now)
	}
	return h.windowReport(ctx, scope, svcs, days, now)
}

// windowFigures reads the cases active in the window a page at a time and
// counts them as it goes, keeping none: the figures, how many cases and
// timeline entries could not be read, and the services the cases are in.
func (h *Handler) windowFigures(ctx context.Context, scope reportScope, from, now time.Time) (f report.Figures, cases, unreadable, badEntries int, services []string, err error) {
	tally := report.NewTally(from, now, now, h.Policy.Location())
	seen := map[string]bool{}
	unreadable, badEntries, err = h.Store.EachActive(ctx, from, now, scope.keep, func(page []*pathway.Case, timelines map[int64][]pathway.Event) {
		for _, c := range page {
			cases++
			if c.Service != "" && !seen[c.Service] {
				seen[c.Service] = true
				services = append(services, c.Service)
			}
			tally.Add(c, pathway.Rejudge(timelines[c.ID], h.Policy))
		}
	})
	if err != nil {
		return report.Figures{}, 0, 0, 0, nil, err
	}
	return tally.Figures(), cases, unreadable, badEntries, services, nil
}

func (h *Handler) windowReport(ctx context.Context, scope reportScope, svcs store.Services, days int, now time.Time) (bot.Reply, error) {
	p := h.Policy
	loc := p.Location()
	from := pathway.Midnight(now, loc).AddDate(0, 0, -days)
	f, cases, unreadable, badEntries, caseServices, err := h.windowFigures(ctx, scope, from, now)
	if err != nil {
		return bot.Reply{}, err
	}

	partServices := scope.services
	if scope.all {
		partServices = []string{"none"}
		for name := range svcs {
			partServices = append(partServices, name)
		}
		partServices = uniq(append(partServices, caseServices...))
	}
	invited, answered, err := h.Store.CheckinParticipationIn(ctx, partServices, from, now)
	if err != nil {
		return bot.Reply{}, err
	}

	reply := h.reportReply(f, scope, days, invited, answered)
	if unreadable > 0 {
		reply.Sections = append(reply.Sections, bot.Section{Text: skippedLine(unreadable, "case", "cases", "these figures")})
	}
	if badEntries > 0 {
		reply.Sections = append(reply.Sections, bot.Section{Text: skippedLine(badEntries, "timeline entry", "timeline entries", "these figures")})
	}
	if !scope.all && len(scope.services) == 1 {
		if _, ok := svcs[scope.services[0]]; !ok && cases == 0 {
			// Say so first and only: a page of zeros before it reads as
			// figures for a service that exists.
			return bot.Reply{Text: fmt.Sprintf("%s isn't set up as a service and has no cases, so there is nothing to count — /hpp service lists the services set up here, and /hpp report on its own gives the figures you can see.", scope.services[0])}, nil
		}
	}
	period := fmt.Sprintf("%s to %s", pathway.Midnight(from, loc).Format("2 Jan 2006"), now.In(loc).Format("2 Jan 2006"))
	png, err := report.Chart(f, scope.label()+" · "+period, loc)
	if err != nil {
		h.Log.Error("report chart failed", "command", "report", "err", err)
		reply.Note += " The chart couldn't be drawn this time; the figures above are complete."
		return reply, nil
	}
	name := "hppbot-report-all-services"
	if !scope.all {
		name = "hppbot-report-" + strings.Join(scope.services, "-")
	}
	words := report.ChartText(f, loc)
	reply.Sections = append(reply.Sections, bot.Section{Title: "The chart in words", Text: strings.Join(words, "\n")})
	reply.Files = []bot.File{{
		Name:  fmt.Sprintf("%s-%s.png", name, now.In(loc).Format("2006-01-02")),
		Type:  "image/png",
		Title: "Chart: contacts on time and time to first contact, " + scope.label(),
		Alt:   chartAlt(scope.label(), words),
		Data:  png,
	}}
	return reply, nil
}

// chartAlt is the chart's text alternative, kept within what chat
// platforms take for an image's alt text (Slack: 1,000 characters); the
// full figures are in the reply's "The chart in words" section.
func chartAlt(label string, words []string) string {
	const limit = 1000
	alt := "Chart for " + label + ". " + strings.Join(words, " ")
	if r := []rune(alt); len(r) > limit {
		const more = "… (every week's figures are in the message)"
		alt = string(r[:limit-len([]rune(more))]) + more
	}
	return alt
}

// share writes "3 of 5 (60%)", or says there was nothing to count.
func share(s report.Share) string {
	if s.Den == 0 {
		return "nothing to count in this period"
	}
	return fmt.Sprintf("%d of %d (%d%%)", s.Num, s.Den, s.Percent())
}

func (h *Handler) reportReply(f report.Figures, scope reportScope, days, invited, answered int) bot.Reply {
	p := h.Policy
	loc := p.Location()
	period := fmt.Sprintf("these %d days", days)
	head := fmt.Sprintf("*Learning figures for %s* — the last %d days, %s to %s", scope.label(), days,
		pathway.FormatDay(f.From, loc), pathway.FormatDay(f.To, loc))

	casesText := []string{
		fmt.Sprintf("• Opened: %d — cases opened in %s.", f.Opened, period),
	}
	if f.Opened > 0 {
		casesText = append(casesText, harmCounts(f))
	}
	casesText = append(casesText, []string{
		fmt.Sprintf("• Closed: %d — cases closed in %s (and not reopened since).", f.Closed, period),
		fmt.Sprintf("• Overdue now: %d of %d open %s — open cases with a contact or a candour step past its due time today.", f.OverdueNow, f.OpenNow, pluralWord(f.OpenNow, "case", "cases")),
	}...)

	var comm []string
	daysList := f.FirstContactDays()
	if med, ok := report.Median(daysList); ok {
		p90, _ := report.Percentile(daysList, 90)
		comm = append(comm, fmt.Sprintf("• Time to first contact: typically %.1f days (the median); 9 in 10 within %.1f days — from the day the organisation became aware of the harm to the first contact with the family, over the %s whose first contact was in %s.",
			med, p90, plural(len(daysList), "case", "cases"), period))
	} else {
		comm = append(comm, fmt.Sprintf("• Time to first contact: no first contacts were logged in %s.", period))
	}
	if f.NoContactYet > 0 {
		comm = append(comm, fmt.Sprintf("• Still waiting for a first contact: %s opened in %s with no contact logged yet.", plural(f.NoContactYet, "case", "cases"), period))
	}
	comm = append(comm, fmt.Sprintf("• Contacts on time: %s — contacts with families logged in %s that were made on or before the time they were due.", share(f.Contacts), period))

	candour := []string{
		fmt.Sprintf("• Notification within its deadline: %s — cases where the duty applies whose notification deadline passed in %s or whose notification was recorded in it; on time means done by the end of the deadline day.", share(f.Notify), period),
		fmt.Sprintf("• Written follow-up within its deadline: %s — the same rule, for the written follow-up.", share(f.Written)),
	}

	reminders := []string{
		fmt.Sprintf("• Nudges sent: %d — reminders hppbot sent to named contacts about contact or a candour step in %s.", f.Nudges, period),
		fmt.Sprintf("• Escalations: %d — times the pathway lead and team channel were told that reminders had gone unanswered.", f.Escalations),
	}

	var checkins string
	if invited >= report.MinGroup {
		checkins = fmt.Sprintf("• Invited: %d people; answered: %d — distinct staff offered a wellbeing check-in, and those who answered at least one, counted by whole calendar months: every month that includes part of %s. Individual answers are private and never shown.", invited, answered, period)
	} else {
		checkins = fmt.Sprintf("• Too few to show — fewer than %d people were offered check-ins in %s, and figures about so few could identify someone.", report.MinGroup, period)
	}

	example := "service=maternity"
	if !scope.all && len(scope.services) > 0 {
		example = "service=" + scope.services[0]
	}
	return bot.Reply{
		Text: head,
		Sections: []bot.Section{
			{Title: "Cases", Text: strings.Join(casesText, "\n")},
			{Title: "Communication with families", Text: strings.Join(comm, "\n")},
			{Title: p.Candour.Label, Text: strings.Join(candour, "\n")},
			{Title: "Reminders", Text: strings.Join(reminders, "\n")},
			{Title: "Staff check-ins", Text: checkins},
		},
		Note: fmt.Sprintf("The chart shows contacts each week, on time and late, and the days to first contact for each case. /hpp report %s days=180 looks further back; /hpp report yearly gives the yearly candour counts.", example),
	}
}

// harmCounts says the harm recorded on the cases opened, on the national
// record's two axes: "physical: 1 moderate, 2 low; psychological: ...".
func harmCounts(f report.Figures) string {
	axis := func(counts map[pathway.Harm]int, levels []pathway.Harm, prolonged int) string {
		var parts []string
		for _, l := range levels {
			if n := counts[l]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(l.Level())))
			}
		}
		if n := counts[""]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d not recorded", n))
		}
		s := strings.Join(parts, ", ")
		if prolonged > 0 {
			s += fmt.Sprintf(" — %d prolonged (28 days or more)", prolonged)
		}
		return s
	}
	physical := axis(f.Physical, []pathway.Harm{pathway.HarmNone, pathway.HarmLow, pathway.HarmModerate, pathway.HarmSevere, pathway.HarmDeath}, 0)
	return fmt.Sprintf("• Harm recorded on the cases opened — physical: %s; psychological: %s.", physical, axis(f.Psych, pathway.PsychLevels, f.PsychProlonged))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (h *Handler) yearlyReport(ctx context.Context, scope reportScope, svcs store.Services, year int, now time.Time) (bot.Reply, error) {
	p := h.Policy
	loc := p.Location()
	current := report.FinancialYearOf(now, loc)
	if year == 0 {
		year = current
	}
	from, to := report.FinancialYear(year, loc)
	if year > current {
		return bot.Reply{}, pathway.Errorf(pathway.Invalid, "The %s financial year hasn't started yet. Try /hpp report yearly year=%d.", report.FinancialYearLabel(year), current)
	}
	rows, unreadable, err := h.yearlyRows(ctx, scope, from, to)
	if err != nil {
		return bot.Reply{}, err
	}
	// Every service in scope appears, even with nothing to count.
	names := scope.services
	if scope.all {
		for name := range svcs {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if !slices.ContainsFunc(rows, func(r report.YearRow) bool { return r.Service == name }) {
			rows = append(rows, report.YearRow{Service: name})
		}
	}
	rows = report.SortRows(rows)

	label := report.FinancialYearLabel(year)
	span := fmt.Sprintf("1 April %d to 31 March %d", year, year+1)
	if year == current {
		span += ", so far"
	}
	text := fmt.Sprintf("*%s yearly counts — %s* (%s) for %s", p.Candour.Label, label, span, scope.label())
	intro := "Counted by financial year, 1 April to 31 March. Each case counts in the year the organisation became aware of the harm."
	if p.Nation == pathway.Wales {
		intro = "Counted by financial year, 1 April to 31 March, the year each Welsh NHS body's yearly duty of candour report covers. Each case counts in the year the organisation became aware of the harm."
	}
	sections := []bot.Section{{Text: intro}}
	var total report.YearRow
	for _, r := range rows {
		total.Add(r)
		title := r.Service
		if title == "" {
			title = "Cases with no service"
		}
		sections = append(sections, bot.Section{Title: title, Fields: yearFields(r)})
	}
	if len(rows) > 1 {
		sections = append(sections, bot.Section{Title: "All of these together", Fields: yearFields(total)})
	}
	if len(rows) == 0 {
		sections = append(sections, bot.Section{Text: "No cases were recorded for this year."})
	}
	if unreadable > 0 {
		sections = append(sections, bot.Section{Text: skippedLine(unreadable, "case", "cases", "these counts")})
	}
	data, err := report.YearlyCSV(year, rows)
	if err != nil {
		return bot.Reply{}, pathway.Errorf(pathway.Internal, "writing the yearly CSV: %v", err)
	}
	name := "hppbot-candour-" + label
	if !scope.all {
		name += "-" + strings.Join(scope.services, "-")
	}
	return bot.Reply{
		Text:     text,
		Sections: sections,
		Note:     fmt.Sprintf("These counts come from what was recorded in hppbot: check them against your risk system before publishing. /hpp report yearly year=%d shows the year before.", year-1),
		Files: []bot.File{{
			Name: strings.ReplaceAll(name, "–", "-") + ".csv", Type: "text/csv; charset=utf-8",
			Title: "Yearly candour counts " + label + " (CSV)", Data: data,
		}},
	}, nil
}

func yearFields(r report.YearRow) []bot.Field {
	return []bot.Field{
		{Label: "Cases where the duty applied", Value: strconv.Itoa(r.DutyApplied)},
		{Label: "Notifications made", Value: fmt.Sprintf("%d (%d within the deadline)", r.Notified, r.NotifiedOnTime)},
		{Label: "Written follow-ups sent", Value: fmt.Sprintf("%d (%d within the deadline)", r.Written, r.WrittenOnTime)},
		{Label: "Recorded as not applying, with a reason", Value: strconv.Itoa(r.NotApplying)},
	}
}

// yearlyRows counts the year's cases in scope a page at a time, keeping
// only the rows: report.Yearly of each page, added up by service.
func (h *Handler) yearlyRows(ctx context.Context, scope reportScope, from, to time.Time) ([]report.YearRow, int, error) {
	inYear := func(c *pathway.Case) bool {
		return scope.keep(c) && !c.Aware.Before(from) && c.Aware.Before(to)
	}
	loc := h.Policy.Location()
	bySvc := map[string]*report.YearRow{}
	// Awareness comes on or before the day a case is opened, so every case
	// of the year was opened on or after its first day.
	unreadable, err := h.Store.EachOpened(ctx, from, time.Time{}, inYear, func(page []*pathway.Case) {
		for _, r := range report.Yearly(page, from, to, loc) {
			if bySvc[r.Service] == nil {
				bySvc[r.Service] = &report.YearRow{Service: r.Service}
			}
			bySvc[r.Service].Add(r)
		}
	})
	if err != nil {
		return nil, 0, err
	}
	rows := make([]report.YearRow, 0, len(bySvc))
	for _, r := range bySvc {
		rows = append(rows, *r)
	}
	return report.SortRows(rows), unreadable, nil
}
