package handlers

import (
	"context"
	"strings"
	"sync"
	"testing"

	"hppbot/bot"
	"hppbot/delivery"
)

// outbox is an Outbox that keeps what was queued, and refuses for good the
// people in gone.
type outbox struct {
	mu   sync.Mutex
	got  []delivery.Message
	gone map[string]bool
}

func (o *outbox) Send(_ context.Context, m delivery.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gone[m.To] {
		return &bot.Undeliverable{Reason: "their account is deactivated", Code: "account_inactive"}
	}
	o.got = append(o.got, m)
	return nil
}

// What a command tells other people goes through the delivery queue, each
// notice under a key of its own; a person the platform refuses for good is
// not said to have been told.
func TestNoticesToOthersGoThroughTheQueue(t *testing.T) {
	tests := []struct {
		name     string
		gone     map[string]bool
		queued   []string
		wantSaid string
	}{
		{name: "both reached", queued: []string{"console:alex", "console:lee"}, wantSaid: "have been told"},
		{name: "new named contact unreachable", gone: map[string]bool{"console:alex": true}, queued: []string{"console:lee"}, wantSaid: "I couldn't reach <@console:alex> just now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ob := &outbox{gone: tc.gone}
			f.h.Outbox = ob
			f.as("lee", "/hpp open INC-1042 service=maternity harm=moderate Fall on the ward")
			r := f.as("admin", "/hpp lead HPP-1 @alex")
			if !strings.Contains(text(r), tc.wantSaid) {
				t.Errorf("reply %q; want it to say %q", text(r), tc.wantSaid)
			}
			if len(f.sent.sent) != 0 {
				t.Errorf("%d notices went around the queue", len(f.sent.sent))
			}
			var to []string
			keys := map[string]bool{}
			for _, m := range ob.got {
				to = append(to, m.To)
				if !strings.HasPrefix(m.Key, "notice:dm:") || keys[m.Key] {
					t.Errorf("notice to %s has key %q; want its own notice:dm: key", m.To, m.Key)
				}
				keys[m.Key] = true
			}
			if strings.Join(to, " ") != strings.Join(tc.queued, " ") {
				t.Errorf("queued notices to %v; want %v", to, tc.queued)
			}
		})
	}
}
