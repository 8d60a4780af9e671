package pathway

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an Error is. The chat surfaces map a code to
// what the person sees; an Internal error is logged and never shown.
type Code string

const (
	Invalid      Code = "invalid"      // the input was wrong: say what, and what to type instead
	NotFound     Code = "not_found"    // no such case or service
	Forbidden    Code = "forbidden"    // this person may not do this
	Identifiable Code = "identifiable" // the text looks like a patient identifier: refused, nothing stored
	Conflict     Code = "conflict"     // someone else changed the same thing at the same moment
	Unavailable  Code = "unavailable"  // the store did not answer: nothing was saved
	Unreadable   Code = "unreadable"   // a stored record could not be read: set aside, the admins told
	Internal     Code = "internal"     // a defect: log it, say something kind
)

// Error is a domain error with a message written for the person who typed the
// command: plain, specific, with the next step.
type Error struct {
	Code    Code
	Message string
	Err     error // the underlying cause, for logs; never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, Internal for an error that is not an
// *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the message a person should see for err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "Something went wrong on my side and nothing was changed. Please try again in a minute; if it keeps happening, tell your hppbot administrator."
}

// NothingSaved is the message for a store that did not answer.
const NothingSaved = "Nothing was saved — I couldn't reach my records just now. Please try again in a minute."

// NothingChanged is the message for a store that did not answer a command
// that only reads: it couldn't show what was asked for, and nothing changed.
const NothingChanged = "I couldn't show that just now — I couldn't reach my records. Nothing has changed. Please try again in a minute."

// ErrUnavailable wraps a store failure as an Unavailable error.
func ErrUnavailable(cause error) *Error {
	return &Error{Code: Unavailable, Message: NothingSaved, Err: cause}
}
