package bot

// Request is one command from a person on a surface: what every surface
// builds from what it received, and what the handlers answer.
type Request struct {
	Surface  string // Console, Slack, Teams
	Person   string // who typed it: a person id ("slack:U123")
	Name     string // their display name, when the surface knows it
	Channel  string // where it was typed (a channel id), when known
	Text     string // the command line, with or without a leading /hpp
	Personal bool   // typed in a private conversation with hppbot
}
