package teams

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"hppbot/bot"
	"hppbot/store"
)

// The delivery queue paces and retries: a keyed send makes one attempt and
// hands a 429 or an outage back as bot.RetryLater.
func TestAKeyedSendMakesOneAttempt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := store.ConversationRef{ServiceURL: e.conn.serviceURL(), Tenant: testTenant, Bot: testBotID, User: "29:user-lee",
		Channel: "msteams", Conversation: "a:conv-lee", Type: "personal"}
	if err := e.st.SaveConversationRef(ctx, "teams:aad-lee", ref); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status    int
		throttled bool
	}{
		{http.StatusTooManyRequests, true},
		{http.StatusPreconditionFailed, false},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusGatewayTimeout, false},
		{http.StatusBadRequest, false}, // answered: nothing posted, so not in doubt
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			e.conn.refuse.Store(int32(tc.status))
			before := len(e.conn.posts())
			err := e.s.SendKeyed(ctx, "teams:aad-lee", false, "remind:7:contact:1:0", bot.Reply{Text: "Contact is due"})
			var later *bot.RetryLater
			if !errors.As(err, &later) || later.Throttled != tc.throttled || later.Status != tc.status {
				t.Fatalf("err = %v; want RetryLater{Status: %d, Throttled: %v}", err, tc.status, tc.throttled)
			}
			if n := len(e.conn.posts()) - before; n != 1 {
				t.Errorf("%d attempts; want 1", n)
			}
		})
	}
	e.conn.refuse.Store(0)
	if err := e.s.SendKeyed(ctx, "teams:aad-lee", false, "remind:7:contact:1:0", bot.Reply{Text: "Contact is due"}); err != nil {
		t.Fatalf("a keyed send with the connector answering: %v", err)
	}
	if _, ok := any(e.s).(bot.DeliveryChecker); ok {
		t.Error("the Teams surface claims it can say whether a message arrived; Teams can't be asked")
	}
}
