package bot

import (
	"errors"
	"fmt"
	"testing"
)

func TestUndeliverableIsFoundHoweverItIsAskedFor(t *testing.T) {
	u := &Undeliverable{Reason: "their Slack account has been deactivated", Fix: "hand their cases over", Code: "account_inactive"}
	tests := []struct {
		name string
		err  error
	}{
		{"a pointer", u},
		{"a value", *u},
		{"wrapped pointer", fmt.Errorf("slack: %w", u)},
		{"wrapped value", fmt.Errorf("slack: %w", *u)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var byValue Undeliverable
			var byPointer *Undeliverable
			if !errors.As(tc.err, &byValue) || byValue.Code != "account_inactive" {
				t.Errorf("errors.As(value) = %+v", byValue)
			}
			if !errors.As(tc.err, &byPointer) || byPointer == nil || byPointer.Reason != u.Reason {
				t.Errorf("errors.As(pointer) = %+v", byPointer)
			}
			if got, ok := AsUndeliverable(tc.err); !ok || got.Fix != u.Fix {
				t.Errorf("AsUndeliverable = %+v, %v", got, ok)
			}
			if !errors.Is(tc.err, ErrNotReachable) {
				t.Error("an Undeliverable should be ErrNotReachable")
			}
		})
	}
	for _, err := range []error{nil, errors.New("teams: 502"), ErrNotReachable, ErrNoRoute} {
		if _, ok := AsUndeliverable(err); ok {
			t.Errorf("AsUndeliverable(%v) = true", err)
		}
	}
}

// Asking a send's error whether it is a refusal for good costs nothing
// when there was no error, as for most of a tick's sends.
func TestAsUndeliverableOfNoErrorAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { AsUndeliverable(nil) }); n != 0 {
		t.Errorf("AsUndeliverable(nil) allocates %.0f times; want 0", n)
	}
}
