package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hppbot/bot"
)

// echoHandler answers every command with a reply built from what was typed,
// so fuzzed input reaches the renderer; it needs no store.
type echoHandler struct{}

func (echoHandler) Run(ctx context.Context, req bot.Request) (bot.Reply, error) {
	r := bot.Reply{
		Text:     "You typed: " + req.Text,
		Sections: []bot.Section{{Title: req.Name, Text: req.Text, Fields: []bot.Field{{Label: req.Person, Value: req.Channel}}}},
		Buttons:  []bot.Button{{Label: req.Text, Command: req.Text}, {Label: "Log contact", Command: "contact HPP-1", Form: bot.ContactForm("HPP-1")}},
		Note:     req.Text,
	}
	if strings.HasPrefix(req.Text, "open") {
		r.Form = bot.OpenForm()
	}
	return r, nil
}

func (echoHandler) Home(ctx context.Context, person string) bot.Reply {
	return bot.Reply{Text: "*My open cases* " + person}
}

// onlyHost lets HTTP calls reach one host, so fuzzed response_urls go
// nowhere else.
type onlyHost struct{ host string }

func (o onlyHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != o.host {
		return nil, errors.New("fuzz: host not allowed")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func fuzzBed(t *testing.F) (*Surface, *http.ServeMux) {
	fs := newFakeSlack(t)
	u, _ := url.Parse(fs.srv.URL)
	s, err := New(Config{
		Token: "xoxb-fuzz", SigningSecret: testSecret, APIURL: fs.apiURL(), Handler: echoHandler{},
		HTTPClient: &http.Client{Transport: onlyHost{u.Host}, Timeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	return s, mux
}

func serveFuzz(t *testing.T, s *Surface, mux *http.ServeMux, path, body string) {
	w := &discardWriter{header: http.Header{}}
	mux.ServeHTTP(w, signed(path, body, testSecret, time.Now()))
	s.wg.Wait()
	switch w.code {
	case 0, http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("status %d for a signed request", w.code)
	}
}

type discardWriter struct {
	header http.Header
	code   int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

// FuzzSlashCommandBody: any correctly signed form body sent to
// /slack/commands is answered without a panic.
func FuzzSlashCommandBody(f *testing.F) {
	f.Add(url.Values{"user_id": {"U0LEAD"}, "user_name": {"syn"}, "channel_id": {"C0WARD"}, "command": {"/hpp"},
		"text": {"open INC-7 <@U0SAM|sam> harm=moderate Fall"}, "trigger_id": {"1.2.3"}, "response_url": {"http://x.invalid/r"}}.Encode())
	f.Add(url.Values{"user_id": {"U1"}, "channel_id": {"D1"}, "text": {"open"}, "trigger_id": {"t"}}.Encode())
	f.Add("user_id=U1&text=%3C%40&channel_id=")
	f.Add("user_id=U1&text=" + strings.Repeat("%3C%23C1%7Cx%3E+", 50))
	f.Add("%%%&&==;")
	f.Add("")
	s, mux := fuzzBed(f)
	f.Fuzz(func(t *testing.T, body string) {
		serveFuzz(t, s, mux, "/slack/commands", body)
	})
}

// FuzzInteractionPayload: any correctly signed interaction payload is
// answered without a panic, whatever its JSON holds.
func FuzzInteractionPayload(f *testing.F) {
	contact, _ := encodeState(formState{Form: bot.ContactForm("HPP-1"), Channel: "C1"}, false)
	open, _ := encodeState(formState{Form: bot.OpenForm(), Channel: "D1", ResponseURL: "http://x.invalid/r"}, true)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"D1"},"actions":[{"action_id":"hpp:run:0","value":"snooze HPP-1 1d"}]}`)
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","actions":[{"action_id":"hpp:form:0","value":` + q(contact) + `}]}`)
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"hpp:form:0","value":"not-a-form"}]}`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"hpp-form:open","private_metadata":` + q(open) +
		`,"state":{"values":{"ref":{"ref":{"value":"INC-7"}},"involved":{"involved":{"selected_users":["U2","U3"]}},"text":{"text":{"value":"999 000 0018"}}}}}}`)
	f.Add(`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"hpp-form:x","private_metadata":"AAAA"}}`)
	f.Add(`{"type":"block_actions","actions":[null]}`)
	f.Add(`{"type":"shortcut"}`)
	f.Add(`[]`)
	s, mux := fuzzBed(f)
	f.Fuzz(func(t *testing.T, payload string) {
		serveFuzz(t, s, mux, "/slack/interactivity", url.Values{"payload": {payload}}.Encode())
	})
}

