package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"

	"hppbot/pathway"
)

//go:embed templates
var templateFiles embed.FS

// page is what every template is given.
type page struct {
	Title  string
	Viewer *viewer // nil when signed out
	Nav    string  // the current navigation item
	Leads  bool    // the viewer leads a service or is an admin: the overview and report are theirs
	Back   *link   // a back link, when the page has one above its heading
	Data   any
}

type link struct{ Href, Text string }

// pages are the templates, each parsed with the layout.
type pages struct{ byName map[string]*template.Template }

var pageNames = []string{"mycases", "overview", "case", "report", "landing", "linkfailed", "signedout", "notfound", "unavailable", "notlead", "tab"}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	funcs := template.FuncMap{"join": strings.Join}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/reply.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// render writes a page: whole, or, if it could not be made, a short kind
// page (the error logged, never shown).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if v, ok := r.Context().Value(sessionKey{}).(viewer); ok {
		p.Viewer = &v
		if p.Nav == "" {
			p.Nav = name
		}
	}
	var buf bytes.Buffer
	t := s.pages.byName[name]
	if t == nil {
		s.cfg.Log.Error("web page template missing", "page", name)
		http.Error(w, "Something went wrong on our side. Please try again in a minute.", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		s.cfg.Log.Error("web page failed to render", "page", name, "err", err)
		http.Error(w, "Something went wrong on our side. Please try again in a minute.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// unavailable says the records could not be read (or something else went
// wrong): nothing changed, try again. The cause is logged, never shown.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if pathway.ErrorCode(err) == pathway.Unavailable {
		s.cfg.Log.Warn("web page: store unavailable", "err", err)
	} else {
		s.cfg.Log.Error("web page failed", "err", err)
	}
	s.render(w, r, http.StatusServiceUnavailable, "unavailable", page{Title: "This page can't be shown just now"})
}

// readError maps a read's error to a page: a case that doesn't exist or
// that the person may not see is the same 404; a bad request is a 404 too
// (the pages make every address they link to).
func (s *Server) readError(w http.ResponseWriter, r *http.Request, err error) {
	switch pathway.ErrorCode(err) {
	case pathway.NotFound, pathway.Forbidden, pathway.Invalid:
		s.notFound(w, r)
	default:
		s.unavailable(w, r, err)
	}
}
