// Package jsonw appends JSON without reflection, byte for byte as
// encoding/json's Marshal writes it (HTML-safe escaping, U+2028 and U+2029
// escaped, invalid UTF-8 replaced by U+FFFD), for the few structures written
// on every command: a case record and the answer to a slash command.
package jsonw

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// String appends s as a JSON string, as encoding/json escapes it.
func String(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				// Other control characters, and <, > and &.
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Int appends n.
func Int(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// Bool appends b.
func Bool(dst []byte, b bool) []byte { return strconv.AppendBool(dst, b) }

// Key appends an object member's key and colon, after a comma unless the
// object has just been opened. The key must need no escaping.
func Key(dst []byte, key string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// Strings appends a JSON array of strings; nil is null, as encoding/json
// writes a nil slice.
func Strings(dst []byte, v []string) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = String(dst, s)
	}
	return append(dst, ']')
}

// The Opt functions append a member tagged omitempty: nothing when the
// value is empty.

// OptString appends key and v unless v is "".
func OptString(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return String(Key(dst, key), v)
}

// OptInt appends key and v unless v is 0.
func OptInt(dst []byte, key string, v int64) []byte {
	if v == 0 {
		return dst
	}
	return Int(Key(dst, key), v)
}

// OptBool appends key and true when v is.
func OptBool(dst []byte, key string, v bool) []byte {
	if !v {
		return dst
	}
	return Bool(Key(dst, key), v)
}

// OptStrings appends key and v unless v is empty.
func OptStrings(dst []byte, key string, v []string) []byte {
	if len(v) == 0 {
		return dst
	}
	return Strings(Key(dst, key), v)
}

// safe holds the ASCII bytes written as they are: printable, and not one of
// " \ < > &.
var safe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()
