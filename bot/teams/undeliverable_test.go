package teams

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"hppbot/bot"
	"hppbot/store"
)

// Teams' final refusals reach the scheduler as bot.Undeliverable, with the
// code for metrics and plain words for people; what may pass (a 502, a
// 429 after its retries) does not.
func TestUndeliverableClassification(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	chat := store.ConversationRef{ServiceURL: e.conn.serviceURL(), Tenant: testTenant, Bot: testBotID, User: "29:user-lee", Channel: "msteams", Conversation: "a:conv-lee", Type: "personal"}
	if err := e.st.SaveConversationRef(ctx, "teams:aad-lee", chat); err != nil {
		t.Fatal(err)
	}
	channel := chat
	channel.Conversation, channel.Type, channel.User = "19:ward@thread.tacv2", "channel", ""
	if err := e.st.SaveConversationRef(ctx, "teams:19:ward@thread.tacv2", channel); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, code string
		status     int
		wantCode   string // "" when the error is not final
		wantWords  string // in the direct message's reason or fix
	}{
		{"admin turned the app off", "BotDisabledByAdmin", http.StatusForbidden, "BotDisabledByAdmin", "Teams admin"},
		{"app removed", "BotNotInConversationRoster", http.StatusForbidden, "BotNotInConversationRoster", "say hello"},
		{"writes blocked", "MessageWritesBlocked", http.StatusForbidden, "MessageWritesBlocked", "Teams admin"},
		{"blocked by the person", "ConversationBlockedByUser", http.StatusForbidden, "ConversationBlockedByUser", "unblock"},
		{"a 403 with a code not known", "SomethingNew", http.StatusForbidden, "SomethingNew", "Teams refused"},
		{"a 403 with no body", "", http.StatusForbidden, "Forbidden", "Teams refused"},
		{"conversation gone", "ConversationNotFound", http.StatusNotFound, "ConversationNotFound", "no longer exists"},
		{"a 404 with no body", "", http.StatusNotFound, "ConversationNotFound", "no longer exists"},
		{"connector trouble", "ServiceError", http.StatusBadGateway, "", ""},
		{"a bad request", "BadArgument", http.StatusBadRequest, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.conn.refuse.Store(int32(tc.status))
			e.conn.refuseCode.Store(tc.code)
			defer e.conn.refuse.Store(0)
			for _, send := range []struct {
				where string
				err   error
			}{
				{"direct", e.s.SendDirect(ctx, "teams:aad-lee", bot.Reply{Text: "x"})},
				{"channel", e.s.PostChannel(ctx, "teams:19:ward@thread.tacv2", bot.Reply{Text: "x"})},
			} {
				if send.err == nil {
					t.Fatalf("%s: no error", send.where)
				}
				u, final := bot.AsUndeliverable(send.err)
				if final != (tc.wantCode != "") {
					t.Fatalf("%s: %v; final = %v, want %v", send.where, send.err, final, tc.wantCode != "")
				}
				if !final {
					continue
				}
				if u.Code != tc.wantCode || (send.where == "direct" && !strings.Contains(u.Reason+" "+u.Fix, tc.wantWords)) || u.Reason == "" || u.Fix == "" {
					t.Errorf("%s: %+v, want code %q and words %q", send.where, u, tc.wantCode, tc.wantWords)
				}
				if !errors.Is(send.err, bot.ErrNotReachable) {
					t.Errorf("%s: %v is not ErrNotReachable", send.where, send.err)
				}
			}
		})
	}
	// Someone hppbot has never talked with.
	u, ok := bot.AsUndeliverable(e.s.SendDirect(ctx, "teams:aad-stranger", bot.Reply{Text: "x"}))
	if !ok || u.Code != "no_conversation" || !strings.Contains(u.Reason, "haven't opened hppbot") {
		t.Errorf("a stranger: %+v, %v", u, ok)
	}
}

func TestErrorCodeIsReadSafely(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"code":"BotDisabledByAdmin","message":"x"}}`, "BotDisabledByAdmin"},
		{`{"error":{"code":"has spaces in it"}}`, ""},
		{`{"error":{"code":"` + strings.Repeat("A", 65) + `"}}`, ""},
		{`not json`, ""},
		{``, ""},
		{`{"error":"flat"}`, ""},
	}
	for _, tc := range tests {
		if got := errorCode(strings.NewReader(tc.body)); got != tc.want {
			t.Errorf("errorCode(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func FuzzErrorCode(f *testing.F) {
	f.Add(`{"error":{"code":"BotDisabledByAdmin"}}`)
	f.Add(`{"error":{"code":"\u00e9"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		code := errorCode(strings.NewReader(body))
		if len(code) > 64 || strings.ContainsAny(code, " \n\t\"<>") {
			t.Fatalf("errorCode kept %q", code)
		}
	})
}
