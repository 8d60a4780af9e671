package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"hppbot/handlers"
)

// TestPersonalWelcomeOffersTheWebView: when the web pages are on, the
// welcome in a person's own chat with hppbot has a button that sends them
// a private link; when they are off, it has none.
func TestPersonalWelcomeOffersTheWebView(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := newEnv(t)
		if on {
			h, ok := e.h.(*handlers.Handler)
			if !ok {
				t.Fatalf("the env's handler is a %T", e.h)
			}
			h.SignInLink = func(context.Context, string) (string, time.Time, error) {
				return "https://hpp.test/signin/x", time.Now().Add(10 * time.Minute), nil
			}
		}
		added := map[string]any{
			"type": "conversationUpdate", "id": "f:7001", "serviceUrl": e.conn.serviceURL(), "channelId": "msteams",
			"from":         map[string]any{"id": "29:user-lee", "aadObjectId": "aad-lee"},
			"recipient":    map[string]any{"id": testBotID},
			"conversation": map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:conv-lee"},
			"membersAdded": []any{map[string]any{"id": testBotID}},
			"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
		}
		if code := e.post(t, added, e.bearer(t)); code != http.StatusOK {
			t.Fatal(code)
		}
		posts := e.conn.posts()
		if len(posts) != 1 {
			t.Fatalf("web on %v: %d posts, want the welcome", on, len(posts))
		}
		body, _ := json.Marshal(posts[0].Body)
		if got := strings.Contains(string(body), "My cases in the browser"); got != on {
			t.Errorf("web on %v: welcome has the web view button: %v\n%s", on, got, body)
		}
	}
}
