package pathway

import "strings"

// Access decides who may see and change a case. It is the one rule for
// every place a case is shown — the chat commands and the web pages — so a
// page never shows a case that chat would refuse.
type Access struct {
	// Admins may set up services and see every case. Entries are person
	// ids ("slack:U123") or a platform's own ids ("U123", "sam").
	Admins []string
	// EveryoneAdmin makes everyone an admin: the console with no HPP_ADMINS.
	EveryoneAdmin bool
}

// IsAdmin reports whether a person is an hppbot admin.
func (a Access) IsAdmin(person string) bool {
	if a.EveryoneAdmin {
		return true
	}
	raw := person
	if _, r, ok := strings.Cut(person, ":"); ok {
		raw = r // a person id is "<surface>:<platform id>"
	}
	for _, admin := range a.Admins {
		admin = strings.TrimPrefix(strings.TrimSpace(admin), "@")
		if admin != "" && (strings.EqualFold(admin, person) || strings.EqualFold(admin, raw)) {
			return true
		}
	}
	return false
}

// MayAct reports whether a person may read and change a case: its named
// contact, the person who opened it, staff involved, the pathway lead of
// its service (serviceLead: "" when it has none), and admins.
func (a Access) MayAct(person string, c *Case, serviceLead string) bool {
	if person == "" || c == nil {
		return false
	}
	if a.IsAdmin(person) || c.IsOn(person) {
		return true
	}
	return c.Service != "" && serviceLead != "" && serviceLead == person
}
