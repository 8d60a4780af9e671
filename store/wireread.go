package store

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// readCase reads a case record as appendJSON writes it, without reflection:
// every case command and every reminder reads one. It takes only what it
// can read exactly as json.Unmarshal would (a test and a fuzz target hold
// the two to the same result) and reports false for anything else — a key
// it doesn't know, a repeated key, null, a fraction, spaces — so that the
// caller can hand the record to json.Unmarshal instead. A record written by
// an older or newer hppbot therefore still reads, only more slowly.
func readCase(data []byte, w *wireCase) bool {
	r := reader{b: data}
	if !r.byte('{') {
		return false
	}
	var seen uint64
	if r.byte('}') {
		return r.end()
	}
	for {
		raw, ok := r.key()
		if !ok {
			return false
		}
		k, known := caseKeys[string(raw)]
		if !known || seen&k.bit != 0 {
			return false
		}
		seen |= k.bit
		if !r.caseValue(k.name, w) {
			return false
		}
		if r.byte('}') {
			return r.end()
		}
		if !r.byte(',') {
			return false
		}
	}
}

// caseKey is one key of a case record: its name, and a bit of its own to
// notice it twice.
type caseKey struct {
	name string
	bit  uint64
}

// caseKeys are the keys of a case record.
var caseKeys = func() map[string]caseKey {
	keys := []string{"v", "id", "r", "s", "h", "m", "cm", "da", "aw", "l", "i", "b", "o", "cl", "nc", "p", "fc", "lc",
		"ct", "nf", "wr", "nd", "wd", "up", "na", "f", "pp", "sn", "rd", "cr", "cn", "ln", "es", "ns", "ws", "nn", "wn", "ce", "dl", "ph", "pl"}
	m := make(map[string]caseKey, len(keys))
	for i, k := range keys {
		m[k] = caseKey{k, 1 << i}
	}
	return m
}()

func (r *reader) caseValue(key string, w *wireCase) bool {
	switch key {
	case "v":
		return r.integer(&w.V)
	case "id":
		return r.integer(&w.ID)
	case "r":
		return r.str(&w.Ref)
	case "s":
		return r.str(&w.Service)
	case "h":
		return r.str(&w.Harm)
	case "m":
		return r.str(&w.Summary)
	case "cm":
		return r.str(&w.Mode)
	case "da":
		return r.boolean(&w.Duty)
	case "aw":
		return r.integer(&w.Aware)
	case "l":
		return r.str(&w.Lead)
	case "i":
		return r.strs(&w.Involved)
	case "b":
		return r.str(&w.OpenedBy)
	case "o":
		return r.integer(&w.Opened)
	case "cl":
		return r.integer(&w.Closed)
	case "nc":
		return r.integer(&w.Next)
	case "p":
		w.Plan = &wirePlan{}
		return r.plan(w.Plan)
	case "fc":
		return r.integer(&w.First)
	case "lc":
		return r.integer(&w.Last)
	case "ct":
		return r.smallInt(&w.Contacts)
	case "nf":
		return r.integer(&w.Notified)
	case "wr":
		return r.integer(&w.Written)
	case "nd":
		return r.integer(&w.NDue)
	case "wd":
		return r.integer(&w.WDue)
	case "up":
		return r.smallInt(&w.Updates)
	case "na":
		return r.str(&w.NA)
	case "f":
		return r.intMap(&w.Family)
	case "pp":
		return r.intMap(&w.Parallel)
	case "sn":
		return r.integer(&w.Snoozed)
	case "rd":
		return r.smallInt(&w.Round)
	case "cr":
		return r.smallInt(&w.CRound)
	case "cn":
		return r.smallInt(&w.Nudges)
	case "ln":
		return r.integer(&w.LastN)
	case "es":
		return r.boolean(&w.Esc)
	case "ns":
		return r.smallInt(&w.NStage)
	case "ws":
		return r.smallInt(&w.WStage)
	case "nn":
		return r.integer(&w.NNudged)
	case "wn":
		return r.integer(&w.WNudged)
	case "ce":
		return r.boolean(&w.CEsc)
	case "dl":
		return r.boolean(&w.Delay)
	case "ph":
		return r.str(&w.Psych)
	case "pl":
		return r.str(&w.Prolong)
	}
	return false
}

// plan reads a plan object: {"e":…,"v":…,"n":…,"a":…}.
func (r *reader) plan(p *wirePlan) bool {
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return true
	}
	var seen uint8
	for {
		key, ok := r.key()
		if !ok {
			return false
		}
		var bit uint8
		switch string(key) {
		case "e":
			bit, ok = 1, r.str(&p.Every)
		case "v":
			bit, ok = 2, r.str(&p.Via)
		case "n":
			bit, ok = 4, r.str(&p.Note)
		case "a":
			bit, ok = 8, r.integer(&p.Agreed)
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if r.byte('}') {
			return true
		}
		if !r.byte(',') {
			return false
		}
	}
}

