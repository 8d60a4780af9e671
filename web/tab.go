package web

import (
	"net/http"
	"strings"
)

// The Teams personal tab. /tab is the page the app package's staticTabs
// opens: it loads the Teams JavaScript library (embedded, assets/) and
// static/tab.js, which asks Teams for a single sign-on token and posts it
// to /auth/teams; that checks it (Config.TeamsSSO) and starts the same
// session a link does, then the tab shows My cases. Without JavaScript, or
// with single sign-on not set up, the tab says how to sign in with
// /hpp web instead.

type tabData struct{ SSO bool }

func (s *Server) tab(w http.ResponseWriter, r *http.Request) {
	teamsFrame(w)
	s.render(w, r, http.StatusOK, "tab", page{Title: "hppbot", Data: tabData{SSO: s.cfg.TeamsSSO != nil}})
}

// teamsSignIn takes a Teams single sign-on token (the form field token, or
// Authorization: Bearer) and starts a session for its holder. It answers
// 204 with the session cookie, or 401 with nothing about why.
func (s *Server) teamsSignIn(w http.ResponseWriter, r *http.Request) {
	teamsFrame(w)
	if s.cfg.TeamsSSO == nil {
		s.notFound(w, r)
		return
	}
	if !s.sameOrigin(r) {
		s.cfg.Metrics.SignIn("cross_site")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	token := r.PostFormValue("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(bearer)
	}
	if token == "" {
		s.cfg.Metrics.SignIn("teams_refused")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	person, err := s.cfg.TeamsSSO(r, token)
	if err != nil || person == "" {
		s.cfg.Metrics.SignIn("teams_refused")
		s.cfg.Log.Info("Teams single sign-on refused", "err", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if err := s.startSession(w, r, person, true); err != nil {
		s.cfg.Metrics.SignIn("unavailable")
		s.cfg.Log.Warn("web session not started", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	s.cfg.Metrics.SignIn("teams_ok")
	w.WriteHeader(http.StatusNoContent)
}
