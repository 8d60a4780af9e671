package delivery

import (
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
