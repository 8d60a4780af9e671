package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
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
	return body, true
}

func (s *Surface) refuse(w http.ResponseWriter, r *http.Request, why error) {
	s.log.Info("request refused: signature not valid", "path", r.URL.Path, "reason", why.Error())
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

func (s *Surface) serveCommand(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.verified(w, r); !ok {
		return
	}
	cmd, err := slack.SlashCommandParse(r)
	if err != nil || cmd.UserID == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	writeAnswer(w, s.command(r.Context(), cmd))
}

func (s *Surface) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.verified(w, r); !ok {
		return
	}
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "not an interaction", http.StatusBadRequest)
		return
	}
	writeAnswer(w, s.interaction(r.Context(), cb))
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
	s.event(r.Context(), ev)
	w.WriteHeader(http.StatusOK)
}

// writeAnswer writes a flow's answer: JSON, or an empty 200.
func writeAnswer(w http.ResponseWriter, answer any) {
	if answer == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := json.Marshal(answer)
	if err != nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
