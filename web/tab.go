package web

import (
	"errors"
	"net/http"
	"strings"

	"hppbot/web/entra"
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
// 204 with the session cookie; a refusal is 401 (403 from another site, 503
// when the token can't be checked just now) with what to tell the person as
// plain text, which the tab shows in its live region. The reason itself is
// logged, never sent.
func (s *Server) teamsSignIn(w http.ResponseWriter, r *http.Request) {
	teamsFrame(w)
	if s.cfg.TeamsSSO == nil {
		s.notFound(w, r)
		return
	}
	if !s.sameOrigin(r) {
		s.cfg.Metrics.SignIn("cross_site")
		tabWords(w, http.StatusForbidden, "This sign-in only works in hppbot's own tab in Teams. Open hppbot in Teams, or type web in your chat with hppbot for a private sign-in link.")
		return
	}
	token := r.PostFormValue("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(bearer)
	}
	if token == "" {
		s.cfg.Metrics.SignIn("teams_refused")
		tabWords(w, http.StatusUnauthorized, entra.Words(entra.ErrRefused))
		return
	}
	person, err := s.cfg.TeamsSSO(r, token)
	if err == nil && person == "" {
		err = entra.ErrRefused
	}
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, entra.ErrUnavailable) {
			status = http.StatusServiceUnavailable
			s.cfg.Metrics.SignIn("unavailable")
			s.cfg.Log.Warn("Teams single sign-on can't be checked", "err", err)
		} else {
			s.cfg.Metrics.SignIn("teams_refused")
			s.cfg.Log.Info("Teams single sign-on refused", "err", err)
		}
		tabWords(w, status, entra.Words(err))
		return
	}
	if err := s.startSession(w, r, person, true); err != nil {
		s.cfg.Metrics.SignIn("unavailable")
		s.cfg.Log.Warn("web session not started", "err", err)
		tabWords(w, http.StatusServiceUnavailable, "Signing you in can't finish just now. Nothing is lost: try again in a few minutes, or type web in your chat with hppbot for a private sign-in link.")
		return
	}
	s.cfg.Metrics.SignIn("teams_ok")
	w.WriteHeader(http.StatusNoContent)
}

// tabWords answers the tab's sign-in with what to tell the person.
func tabWords(w http.ResponseWriter, status int, words string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(words))
}
