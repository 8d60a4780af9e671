package slack

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"hppbot/bot"
	"hppbot/pathway"
)

// The flows below answer Slack whichever way its request came: the value
// returned is the body of the HTTP response, or the payload of the Socket
// Mode acknowledgement; nil means an empty acknowledgement.

// result is what a handler gave back.
type result struct {
	reply bot.Reply
	err   error
}

// runWithin runs a command, waiting up to AckWithin for it. When it takes
// longer, ok is false and late is called with the result once it is ready,
// in the background.
func (s *Surface) runWithin(ctx context.Context, req bot.Request, late func(ctx context.Context, res result)) (res result, ok bool) {
	done := make(chan result, 1)
	work, cancel := s.workContext(ctx)
	s.async(func() {
		reply, err := s.cfg.Handler.Run(work, req)
		done <- result{reply, err}
	})
	timer := time.NewTimer(s.cfg.AckWithin)
	defer timer.Stop()
	select {
	case res = <-done:
		cancel()
		return res, true
	case <-timer.C:
		s.async(func() {
			defer cancel()
			late(work, <-done)
		})
		return result{}, false
	}
}

// command answers the slash command: the reply itself when the handler is
// quick (ephemeral unless the reply is public), or an empty
// acknowledgement and the reply through the response_url later. A reply
// with a form opens it as a modal.
func (s *Surface) command(ctx context.Context, cmd slack.SlashCommand) any {
	if !isSlackID(cmd.UserID) {
		return nil
	}
	req := s.request(cmd.UserID, cmd.UserName, cmd.ChannelID, unescape(cmd.Text))
	res, ok := s.runWithin(ctx, req, func(ctx context.Context, res result) {
		s.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, res.reply)
	})
	if !ok {
		return nil
	}
	reply := res.reply
	if reply.Form != nil && cmd.TriggerID != "" {
		err := s.openForm(ctx, cmd.TriggerID, formState{Form: reply.Form, Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL})
		if err == nil {
			return nil
		}
		s.log.Warn("could not open a form; showing the text instead", "form", reply.Form.ID, "err", err)
	}
	if len(reply.Files) > 0 {
		files := reply.Files
		s.async(func() {
			work, cancel := s.workContext(ctx)
			defer cancel()
			s.sendFiles(work, cmd.UserID, files)
		})
	}
	return s.answer(ctx, reply)
}

// answer is a reply as the body of a command's acknowledgement.
func (s *Surface) answer(ctx context.Context, r bot.Reply) *slack.WebhookMessage {
	msg := render(r, s.namesFor(ctx, r), maxMessageBlocks)
	return &slack.WebhookMessage{ResponseType: responseType(r), Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks}}
}

// openForm shows a form as a modal (views.open, within three seconds of
// the person's action that gave the trigger id).
func (s *Surface) openForm(ctx context.Context, triggerID string, st formState) error {
	view, err := modal(st)
	if err != nil {
		return err
	}
	_, err = s.api.OpenViewContext(ctx, triggerID, view)
	return err
}

// interaction answers a button press or a modal submission.
func (s *Surface) interaction(ctx context.Context, cb slack.InteractionCallback) any {
	if !isSlackID(cb.User.ID) {
		return nil
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		s.pressed(ctx, cb)
	case slack.InteractionTypeViewSubmission:
		if strings.HasPrefix(cb.View.CallbackID, formCallbackPrefix) {
			return s.submitted(ctx, cb)
		}
	}
	return nil
}