// reader walks compact JSON.
type reader struct {
	b []byte
	i int
}

// byte consumes c if it is next.
func (r *reader) byte(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *reader) end() bool { return r.i == len(r.b) }

// key reads an object key and its colon: plain ASCII, returned as the
// bytes of data, not copied.
func (r *reader) key() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			key := r.b[start:r.i]
			r.i++
			return key, r.byte(':')
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return nil, false
		}
		r.i++
	}
	return nil, false
}

func (r *reader) boolean(v *bool) bool {
	rest := r.b[r.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		*v, r.i = true, r.i+4
	case len(rest) >= 5 && string(rest[:5]) == "false":
		*v, r.i = false, r.i+5
	default:
		return false
	}
	return true
}

// integer reads a whole number that fits an int64; a fraction or exponent
// is left to json.Unmarshal.
func (r *reader) integer(v *int64) bool {
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	digits := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	if r.i == digits || (r.b[digits] == '0' && r.i-digits > 1) {
		return false // no digits, or a leading zero JSON doesn't allow
	}
	if r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return false
	}
	n, err := strconv.ParseInt(string(r.b[start:r.i]), 10, 64)
	if err != nil {
		return false
	}
	*v = n
	return true
}

// smallInt reads a whole number into an int.
func (r *reader) smallInt(v *int) bool {
	var n int64
	if !r.integer(&n) || int64(int(n)) != n {
		return false
	}
	*v = int(n)
	return true
}

// str reads a string, undoing its escapes as encoding/json does.
func (r *reader) str(v *string) bool {
	if !r.byte('"') {
		return false
	}
	start := r.i
	var out []byte // made at the first escape; until then the string is data's bytes
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			if out == nil {
				*v = string(r.b[start:r.i])
			} else {
				*v = string(out)
			}
			r.i++
			return true
		case c == '\\':
			if out == nil {
				out = append(make([]byte, 0, r.i-start+32), r.b[start:r.i]...)
			}
			if !r.escape(&out) {
				return false
			}
		case c < 0x20:
			return false
		default:
			size := 1
			if c >= utf8.RuneSelf {
				rr, n := utf8.DecodeRune(r.b[r.i:])
				if rr == utf8.RuneError && n == 1 {
					return false // invalid UTF-8: left to json.Unmarshal
				}
				size = n
			}
			if out != nil {
				out = append(out, r.b[r.i:r.i+size]...)
			}
			r.i += size
		}
	}
	return false
}

// escape reads one escape, at r.i, onto out.
func (r *reader) escape(out *[]byte) bool {
	if r.i+1 >= len(r.b) {
		return false
	}
	r.i += 2
	switch e := r.b[r.i-1]; e {
	case '"', '\\', '/':
		*out = append(*out, e)
	case 'b':
		*out = append(*out, '\b')
	case 'f':
		*out = append(*out, '\f')
	case 'n':
		*out = append(*out, '\n')
	case 'r':
		*out = append(*out, '\r')
	case 't':
		*out = append(*out, '\t')
	case 'u':
		rr, ok := r.hex4()
		if !ok {
			return false
		}
		if utf16.IsSurrogate(rr) {
			// A pair makes one character; anything else, the replacement
			// character (the next escape is read on its own), as
			// encoding/json does.
			save := r.i
			if r.byte('\\') && r.byte('u') {
				if rr2, ok := r.hex4(); ok {
					if dec := utf16.DecodeRune(rr, rr2); dec != utf8.RuneError {
						*out = utf8.AppendRune(*out, dec)
						return true
					}
				}
			}
			r.i = save
			rr = utf8.RuneError
		}
		*out = utf8.AppendRune(*out, rr)
	default:
		return false
	}
	return true
}

// hex4 reads the four hex digits of a \u escape.
func (r *reader) hex4() (rune, bool) {
	if r.i+4 > len(r.b) {
		return 0, false
	}
	var n rune
	for _, c := range r.b[r.i : r.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | rune(c)
	}
	r.i += 4
	return n, true
}

// strs reads an array of strings.
func (r *reader) strs(v *[]string) bool {
	if !r.byte('[') {
		return false
	}
	out := []string{}
	if !r.byte(']') {
		for {
			var s string
			if !r.str(&s) {
				return false
			}
			out = append(out, s)
			if r.byte(']') {
				break
			}
			if !r.byte(',') {
				return false
			}
		}
	}
	*v = out
	return true
}

// intMap reads an object of whole numbers. A repeated key is left to
// json.Unmarshal.
func (r *reader) intMap(v *map[string]int64) bool {
	if !r.byte('{') {
		return false
	}
	out := map[string]int64{}
	if !r.byte('}') {
		for {
			var k string
			var n int64
			if !r.str(&k) || !r.byte(':') || !r.integer(&n) {
				return false
			}
			if _, dup := out[k]; dup {
				return false
			}
			out[k] = n
			if r.byte('}') {
				break
			}
			if !r.byte(',') {
				return false
			}
		}
	}
	*v = out
	return true
}
