package delivery

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

func TestARecordReadsBackAndItsMarkerKeepsNoMessage(t *testing.T) {
	r := record{Key: "remind:7:contact:1:0", To: "slack:U1", Reply: &bot.Reply{Text: "Contact with the family is due"}, Case: 7,
		Queued: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), State: stateQueued, Attempts: 1}
	s, err := encode(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decode(s)
	if err != nil || back.message().Reply.Text != r.Reply.Text || back.message().Platform() != bot.Slack {
		t.Fatalf("read back %+v, %v", back, err)
	}
	m, _ := encode(r.marker(stateSent, ""))
	for _, secret := range []string{"family", "slack:U1"} {
		if strings.Contains(m, secret) {
			t.Errorf("the finished marker %s keeps %q", m, secret)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(`{"key":"k","to":"slack:U1","reply":{"Text":"hi"},"queued":"2026-12-07T08:00:00Z","state":"queued"}`)
	f.Add(`{"key":"k","state":"sent"}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := decode(s)
		if err != nil {
			return
		}
		_ = r.message().Platform()
		if _, err := encode(r.marker(stateFailed, "x")); err != nil {
			t.Fatal(err)
		}
	})
}

// encodeBegun's two records, its open body with either ending, read back
// as the record, one of them marked in flight: the reply is encoded once.
func TestABegunRecordReadsBackQueuedAndMarked(t *testing.T) {
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		reply    *bot.Reply
		attempts int // tried before
	}{
		{"with buttons", &bot.Reply{Text: "Contact with the family is due", Buttons: []bot.Button{{Label: "Log contact", Command: "contact HPP-7"}}}, 0},
		{"empty reply", &bot.Reply{}, 0},
		{"no reply", nil, 0},
		{"tried twice before", &bot.Reply{Text: "Contact with the family is due"}, 2},
		{"words to escape", &bot.Reply{Text: "Say \"sorry\" <and> mean it — \u2028 & go on"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := record{Key: "remind:7:contact:1:0", To: "slack:U1", Reply: tc.reply, Case: 7, Live: []int64{7}, Queued: at, NotAfter: at.Add(time.Hour), State: stateQueued, Attempts: tc.attempts}
			var buf bytes.Buffer
			buf.WriteString("left over from the last record") // a reused buffer
			body, qEnd, mEnd, inFlight, err := encodeBegun(&buf, r, at)
			if err != nil {
				t.Fatal(err)
			}
			queued, marked := string(body)+qEnd, string(body)+mEnd
			want, _ := encode(r)
			q, err := decode(queued)
			if got, _ := encode(q); err != nil || got != want {
				t.Errorf("queued reads back as %s (%v); want %s", got, err, want)
			}
			r.InFlight, r.Attempts = at, tc.attempts+1
			want, _ = encode(r)
			if got, _ := encode(inFlight); got != want {
				t.Errorf("the record held reads %s; want %s", got, want)
			}
			m, err := decode(marked)
			if got, _ := encode(m); err != nil || got != want {
				t.Errorf("marked reads back as %s (%v); want %s", got, err, want)
			}
		})
	}
}

// A queue with no messenger has nowhere to send: it says so, never panics.
func TestASenderWithNoMessengerHasNoRoute(t *testing.T) {
	err := AsSender(nil).SendKeyed(context.Background(), "slack:U1", false, "k", bot.Reply{Text: "hello"})
	if !errors.Is(err, bot.ErrNoRoute) {
		t.Errorf("sending with no messenger: %v; want bot.ErrNoRoute", err)
	}
}
