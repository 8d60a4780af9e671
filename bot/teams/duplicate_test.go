package teams

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// submitData finds the command an Action.Submit titled title carries.
func submitData(v any, title string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "Action.Submit" && x["title"] == title {
			if data, ok := x["data"].(map[string]any); ok {
				cmd, ok := data[submitKey].(string)
				return cmd, ok
			}
		}
		for _, vv := range x {
			if cmd, ok := submitData(vv, title); ok {
				return cmd, true
			}
		}
	case []any:
		for _, vv := range x {
			if cmd, ok := submitData(vv, title); ok {
				return cmd, true
			}
		}
	}
	return "", false
}

// The open form card for a reference already open asks first; the card's
// "Open another case" button opens it.
func TestFormOpenForAnOpenReferenceAsksFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if code := e.post(t, e.personalMessage("5001", "open INC-11 harm=severe Medication error"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if code := e.post(t, e.personalMessage("5002", "open"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	posts := e.conn.posts()
	card := posts[len(posts)-1].Body["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	data := card["actions"].([]any)[0].(map[string]any)["data"].(map[string]any)
	act := e.personalMessage("5003", "")
	value := map[string]any{}
	for k, v := range data {
		value[k] = v
	}
	value[inputPrefix+"ref"] = "inc-11"
	value[inputPrefix+"text"] = "Second error"
	act["value"] = value
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	last := e.conn.posts()[len(e.conn.posts())-1].Body
	if txt := cardText(last); !strings.Contains(txt, "INC-11 is already open as HPP-1 — open another case for it?") {
		t.Fatalf("the form's answer:\n%s", txt)
	}
	if _, err := e.st.GetCase(ctx, 2); err == nil {
		t.Fatal("a second case was opened before it was confirmed")
	}
	cmd, ok := submitData(last, "Open another case")
	if !ok || cmd != "open inc-11 again=yes Second error" {
		t.Fatalf("the Open another case button carries %q (%v)", cmd, ok)
	}
	press := e.personalMessage("5004", "")
	press["value"] = map[string]any{submitKey: cmd}
	if code := e.post(t, press, e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if c, err := e.st.GetCase(ctx, 2); err != nil || c.Summary != "Second error" {
		t.Fatalf("after the button: %+v, %v", c, err)
	}
	// And the reference finds a case here too.
	if code := e.post(t, e.personalMessage("5005", "status INC-11"), e.bearer(t)); code != http.StatusOK {
		t.Fatal(code)
	}
	if txt := cardText(e.conn.posts()[len(e.conn.posts())-1].Body); !strings.Contains(txt, "More than one case you can see has the incident reference INC-11") {
		t.Errorf("status INC-11 with two cases:\n%s", txt)
	}
}