// FuzzEventBody: any correctly signed Events API body is answered without a
// panic.
func FuzzEventBody(f *testing.F) {
	f.Add(`{"type":"url_verification","challenge":"c"}`)
	f.Add(`{"type":"event_callback","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`)
	f.Add(`{"type":"event_callback","event":{"type":"app_home_opened"}}`)
	f.Add(`{"type":"event_callback","event":null}`)
	f.Add(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":"D0A","channel_type":"im","user":"U1","text":"/hpp help"}}`)
	f.Add(`{"type":"event_callback","event_id":"Ev2","event":{"type":"message","subtype":"message_changed","channel":"D0A","channel_type":"im","message":{"text":"help"}}}`)
	s, mux := fuzzBed(f)
	f.Fuzz(func(t *testing.T, body string) {
		serveFuzz(t, s, mux, "/slack/events", body)
	})
}

// FuzzDecodeState: decoding a button value or private_metadata never
// panics, and what decodes encodes again.
func FuzzDecodeState(f *testing.F) {
	good, _ := encodeState(formState{Form: bot.ContactForm("HPP-1"), Channel: "C1"}, false)
	f.Add(good)
	f.Add("")
	f.Add(`{"f":{"c":"x","in":[{"n":"a"}]}}`)
	f.Add(`{"f":{"c":"x","in":[]}}`)
	f.Add(strings.Repeat("[", maxEncodedState))
	f.Fuzz(func(t *testing.T, s string) {
		st, err := decodeState(s)
		if err != nil {
			return
		}
		if st.Form == nil || st.Form.Command == "" {
			t.Fatalf("decoded a state with no form: %+v", st)
		}
		again, err := encodeState(st, false)
		if err != nil {
			t.Fatal(err)
		}
		// Encoding again may lengthen what came in past what decodeState
		// reads (an invalid byte becomes U+FFFD, a "<" becomes \u003c).
		// The bot never sends state that long: render puts a form in a
		// button only when it fits a button's 2,000 characters, and modal
		// refuses metadata past 3,000 (render_test.go checks both).
		if len(again) > maxEncodedState {
			return
		}
		if back, err := decodeState(again); err != nil || back.Form.Command != st.Form.Command || len(back.Form.Inputs) != len(st.Form.Inputs) {
			t.Fatalf("round trip: %+v %v", back, err)
		}
	})
}

// FuzzRender: any reply text renders within Slack's limits.
func FuzzRender(f *testing.F) {
	f.Add("*HPP-1* <@slack:U1> & <#slack:C1|x> <reason>", "a title", "label")
	f.Add(strings.Repeat("x", 3100), strings.Repeat("\n", 10), strings.Repeat("é", 1000))
	f.Add("<@teams:29:a|b>", "<", "&")
	f.Fuzz(func(t *testing.T, text, title, label string) {
		r := bot.Reply{Text: text, Sections: []bot.Section{{Title: title, Text: text, Fields: []bot.Field{{Label: label, Value: text}}}},
			Note: text, Buttons: []bot.Button{{Label: label, Command: title}}}
		checkLimits(t, render(r, names{}, maxMessageBlocks), maxMessageBlocks)
	})
}
