package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/report"
)

// The learning report for a service: the figures /hpp report gives (its
// own words), the chart as SVG with the same figures in a table beside it,
// the yearly candour counts, and a CSV of the cases in scope for a
// governance meeting. Who may see it is the report command's rule (a
// service's pathway lead, admins).

// periods are the report's lengths to choose from, in days.
var periods = []int{30, 90, 180, 365}

// chartWords is the title of the report's section that says the chart in
// words: on the page it is the chart's long description.
const chartWords = "The chart in words"

type weekRow struct {
	Week           string
	OnTime, Late   int
	FirstContact   string
	FirstContactNo int
}

type yearRow struct {
	Title  string
	Values []string
}

type reportData struct {
	Service, Label string
	Days           int
	Query          string
	Services       []option
	Periods        []option
	Figures        replyView
	ChartAlt       string
	ChartWords     replyView
	Weeks          []weekRow
	Yearly         replyView
	YearHeads      []string
	YearRows       []yearRow
}

// reportQuery reads service= and days= (a period offered, else 90).
func reportQuery(r *http.Request) (service string, days int) {
	service = r.URL.Query().Get("service")
	days, _ = strconv.Atoi(r.URL.Query().Get("days"))
	if !slices.Contains(periods, days) {
		days = 90
	}
	return service, days
}

