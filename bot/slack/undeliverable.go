package slack

import (
	"errors"

	"github.com/slack-go/slack"

	"hppbot/bot"
)

// Slack's answers that are final for one person or channel: sending again
// won't help until someone acts. Everything else (rate limits, Slack's own
// trouble, a token problem that concerns every message) is left as it is.
var (
	// To a person, in their direct messages with hppbot.
	directFinal = map[string]bot.Undeliverable{
		"account_inactive":        {Reason: "their Slack account has been deactivated", Fix: "if they have left or moved on, hand their cases to a colleague with /hpp lead <case> @name"},
		"user_disabled":           {Reason: "their Slack account has been deactivated", Fix: "if they have left or moved on, hand their cases to a colleague with /hpp lead <case> @name"},
		"user_not_found":          {Reason: "Slack doesn't know them in this workspace any more", Fix: "check they are still in this workspace, or hand their cases to a colleague with /hpp lead <case> @name"},
		"user_not_visible":        {Reason: "Slack doesn't let hppbot see them from this workspace", Fix: "ask your Slack admin to let hppbot reach them, or hand their cases to a colleague with /hpp lead <case> @name"},
		"cannot_dm_bot":           {Reason: "the named contact is a bot, not a person", Fix: "hand the case to a person with /hpp lead <case> @name"},
		"channel_not_found":       {Reason: "Slack can't find their direct messages with hppbot", Fix: "ask them to open hppbot in Slack and say hello"},
		"not_in_channel":          {Reason: "hppbot isn't in their direct messages", Fix: "ask them to open hppbot in Slack and say hello"},
		"is_archived":             {Reason: "their direct messages with hppbot are closed", Fix: "ask them to open hppbot in Slack and say hello"},
		"team_access_not_granted": {Reason: "hppbot isn't allowed in their Slack workspace", Fix: "ask your Slack admin to add hppbot to their workspace"},
		"restricted_action":       {Reason: "their Slack workspace doesn't let hppbot message them", Fix: "ask your Slack admin to allow hppbot to send direct messages"},
		"ekm_access_denied":       {Reason: "their Slack workspace's key settings stop hppbot's messages", Fix: "ask your Slack admin to allow hppbot's messages"},
	}
	// To a channel.
	channelFinal = map[string]bot.Undeliverable{
		"channel_not_found":                        {Reason: "Slack can't find the channel, or hppbot isn't in it", Fix: "add hppbot to the channel (type /invite @hppbot in it), or set another with /hpp service <name> channel=#channel"},
		"not_in_channel":                           {Reason: "hppbot isn't in the channel", Fix: "add hppbot to the channel (type /invite @hppbot in it)"},
		"is_archived":                              {Reason: "the channel is archived", Fix: "set another channel with /hpp service <name> channel=#channel"},
		"team_access_not_granted":                  {Reason: "hppbot isn't allowed in the channel's workspace", Fix: "ask your Slack admin to add hppbot to that workspace"},
		"restricted_action":                        {Reason: "the channel doesn't let hppbot post", Fix: "ask a channel manager or your Slack admin to let hppbot post there"},
		"restricted_action_read_only_channel":      {Reason: "the channel is read-only", Fix: "set another channel with /hpp service <name> channel=#channel"},
		"restricted_action_thread_only_channel":    {Reason: "the channel takes replies in threads only", Fix: "set another channel with /hpp service <name> channel=#channel"},
		"restricted_action_non_threadable_channel": {Reason: "the channel doesn't let hppbot post", Fix: "set another channel with /hpp service <name> channel=#channel"},
		"ekm_access_denied":                        {Reason: "the workspace's key settings stop hppbot's messages", Fix: "ask your Slack admin to allow hppbot's messages"},
	}
)

// undeliverable turns Slack's final answers into a bot.Undeliverable; any
// other error comes back as it is. direct says whether the message was for
// a person (their direct messages) rather than a channel.
func undeliverable(err error, direct bool) error {
	var e slack.SlackErrorResponse
	if err == nil || !errors.As(err, &e) {
		return err
	}
	table := channelFinal
	if direct {
		table = directFinal
	}
	u, ok := table[e.Err]
	if !ok {
		return err
	}
	u.Code = e.Err
	return &u
}
