package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
)

// SendKeyed implements bot.KeyedMessenger: one attempt, no retry inside the
// call (the delivery queue paces and retries). Teams can't be asked later
// whether a message arrived, so the key is not sent: Surface implements no
// bot.DeliveryChecker, and a send in doubt after a crash is sent again.
// A 429 comes back as *bot.RetryLater with its Retry-After; 412, 502, 503
// and 504 as *bot.RetryLater.
func (s *Surface) SendKeyed(ctx context.Context, to string, channel bool, key string, r bot.Reply) error {
	ctx = context.WithValue(ctx, oneAttemptKey{}, true)
	var err error
	if channel {
		err = s.PostChannel(ctx, to, r)
	} else {
		err = s.SendDirect(ctx, to, r)
	}
	return platformError(err)
}

// UpdateMessage implements bot.Updater: a PUT of the activity at ref
// (POST target + "/" + activity id, on the connector that answered the
// post) with r's card; a reply with no buttons leaves none. Updating twice
// with the same reply is harmless.
func (s *Surface) UpdateMessage(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	surface, _ := bot.SplitID(ref.To)
	if surface != bot.Teams || ref.ID == "" || !strings.HasSuffix(ref.Conv, "/activities") {
		return bot.ErrNoRoute
	}
	u, err := url.Parse(ref.Conv + "/" + url.PathEscape(ref.ID))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return bot.ErrNoRoute
	}
	// The bot's token goes only to the service Teams said serves this
	// person or channel, whatever a kept message reference says.
	switch served, known, err := s.servedBy(ctx, ref.To, u); {
	case err != nil:
		return err
	case !known:
		// hppbot no longer knows the conversation (the app was removed).
		return bot.ErrNoRoute
	case !served:
		s.log.Warn("Teams: a message reference names another service than the conversation's; not updated", "to", ref.To, "host", u.Host)
		return bot.ErrNoRoute
	}
	acts := s.render(ctx, r, renderOpts{personal: !ref.Channel})
	if len(acts) == 0 {
		return bot.ErrNoRoute
	}
	a := acts[0]
	a.Type, a.ID = schema.Message, ref.ID
	ctx = context.WithValue(ctx, oneAttemptKey{}, true)
	if err := s.conn.Do(ctx, http.MethodPut, u.String(), a, nil); err != nil {
		s.log.Info("Teams: message not updated", "to", ref.To, "err", err)
		return platformError(err)
	}
	return nil
}

// servedBy reports whether u is on the Bot Framework service hppbot keeps
// for to (the one its last activity came from, checked then against its
// token's claims); known is false when hppbot keeps none.
func (s *Surface) servedBy(ctx context.Context, to string, u *url.URL) (served, known bool, err error) {
	ref, ok, err := s.cfg.Store.ConversationRef(ctx, to)
	if err != nil || !ok || ref.ServiceURL == "" {
		return false, false, err
	}
	svc, err := url.Parse(ref.ServiceURL)
	if err != nil {
		return false, true, nil
	}
	return strings.EqualFold(svc.Scheme, u.Scheme) && strings.EqualFold(svc.Host, u.Host), true, nil
}

// platformError turns the connector's "not now" answers into
// *bot.RetryLater; anything else is returned as it is.
func platformError(err error) error {
	var ce *ConnectorError
	if err == nil || errors.Is(err, bot.ErrNotReachable) || !errors.As(err, &ce) {
		return err
	}
	switch ce.Status {
	case http.StatusTooManyRequests:
		return &bot.RetryLater{Status: ce.Status, Throttled: true, After: ce.RetryAfter}
	case http.StatusPreconditionFailed, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusInternalServerError:
		return &bot.RetryLater{Status: ce.Status, After: ce.RetryAfter}
	}
	if _, final := bot.AsUndeliverable(err); final || ce.Status == 0 {
		// Final, or no answer came: the post may have gone.
		return err
	}
	// The connector answered another refusal: nothing was posted, so the
	// send is not in doubt; it is tried again later.
	return fmt.Errorf("%w (%v)", &bot.RetryLater{Status: ce.Status}, err)
}
