package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/slack-go/slack/slackevents"

	"hppbot/pathway"
)

// A request Slack sends again changes nothing twice. A signed HTTP request
// can be replayed while its signature is good, Slack retries an event it
// thinks went unanswered (X-Slack-Retry-Num over HTTP, retry_attempt in
// Socket Mode), and a Socket Mode envelope can come twice. The first replica
// to see a request claims it in the store; any that sees it again gives the
// answer the first gave, and runs nothing.

// Requests remembers the requests answered lately, across replicas
// (store.Store).
type Requests interface {
	// ClaimRequest claims a request; first is false when it had been
	// claimed, and then done and answer tell whether and how it was answered.
	ClaimRequest(ctx context.Context, id string, ttl time.Duration) (first bool, answer []byte, done bool, err error)
	// RequestAnswer reads the answer kept for a claimed request.
	RequestAnswer(ctx context.Context, id string) (answer []byte, done bool, err error)
	// KeepAnswer keeps the answer a claimed request was given.
	KeepAnswer(ctx context.Context, id string, answer []byte, ttl time.Duration) error
}

// requestTTL is how long a request is remembered. Slack accepts a signed
// request within five minutes either side of its timestamp, so one first
// seen early can be replayed until ten minutes later; Slack retries an
// event after about a minute and again after five.
const requestTTL = 10 * time.Minute

// replayPoll is how often a request seen again while its first delivery is
// still being answered looks for that answer.
const replayPoll = 50 * time.Millisecond

// requestID names a request by a digest of what identifies it: kind
// ("command", "interaction", "event") and its parts (a signature and body, a
// Socket Mode payload, an event id). "" when there is nothing to go by.
func requestID(kind string, parts ...[]byte) string {
	h := sha256.New()
	n := 0
	for _, p := range parts {
		n += len(p)
		h.Write(p)
		h.Write([]byte{0})
	}
	if n == 0 {
		return ""
	}
	return "slack:" + kind + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// seenBefore claims a request. When it had been seen before, seen is true
// and answer is what it was answered with then (empty: an empty
// acknowledgement), waiting up to AckWithin for a first delivery still
// being answered; after that the first's answer follows on its own (through
// the response_url), and this one is acknowledged empty. When the store
// can't say, the request is answered as new.
func (s *Surface) seenBefore(ctx context.Context, id string) (answer []byte, seen bool) {
	if s.cfg.Requests == nil || id == "" {
		return nil, false
	}
	first, answer, done, err := s.cfg.Requests.ClaimRequest(ctx, id, requestTTL)
	if err != nil {
		s.log.Warn("could not tell whether a request was seen before; answering it", "err", err)
		return nil, false
	}
	if first {
		return nil, false
	}
	wait := time.NewTimer(s.cfg.AckWithin)
	defer wait.Stop()
	tick := time.NewTicker(replayPoll)
	defer tick.Stop()
poll:
	for !done {
		select {
		case <-ctx.Done():
			break poll
		case <-wait.C:
			break poll
		case <-tick.C:
			if answer, done, err = s.cfg.Requests.RequestAnswer(ctx, id); err != nil {
				break poll
			}
		}
	}
	s.log.Info("request seen before: given the first answer, nothing run again", "request", id, "answered", done)
	return answer, true
}

// keepAnswer keeps the answer a request was given, for a replica that sees
// it again. Two kinds of answer are not kept (the request is marked
// answered, with an empty answer): one that could quote back a patient
// identifier ("via= takes phone, … (you typed …)"), since nothing the guard
// would refuse is stored — typed is what the answer could quote, a slash
// command's line or else the answer itself; and a person's own wellbeing
// check-ins, which are kept nowhere but in their own record, so that
// "checkin forget" leaves no copy.
func (s *Surface) keepAnswer(ctx context.Context, id string, answer []byte, typed string) {
	if s.cfg.Requests == nil || id == "" {
		return
	}
	if len(answer) > 0 {
		word, _, _ := strings.Cut(strings.TrimSpace(typed), " ")
		if _, found := pathway.FindIdentifier(typed); found || strings.EqualFold(word, "checkin") {
			answer = nil
		}
	}
	if err := s.cfg.Requests.KeepAnswer(context.WithoutCancel(ctx), id, answer, requestTTL); err != nil {
		s.log.Warn("could not keep a request's answer", "request", id, "err", err)
	}
}

// encodeAnswer is a flow's answer as JSON; nil for an empty one.
func encodeAnswer(answer any) []byte {
	if answer == nil {
		return nil
	}
	body, err := json.Marshal(answer)
	if err != nil {
		return nil
	}
	return body
}

// replayPayload is a kept answer as a Socket Mode acknowledgement's payload:
// nil for an empty one.
func replayPayload(answer []byte) any {
	if len(answer) == 0 {
		return nil
	}
	return json.RawMessage(answer)
}

// eventID names an Events API delivery by Slack's event id, which its
// retries keep.
func eventID(ev slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb != nil && cb.EventID != "" {
		return requestID("event", []byte(cb.EventID))
	}
	return ""
}

// firstEvent reports whether an event is seen for the first time; an event
// needs no answer but an empty acknowledgement.
func (s *Surface) firstEvent(ctx context.Context, id string) bool {
	if s.cfg.Requests == nil || id == "" {
		return true
	}
	first, _, _, err := s.cfg.Requests.ClaimRequest(ctx, id, requestTTL)
	if err != nil {
		s.log.Warn("could not tell whether an event was seen before; handling it", "err", err)
		return true
	}
	if !first {
		s.log.Info("event seen before: nothing done again", "request", id)
	}
	return first
}
