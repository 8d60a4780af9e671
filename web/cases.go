package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// caseRow is one open case in a table: what it is, its state in words
// (a tag whose text says it; colour only repeats it), and what is due next.
type caseRow struct {
	ID                    int64
	Name, Ref, Service    string
	Contact               string
	State, StateClass     string
	Next                  string
	Due                   time.Time // the earliest thing outstanding; zero when nothing is
	Overdue               bool
	DueThisWeek           bool
	NoFirstContact        bool
	NoPlan                bool
	CandourDue            bool
	Opened                time.Time
	OverdueCount, Pending int
}

// week is how far ahead "due this week" looks.
const week = 7 * 24 * time.Hour

func (s *Server) row(c *pathway.Case, n names, now time.Time) caseRow {
	p := s.cfg.Policy
	r := caseRow{ID: c.ID, Name: c.Name(), Ref: c.Ref, Service: c.Service, Contact: n.of(c.Lead), Opened: c.Opened,
		NoFirstContact: c.FirstContact.IsZero(), NoPlan: c.Plan == nil}
	out := c.Outstanding()
	od := c.Overdue(now)
	r.OverdueCount, r.Pending = len(od), len(out)
	for _, d := range out {
		if d.What != "contact" {
			r.CandourDue = true
		}
	}
	switch {
	case len(od) > 0:
		r.Overdue, r.Due = true, od[0].Due
		var parts []string
		for _, d := range od {
			parts = append(parts, fmt.Sprintf("%s was due %s", d.Label(p), s.dueWhen(d)))
		}
		r.Next = capitalise(strings.Join(parts, "; "))
		r.State, r.StateClass = "Overdue", "nhsuk-tag--red"
	case len(out) > 0:
		r.Due = out[0].Due
		r.Next = capitalise(fmt.Sprintf("%s due %s (%s)", out[0].Label(p), s.dueWhen(out[0]), s.workingDays(now, out[0].Due)))
		if out[0].Due.Sub(now) <= week {
			r.DueThisWeek = true
			r.State, r.StateClass = "Due this week", "nhsuk-tag--yellow"
		} else {
			r.State, r.StateClass = "On time", "nhsuk-tag--green"
		}
	default:
		r.Next = "Nothing due"
		r.State, r.StateClass = "On time", "nhsuk-tag--green"
	}
	return r
}

// dueWhen says when something is due: a contact at its time, a candour
// step by the end of its day (its deadline is counted in working days).
func (s *Server) dueWhen(d pathway.DueItem) string {
	loc := s.cfg.Policy.Location()
	if d.What == "contact" {
		return pathway.FormatTime(d.Due, loc)
	}
	return "by the end of " + pathway.FormatDay(d.Due, loc)
}

// workingDays says how many working days away a deadline is.
func (s *Server) workingDays(now, due time.Time) string {
	n := s.cfg.Policy.Calendar.WorkingDaysBetween(now, due)
	switch n {
	case 0:
		return "today"
	case 1:
		return "in 1 working day"
	}
	return fmt.Sprintf("in %d working days", n)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// overdueFirst orders rows: overdue first, then by what falls due first.
func overdueFirst(a, b caseRow) int {
	if a.Overdue != b.Overdue {
		if a.Overdue {
			return -1
		}
		return 1
	}
	if a.Due.IsZero() != b.Due.IsZero() {
		if a.Due.IsZero() {
			return 1
		}
		return -1
	}
	return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
}

// rows lays cases out, keeping only those the viewer may see (the store
// chose them by the same rule; this holds it whatever a filter said).
func (s *Server) rows(r *http.Request, v viewer, cases []*pathway.Case, svcs store.Services) []caseRow {
	access := s.cfg.Reader.Access()
	var people []string
	for _, c := range cases {
		people = append(people, c.Lead)
	}
	n := s.namesOf(r.Context(), people)
	now := s.cfg.Clock()
	out := make([]caseRow, 0, len(cases))
	for _, c := range cases {
		if access.MayAct(v.Person, c, svcs[c.Service].Lead) {
			out = append(out, s.row(c, n, now))
		}
	}
	slices.SortStableFunc(out, overdueFirst)
	return out
}

// leads reports whether the viewer may see the overview and the report.
func (s *Server) leads(v viewer, svcs store.Services) bool {
	return s.cfg.Reader.Access().IsAdmin(v.Person) || len(svcs.LeadOf(v.Person)) > 0
}

type myCasesData struct {
	Rows    []caseRow
	Overdue int
}

// myCases is the person's own open cases, overdue first.
func (s *Server) myCases(w http.ResponseWriter, r *http.Request, v viewer) {
	svcs, err := s.cfg.Store.Services(r.Context())
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	cases, err := s.cfg.Store.ListOpen(r.Context(), store.CaseFilter{People: []string{v.Person}})
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	d := myCasesData{Rows: s.rows(r, v, cases, svcs)}
	for _, row := range d.Rows {
		if row.Overdue {
			d.Overdue++
		}
	}
	s.render(w, r, http.StatusOK, "mycases", page{Title: "My cases", Nav: "mycases", Leads: s.leads(v, svcs), Data: d})
}

// replyView is a chat reply laid out for a page.
type replyView struct {
	Reply bot.Reply
	Names names
}

type caseData struct {
	Name, Ref string
	ID        int64
	Status    replyView
	Timeline  replyView
}

// casePage is a case's status and whole timeline, with the candour record
// to download: the status, timeline and export commands' own output.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, v viewer) {
	id, err := pathway.ParseCaseID(r.PathValue("id"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	name := pathway.CaseName(id)
	status, err := s.cfg.Reader.Read(r.Context(), v.Person, "status "+name)
	if err != nil {
		s.readError(w, r, err)
		return
	}
	timeline, err := s.cfg.Reader.Read(r.Context(), v.Person, "timeline "+name)
	if err != nil {
		s.readError(w, r, err)
		return
	}
	n := s.lookupNames(r.Context(), status, timeline)
	svcs, err := s.cfg.Store.Services(r.Context())
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	d := caseData{Name: name, ID: id, Status: replyView{status, n}, Timeline: replyView{timeline, n}}
	s.render(w, r, http.StatusOK, "case", page{Title: name, Nav: "mycases", Leads: s.leads(v, svcs), Back: &link{"/", "My cases"}, Data: d})
}

// caseDownload is the candour record as a file: the export command's own
// files.
func (s *Server) caseDownload(w http.ResponseWriter, r *http.Request, v viewer) {
	id, err := pathway.ParseCaseID(r.PathValue("id"))
	file := r.PathValue("file")
	if err != nil || (file != "candour-record.md" && file != "candour-record.csv") {
		s.notFound(w, r)
		return
	}
	reply, err := s.cfg.Reader.Read(r.Context(), v.Person, "export "+pathway.CaseName(id))
	if err != nil {
		s.readError(w, r, err)
		return
	}
	for _, f := range reply.Files {
		if strings.HasSuffix(f.Name, "-"+file) {
			download(w, f.Name, f.Type, f.Data)
			return
		}
	}
	s.notFound(w, r)
}

// download sends a file to save, never to show in the page.
func download(w http.ResponseWriter, name, kind string, data []byte) {
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(safeFileRune, name)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func safeFileRune(r rune) rune {
	if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
		return '-'
	}
	return r
}
