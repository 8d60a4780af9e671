package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// The service overview, for pathway leads (their own services) and admins
// (every service): open cases overdue first, filtered by service and by
// state with a plain form (GET, so a filtered view is a link to share and
// keyboard use needs nothing special), and sortable by column with links.
// Below it: what is due this week, cases with no first contact or no plan,
// cases whose named contact is away (and who gets their reminders
// meanwhile), and the Duty of Candour deadlines with the working days left.

// states are the overview's state filter: value and label.
var states = []struct{ Value, Label string }{
	{"", "Any state"},
	{"overdue", "Overdue"},
	{"week", "Due this week"},
	{"nocontact", "No first contact yet"},
	{"noplan", "No plan agreed"},
	{"candour", "Candour step outstanding"},
}

// columns are the sortable columns: key and heading.
var columns = []struct{ Key, Label string }{
	{"case", "Case"},
	{"service", "Service"},
	{"state", "State"},
	{"due", "Due next"},
	{"contact", "Named contact"},
}

type option struct {
	Value, Label string
	Selected     bool
}

type column struct {
	Label, Href string
	Sort        string // aria-sort: ascending, descending or none
}

type candourRow struct {
	Case      caseRow
	Step, Day string
	Left      string
	Overdue   bool
	Due       time.Time
}

type overviewData struct {
	Services, States []option
	Sorts, Dirs      []option
	Columns          []column
	Rows             []caseRow
	Filtered         bool
	Total, Overdue   int
	Week             []caseRow
	NoContact        []caseRow
	NoPlan           []caseRow
	Away             []awayRow
	AwayUnknown      bool // who is away couldn't be read
	Candour          []candourRow
	CandourLabel     string
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, v viewer) {
	ctx := r.Context()
	svcs, err := s.cfg.Store.Services(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	if !s.leads(v, svcs) {
		s.render(w, r, http.StatusForbidden, "notlead", page{Title: "The service overview is for pathway leads", Nav: "overview"})
		return
	}
	admin := s.cfg.Reader.Access().IsAdmin(v.Person)
	scope := svcs.LeadOf(v.Person)
	f := store.CaseFilter{Services: scope}
	if admin {
		f = store.CaseFilter{All: true}
		scope = scope[:0]
		for name := range svcs {
			scope = append(scope, name)
		}
	}
	sort.Strings(scope)
	q := r.URL.Query()
	service, state := q.Get("service"), q.Get("state")
	if service != "" && !slices.Contains(scope, service) {
		s.notFound(w, r)
		return
	}
	if !slices.ContainsFunc(states, func(o struct{ Value, Label string }) bool { return o.Value == state }) {
		state = ""
	}
	sortKey, dir := q.Get("sort"), q.Get("dir")
	if !slices.ContainsFunc(columns, func(c struct{ Key, Label string }) bool { return c.Key == sortKey }) {
		sortKey = ""
	}
	if dir != "desc" {
		dir = "asc"
	}
	cases, err := s.cfg.Store.ListOpen(ctx, f)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	all := s.rows(r, v, cases, svcs)
	if service != "" {
		all = slices.DeleteFunc(all, func(row caseRow) bool { return row.Service != service })
	}
	d := overviewData{CandourLabel: s.cfg.Policy.Candour.Label, Filtered: service != "" || state != ""}
	d.Services = append(d.Services, option{"", "All your services", service == ""})
	for _, name := range scope {
		d.Services = append(d.Services, option{name, name, name == service})
	}
	for _, st := range states {
		d.States = append(d.States, option{st.Value, st.Label, st.Value == state})
	}
	// Sorting in the form too: on a narrow screen the table's headings
	// give way to a label beside each value.
	d.Sorts = append(d.Sorts, option{"", "Overdue first", sortKey == ""})
	for _, c := range columns {
		d.Sorts = append(d.Sorts, option{c.Key, c.Label, c.Key == sortKey})
	}
	d.Dirs = []option{{"asc", "First to last", dir == "asc"}, {"desc", "Last to first", dir == "desc"}}
	now := s.cfg.Clock()
	for _, row := range all {
		if row.DueThisWeek {
			d.Week = append(d.Week, row)
		}
		if row.NoFirstContact {
			d.NoContact = append(d.NoContact, row)
		}
		if row.NoPlan {
			d.NoPlan = append(d.NoPlan, row)
		}
		if row.Overdue {
			d.Overdue++
		}
	}
	d.Away, d.AwayUnknown = s.awayRows(r, cases, all, svcs, now)
	d.Candour = s.candourRows(cases, all, now)
	for _, row := range all {
		if keepState(row, state) {
			d.Rows = append(d.Rows, row)
		}
	}
	d.Total = len(all)
	sortRows(d.Rows, sortKey, dir)
	for _, c := range columns {
		col := column{Label: c.Label, Sort: "none"}
		next := "asc"
		if c.Key == sortKey {
			col.Sort = map[string]string{"asc": "ascending", "desc": "descending"}[dir]
			if dir == "asc" {
				next = "desc"
			}
		}
		col.Href = "/overview?" + url.Values{"service": {service}, "state": {state}, "sort": {c.Key}, "dir": {next}}.Encode()
		d.Columns = append(d.Columns, col)
	}
	s.render(w, r, http.StatusOK, "overview", page{Title: "Service overview", Nav: "overview", Leads: true, Data: d})
}

func keepState(row caseRow, state string) bool {
	switch state {
	case "overdue":
		return row.Overdue
	case "week":
		return row.DueThisWeek
	case "nocontact":
		return row.NoFirstContact
	case "noplan":
		return row.NoPlan
	case "candour":
		return row.CandourDue
	}
	return true
}

// sortRows sorts by a column; with none chosen, overdue first (as rows
// already are).
func sortRows(rows []caseRow, key, dir string) {
	by := map[string]func(a, b caseRow) int{
		"case":    func(a, b caseRow) int { return cmp.Compare(a.ID, b.ID) },
		"service": func(a, b caseRow) int { return cmp.Or(strings.Compare(a.Service, b.Service), overdueFirst(a, b)) },
		"state":   overdueFirst,
		"due":     func(a, b caseRow) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) },
		"contact": func(a, b caseRow) int { return cmp.Or(strings.Compare(a.Contact, b.Contact), overdueFirst(a, b)) },
	}[key]
	if by == nil {
		return
	}
	slices.SortStableFunc(rows, func(a, b caseRow) int {
		if dir == "desc" {
			return by(b, a)
		}
		return by(a, b)
	})
}

