package teams

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode"

	"hppbot/bot"
)

// errorCode reads the code from a Bot Framework error answer,
// {"error":{"code":"BotDisabledByAdmin","message":"…"}}, and drains the
// rest. A code that isn't a short plain word is not kept: it goes into
// logs and metrics labels.
func errorCode(body io.Reader) string {
	var answer struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	err := json.NewDecoder(body).Decode(&answer)
	_, _ = io.Copy(io.Discard, body)
	if err != nil || len(answer.Error.Code) > 64 {
		return ""
	}
	for _, r := range answer.Error.Code {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
			return ""
		}
	}
	return answer.Error.Code
}

// Teams' answers that are final for one person or channel (a 403 with
// these codes, or a 404: the conversation is gone). Another 403 is final
// too, in plainer words.
var (
	directFinal = map[string]bot.Undeliverable{
		"BotDisabledByAdmin":         {Reason: "their Teams admin has turned hppbot off for them", Fix: "ask your Teams admin to allow the hppbot app"},
		"BotNotInConversationRoster": {Reason: "hppbot is no longer installed in their Teams", Fix: "ask them to open hppbot in Teams and say hello"},
		"ConversationBlockedByUser":  {Reason: "hppbot's chat is blocked in their Teams", Fix: "ask them to unblock hppbot's chat in Teams and say hello"},
		"MessageWritesBlocked":       {Reason: "Teams isn't letting hppbot post in their chat", Fix: "ask your Teams admin to allow the hppbot app"},
		"ConversationNotFound":       {Reason: "their chat with hppbot no longer exists in Teams", Fix: "ask them to open hppbot in Teams and say hello"},
		"":                           {Reason: "Teams refused hppbot's message to them", Fix: "ask them to open hppbot in Teams and say hello; if that doesn't work, ask your Teams admin to allow the hppbot app"},
		"no_conversation":            {Reason: "they haven't opened hppbot in Teams yet", Fix: "ask them to open hppbot in Teams and say hello"},
	}
	channelFinal = map[string]bot.Undeliverable{
		"BotDisabledByAdmin":         {Reason: "your Teams admin has turned hppbot off", Fix: "ask your Teams admin to allow the hppbot app"},
		"BotNotInConversationRoster": {Reason: "hppbot has been removed from the channel's team", Fix: "add hppbot to the team again"},
		"MessageWritesBlocked":       {Reason: "Teams isn't letting hppbot post in the channel", Fix: "ask the team's owner or your Teams admin to let hppbot post there"},
		"ConversationNotFound":       {Reason: "the channel no longer exists in Teams", Fix: "set another channel with /hpp service <name> channel=#channel"},
		"":                           {Reason: "Teams refused hppbot's post to the channel", Fix: "add hppbot to the channel's team, or ask your Teams admin to allow the hppbot app"},
		"no_conversation":            {Reason: "hppbot hasn't been added to the channel", Fix: "add hppbot to the team that holds the channel"},
	}
)

// undeliverable turns Teams' final answers (403, or 404 for a conversation
// that is gone) into a bot.Undeliverable; any other error comes back as it
// is. direct says whether the message was for a person's own chat.
func undeliverable(err error, direct bool) error {
	var ce *ConnectorError
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	code := ce.Code
	switch ce.Status {
	case http.StatusForbidden:
	case http.StatusNotFound:
		if code == "" {
			code = "ConversationNotFound"
		}
	default:
		return err
	}
	return finalFor(code, direct)
}

// finalFor is the Undeliverable for a code; a code not in the tables reads
// as the general refusal, keeping its own code for the metrics.
func finalFor(code string, direct bool) *bot.Undeliverable {
	table := channelFinal
	if direct {
		table = directFinal
	}
	u, ok := table[code]
	if !ok {
		u = table[""]
	}
	u.Code = code
	if u.Code == "" {
		u.Code = "Forbidden"
	}
	return &u
}
