// Package pathway is the domain of the Harmed Patient Pathway: harm cases and
// their events, the policy an organisation chooses, deadlines counted in
// working days, the guard that keeps patient identifiers out of the record,
// and the staff wellbeing check-ins (their schedule, scale, tokens and how
// long answers are kept).
//
// It is pure Go: no I/O, no platform types, no clock of its own. Every function
// that needs the time is given it, so tests and the console's :advance can
// drive it.
package pathway
