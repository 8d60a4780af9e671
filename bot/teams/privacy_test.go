package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

// Hard rule 2 through the Teams endpoint: with Sam's personal chat out of
// reach, every command and button that answers privately puts only a
// pointer in the channel thread, and the answers reach Sam, once, when the
// personal chat exists.
func TestPrivateRepliesNeverReachTheThread(t *testing.T) {
	tests := []struct {
		name string
		// opened: Sam has a personal chat with hppbot already.
		opened bool
		status int // what Teams answers to starting a chat / posting in it
		// pointer is what the thread may hear, after "Sam Example, ".
		pointer string
		// arrive brings the personal chat into being: Sam installs the app,
		// or writes to it.
		arrive string
	}{
		{"never opened: starting a chat refused", false, http.StatusForbidden, pointerHeldNew, "install"},
		{"never opened: no conversation found", false, http.StatusNotFound, pointerHeldNew, "conversationUpdate"},
		{"opened, then blocked: posting refused", true, http.StatusForbidden, pointerHeld, "message"},
		{"opened, connector outage", true, http.StatusBadGateway, pointerHeld, "message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			if tc.opened {
				if code := e.post(t, e.personalMessage("p0", "help"), e.bearer(t)); code != http.StatusOK {
					t.Fatal(code)
				}
			}
			e.conn.refusePersonal.Store(int32(tc.status))
			start := len(e.conn.requests())

			// Everything Sam does, in the Maternity safety channel.
			n := 0
			channel := func(text string) {
				t.Helper()
				n++
				if code := e.post(t, e.channelMessage("c"+strconv.Itoa(n), text), e.bearer(t)); code != http.StatusOK {
					t.Fatalf("%s: status %d", text, code)
				}
			}
			press := func(command string) {
				t.Helper()
				n++
				act := e.channelMessage("c"+strconv.Itoa(n), "")
				act["text"], act["entities"] = "", []any{}
				act["value"] = map[string]any{submitKey: command}
				if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
					t.Fatalf("press %s: status %d", command, code)
				}
			}
			channel("open INC-7 harm=moderate Fall on ward 4")
			channel("checkin")
			token := heldCheckinToken(t, e)
			press("checkin answer " + token + " 1")
			channel("checkin history")
			channel("status HPP-1")
			channel("timeline HPP-1")
			channel("export HPP-1")
			// A form sent back with answers missing comes back, with the
			// answers given, to Sam alone.
			spec, _ := json.Marshal(wireForm(bot.OpenForm()))
			n++
			form := e.channelMessage("c"+strconv.Itoa(n), "")
			form["text"], form["entities"] = "", []any{}
			form["value"] = map[string]any{submitKey: "open", formKey: json.RawMessage(spec), inputPrefix + "harm": "moderate", inputPrefix + "text": "Fall by the lifts"}
			if code := e.post(t, form, e.bearer(t)); code != http.StatusOK {
				t.Fatalf("form: status %d", code)
			}
			const private = 8 // replies, each held once

			// The thread heard only pointers, one per command, and nothing
			// of any answer.
			want := "<at>Sam Example</at>, " + strings.ReplaceAll(tc.pointer, "*", "**")
			var thread int
			for _, r := range e.conn.requests()[start:] {
				if r.Method != http.MethodPost || !strings.Contains(r.Path, "19:maternity@thread.tacv2") {
					continue
				}
				thread++
				if got := blockTexts(r.Body); len(got) != 1 || got[0] != want {
					t.Errorf("the thread got %q, want only the pointer %q", got, want)
				}
				raw, _ := json.Marshal(r.Body)
				for _, secret := range privateBits {
					if strings.Contains(string(raw), secret) {
						t.Errorf("the thread post holds %q: %s", secret, raw)
					}
				}
			}
			if thread != private {
				t.Errorf("%d thread posts, want one pointer for each of %d commands", thread, private)
			}
			key := e.st.Prefix() + "{u:teams:aad-sam}:held"
			if held, _ := e.st.Client().LLen(ctx, key).Result(); held != private {
				t.Errorf("%d replies held for Sam, want %d", held, private)
			}
			if ttl, _ := e.st.Client().TTL(ctx, key).Result(); ttl <= bot.HeldFor-time.Minute || ttl > bot.HeldFor {
				t.Errorf("held replies expire in %v, want %v", ttl, bot.HeldFor)
			}

			// The personal chat comes into being: everything held arrives
			// there, in order, once.
			e.conn.refusePersonal.Store(0)
			before := len(e.conn.requests())
			arrive(t, e, tc.arrive)
			var got []string
			for _, r := range e.conn.requests()[before:] {
				if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/activities") {
					if !strings.Contains(r.Path, "/v3/conversations/a:") {
						t.Errorf("a held reply went to %s", r.Path)
					}
					got = append(got, cardText(r.Body)+consentName(r.Body))
				}
			}
			all := strings.Join(got, "\n")
			for _, want := range []string{"HPP-1 is open", "How are you doing", "Your check-in answers", "Really struggling", "INC-7", "Timeline of HPP-1", "HPP-1-candour-record.csv", "A few answers need another look"} {
				if !strings.Contains(all, want) {
					t.Errorf("the personal chat never got %q:\n%s", want, all)
				}
			}
			if i, j := strings.Index(all, "HPP-1 is open"), strings.Index(all, "Your check-in answers"); i < 0 || j < i {
				t.Errorf("held replies out of order:\n%s", all)
			}
			if n, _ := e.st.Client().Exists(ctx, key).Result(); n != 0 {
				t.Error("held replies still stored after delivery")
			}
			validCards(t, e.conn.posts())
			before = len(e.conn.requests())
			if code := e.post(t, e.personalMessage("p-again", "help"), e.bearer(t)); code != http.StatusOK {
				t.Fatal(code)
			}
			for _, r := range e.conn.requests()[before:] {
				if txt := cardText(r.Body); strings.Contains(txt, "HPP-1 is open") || strings.Contains(txt, "Your check-in answers") {
					t.Errorf("a held reply was delivered twice: %q", txt)
				}
			}
		})
	}
}

