package teams

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/app"
	"hppbot/bot"
	"hppbot/store"
)

// countingHandler records whether any command ran.
type countingHandler struct{ calls atomic.Int32 }

func (h *countingHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.calls.Add(1)
	return bot.Reply{Text: "ran"}
}

func TestUnauthenticatedActivitiesGet401AndChangeNothing(t *testing.T) {
	e := newEnv(t)
	h := &countingHandler{}
	e.s = e.surface(t, h)
	su := e.conn.serviceURL()
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims(su)
		change(c)
		return c
	}
	hmacToken := func() string {
		// The classic confusion: HS256 "signed" with the public key.
		der := x509.MarshalPKCS1PublicKey(&e.id.keys[0].PublicKey)
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims(su))
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(der)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noneToken := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims(su))
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		auth string
		act  func(map[string]any)
	}{
		{"no token", "", nil},
		{"not a bearer token", "Basic dXNlcjpwYXNz", nil},
		{"garbage", "Bearer not.a.token", nil},
		{"unknown key", "Bearer " + e.id.sign(t, "k2", validClaims(su)), nil},
		{"no key id", "Bearer " + e.id.sign(t, "", validClaims(su)), nil},
		{"wrong audience", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { c["aud"] = "99999999-0000-0000-0000-000000000000" })), nil},
		{"no audience", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { delete(c, "aud") })), nil},
		{"wrong issuer", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { c["iss"] = "https://sts.windows.net/someone-else/" })), nil},
		{"expired", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-6 * time.Minute).Unix() })), nil},
		{"no expiry", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { delete(c, "exp") })), nil},
		{"not valid yet", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() })), nil},
		{"wrong serviceUrl claim", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { c["serviceurl"] = "https://elsewhere.example.test/" })), nil},
		{"no serviceUrl claim", "Bearer " + e.id.sign(t, "k1", claims(func(c jwt.MapClaims) { delete(c, "serviceurl") })), nil},
		{"activity from another serviceUrl", "", func(a map[string]any) { a["serviceUrl"] = "https://elsewhere.example.test/" }},
		{"HS256 with the public key", "Bearer " + hmacToken(), nil},
		{"alg none", "Bearer " + noneToken(), nil},
		{"tampered payload", "", func(a map[string]any) { a["x-tamper"] = true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			act := e.personalMessage("9000", "open INC-7 harm=moderate Fall on ward 4")
			auth := tc.auth
			if tc.act != nil {
				tc.act(act)
				auth = e.bearer(t)
			}
			if tc.name == "tampered payload" {
				// A good signature whose payload has been edited.
				parts := strings.Split(strings.TrimPrefix(e.bearer(t), "Bearer "), ".")
				payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
				payload = []byte(strings.Replace(string(payload), testAppID, "99999999-2222-3333-4444-555555555555", 1))
				parts[1] = base64.RawURLEncoding.EncodeToString(payload)
				auth = "Bearer " + strings.Join(parts, ".")
			}
			if code := e.post(t, act, auth); code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", code)
			}
			if n := h.calls.Load(); n != 0 {
				t.Fatalf("the handler ran %d times for an unauthenticated activity", n)
			}
			if n := keysUnderPrefix(t, e.st); n != 0 {
				t.Fatalf("%d keys stored for an unauthenticated activity", n)
			}
			if got := e.conn.requests(); len(got) != 0 {
				t.Fatalf("the connector was called: %+v", got)
			}
		})
	}
	// The same activity, properly signed, gets through.
	if code := e.post(t, e.personalMessage("9001", "help"), e.bearer(t)); code != http.StatusOK || h.calls.Load() != 1 {
		t.Fatalf("valid activity: status %d, handler calls %d", code, h.calls.Load())
	}
}

