package prompts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	commitmentHeading = regexp.MustCompile(`^##\s+(\d+)\.\s+(\S.*)$`)
	commitmentField   = regexp.MustCompile(`^(Key|Meaning|What hppbot does):\s*(.*)$`)
)

// parseCommitments reads content/commitments.md (format in the package
// comment). It is built in, so a mistake here is caught by the tests, but it
// still reports file and line like any other content.
func parseCommitments(file string, data []byte) (string, []Commitment, error) {
	errf := func(line int, format string, args ...any) error {
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var (
		adoption []string
		out      []Commitment
		field    *string // the field that continuation lines join
		newPara  = true
	)
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			field, newPara = nil, true
		case strings.HasPrefix(line, "# "):
			if len(out) > 0 || len(adoption) > 0 {
				return "", nil, errf(n, "the first-level heading belongs at the top")
			}
		case strings.HasPrefix(line, "#"):
			m := commitmentHeading.FindStringSubmatch(line)
			if m == nil {
				return "", nil, errf(n, `a commitment heading looks like "## 1. Communication"`)
			}
			num, _ := strconv.Atoi(m[1])
			if num != len(out)+1 {
				return "", nil, errf(n, "commitment %d is out of order; expected %d", num, len(out)+1)
			}
			out = append(out, Commitment{Number: num, Title: strings.TrimSpace(m[2])})
			field = nil
		case len(out) == 0:
			if newPara || len(adoption) == 0 {
				adoption = append(adoption, line)
			} else {
				adoption[len(adoption)-1] += " " + line
			}
			newPara = false
		default:
			c := &out[len(out)-1]
			if m := commitmentField.FindStringSubmatch(line); m != nil {
				switch m[1] {
				case "Key":
					field = &c.Key
				case "Meaning":
					field = &c.Meaning
				default:
					field = &c.WhatHppbotDoes
				}
				if *field != "" {
					return "", nil, errf(n, "%q is given twice for commitment %d", m[1]+":", c.Number)
				}
				*field = m[2]
				continue
			}
			if field == nil {
				return "", nil, errf(n, `expected "Key:", "Meaning:" or "What hppbot does:"`)
			}
			*field = strings.TrimSpace(*field + " " + line)
		}
	}
	if len(adoption) == 0 {
		return "", nil, errf(0, "the note on adopting the commitments in phases is missing")
	}
	for _, c := range out {
		if c.Key == "" || c.Meaning == "" || c.WhatHppbotDoes == "" {
			return "", nil, errf(0, `commitment %d needs "Key:", "Meaning:" and "What hppbot does:"`, c.Number)
		}
		if !topicName.MatchString(c.Key) {
			return "", nil, errf(0, "commitment %d has key %q; use lowercase letters and hyphens", c.Number, c.Key)
		}
	}
	return strings.Join(adoption, "\n\n"), out, nil
}
