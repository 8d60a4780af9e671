package handlers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"hppbot/bot"
)

// updater is a recorder that can also change messages, and can be told
// to fail.
type updater struct {
	recorder
	umu     sync.Mutex
	updates []bot.Reply
	refs    []bot.MessageRef
	broken  bool
}

func (u *updater) UpdateMessage(_ context.Context, ref bot.MessageRef, r bot.Reply) error {
	u.umu.Lock()
	defer u.umu.Unlock()
	if u.broken {
		return errors.New("synthetic: the platform refused the update")
	}
	u.refs = append(u.refs, ref)
	u.updates = append(u.updates, r)
	return nil
}

// Logging contact changes the case's live nudge to say so, without
// buttons; a bundle still live for another case is left as it is; a
// failed update is logged, never shown, and the contact is still logged.
func TestLoggingContactUpdatesTheLiveNudge(t *testing.T) {
	tests := []struct {
		name    string
		cases   []int64 // the cases the live message is about
		broken  bool
		updated string // "" for no update
	}{
		{"a nudge about one case", []int64{1}, false, "*HPP-1*: contact logged by <@console:lee> at 10:00 — thank you."},
		{"a bundle with another case still open", []int64{1, 2}, false, ""},
		{"the platform refuses the update", []int64{1}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			u := &updater{broken: tt.broken}
			f.h.Messenger = u
			f.as("lee", "/hpp open INC-1042 service=maternity harm=low A fall on the ward")
			f.as("lee", "/hpp open INC-1043 service=maternity harm=low Another fall")
			ctx := context.Background()
			ref := bot.MessageRef{To: "console:lee", ID: "7"}
			if _, err := f.st.SetLive(ctx, ref, tt.cases); err != nil {
				t.Fatal(err)
			}
			r := f.as("lee", "/hpp contact HPP-1 via=phone Spoke with the family")
			if !strings.Contains(text(r), "Contact logged for *HPP-1*") || strings.Contains(text(r), "synthetic") {
				t.Fatalf("contact reply: %s", text(r))
			}
			switch {
			case tt.updated == "" && len(u.updates) != 0:
				t.Errorf("updated %+v; want no update", u.updates)
			case tt.updated != "" && (len(u.updates) != 1 || u.updates[0].Text != tt.updated || len(u.updates[0].AllButtons()) != 0 || u.refs[0].ID != "7"):
				t.Errorf("updates %+v to %+v; want one, %q, no buttons, message 7", u.updates, u.refs, tt.updated)
			}
			if _, live, err := f.st.Live(ctx, "console:lee", 1); err != nil || live {
				t.Errorf("case 1 still has a live nudge after its contact was logged: %v %v", live, err)
			}
			if tt.broken && !strings.Contains(f.logs.String(), "could not change a reminder") {
				t.Errorf("a failed update was not logged:\n%s", f.logs)
			}
		})
	}
}

// Handing a case on changes the former named contact's live nudge to say
// who has it now, without buttons, so an old button is not pressed for it.
func TestHandingOnSettlesTheFormerContactsNudge(t *testing.T) {
	f := newFixture(t)
	u := &updater{}
	f.h.Messenger = u
	f.as("lee", "/hpp open INC-1042 service=maternity harm=low A fall on the ward")
	ctx := context.Background()
	if _, err := f.st.SetLive(ctx, bot.MessageRef{To: "console:lee", ID: "7"}, []int64{1}); err != nil {
		t.Fatal(err)
	}
	f.as("lee", "/hpp lead HPP-1 @sam")
	want := "*HPP-1* is with <@console:sam> now, as its named contact — nothing more is needed from you here. Thank you."
	if len(u.updates) != 1 || u.updates[0].Text != want || len(u.updates[0].AllButtons()) != 0 || u.refs[0].ID != "7" {
		t.Fatalf("updates %+v to %+v; want one, %q, no buttons, message 7", u.updates, u.refs, want)
	}
	if _, live, err := f.st.Live(ctx, "console:lee", 1); err != nil || live {
		t.Errorf("the former contact still has a live nudge for HPP-1: %v %v", live, err)
	}
}

// slowUpdater is an updater whose platform does not answer until let go.
type slowUpdater struct {
	updater
	hold chan struct{}
}

func (u *slowUpdater) UpdateMessage(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	<-u.hold
	return u.updater.UpdateMessage(ctx, ref, r)
}

// A command's answer does not wait for the platform to change the messages
// it made out of date: the update follows, in the background.
func TestAnAnswerDoesNotWaitForAnUpdate(t *testing.T) {
	f := newFixture(t)
	u := &slowUpdater{hold: make(chan struct{})}
	f.h.Messenger = u
	f.as("lee", "/hpp open INC-1042 service=maternity harm=low A fall on the ward")
	if _, err := f.st.SetLive(context.Background(), bot.MessageRef{To: "console:lee", ID: "7"}, []int64{1}); err != nil {
		t.Fatal(err)
	}
	// Handle, not f.as: f.as waits for the background work.
	r := f.h.Handle(context.Background(), bot.Request{Surface: bot.Console, Person: "console:lee", Text: "/hpp contact HPP-1 via=phone Spoke with the family"})
	if !strings.Contains(text(r), "Contact logged") {
		t.Fatalf("contact reply %q", text(r))
	}
	u.umu.Lock()
	n := len(u.updates)
	u.umu.Unlock()
	if n != 0 {
		t.Fatalf("the nudge was updated before the answer came back")
	}
	close(u.hold)
	f.h.Wait()
	if len(u.updates) != 1 || !strings.Contains(u.updates[0].Text, "contact logged by <@console:lee>") {
		t.Errorf("updates after the answer %v; want the nudge marked as logged", u.updates)
	}
}

// Logging contact settles every live reminder about the case, not only the
// named contact's: the cover's (who gets the nudges while they are away)
// and the pathway lead's heads-up.
func TestLoggingContactSettlesTheCoversAndTheLeadsReminders(t *testing.T) {
	f := newFixture(t)
	u := &updater{}
	f.h.Messenger = u
	ctx := context.Background()
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("lee", "/hpp open INC-1042 service=maternity harm=low A fall on the ward")
	f.h.Handle(ctx, bot.Request{Surface: bot.Console, Person: "console:kim", Name: "kim", Text: "/hpp help"})
	if r := f.as("lee", "/hpp away until=2026-12-04 cover=@kim"); !strings.Contains(text(r), "away until the end of") {
		t.Fatalf("away: %s", text(r))
	}
	for _, ref := range []bot.MessageRef{{To: "console:kim", ID: "11"}, {To: "console:pat", ID: "12"}} {
		if _, err := f.st.SetLive(ctx, ref, []int64{1}); err != nil {
			t.Fatal(err)
		}
	}
	f.as("lee", "/hpp contact HPP-1 via=phone Spoke with the family")
	got := map[string]string{}
	for i, ref := range u.refs {
		got[ref.To] = u.updates[i].Text
	}
	for _, who := range []string{"console:kim", "console:pat"} {
		if !strings.Contains(got[who], "*HPP-1*: contact logged by <@console:lee>") {
			t.Errorf("%s's reminder became %q; want it to say the contact was logged", who, got[who])
		}
	}
}