// privateBits are pieces of the private answers that must never reach a
// channel.
var privateBits = []string{
	"INC-7", "Fall on ward", "HPP-1 is open", "How are you doing", "Really struggling",
	"check-in answers", "Only you can see", "timeline", "HPP-1-", "checkin answer", "fileConsent", "lifts", "need another look",
}

// heldCheckinToken reads the check-in token from the check-in card held
// for Sam (the only place it went).
func heldCheckinToken(t *testing.T, e *env) string {
	t.Helper()
	vals, err := e.st.Client().LRange(context.Background(), e.st.Prefix()+"{u:teams:aad-sam}:held", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`checkin answer (\S+) \d`)
	for _, v := range vals {
		if m := re.FindStringSubmatch(v); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no check-in card held for Sam: %q", vals)
	return ""
}

// arrive brings Sam's personal chat into being in one of the ways Teams
// tells hppbot about.
func arrive(t *testing.T, e *env, how string) {
	t.Helper()
	from := map[string]any{"id": "29:user-sam", "name": "Sam Example", "aadObjectId": "aad-sam"}
	conv := map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-sam"}
	var act map[string]any
	switch how {
	case "install":
		act = map[string]any{"type": "installationUpdate", "id": "i:sam", "action": "add", "serviceUrl": e.conn.serviceURL(), "channelId": "msteams",
			"from": from, "recipient": map[string]any{"id": testBotID}, "conversation": conv}
	case "conversationUpdate":
		act = map[string]any{"type": "conversationUpdate", "id": "f:sam", "serviceUrl": e.conn.serviceURL(), "channelId": "msteams",
			"from": from, "recipient": map[string]any{"id": testBotID}, "conversation": conv,
			"membersAdded": []any{map[string]any{"id": testBotID}}, "channelData": map[string]any{"tenant": map[string]any{"id": testTenant}}}
	default:
		act = e.personalMessage("p-hi", "hi")
	}
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatalf("%s: status %d", how, code)
	}
}

// consentName is the file name a file consent card offers, if any.
func consentName(body map[string]any) string {
	atts, _ := body["attachments"].([]any)
	for _, a := range atts {
		if m, ok := a.(map[string]any); ok && m["contentType"] == consentType {
			name, _ := m["name"].(string)
			return "\n" + name
		}
	}
	return ""
}

