package bot

import "errors"

// Undeliverable is a platform's final answer that a message can't reach a
// person or a conversation: sending it again won't help until someone does
// something (the person opens hppbot, an admin allows the app, hppbot is
// added to the channel, their cases are handed to a colleague). Surfaces
// return it (as *Undeliverable, possibly wrapped) from SendDirect and
// PostChannel; the scheduler records it on the case and tells the pathway
// lead, and a delivery queue stops retrying it.
//
// ErrNotReachable (in Teams: someone who has never opened hppbot) is one
// kind of it: errors.Is(u, ErrNotReachable) is true for every
// Undeliverable, so code that asked "can this person be reached?" keeps
// its answer.
type Undeliverable struct {
	// Reason says in plain words why, for a case's timeline and the
	// pathway lead: "their Slack account has been deactivated".
	Reason string
	// Fix says in plain words what someone can do about it: "ask them to
	// open hppbot in Slack and say hello".
	Fix string
	// Code is the platform's own code ("account_inactive",
	// "BotDisabledByAdmin"): a metrics label and a log field, never shown.
	Code string
}

func (u Undeliverable) Error() string {
	return "bot: message can't be delivered (" + u.Code + "): " + u.Reason
}

// Is makes every Undeliverable an ErrNotReachable.
func (u Undeliverable) Is(target error) bool { return target == ErrNotReachable }

// As lets errors.As fill an Undeliverable value as well as a pointer.
func (u Undeliverable) As(target any) bool {
	switch t := target.(type) {
	case *Undeliverable:
		*t = u
		return true
	case **Undeliverable:
		c := u
		*t = &c
		return true
	}
	return false
}

// AsUndeliverable finds an Undeliverable in err's chain.
func AsUndeliverable(err error) (Undeliverable, bool) {
	if err == nil {
		// Most sends succeed: no Undeliverable is made for errors.As to
		// fill (it would be on the heap), as a tick asks for each send.
		return Undeliverable{}, false
	}
	var u Undeliverable
	if !errors.As(err, &u) {
		return Undeliverable{}, false
	}
	return u, true
}
