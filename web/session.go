package web

import (
	"context"
	"net/http"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// Sessions live in Redis (store.WebSession), so every replica knows them.
// The cookie holds only the session's random id: HttpOnly, SameSite=Lax,
// Secure when HPP_PUBLIC_URL is https (and then named __Host- so no other
// host or path can set it). A session ends after SessionIdle without a
// page, or SessionMax after sign-in, whichever comes first.
//
// A session started by Teams single sign-on lives in the Teams tab's frame,
// where the browser sends a Lax cookie only to the top-level site, so its
// cookie is SameSite=None and Partitioned (kept apart from the same site's
// cookies anywhere else) over https; and its pages may be framed by Teams.

type sessionKey struct{}

// viewer is who is looking at a page.
type viewer struct {
	Person string
	Teams  bool // signed in through the Teams tab
}

func (s *Server) cookieName() string {
	if s.https() {
		return "__Host-hpp_session"
	}
	return "hpp_session"
}

// startSession signs a browser in as person.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, person string, teams bool) error {
	id, err := secret()
	if err != nil {
		return pathway.Errorf(pathway.Internal, "making a session id: %v", err)
	}
	now := s.cfg.Clock()
	if err := s.cfg.Store.SaveWebSession(r.Context(), id, store.WebSession{Person: person, Started: now, Teams: teams}, s.ttl(now, now)); err != nil {
		return err
	}
	c := &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode}
	if teams && s.https() {
		c.SameSite, c.Partitioned = http.SameSiteNoneMode, true
	}
	http.SetCookie(w, c)
	return nil
}

// ttl is how long a session started at started is kept from now: the idle
// time, cut short by the absolute end.
func (s *Server) ttl(started, now time.Time) time.Duration {
	return min(s.cfg.SessionIdle, started.Add(s.cfg.SessionMax).Sub(now))
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode})
}

// signedIn wraps a page that needs a session: with none, it says how to
// sign in. Each view is counted by page name.
func (s *Server) signedIn(name string, next func(w http.ResponseWriter, r *http.Request, v viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName())
		if err != nil {
			s.render(w, r, http.StatusUnauthorized, "signedout", page{Title: "Sign in to see this page"})
			return
		}
		sess, ok, err := s.cfg.Store.WebSession(r.Context(), c.Value)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		now := s.cfg.Clock()
		ttl := s.ttl(sess.Started, now)
		if !ok || ttl <= 0 {
			if ok {
				_ = s.cfg.Store.EndWebSession(r.Context(), c.Value)
			}
			s.clearCookie(w)
			s.render(w, r, http.StatusUnauthorized, "signedout", page{Title: "Your session has ended"})
			return
		}
		// Seen now: the idle time starts over.
		if err := s.cfg.Store.SaveWebSession(r.Context(), c.Value, sess, ttl); err != nil {
			s.unavailable(w, r, err)
			return
		}
		v := viewer{Person: sess.Person, Teams: sess.Teams}
		if v.Teams {
			teamsFrame(w)
		}
		s.cfg.Metrics.PageView(name)
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, v)), v)
	}
}