// pressed handles a button: one with a form opens it; any other runs its
// command as the person who pressed it, and the reply goes to them alone.
func (s *Surface) pressed(ctx context.Context, cb slack.InteractionCallback) {
	if len(cb.ActionCallback.BlockActions) == 0 || cb.ActionCallback.BlockActions[0] == nil {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	user := cb.User.ID
	switch {
	case strings.HasPrefix(act.ActionID, actionForm):
		st, err := decodeState(act.Value)
		if err != nil {
			s.log.Warn("a button's form could not be read", "action", act.ActionID, "err", err)
			return
		}
		st.Channel, st.ResponseURL = channel, cb.ResponseURL
		if err := s.openForm(ctx, cb.TriggerID, st); err != nil {
			s.log.Warn("could not open a form", "form", st.Form.ID, "err", err)
			s.async(func() {
				work, cancel := s.workContext(ctx)
				defer cancel()
				s.respond(work, cb.ResponseURL, channel, user, bot.Reply{
					Text: "I couldn't open the form just now. Please try the button again, or type the command instead: " + s.cfg.Command + " " + st.Form.Command + " …",
				})
			})
		}
	case strings.HasPrefix(act.ActionID, actionRun):
		line := act.Value
		req := s.request(user, cb.User.Name, channel, line)
		pressedAt := time.Now()
		s.async(func() {
			work, cancel := s.workContext(ctx)
			defer cancel()
			reply, _ := s.cfg.Handler.Run(work, req)
			// A trigger id lasts three seconds: long enough for a quick
			// command that answers with a form.
			if reply.Form != nil && cb.TriggerID != "" && time.Since(pressedAt) < s.cfg.AckWithin {
				if err := s.openForm(work, cb.TriggerID, formState{Form: reply.Form, Channel: channel, ResponseURL: cb.ResponseURL}); err == nil {
					return
				}
			}
			s.respond(work, cb.ResponseURL, channel, user, reply)
		})
	}
}

// submitted handles a modal's submission: field errors stay on the form
// (response_action "errors"); otherwise the form closes and the command's
// reply goes to the person.
func (s *Surface) submitted(ctx context.Context, cb slack.InteractionCallback) any {
	st, err := decodeState(cb.View.PrivateMetadata)
	if err != nil {
		s.log.Warn("a submitted form could not be read", "callback", cb.View.CallbackID, "err", err)
		return nil
	}
	ans := answers(st.Form, cb.View.State)
	line, errs := st.Form.CommandLine(ans)
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs)
	}
	user := cb.User.ID
	req := s.request(user, cb.User.Name, st.Channel, line)
	deliver := func(ctx context.Context, res result) {
		s.respond(ctx, st.ResponseURL, st.Channel, user, res.reply)
	}
	res, ok := s.runWithin(ctx, req, deliver)
	if !ok {
		return nil // the form closes; the reply follows
	}
	if code := pathway.ErrorCode(res.err); code == pathway.Invalid || code == pathway.Identifiable {
		if field := fieldOf(st.Form, ans, pathway.ErrorMessage(res.err)); field != "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{field: pathway.ErrorMessage(res.err)})
		}
	}
	s.async(func() {
		work, cancel := s.workContext(ctx)
		defer cancel()
		deliver(work, res)
	})
	return nil
}

// event handles the Events API: the App Home is drawn when a person opens
// it, and a message to hppbot in its Messages tab is answered there.
func (s *Surface) event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	if e, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok && e != nil {
		s.directMessage(ctx, e)
		return
	}
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && e != nil && (e.Tab == "home" || e.Tab == "") && isSlackID(e.User) {
		s.async(func() {
			work, cancel := s.workContext(ctx)
			defer cancel()
			if err := s.publishHome(work, e.User); err != nil {
				s.log.Warn("App Home not drawn", "person", bot.PersonID(bot.Slack, e.User), "method", "views.publish", "err", err)
			}
		})
	}
}

// publishHome draws a person's App Home: their open cases, overdue first.
func (s *Surface) publishHome(ctx context.Context, user string) error {
	home := s.cfg.Handler.Home(ctx, bot.PersonID(bot.Slack, user))
	home.Form = nil
	msg := render(home, s.namesFor(ctx, home), maxViewBlocks)
	_, err := s.api.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: user,
		View:   slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: msg.Blocks}},
	})
	return err
}
