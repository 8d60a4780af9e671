package web

import (
	"net/http"
	"strings"
)

// Security headers. Every response gets them; a page a Teams tab shows
// loosens frame-ancestors to Teams's own origins (teamsFrame), and nothing
// else is ever allowed to frame a page.

// csp allows only the pages' own files: no inline script or style, no
// other origin, forms posting only here.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// TeamsFrameOrigins are the origins the Teams clients (web, desktop,
// mobile, and Microsoft 365 and Outlook hosting Teams apps) frame a
// personal tab from: allowed as frame-ancestors, never called.
var TeamsFrameOrigins = []string{
	"https://teams.microsoft.com", "https://*.teams.microsoft.com",
	"https://teams.live.com", "https://*.teams.live.com",
	"https://*.skype.com", "https://*.office.com", "https://*.office365.com",
	"https://*.microsoft365.com", "https://*.cloud.microsoft", "https://outlook.office.com",
}

var teamsAncestors = strings.Join(TeamsFrameOrigins, " ")

func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	// Every page shows what someone may see about cases or a sign-in: none
	// of it is kept by a browser or a proxy. Only the design system's
	// files are cacheable (cacheable).
	h.Set("Cache-Control", "no-store")
}

// teamsFrame lets Teams frame this response (the tab, and the pages a
// session started in the tab shows).
func teamsFrame(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", csp[:len(csp)-len("'none'")]+teamsAncestors)
}

// cacheable lets browsers keep the design system's files for a day.
func cacheable(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
