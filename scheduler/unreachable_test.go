package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store/storetest"
)

// fakeMessenger fails direct messages to the people in unreachable with
// the error given, and records everything else.
type fakeMessenger struct {
	mu          sync.Mutex
	unreachable map[string]error
	direct      []string
	posts       []string
}

func (m *fakeMessenger) SendDirect(ctx context.Context, person string, r bot.Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.unreachable[person]; err != nil {
		return err
	}
	m.direct = append(m.direct, person+": "+r.Text)
	return nil
}

func (m *fakeMessenger) PostChannel(ctx context.Context, channel string, r bot.Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts = append(m.posts, channel+": "+r.Text)
	return nil
}

func (m *fakeMessenger) counts() (direct, posts int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.direct), len(m.posts)
}

func TestUnreachableLeadIsRetriedByTheQueueAndTheChannelIsAsked(t *testing.T) {
	tests := []struct {
		name      string
		sendErr   error
		wantPosts int // channel posts after two failed ticks on one day
	}{
		{"not reachable yet", fmt.Errorf("teams: no conversation: %w", bot.ErrNotReachable), 1},
		{"any other failure", errors.New("connector: 502"), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.New(t)
			p, err := pathway.DefaultPolicy(pathway.England, "Europe/London")
			if err != nil {
				t.Fatal(err)
			}
			loc := p.Location()
			opened := time.Date(2026, 3, 2, 10, 0, 0, 0, loc) // a Monday
			const lead, channel = "teams:aad-lead", "teams:19:maternity@thread.tacv2"
			if err := st.SaveService(ctx, pathway.Service{Name: "maternity", Channel: channel}); err != nil {
				t.Fatal(err)
			}
			c, ev, err := pathway.Open(pathway.OpenInput{Ref: "INC-7", Service: "maternity", Lead: lead, Summary: "Fall on ward 4"}, "teams:aad-opener", p, opened)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateCase(ctx, c, p, ev); err != nil {
				t.Fatal(err)
			}
			m := &fakeMessenger{unreachable: map[string]error{lead: tc.sendErr}}
			var now time.Time
			s := New(Config{Store: st, Policy: p, Messenger: m, Retry: time.Hour, Workers: 1, Clock: func() time.Time { return now }})

			due, ok, err := st.NextDue(ctx)
			if err != nil || !ok {
				t.Fatalf("nothing due: ok=%v err=%v", ok, err)
			}
			at := p.Calendar.NextWorkingStart(due)
			// The reminder is queued once; the queue keeps trying it.
			for i, tick := range []time.Time{at, at.Add(90 * time.Minute)} {
				now = tick
				res, err := s.Tick(ctx, tick)
				if err != nil {
					t.Fatal(err)
				}
				if want := 1 - i; res.Sent != want || res.Failed != 0 {
					t.Fatalf("tick %d: %+v, want %d queued and none failed", i, res, want)
				}
				if _, err := s.Outbox().Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if state, _ := s.Outbox().State(ctx, reminderKey(c, c.Reminders(p, tick)[:1])); i == 0 && state != "queued" {
					t.Fatalf("the reminder's state in the queue is %q; want it kept queued for a retry", state)
				}
			}
			if _, posts := m.counts(); posts != tc.wantPosts {
				t.Fatalf("channel posts = %d (%q), want %d", posts, m.posts, tc.wantPosts)
			}
			if tc.wantPosts > 0 {
				post := m.posts[0]
				if !strings.HasPrefix(post, channel+": ") || !strings.Contains(post, c.Name()) || !strings.Contains(post, "open hppbot in Teams once") {
					t.Errorf("channel post %q should ask, in the service channel, for someone on %s to open hppbot in Teams", post, c.Name())
				}
				for _, secret := range []string{"INC-7", "Fall on ward", lead, "aad-lead"} {
					if strings.Contains(post, secret) {
						t.Errorf("channel post %q gives away %q", post, secret)
					}
				}
				// The next working day, the channel is asked once more.
				now = at.Add(24*time.Hour - time.Minute)
				if _, err := s.Outbox().Drain(ctx); err != nil {
					t.Fatal(err)
				}
				if _, posts := m.counts(); posts != 2 {
					t.Fatalf("channel posts the next day = %d, want 2", posts)
				}
			}
			// Past reminder_late_by (one working day) the queued reminder
			// is dropped, and the next day's replaces it: once the lead can
			// be reached, that one goes to them.
			m.mu.Lock()
			delete(m.unreachable, lead)
			m.mu.Unlock()
			now = at.Add(26 * time.Hour)
			if _, err := s.Outbox().Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if direct, _ := m.counts(); direct != 0 {
				t.Fatalf("a reminder past reminder_late_by was delivered: %q", m.direct)
			}
			res, err := s.Tick(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if direct, _ := m.counts(); res.Sent != 1 || direct != 1 || !strings.HasPrefix(m.direct[0], lead+": ") {
				t.Fatalf("after the lead became reachable: %+v, direct=%q; want the reminder delivered", res, m.direct)
			}
		})
	}
}