// candourRows are the Duty of Candour steps outstanding on the cases
// shown, earliest first, with the working days left.
func (s *Server) candourRows(cases []*pathway.Case, shown []caseRow, now time.Time) []candourRow {
	byID := map[int64]caseRow{}
	for _, row := range shown {
		byID[row.ID] = row
	}
	p := s.cfg.Policy
	var out []candourRow
	for _, c := range cases {
		row, ok := byID[c.ID]
		if !ok {
			continue
		}
		for _, d := range c.Outstanding() {
			if d.What == "contact" {
				continue
			}
			cr := candourRow{Case: row, Step: capitalise(d.Label(p)), Day: pathway.FormatDay(d.Due, p.Location()), Due: d.Due}
			if d.Due.Before(now) {
				cr.Overdue = true
				cr.Left = "Overdue"
			} else {
				cr.Left = capitalise(s.workingDays(now, d.Due))
			}
			out = append(out, cr)
		}
	}
	slices.SortStableFunc(out, func(a, b candourRow) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Case.ID, b.Case.ID))
	})
	return out
}

// awayRow is a case whose named contact is away: until when, and who gets
// its reminders meanwhile.
type awayRow struct {
	caseRow
	Until  string // the last day away
	GoesTo string // who gets the reminders meanwhile, as a clause
}

// awayRows are the shown cases whose named contact is away now, in the
// order shown above. If who is away can't be read, unknown is true and the
// section says so rather than the page failing.
func (s *Server) awayRows(r *http.Request, cases []*pathway.Case, shown []caseRow, svcs store.Services, now time.Time) (out []awayRow, unknown bool) {
	byID := make(map[int64]*pathway.Case, len(cases))
	var people []string
	for _, c := range cases {
		byID[c.ID] = c
		people = append(people, c.Lead)
	}
	aways, err := s.cfg.Store.Aways(r.Context(), people)
	if err != nil {
		return nil, true
	}
	if len(aways) == 0 {
		return nil, false
	}
	// Covers' own time away decides whether they get the reminders.
	var covers []string
	for _, a := range aways {
		if a.Cover != "" {
			covers = append(covers, a.Cover)
		}
	}
	if more, err := s.cfg.Store.Aways(r.Context(), covers); err == nil {
		for k, v := range more {
			aways[k] = v
		}
	}
	lookup := func(p string) (pathway.Away, bool) { a, ok := aways[p]; return a, ok }
	var named []string
	for _, row := range shown {
		if c := byID[row.ID]; c != nil {
			named = append(named, c.Lead, aways[c.Lead].Cover, svcs[c.Service].Lead)
		}
	}
	n := s.namesOf(r.Context(), named)
	loc := s.cfg.Policy.Location()
	for _, row := range shown {
		c := byID[row.ID]
		if c == nil {
			continue
		}
		a, ok := aways[c.Lead]
		if !ok || !a.ActiveAt(now) {
			continue
		}
		route := pathway.RouteNudge(c.Lead, svcs[c.Service].Lead, lookup, now)
		var goes string
		switch route.Why {
		case pathway.RouteCover:
			goes = fmt.Sprintf("reminders go to %s, who covers.", n.of(route.To))
		case pathway.RouteLead:
			goes = fmt.Sprintf("nobody is free to cover, so reminders go to %s, the pathway lead.", n.of(route.To))
		default:
			goes = "there is nobody to cover and no other pathway lead, so reminders still go to them."
		}
		out = append(out, awayRow{caseRow: row, Until: pathway.FormatDay(a.LastDay(loc), loc), GoesTo: goes})
	}
	return out, false
}
