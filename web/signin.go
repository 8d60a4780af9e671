package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// Sign-in by a one-time link. /hpp web makes a link to
// <HPP_PUBLIC_URL>/signin/<token>; the token is random (256 bits), kept in
// Redis for LinkTTL bound to the person it was made for, and taken with
// GETDEL, so it works once.
//
// Opening the link (GET) only shows a page with a "Sign in" button: chat
// clients and mail scanners fetch links to preview or check them, and a
// GET that spent the link would leave the person with a used link before
// they ever clicked. The button POSTs the token; that takes it and starts
// the session. The POST must come from the pages' own origin (Origin or
// Sec-Fetch-Site), so another site cannot sign a browser in as someone
// else.

// Links makes sign-in links.
type Links struct {
	st    *store.Store
	base  *url.URL
	clock func() time.Time
}

// NewLinks makes links on base (HPP_PUBLIC_URL).
func NewLinks(st *store.Store, base *url.URL, clock func() time.Time) *Links {
	if clock == nil {
		clock = time.Now
	}
	return &Links{st: st, base: base, clock: clock}
}

// Make is handlers.SignInLink: a new link for a person, and when it stops
// working.
func (l *Links) Make(ctx context.Context, person string) (string, time.Time, error) {
	if person == "" {
		return "", time.Time{}, pathway.Errorf(pathway.Internal, "a sign-in link needs a person")
	}
	token, err := secret()
	if err != nil {
		return "", time.Time{}, pathway.Errorf(pathway.Internal, "making a sign-in token: %v", err)
	}
	if err := l.st.SaveSignInLink(ctx, token, person, LinkTTL); err != nil {
		return "", time.Time{}, err
	}
	return l.base.JoinPath("signin", token).String(), l.clock().Add(LinkTTL), nil
}

// secret is 32 random bytes, URL-safe.
func secret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validToken is the shape Make gives a token; anything else is not looked
// up.
func validToken(t string) bool {
	if len(t) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}

// landing is the page a link opens: a button that signs in. It spends
// nothing.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.cfg.Metrics.SignIn("bad_link")
		s.render(w, r, http.StatusNotFound, "linkfailed", page{Title: "This sign-in link doesn't work"})
		return
	}
	s.render(w, r, http.StatusOK, "landing", page{Title: "Sign in to hppbot", Data: token})
}

// signIn takes the link's token and starts a session for its person.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.cfg.Metrics.SignIn("cross_site")
		s.render(w, r, http.StatusForbidden, "linkfailed", page{Title: "This sign-in link doesn't work"})
		return
	}
	token := r.PostFormValue("token")
	if !validToken(token) {
		s.cfg.Metrics.SignIn("bad_link")
		s.render(w, r, http.StatusNotFound, "linkfailed", page{Title: "This sign-in link doesn't work"})
		return
	}
	person, ok, err := s.cfg.Store.TakeSignInLink(r.Context(), token)
	if err != nil {
		s.cfg.Metrics.SignIn("unavailable")
		s.unavailable(w, r, err)
		return
	}
	if !ok {
		s.cfg.Metrics.SignIn("used_or_expired")
		s.render(w, r, http.StatusGone, "linkfailed", page{Title: "This sign-in link has been used or has run out"})
		return
	}
	// A browser signed in before (as anyone) starts afresh: its old
	// session ends now rather than when it runs out.
	if c, err := r.Cookie(s.cookieName()); err == nil {
		if err := s.cfg.Store.EndWebSession(r.Context(), c.Value); err != nil {
			s.cfg.Metrics.SignIn("unavailable")
			s.unavailable(w, r, err)
			return
		}
	}
	if err := s.startSession(w, r, person, false); err != nil {
		s.cfg.Metrics.SignIn("unavailable")
		s.unavailable(w, r, err)
		return
	}
	s.cfg.Metrics.SignIn("ok")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// sameOrigin reports whether a POST came from the pages themselves: its
// Origin is HPP_PUBLIC_URL's, or, with no Origin, the browser says it came
// from the same origin (Sec-Fetch-Site) or says nothing either.
func (s *Server) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		return err == nil && strings.EqualFold(u.Scheme, s.cfg.PublicURL.Scheme) && strings.EqualFold(u.Host, s.cfg.PublicURL.Host)
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

// signOut ends the session and forgets the cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.render(w, r, http.StatusForbidden, "notfound", page{Title: "Page not found"})
		return
	}
	if c, err := r.Cookie(s.cookieName()); err == nil {
		if err := s.cfg.Store.EndWebSession(r.Context(), c.Value); err != nil {
			s.unavailable(w, r, err)
			return
		}
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}

func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signedout", page{Title: "You have signed out"})
}
