package slack

import (
	"github.com/slack-go/slack"

	"hppbot/internal/jsonw"
)

// An answer to a slash command or a button goes out on every request, and
// json.Marshal of Block Kit is slow: slack-go's block types marshal through
// MarshalJSON methods that call json.Marshal again, and encoding/json then
// re-scans each result. appendAnswer writes the answers this package builds
// directly, byte for byte as json.Marshal would (the tests and
// FuzzAnswerJSON hold it to that); anything else goes to json.Marshal.

// appendAnswer appends answer to dst as JSON, exactly what json.Marshal
// gives, when it is a message this package renders: a *slack.WebhookMessage
// without attachments whose blocks are sections (text and fields), context
// blocks of text, and actions blocks of buttons. Otherwise ok is false, the
// bytes appended are to be discarded, and the caller marshals answer with
// json.Marshal instead.
func appendAnswer(dst []byte, answer any) (_ []byte, ok bool) {
	m, _ := answer.(*slack.WebhookMessage)
	if m == nil || len(m.Attachments) > 0 {
		return dst, false
	}
	dst = append(dst, '{')
	dst = jsonw.OptString(dst, "username", m.Username)
	dst = jsonw.OptString(dst, "icon_emoji", m.IconEmoji)
	dst = jsonw.OptString(dst, "icon_url", m.IconURL)
	dst = jsonw.OptString(dst, "channel", m.Channel)
	dst = jsonw.OptString(dst, "thread_ts", m.ThreadTimestamp)
	dst = jsonw.OptString(dst, "text", m.Text)
	dst = jsonw.OptString(dst, "parse", m.Parse)
	if m.Blocks != nil {
		dst = jsonw.Key(dst, "blocks")
		if dst, ok = appendBlocks(dst, m.Blocks.BlockSet); !ok {
			return dst, false
		}
	}
	dst = jsonw.OptString(dst, "response_type", m.ResponseType)
	dst = jsonw.Key(dst, "replace_original")
	dst = jsonw.Bool(dst, m.ReplaceOriginal)
	dst = jsonw.Key(dst, "delete_original")
	dst = jsonw.Bool(dst, m.DeleteOriginal)
	dst = jsonw.OptBool(dst, "reply_broadcast", m.ReplyBroadcast)
	if m.UnfurlLinks != nil {
		dst = jsonw.Key(dst, "unfurl_links")
		dst = jsonw.Bool(dst, *m.UnfurlLinks)
	}
	if m.UnfurlMedia != nil {
		dst = jsonw.Key(dst, "unfurl_media")
		dst = jsonw.Bool(dst, *m.UnfurlMedia)
	}
	return append(dst, '}'), true
}

// appendBlocks appends a block list (slack.Blocks marshals as its slice:
// null when nil).
func appendBlocks(dst []byte, blocks []slack.Block) (_ []byte, ok bool) {
	if blocks == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	for i, b := range blocks {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch b := b.(type) {
		case nil:
			dst = append(dst, "null"...)
		case *slack.SectionBlock:
			if b == nil {
				dst = append(dst, "null"...)
				break
			}
			if b.Accessory != nil {
				return dst, false
			}
			dst = append(dst, '{')
			dst = jsonw.String(jsonw.Key(dst, "type"), string(b.Type))
			if b.Text != nil {
				dst = jsonw.Key(dst, "text")
				dst = appendText(dst, b.Text)
			}
			dst = jsonw.OptString(dst, "block_id", b.BlockID)
			if len(b.Fields) > 0 {
				dst = jsonw.Key(dst, "fields")
				dst = append(dst, '[')
				for j, f := range b.Fields {
					if j > 0 {
						dst = append(dst, ',')
					}
					dst = appendText(dst, f)
				}
				dst = append(dst, ']')
			}
			dst = jsonw.OptBool(dst, "expand", b.Expand)
			dst = append(dst, '}')
		case *slack.ContextBlock:
			if b == nil {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '{')
			dst = jsonw.String(jsonw.Key(dst, "type"), string(b.Type))
			dst = jsonw.OptString(dst, "block_id", b.BlockID)
			dst = jsonw.Key(dst, "elements")
			if b.ContextElements.Elements == nil {
				dst = append(dst, "null"...)
			} else {
				dst = append(dst, '[')
				for j, e := range b.ContextElements.Elements {
					if j > 0 {
						dst = append(dst, ',')
					}
					switch e := e.(type) {
					case nil:
						dst = append(dst, "null"...)
					case *slack.TextBlockObject:
						dst = appendText(dst, e)
					default:
						return dst, false
					}
				}
				dst = append(dst, ']')
			}
			dst = append(dst, '}')
		case *slack.ActionBlock:
			if b == nil {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '{')
			dst = jsonw.String(jsonw.Key(dst, "type"), string(b.Type))
			dst = jsonw.OptString(dst, "block_id", b.BlockID)
			dst = jsonw.Key(dst, "elements")
			if b.Elements == nil || b.Elements.ElementSet == nil {
				dst = append(dst, "null"...)
			} else {
				dst = append(dst, '[')
				for j, e := range b.Elements.ElementSet {
					if j > 0 {
						dst = append(dst, ',')
					}
					switch e := e.(type) {
					case nil:
						dst = append(dst, "null"...)
					case *slack.ButtonBlockElement:
						if dst, ok = appendButton(dst, e); !ok {
							return dst, false
						}
					default:
						return dst, false
					}
				}
				dst = append(dst, ']')
			}
			dst = append(dst, '}')
		default:
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// appendText appends a text object.
func appendText(dst []byte, t *slack.TextBlockObject) []byte {
	if t == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	dst = jsonw.String(jsonw.Key(dst, "type"), t.Type)
	dst = jsonw.String(jsonw.Key(dst, "text"), t.Text)
	if t.Emoji != nil {
		dst = jsonw.Key(dst, "emoji")
		dst = jsonw.Bool(dst, *t.Emoji)
	}
	dst = jsonw.OptBool(dst, "verbatim", t.Verbatim)
	return append(dst, '}')
}

// appendButton appends a button; one with a confirmation dialog is left to
// json.Marshal.
func appendButton(dst []byte, b *slack.ButtonBlockElement) (_ []byte, ok bool) {
	if b == nil {
		return append(dst, "null"...), true
	}
	if b.Confirm != nil {
		return dst, false
	}
	dst = append(dst, '{')
	dst = jsonw.OptString(dst, "type", string(b.Type))
	dst = jsonw.Key(dst, "text")
	dst = appendText(dst, b.Text)
	dst = jsonw.OptString(dst, "action_id", b.ActionID)
	dst = jsonw.OptString(dst, "url", b.URL)
	dst = jsonw.OptString(dst, "value", b.Value)
	dst = jsonw.OptString(dst, "style", string(b.Style))
	dst = jsonw.OptString(dst, "accessibility_label", b.AccessibilityLabel)
	dst = jsonw.OptString(dst, "agent_prompt", b.AgentPrompt)
	dst = jsonw.OptString(dst, "agent_prompt_display", b.AgentPromptDisplay)
	dst = jsonw.OptStrings(dst, "visible_to_user_ids", b.VisibleToUserIDs)
	return append(dst, '}'), true
}
