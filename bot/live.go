package bot

import (
	"context"
	"sync"
)

// A message the bot sent can be changed later where the platform allows
// (Slack chat.update, a Teams activity update, the console's numbered
// lines): a reminder replaced by a newer one collapses to one line, a
// reminder whose contact was logged says so, an escalation in a team
// channel says when someone has taken it. For that a surface says which
// message it posted (a MessageRef), and the bot keeps it (store: "the live
// nudge").

// MessageRef is where a sent message is on its platform: enough to update
// it. Conv is the conversation (a Slack channel or DM channel id, a Teams
// conversation id); ID the message in it (a Slack ts, a Teams activity id,
// the console's line number).
type MessageRef struct {
	To      string `json:"to"` // the person or channel id it was sent to
	Channel bool   `json:"channel,omitempty"`
	Conv    string `json:"conv,omitempty"`
	ID      string `json:"id"`
	// Cases is how many cases the message is about (a bundle: more than
	// one), as the store keeps it.
	Cases int `json:"cases,omitempty"`
}

// Replaced is what a reminder says once a newer one about the same cases
// has been sent: one line, no buttons.
var Replaced = Reply{Text: "Replaced by a newer reminder below."}

// Updater is a surface that can change a message it sent. Updating a
// message twice with the same reply is harmless.
type Updater interface {
	UpdateMessage(ctx context.Context, ref MessageRef, r Reply) error
}

// UpdateMessage implements Updater through the surface ref.To is on;
// ErrNoRoute when that surface can't update messages.
func (r Router) UpdateMessage(ctx context.Context, ref MessageRef, rep Reply) error {
	surface, _ := SplitID(ref.To)
	m, ok := r[surface]
	if !ok {
		return ErrNoRoute
	}
	if u, ok := m.(Updater); ok {
		return u.UpdateMessage(ctx, ref, rep)
	}
	return ErrNoRoute
}

type sentKey struct{}

// sentSink collects the ref a surface reports for one send.
type sentSink struct {
	mu  sync.Mutex
	ref MessageRef
	ok  bool
}

// WithSent returns a context whose sends report where the message went:
// after a send through it returns nil, got tells the ref, if the surface
// said.
func WithSent(ctx context.Context) (context.Context, func() (MessageRef, bool)) {
	s := &sentSink{}
	return context.WithValue(ctx, sentKey{}, s), func() (MessageRef, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.ref, s.ok
	}
}

// ReportSent is a surface saying where the message it just sent is (the
// first, for a reply sent as several). It does nothing when no one asked
// (WithSent).
func ReportSent(ctx context.Context, ref MessageRef) {
	s, _ := ctx.Value(sentKey{}).(*sentSink)
	if s == nil || ref.ID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ok { // a reply sent as several messages: the first is the one
		s.ref, s.ok = ref, true
	}
}