// blockTexts lists the text of every TextBlock in a posted activity's cards.
func blockTexts(body map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "TextBlock" {
				s, _ := x["text"].(string)
				out = append(out, s)
			}
			for _, vv := range x {
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(body["attachments"])
	return out
}

// The pointer says where the answer is, and how to get it, for each thing
// that can happen to it — and nothing else.
func TestPointerWords(t *testing.T) {
	tests := []struct {
		outcome bot.Delivery
		opened  bool
		want    string
	}{
		{bot.Delivered, true, "I've answered you in your private chat with hppbot."},
		{bot.Delivered, false, "I've answered you in your private chat with hppbot."},
		{bot.Held, true, "I've sent you something private — open your chat with hppbot and send any message (such as *hi*) to see it. It'll wait there for 24 hours."},
		{bot.Held, false, "I've sent you something private, and you haven't got a chat with hppbot yet. To open one, select *Apps* in Teams, search for *hppbot* and select *Add* (or *Open*). It'll wait there for 24 hours."},
		{bot.Undelivered, true, "my answer is private and I couldn't send it to you just now. Please open your chat with hppbot and type your command there."},
		{bot.Undelivered, false, "my answer is private and I couldn't send it to you just now. To open a chat with hppbot, select *Apps* in Teams, search for *hppbot* and select *Add* (or *Open*); then type your command there."},
	}
	if want := strconv.Itoa(int(bot.HeldFor.Hours())) + " hours"; heldFor != want {
		t.Fatalf("the pointer says replies wait %s; they are kept for %s", heldFor, want)
	}
	for _, tc := range tests {
		r := pointer("teams:aad-sam", tc.outcome, tc.opened)
		if r.Text != "<@teams:aad-sam>, "+tc.want || r.Public || len(r.Sections)+len(r.Buttons)+len(r.Files) != 0 || r.Note != "" || r.Form != nil {
			t.Errorf("pointer(%v, opened=%v) = %+v, want only %q", tc.outcome, tc.opened, r, tc.want)
		}
	}
}

// More of what people type in a channel, refusals included (a refusal can
// quote what was typed): with the personal chat refused, the thread gets a
// pointer and nothing else for each.
func TestEveryPrivateAnswerLeavesOnlyAPointer(t *testing.T) {
	e := newEnv(t)
	if code := e.post(t, e.personalMessage("s0", "open INC-7 harm=moderate Fall on ward 4"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if err := e.st.DeleteConversationRef(context.Background(), "teams:aad-sam"); err != nil {
		t.Fatal(err)
	}
	e.conn.refusePersonal.Store(http.StatusForbidden)
	want := "<at>Sam Example</at>, " + strings.ReplaceAll(pointerHeldNew, "*", "**")
	lines := []string{
		"help", "help contact", "open", "contact HPP-1 via=phone spoke with the family",
		"contact HPP-1 via=phone NHS 943 476 5919", "plan HPP-1 every=1w", "prompt first-contact",
		"wellbeing off", "status HPP-99", "nonsense words", "home",
	}
	for i, line := range lines {
		before := len(e.conn.requests())
		if code := e.post(t, e.channelMessage("s"+strconv.Itoa(i+1), line), e.bearer(t)); code != http.StatusOK {
			t.Fatalf("%s: status %d", line, code)
		}
		thread := 0
		for _, r := range e.conn.requests()[before:] {
			if r.Method != http.MethodPost || !strings.Contains(r.Path, "19:maternity@thread.tacv2") {
				continue
			}
			thread++
			if got := blockTexts(r.Body); len(got) != 1 || got[0] != want {
				t.Errorf("%s: the thread got %q, want only the pointer", line, got)
			}
			raw, _ := json.Marshal(r.Body)
			for _, secret := range []string{"943", "5919", "INC-7", "HPP-99", "every"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("%s: the thread post holds %q", line, secret)
				}
			}
		}
		if thread != 1 {
			t.Errorf("%s: %d thread posts, want the one pointer", line, thread)
		}
	}
	held, err := e.st.TakeHeldReplies(context.Background(), "teams:aad-sam")
	if err != nil || len(held) != len(lines) {
		t.Errorf("%d replies held (err %v), want %d", len(held), err, len(lines))
	}
}
