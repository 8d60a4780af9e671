package teams

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// webHandler is a Handler that says whether the web pages are on, as
// handlers.Handler does.
type webHandler struct {
	Handler
	on bool
}

func (w webHandler) WebOn() bool { return w.on }

// TestPersonalWelcomeOffersTheWebView: when the web pages are on, the
// welcome in a person's own chat with hppbot has a button that sends them
// a private link; when they are off, it has none.
func TestPersonalWelcomeOffersTheWebView(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := newEnv(t)
		e.s = e.surface(t, webHandler{Handler: e.h, on: on})
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