func TestBodyIsBounded(t *testing.T) {
	e := newEnv(t)
	act := e.personalMessage("1", strings.Repeat("x", maxActivity))
	if code := e.post(t, act, e.bearer(t)); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", code)
	}
	if n := keysUnderPrefix(t, e.st); n != 0 {
		t.Fatalf("%d keys stored", n)
	}
}

func TestOpenCaseFromAPersonalChat(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if code := e.post(t, e.personalMessage("1001", "open INC-7 harm=moderate Fall on ward 4"), e.bearer(t)); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	posts := e.conn.posts()
	if len(posts) != 1 {
		t.Fatalf("connector got %d posts, want 1: %+v", len(posts), e.conn.requests())
	}
	p := posts[0]
	if p.Path != "/uk/v3/conversations/a:conv-sam/activities" {
		t.Errorf("posted to %s, want the personal conversation", p.Path)
	}
	if p.Auth != "Bearer "+testToken {
		t.Errorf("Authorization %q, want the local token endpoint's token", p.Auth)
	}
	if _, hasReplyTo := p.Body["replyToId"]; hasReplyTo {
		t.Errorf("a personal reply should not thread: replyToId=%v", p.Body["replyToId"])
	}
	text := cardText(p.Body)
	if !strings.Contains(text, "**HPP-1 is open**") || !strings.Contains(text, "INC-7") {
		t.Errorf("reply doesn't name the case:\n%s", text)
	}
	att := p.Body["attachments"].([]any)[0].(map[string]any)
	if att["contentType"] != cardType {
		t.Errorf("reply attachment is %v, want an Adaptive Card", att["contentType"])
	}
	c, err := e.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatalf("case not in Redis: %v", err)
	}
	if c.Ref != "INC-7" || c.Lead != "teams:aad-sam" || c.Harm != "moderate" {
		t.Errorf("case = ref %q lead %q harm %q", c.Ref, c.Lead, c.Harm)
	}
	ref, ok, err := e.st.ConversationRef(ctx, "teams:aad-sam")
	if err != nil || !ok || ref.Conversation != "a:conv-sam" || ref.ServiceURL != e.conn.serviceURL() || ref.Tenant != testTenant || ref.Bot != testBotID {
		t.Errorf("stored ref = %+v ok=%v err=%v", ref, ok, err)
	}
	// Delivered twice (the Bot Framework retries a slow bot): runs once.
	if code := e.post(t, e.personalMessage("1001", "open INC-7 harm=moderate Fall on ward 4"), e.bearer(t)); code != http.StatusOK {
		t.Fatalf("redelivery: status %d", code)
	}
	if _, err := e.st.GetCase(ctx, 2); err == nil {
		t.Error("a redelivered activity opened a second case")
	}
	if n := len(e.conn.posts()); n != 1 {
		t.Errorf("redelivery was answered again: %d posts", n)
	}
}

func TestProactiveDeliveryAfterRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Sam messages hppbot once; hppbot is added to a channel.
	if code := e.post(t, e.personalMessage("2001", "help"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if code := e.post(t, e.channelMessage("2002", "help"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	before := len(e.conn.posts())

	// A restart: a new surface on the same store, nothing in memory.
	restarted := e.surface(t, e.h)
	if err := restarted.SendDirect(ctx, "teams:aad-sam", bot.Reply{Text: "Contact with the family for *HPP-1* is due now."}); err != nil {
		t.Fatalf("SendDirect after restart: %v", err)
	}
	if err := restarted.PostChannel(ctx, "teams:19:maternity@thread.tacv2", bot.Reply{Text: "*HPP-1* (maternity): overdue."}); err != nil {
		t.Fatalf("PostChannel after restart: %v", err)
	}
	posts := e.conn.posts()[before:]
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	if posts[0].Path != "/uk/v3/conversations/a:conv-sam/activities" || !strings.Contains(cardText(posts[0].Body), "**HPP-1** is due") {
		t.Errorf("direct message went to %s: %s", posts[0].Path, cardText(posts[0].Body))
	}
	if posts[1].Path != "/uk/v3/conversations/19:maternity@thread.tacv2/activities" {
		t.Errorf("channel post went to %s, want the channel itself (a new thread)", posts[1].Path)
	}
	for _, p := range posts {
		if p.Auth != "Bearer "+testToken {
			t.Errorf("proactive post without the bearer token: %q", p.Auth)
		}
	}

	// Someone hppbot has never met can't be reached: the scheduler keeps
	// the reminder and asks the channel for help.
	err := restarted.SendDirect(ctx, "teams:aad-unknown", bot.Reply{Text: "hello"})
	if !errors.Is(err, bot.ErrNotReachable) {
		t.Fatalf("SendDirect to a stranger: %v, want ErrNotReachable", err)
	}
	if err := restarted.PostChannel(ctx, "teams:19:unknown@thread.tacv2", bot.Reply{Text: "x"}); err == nil {
		t.Fatal("PostChannel to an unknown channel succeeded")
	}
	if err := restarted.SendDirect(ctx, "slack:U1", bot.Reply{Text: "x"}); !errors.Is(err, bot.ErrNoRoute) {
		t.Fatalf("SendDirect to a Slack id: %v, want ErrNoRoute", err)
	}
}

func TestChannelCommandWithMentions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.conn.members["29:user-jo"] = member{ID: "29:user-jo", Name: "Jo Bloggs", AADObjectID: "aad-jo"}
	jo := map[string]any{"type": "mention", "text": "<at>Jo Bloggs</at>", "mentioned": map[string]any{"id": "29:user-jo", "name": "Jo Bloggs"}}
	act := e.channelMessage("3001", "hpp open INC-9 lead=<at>Jo Bloggs</at> harm=low Fall&nbsp;on ward 2", jo)
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	c, err := e.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatalf("no case: %v", err)
	}
	if c.Lead != "teams:aad-jo" || c.Ref != "INC-9" || c.Summary != "Fall on ward 2" {
		t.Errorf("case lead %q ref %q summary %q; want Jo by Entra id", c.Lead, c.Ref, c.Summary)
	}
	// Sam had no chat with hppbot: one is started, the answer goes there,
	// and the thread says so. Jo is told in a chat of their own.
	var created, thread, samDM, joDM int
	for _, r := range e.conn.requests() {
		switch {
		case r.Method == http.MethodPost && r.Path == "/uk/v3/conversations":
			created++
			members, _ := r.Body["members"].([]any)
			if len(members) != 1 || r.Body["tenantId"] != testTenant {
				t.Errorf("createConversation body %v", r.Body)
			}
		case r.Path == "/uk/v3/conversations/19:maternity@thread.tacv2;messageid=3001/activities":
			thread++
			if r.Body["replyToId"] != "3001" || !strings.Contains(cardText(r.Body), "private chat") {
				t.Errorf("thread note: replyToId=%v text=%q", r.Body["replyToId"], cardText(r.Body))
			}
		case strings.HasPrefix(r.Path, "/uk/v3/conversations/a:created-") && strings.Contains(cardText(r.Body), "HPP-1 is open"):
			samDM++
		case strings.HasPrefix(r.Path, "/uk/v3/conversations/a:created-") && strings.Contains(cardText(r.Body), "named you the contact"):
			joDM++
		}
	}
	if created != 2 || thread != 1 || samDM != 1 || joDM != 1 {
		t.Errorf("created=%d thread=%d samDM=%d joDM=%d; requests: %+v", created, thread, samDM, joDM, e.conn.requests())
	}
	// channel=here names the channel, not the thread.
	if code := e.post(t, e.channelMessage("3002", "service maternity channel=here"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	// Sam isn't an admin here, so nothing is set; the refusal goes to Sam's chat.
	if _, ok, _ := e.st.Service(ctx, "maternity"); ok {
		t.Error("a non-admin set up a service")
	}
	admin := app.New(app.Config{Store: e.st, Policy: e.p, Admins: []string{"teams:aad-sam"}, Messenger: bot.Router{bot.Teams: e.s}}).Handlers
	e.s = e.surface(t, admin)
	if code := e.post(t, e.channelMessage("3003", "service maternity channel=here"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	svc, ok, err := e.st.Service(ctx, "maternity")
	if err != nil || !ok || svc.Channel != "teams:19:maternity@thread.tacv2" {
		t.Fatalf("service = %+v ok=%v err=%v; want the channel", svc, ok, err)
	}
}

func TestCommandText(t *testing.T) {
	resolve := func(m mentioned) string {
		if m.AADObjectID != "" {
			return "teams:" + m.AADObjectID
		}
		return "teams:aad-of-" + strings.TrimPrefix(m.ID, "29:")
	}
	botM := entity{Type: "mention", Text: "<at>hppbot</at>", Mentioned: mentioned{ID: testBotID, Name: "hppbot"}}
	jo := entity{Type: "mention", Text: "<at>Jo Bloggs</at>", Mentioned: mentioned{ID: "29:jo", Name: "Jo Bloggs"}}
	al := entity{Type: "mention", Text: "<at>Al</at>", Mentioned: mentioned{ID: "29:al", Name: "Al", AADObjectID: "aad-al"}}
	ch := entity{Type: "mention", Text: "<at>Maternity safety</at>", Mentioned: mentioned{ID: "19:mat@thread.tacv2", Name: "Maternity safety"}}
	tests := []struct {
		name string
		text string
		ents []entity
		want string
	}{
		{"plain", "open INC-7 Fall", nil, "open INC-7 Fall"},
		{"bot mention stripped", "<at>hppbot</at> hpp status HPP-3", []entity{botM}, "hpp status HPP-3"},
		{"bot mention mid-text", "status <at>hppbot</at> HPP-3", []entity{botM}, "status  HPP-3"},
		{"people become tokens", "<at>hppbot</at> involve HPP-3 <at>Jo Bloggs</at> <at>Al</at>", []entity{botM, jo, al}, "involve HPP-3 <@teams:aad-of-jo> <@teams:aad-al>"},
		{"option value", "open INC-1 lead=<at>Jo Bloggs</at>", []entity{jo}, "open INC-1 lead=<@teams:aad-of-jo>"},
		{"channel mention", "service x channel=<at>Maternity safety</at>", []entity{ch}, "service x channel=<#teams:19:mat@thread.tacv2>"},
		{"html and entities", "<p>open INC-2 Fall&nbsp;&amp; bruise</p>", nil, "open INC-2 Fall & bruise"},
		{"unmatched at tag", "<at>Someone</at> help", nil, "Someone help"},
		{"entity not in text", "help", []entity{jo}, "help"},
		{"no tokens injected", "open INC-1 \x00 0 \x00", nil, "open INC-1  0"},
		{"typed mention markup stays text", "note &lt;@teams:aad-boss&gt; &lt;#teams:19:x&gt; &lt;!here&gt; a&lt;b", nil, "note <\u2060@teams:aad-boss> <\u2060#teams:19:x> <\u2060!here> a<b"},
		{"not a mention entity", "help", []entity{{Type: "clientInfo"}}, "help"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			act := activityFor(tc.text)
			got := commandText(act, extras{Entities: tc.ents}, testAppID, resolve)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormSubmission(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// "open" with nothing else sends the form card.
	if code := e.post(t, e.personalMessage("4001", "open"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	posts := e.conn.posts()
	card := posts[len(posts)-1].Body["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	action := card["actions"].([]any)[0].(map[string]any)
	data := action["data"].(map[string]any)
	if data[submitKey] != "open" || data[formKey] == nil {
		t.Fatalf("form submit data = %v", data)
	}
	// Teams sends the data back with the answers merged in.
	submit := func(id string, answers map[string]any) {
		act := e.personalMessage(id, "")
		value := map[string]any{}
		for k, v := range data {
			value[k] = v
		}
		for k, v := range answers {
			value[inputPrefix+k] = v
		}
		act["value"] = value
		if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	// A missing reference: the form comes back with a note, nothing opened.
	submit("4002", map[string]any{"harm": "moderate"})
	last := e.conn.posts()[len(e.conn.posts())-1]
	if txt := cardText(last.Body); !strings.Contains(txt, "Please fill this in.") {
		t.Fatalf("form not shown again with a note:\n%s", txt)
	}
	if _, err := e.st.GetCase(ctx, 1); err == nil {
		t.Fatal("a case was opened from an incomplete form")
	}
	submit("4003", map[string]any{"ref": "INC-11", "harm": "severe", "involved": "aad-jo,aad-al", "text": "Medication error on ward 3", "service": ""})
	c, err := e.st.GetCase(ctx, 1)
	if err != nil {
		t.Fatalf("no case from the form: %v", err)
	}
	if c.Ref != "INC-11" || c.Harm != "severe" || c.Summary != "Medication error on ward 3" || len(c.Involved) != 2 || c.Involved[0] != "teams:aad-jo" {
		t.Errorf("case from form: ref %q harm %q summary %q involved %v", c.Ref, c.Harm, c.Summary, c.Involved)
	}
	// The reply to a form says back what it understood, as a typed command's does.
	if txt := cardText(e.conn.posts()[len(e.conn.posts())-1].Body); !strings.Contains(txt, "Understood: harm severe") || !strings.Contains(txt, "summary “Medication error on ward 3”") {
		t.Errorf("form reply lacks the say-back:\n%s", txt)
	}
	// A note holding a setting-shaped word comes back with how to write it.
	submit("4006", map[string]any{"ref": "INC-12", "harm": "low", "text": "Sats=88% on arrival"})
	if txt := cardText(e.conn.posts()[len(e.conn.posts())-1].Body); !strings.Contains(txt, "like Sats 88%") {
		t.Errorf("form with Sats=88%% not shown again with a note:\n%s", txt)
	}
	if _, err := e.st.GetCase(ctx, 2); err == nil {
		t.Error("a case was opened from a form whose note held a setting")
	}
	// A button is the same command as typing it.
	act := e.personalMessage("4004", "")
	act["value"] = map[string]any{submitKey: "status HPP-1"}
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if txt := cardText(e.conn.posts()[len(e.conn.posts())-1].Body); !strings.Contains(txt, "HPP-1") {
		t.Errorf("button press answered with:\n%s", txt)
	}
	// Someone else's card data is ignored.
	before := len(e.conn.posts())
	act = e.personalMessage("4005", "")
	act["value"] = map[string]any{"action": "other-app"}
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK || len(e.conn.posts()) != before {
		t.Errorf("foreign card data: status %d, posts %d -> %d", code, before, len(e.conn.posts()))
	}
}

func TestInstallAndRemove(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// hppbot added to a team: the channel is kept and welcomed once.
	update := map[string]any{
		"type": "conversationUpdate", "id": "f:5001", "serviceUrl": e.conn.serviceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": "29:user-sam", "aadObjectId": "aad-sam"},
		"recipient":    map[string]any{"id": testBotID},
		"conversation": map[string]any{"conversationType": "channel", "isGroup": true, "tenantId": testTenant, "id": "19:general@thread.tacv2"},
		"membersAdded": []any{map[string]any{"id": testBotID}, map[string]any{"id": "29:user-kim", "aadObjectId": "aad-kim"}},
		"channelData": map[string]any{"tenant": map[string]any{"id": testTenant}, "eventType": "teamMemberAdded",
			"team": map[string]any{"id": "19:general@thread.tacv2", "name": "Surgery"}},
	}
	for i := 0; i < 2; i++ {
		if code := e.post(t, update, e.bearer(t)); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	if n := len(e.conn.posts()); n != 1 || !strings.Contains(cardText(e.conn.posts()[0].Body), "Hello, everyone") {
		t.Fatalf("welcome posts = %d", n)
	}
	if ref, ok, _ := e.st.ConversationRef(ctx, "teams:19:general@thread.tacv2"); !ok || ref.Conversation != "19:general@thread.tacv2" {
		t.Errorf("channel ref = %+v ok=%v", ref, ok)
	}
	// Kim joined with hppbot there: hppbot can start a chat with them.
	if ref, ok, _ := e.st.ConversationRef(ctx, "teams:aad-kim"); !ok || ref.User != "29:user-kim" || ref.Conversation != "" {
		t.Errorf("Kim's ref = %+v ok=%v", ref, ok)
	}
	if err := e.s.SendDirect(ctx, "teams:aad-kim", bot.Reply{Text: "A check-in"}); err != nil {
		t.Fatalf("SendDirect to Kim: %v", err)
	}
	if ref, _, _ := e.st.ConversationRef(ctx, "teams:aad-kim"); ref.Conversation == "" {
		t.Error("the chat started with Kim was not kept")
	}
	// A personal install, then uninstall: the reference goes.
	install := map[string]any{
		"type": "installationUpdate", "id": "i:1", "action": "add", "serviceUrl": e.conn.serviceURL(), "channelId": "msteams",
		"from":         map[string]any{"id": "29:user-lee", "aadObjectId": "aad-lee"},
		"recipient":    map[string]any{"id": testBotID},
		"conversation": map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-lee"},
	}
	if code := e.post(t, install, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if ref, ok, _ := e.st.ConversationRef(ctx, "teams:aad-lee"); !ok || ref.Conversation != "a:conv-lee" {
		t.Fatalf("install ref = %+v ok=%v", ref, ok)
	}
	install["action"], install["id"] = "remove", "i:2"
	if code := e.post(t, install, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if _, ok, _ := e.st.ConversationRef(ctx, "teams:aad-lee"); ok {
		t.Error("the reference stayed after hppbot was removed")
	}
	if err := e.s.SendDirect(ctx, "teams:aad-lee", bot.Reply{Text: "x"}); !errors.Is(err, bot.ErrNotReachable) {
		t.Errorf("after removal: %v, want ErrNotReachable", err)
	}
}

func TestStartingAChatRefusedIsNotReachable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Known from a channel only (no chat yet), and known with a chat.
	seen := store.ConversationRef{ServiceURL: e.conn.serviceURL(), Tenant: testTenant, Bot: testBotID, User: "29:user-kim", Channel: "msteams"}
	chat := seen
	chat.Conversation, chat.Type = "a:conv-lee", "personal"
	for id, ref := range map[string]store.ConversationRef{"teams:aad-kim": seen, "teams:aad-lee": chat} {
		if err := e.st.SaveConversationRef(ctx, id, ref); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		person, name string
		status       int
		unreachable  bool
	}{
		{"teams:aad-kim", "starting a chat refused", http.StatusForbidden, true},
		{"teams:aad-lee", "posting refused (hppbot removed or blocked)", http.StatusForbidden, true},
		{"teams:aad-kim", "connector outage while starting a chat", http.StatusBadGateway, false},
		{"teams:aad-lee", "connector outage while posting", http.StatusServiceUnavailable, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.conn.refuse.Store(int32(tc.status))
			err := e.s.SendDirect(ctx, tc.person, bot.Reply{Text: "x"})
			if err == nil || errors.Is(err, bot.ErrNotReachable) != tc.unreachable {
				t.Fatalf("err = %v; want ErrNotReachable=%v", err, tc.unreachable)
			}
		})
	}
}

// fileHandler answers every command with an export and a chart.
type fileHandler struct{}

func (fileHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	return bot.Reply{Text: "Here is the timeline of *HPP-1*.", Files: []bot.File{
		{Name: "HPP-1-timeline.csv", Type: "text/csv", Title: "HPP-1 timeline", Data: []byte("when,what\n2026-03-02,opened\n")},
		{Name: "chart.png", Type: "image/png", Title: "Chart", Data: tinyPNG},
	}}
}

func TestFilesThroughConsent(t *testing.T) {
	e := newEnv(t)
	e.s = e.surface(t, fileHandler{})
	var uploaded atomic.Value
	onedrive := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		uploaded.Store(r.Method + " " + r.Header.Get("Content-Range") + " " + string(body))
		w.WriteHeader(http.StatusCreated)
	}))
	defer onedrive.Close()
	if code := e.post(t, e.personalMessage("7001", "export HPP-1"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	posts := e.conn.posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts, want card, consent and image", len(posts))
	}
	consent := posts[1].Body["attachments"].([]any)[0].(map[string]any)
	if consent["contentType"] != consentType {
		t.Fatalf("second attachment = %v, want a file consent card", consent["contentType"])
	}
	img := posts[2].Body["attachments"].([]any)[0].(map[string]any)
	if img["contentType"] != "image/png" || !strings.HasPrefix(img["contentUrl"].(string), "data:image/png;base64,") {
		t.Errorf("image attachment = %v", img["contentType"])
	}
	accept := consent["content"].(map[string]any)["acceptContext"]
	invoke := e.personalMessage("7002", "")
	invoke["type"], invoke["name"] = "invoke", "fileConsent/invoke"
	invoke["value"] = map[string]any{"type": "fileUpload", "action": "accept", "context": accept,
		"uploadInfo": map[string]any{"name": "HPP-1-timeline.csv", "uploadUrl": onedrive.URL + "/upload/1", "contentUrl": "https://onedrive.example.test/HPP-1-timeline.csv", "uniqueId": "u1", "fileType": "csv"}}
	if code := e.post(t, invoke, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if got, _ := uploaded.Load().(string); got != "PUT bytes 0-27/28 when,what\n2026-03-02,opened\n" {
		t.Errorf("upload = %q", got)
	}
	last := e.conn.posts()[len(e.conn.posts())-1].Body["attachments"].([]any)[0].(map[string]any)
	if last["contentType"] != fileInfoType || last["contentUrl"] != "https://onedrive.example.test/HPP-1-timeline.csv" {
		t.Errorf("file card = %v", last)
	}
	// The same offer can't be used twice.
	invoke["id"] = "7003"
	if code := e.post(t, invoke, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if txt := cardText(e.conn.posts()[len(e.conn.posts())-1].Body); !strings.Contains(txt, "expired") {
		t.Errorf("second accept answered: %q", txt)
	}
}

// activityFor is a bare personal message activity, for pure tests.
func activityFor(text string) (a schema.Activity) {
	a.Text = text
	a.Recipient.ID = testBotID
	a.Conversation.ConversationType = "personal"
	return a
}

// Run with -race: many people at once, one surface.
func TestConcurrentActivities(t *testing.T) {
	e := newEnv(t)
	const n = 16
	errs := make(chan string, n)
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		go func(i int) {
			act := e.personalMessage("c"+strconv.Itoa(i), "open INC-"+strconv.Itoa(100+i)+" harm=low Fall")
			act["from"] = map[string]any{"id": "29:user-" + strconv.Itoa(i), "name": "Person " + strconv.Itoa(i), "aadObjectId": "aad-" + strconv.Itoa(i)}
			act["conversation"] = map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-" + strconv.Itoa(i)}
			if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
				errs <- "status " + strconv.Itoa(code)
			}
			done <- struct{}{}
		}(i)
	}
	for i := 0; i < n; i++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(e.conn.posts()); got != n {
		t.Errorf("%d replies, want %d", got, n)
	}
	for i := 0; i < n; i++ {
		if _, ok, err := e.st.ConversationRef(context.Background(), "teams:aad-"+strconv.Itoa(i)); !ok || err != nil {
			t.Errorf("no reference kept for person %d", i)
		}
	}
}
