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
	dst = appendStringField(dst, "username", m.Username)
	dst = appendStringField(dst, "icon_emoji", m.IconEmoji)
	dst = appendStringField(dst, "icon_url", m.IconURL)
	dst = appendStringField(dst, "channel", m.Channel)
	dst = appendStringField(dst, "thread_ts", m.ThreadTimestamp)
	dst = appendStringField(dst, "text", m.Text)
	dst = appendStringField(dst, "parse", m.Parse)
	if m.Blocks != nil {
		dst = appendKey(dst, "blocks")
		if dst, ok = appendBlocks(dst, m.Blocks.BlockSet); !ok {
			return dst, false
		}
	}
	dst = appendStringField(dst, "response_type", m.ResponseType)
	dst = appendKey(dst, "replace_original")
	dst = appendBool(dst, m.ReplaceOriginal)
	dst = appendKey(dst, "delete_original")
	dst = appendBool(dst, m.DeleteOriginal)
	if m.ReplyBroadcast {
		dst = appendKey(dst, "reply_broadcast")
		dst = appendBool(dst, true)
	}
	if m.UnfurlLinks != nil {
		dst = appendKey(dst, "unfurl_links")
		dst = appendBool(dst, *m.UnfurlLinks)
	}
	if m.UnfurlMedia != nil {
		dst = appendKey(dst, "unfurl_media")
		dst = appendBool(dst, *m.UnfurlMedia)
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
			dst = appendStringKeyValue(dst, "type", string(b.Type))
			if b.Text != nil {
				dst = appendKey(dst, "text")
				dst = appendText(dst, b.Text)
			}
			dst = appendStringField(dst, "block_id", b.BlockID)
			if len(b.Fields) > 0 {
				dst = appendKey(dst, "fields")
				dst = append(dst, '[')
				for j, f := range b.Fields {
					if j > 0 {
						dst = append(dst, ',')
					}
					dst = appendText(dst, f)
				}
				dst = append(dst, ']')
			}
			if b.Expand {
				dst = appendKey(dst, "expand")
				dst = appendBool(dst, true)
			}
			dst = append(dst, '}')
		case *slack.ContextBlock:
			if b == nil {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '{')
			dst = appendStringKeyValue(dst, "type", string(b.Type))
			dst = appendStringField(dst, "block_id", b.BlockID)
			dst = appendKey(dst, "elements")
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
			dst = appendStringKeyValue(dst, "type", string(b.Type))
			dst = appendStringField(dst, "block_id", b.BlockID)
			dst = appendKey(dst, "elements")
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
	dst = appendStringKeyValue(dst, "type", t.Type)
	dst = appendStringKeyValue(dst, "text", t.Text)
	if t.Emoji != nil {
		dst = appendKey(dst, "emoji")
		dst = appendBool(dst, *t.Emoji)
	}
	if t.Verbatim {
		dst = appendKey(dst, "verbatim")
		dst = appendBool(dst, true)
	}
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
	dst = appendStringField(dst, "type", string(b.Type))
	dst = appendKey(dst, "text")
	dst = appendText(dst, b.Text)
	dst = appendStringField(dst, "action_id", b.ActionID)
	dst = appendStringField(dst, "url", b.URL)
	dst = appendStringField(dst, "value", b.Value)
	dst = appendStringField(dst, "style", string(b.Style))
	dst = appendStringField(dst, "accessibility_label", b.AccessibilityLabel)
	dst = appendStringField(dst, "agent_prompt", b.AgentPrompt)
	dst = appendStringField(dst, "agent_prompt_display", b.AgentPromptDisplay)
	if len(b.VisibleToUserIDs) > 0 {
		dst = appendKey(dst, "visible_to_user_ids")
		dst = append(dst, '[')
		for i, id := range b.VisibleToUserIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.String(dst, id)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), true
}

// appendKey appends "key": after a comma, unless it is an object's first.
// The keys are this file's constants: nothing in them needs escaping.
func appendKey(dst []byte, key string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// appendStringKeyValue appends a string member.
func appendStringKeyValue(dst []byte, key, value string) []byte {
	return jsonw.String(appendKey(dst, key), value)
}

// appendStringField appends a string member tagged omitempty: nothing when
// value is empty.
func appendStringField(dst []byte, key, value string) []byte {
	if value == "" {
		return dst
	}
	return appendStringKeyValue(dst, key, value)
}

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}
