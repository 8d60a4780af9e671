package bot

import (
	"context"
	"errors"
	"testing"
)

func TestPrivate(t *testing.T) {
	tests := []struct {
		name     string
		personal bool
		public   bool
		want     bool
	}{
		{"typed in a channel", false, false, true},
		{"typed in a channel, about the channel", false, true, false},
		{"typed in a personal chat", true, false, false},
		{"typed in a personal chat, public", true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Private(Request{Personal: tc.personal}, Reply{Public: tc.public}); got != tc.want {
				t.Errorf("Private = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliverPrivately(t *testing.T) {
	fail := errors.New("refused")
	tests := []struct {
		name      string
		ways      []error // each way's answer
		hold      error   // the hold's answer; nil hold when holdless
		holdless  bool
		want      Delivery
		tried     int
		heldCalls int
	}{
		{"first way works", []error{nil, nil}, nil, false, Delivered, 1, 0},
		{"second way works", []error{fail, nil}, nil, false, Delivered, 2, 0},
		{"no way works: held", []error{fail, fail}, nil, false, Held, 2, 1},
		{"no way works, hold fails", []error{fail}, fail, false, Undelivered, 1, 1},
		{"no way works, nothing can hold", []error{fail}, nil, true, Undelivered, 1, 0},
		{"no ways at all: held", nil, nil, false, Held, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tried, held := 0, 0
			var ways []func(context.Context) error
			for _, e := range tc.ways {
				ways = append(ways, func(context.Context) error { tried++; return e })
			}
			hold := func(context.Context) error { held++; return tc.hold }
			if tc.holdless {
				hold = nil
			}
			got, err := DeliverPrivately(context.Background(), ways, hold)
			if got != tc.want || tried != tc.tried || held != tc.heldCalls {
				t.Fatalf("got %v (tried %d, held %d), want %v (%d, %d)", got, tried, held, tc.want, tc.tried, tc.heldCalls)
			}
			if (got == Delivered) != (err == nil) && len(tc.ways) > 0 {
				t.Errorf("err = %v for %v", err, got)
			}
			if got != Delivered && len(tc.ways) > 0 && !errors.Is(err, fail) {
				t.Errorf("err %v doesn't carry the ways' failures", err)
			}
		})
	}
}