func reportLine(cmd, service string, days int) string {
	line := "report"
	if cmd != "" {
		line += " " + cmd
	}
	if service != "" {
		line += " service=" + service
	}
	if days > 0 {
		line += " days=" + strconv.Itoa(days)
	}
	return line
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, v viewer) {
	ctx := r.Context()
	service, days := reportQuery(r)
	if service != "" {
		if _, err := pathway.ParseServiceName(service); err != nil {
			s.notFound(w, r)
			return
		}
	}
	figures, err := s.cfg.Reader.Read(ctx, v.Person, reportLine("", service, days))
	if pathway.ErrorCode(err) == pathway.Forbidden {
		s.render(w, r, http.StatusForbidden, "notlead", page{Title: "The learning report is for pathway leads", Nav: "report"})
		return
	}
	if err != nil {
		s.readError(w, r, err)
		return
	}
	yearly, err := s.cfg.Reader.Read(ctx, v.Person, reportLine("yearly", service, 0))
	if err != nil {
		s.readError(w, r, err)
		return
	}
	f, label, err := s.cfg.Reader.LearningFigures(ctx, v.Person, service, days)
	if err != nil {
		s.readError(w, r, err)
		return
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	n := s.lookupNames(ctx, figures, yearly)
	d := reportData{Service: service, Label: label, Days: days}
	d.Query = "?" + strings.TrimPrefix(queryOf(service, days), "&")
	// The chart's words are its description, beside it, not a section.
	var words bot.Reply
	kept := figures.Sections[:0:0]
	for _, sec := range figures.Sections {
		if sec.Title == chartWords {
			words.Text = sec.Text
			continue
		}
		kept = append(kept, sec)
	}
	figures.Sections = kept
	figures.Files, figures.Buttons = nil, nil
	d.Figures, d.ChartWords = replyView{figures, n}, replyView{words, n}
	d.ChartAlt = "Chart of contacts with families each week, on time and late, and the days from becoming aware to first contact, for " + label + ". The same figures are in the table and the description beside it."
	chart := report.NewChartData(f, s.cfg.Policy.Location())
	for i, week := range chart.Weeks {
		row := weekRow{Week: pathway.FormatDay(week, s.cfg.Policy.Location()), OnTime: int(chart.OnTime[i]), Late: int(chart.Late[i]), FirstContact: "none"}
		if i < len(f.Weeks) {
			if m, ok := report.Median(f.Weeks[i].FirstContactDays); ok {
				row.FirstContact = fmt.Sprintf("%.1f days (%d %s)", m, len(f.Weeks[i].FirstContactDays), plural(len(f.Weeks[i].FirstContactDays), "case", "cases"))
			}
		}
		d.Weeks = append(d.Weeks, row)
	}
	// The yearly counts as one table: a row per service, a column per count.
	yearly.Files, yearly.Buttons = nil, nil
	var intro []bot.Section
	for _, sec := range yearly.Sections {
		if len(sec.Fields) == 0 {
			intro = append(intro, sec)
			continue
		}
		if d.YearHeads == nil {
			for _, fl := range sec.Fields {
				d.YearHeads = append(d.YearHeads, fl.Label)
			}
		}
		row := yearRow{Title: sec.Title}
		for _, fl := range sec.Fields {
			row.Values = append(row.Values, fl.Value)
		}
		d.YearRows = append(d.YearRows, row)
	}
	yearly.Sections = intro
	d.Yearly = replyView{yearly, n}
	// The choices: the viewer's services (all of them for an admin).
	scope := svcs.LeadOf(v.Person)
	if s.cfg.Reader.Access().IsAdmin(v.Person) {
		scope = scope[:0]
		for name := range svcs {
			scope = append(scope, name)
		}
		d.Services = append(d.Services, option{"", "All services", service == ""})
	} else if len(scope) > 1 {
		d.Services = append(d.Services, option{"", "All your services", service == ""})
	}
	sort.Strings(scope)
	for _, name := range scope {
		d.Services = append(d.Services, option{name, name, name == service || (service == "" && len(scope) == 1 && len(d.Services) == 0)})
	}
	for _, p := range periods {
		d.Periods = append(d.Periods, option{strconv.Itoa(p), fmt.Sprintf("The last %d days", p), p == days})
	}
	s.render(w, r, http.StatusOK, "report", page{Title: "Learning report", Nav: "report", Leads: true, Data: d})
}

func queryOf(service string, days int) string {
	q := "&days=" + strconv.Itoa(days)
	if service != "" {
		q = "&service=" + service + q
	}
	return q
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// reportChart is the report's chart as SVG.
func (s *Server) reportChart(w http.ResponseWriter, r *http.Request, v viewer) {
	service, days := reportQuery(r)
	f, label, err := s.cfg.Reader.LearningFigures(r.Context(), v.Person, service, days)
	if err != nil {
		s.readError(w, r, err)
		return
	}
	loc := s.cfg.Policy.Location()
	heading := fmt.Sprintf("%s · %s to %s", label, f.From.In(loc).Format("2 Jan 2006"), f.To.In(loc).Format("2 Jan 2006"))
	svg, err := report.NewChartData(f, loc).SVG(heading)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	// The SVG is an image: it runs nothing; its own styles carry its fonts.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write(svg)
}

// caseColumns are the governance CSV's columns: what each case is and
// where it stands. Never a note, a summary or anything of wellbeing.
var caseColumns = []string{"case", "incident_ref", "service", "state", "opened", "aware", "closed", "physical_harm", "psychological_harm",
	"named_contact", "contacts", "first_contact", "last_contact", "next_contact_due", "overdue_now", "duty_of_candour", "notified", "notify_due", "written", "written_due"}

// reportCases is every case in the report's scope active in its period,
// as CSV.
func (s *Server) reportCases(w http.ResponseWriter, r *http.Request, v viewer) {
	ctx := r.Context()
	service, days := reportQuery(r)
	f, label, err := s.cfg.Reader.LearningFigures(ctx, v.Person, service, days)
	if err != nil {
		s.readError(w, r, err)
		return
	}
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	access := s.cfg.Reader.Access()
	admin := access.IsAdmin(v.Person)
	mine := svcs.LeadOf(v.Person)
	keep := func(c *pathway.Case) bool {
		if service != "" && c.Service != service {
			return false
		}
		if !admin && !slices.Contains(mine, c.Service) {
			return false
		}
		return access.MayAct(v.Person, c, svcs[c.Service].Lead)
	}
	cases, _, err := s.cfg.Store.CasesActiveCounted(ctx, f.From, f.To, keep)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].ID < cases[j].ID })
	var people []string
	for _, c := range cases {
		people = append(people, c.Lead)
	}
	n := s.namesOf(ctx, people)
	loc := s.cfg.Policy.Location()
	iso := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02")
	}
	now := s.cfg.Clock()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(caseColumns)
	for _, c := range cases {
		state := "open"
		if !c.IsOpen() {
			state = "closed"
		}
		psych, _ := c.PsychHarm()
		duty := "no"
		if c.CandourActive() {
			duty = "yes"
		}
		overdue := "no"
		if len(c.Overdue(now)) > 0 {
			overdue = "yes"
		}
		next := ""
		if c.IsOpen() {
			next = iso(c.NextContact)
		}
		_ = cw.Write(csvSafe([]string{c.Name(), c.Ref, c.Service, state, iso(c.Opened), iso(c.Aware), iso(c.Closed), string(c.PhysicalHarm()), string(psych),
			n.of(c.Lead), strconv.Itoa(c.Contacts), iso(c.FirstContact), iso(c.LastContact), next, overdue, duty,
			iso(c.Notified), iso(c.NotifyDue), iso(c.Written), iso(c.WrittenDue)}))
	}
	cw.Flush()
	name := "hppbot-cases-" + strings.ReplaceAll(label, " ", "-") + "-" + now.In(loc).Format("2006-01-02") + ".csv"
	download(w, name, "text/csv; charset=utf-8", buf.Bytes())
}

// reportYearly is the yearly candour counts as CSV: the report command's
// own file.
func (s *Server) reportYearly(w http.ResponseWriter, r *http.Request, v viewer) {
	service, _ := reportQuery(r)
	reply, err := s.cfg.Reader.Read(r.Context(), v.Person, reportLine("yearly", service, 0))
	if err != nil {
		s.readError(w, r, err)
		return
	}
	for _, f := range reply.Files {
		if strings.HasSuffix(f.Name, ".csv") {
			download(w, f.Name, f.Type, f.Data)
			return
		}
	}
	s.notFound(w, r)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(row []string) []string {
	for i, v := range row {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			row[i] = "'" + v
		}
	}
	return row
}
