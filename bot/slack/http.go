package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a request body; Slack's are a few kilobytes.
const maxBody = 64 << 10

// Routes registers the Slack endpoints (HTTP mode) on mux.
func (s *Surface) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", s.serveCommand)
	mux.HandleFunc("POST /slack/interactivity", s.serveInteraction)
	mux.HandleFunc("POST /slack/events", s.serveEvent)
}

// verified checks a request's signature (Slack's v0 scheme, five-minute
// window) before anything else reads it, and returns its body. A request
// that fails has been answered (401, or 413 for a body too large to check)
// and nothing else happens.
func (s *Surface) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	sv, err := slack.NewSecretsVerifier(r.Header, s.cfg.SigningSecret)
	if err != nil {
		s.refuse(w, r, err)
		return nil, false
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength)
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "could not read the request", http.StatusBadRequest)
		}
		return nil, false
	}
	if _, err := sv.Write(body); err != nil {
		s.refuse(w, r, err)
		return nil, false
	}
	if err := sv.Ensure(); err != nil {
		s.refuse(w, r, err)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// A form (commands, interactions) is parsed here, from the body already
	// read, as Request.ParseForm would: ParseForm keeps a PostForm that is
	// set, so slack-go's parsers don't read and copy the body again. A body
	// that doesn't parse is left to ParseForm and its error.
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil {
			r.PostForm = form
			if r.URL.RawQuery == "" {
				r.Form = form // as ParseForm would make it: the body's values, and no query
			}
		}
	}
	return body, true
}

// readBody reads a request body whole, into a buffer of the size the
// request declared when it did (io.ReadAll would start small and grow).
func readBody(body io.Reader, declared int64) ([]byte, error) {
	if declared <= 0 || declared > maxBody {
		return io.ReadAll(body)
	}
	buf := make([]byte, 0, declared+1) // +1: EOF is seen without growing
	for {
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func (s *Surface) refuse(w http.ResponseWriter, r *http.Request, why error) {
	s.log.Info("request refused: signature not valid", "path", r.URL.Path, "reason", why.Error())
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

func (s *Surface) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := s.verified(w, r)
	if !ok {
		return
	}
	cmd, err := slack.SlashCommandParse(r)
	if err != nil || cmd.UserID == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	id := signedID("command", r, body)
	if answer, seen := s.seenBefore(r.Context(), id); seen {
		writeKept(w, answer)
		return
	}
	s.writeAnswer(w, r, id, cmd.Text, s.command(r.Context(), cmd))
}

func (s *Surface) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, ok := s.verified(w, r)
	if !ok {
		return
	}
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "not an interaction", http.StatusBadRequest)
		return
	}
	id := signedID("interaction", r, body)
	if answer, seen := s.seenBefore(r.Context(), id); seen {
		writeKept(w, answer)
		return
	}
	s.writeAnswer(w, r, id, "", s.interaction(r.Context(), cb))
}

// signedID names a signed request by its signature and body: the same
// request sent again has both the same.
func signedID(kind string, r *http.Request, body []byte) string {
	return requestID(kind, []byte(r.Header.Get("X-Slack-Signature")), body)
}

// writeKept writes an answer kept from the first time a request was seen.
func writeKept(w http.ResponseWriter, answer []byte) {
	if len(answer) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(answer)))
	_, _ = w.Write(answer)
}

func (s *Surface) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := s.verified(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		if v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, v.Challenge)
		}
		return
	}
	// Slack retries an event (X-Slack-Retry-Num) with a new signature and
	// the same event id.
	if id := eventID(ev); !s.firstEvent(r.Context(), id) {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.event(r.Context(), ev)
	w.WriteHeader(http.StatusOK)
}

// writeAnswer writes a flow's answer: JSON, or an empty 200. The answer is
// kept for the request id (see keepAnswer: typed is what the answer could
// quote, "" for the answer itself).
func (s *Surface) writeAnswer(w http.ResponseWriter, r *http.Request, id, typed string, answer any) {
	if answer == nil {
		s.keepAnswer(r.Context(), id, nil, "")
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := json.Marshal(answer)
	if err != nil {
		s.keepAnswer(r.Context(), id, nil, "")
		w.WriteHeader(http.StatusOK)
		return
	}
	if id != "" && s.cfg.Requests != nil {
		// Kept after the answer is on its way: a replay meanwhile waits.
		if typed == "" {
			typed = string(body)
		}
		ctx := r.Context()
		s.async(func() { s.keepAnswer(ctx, id, body, typed) })
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
