// Package prompts is hppbot's library of restorative conversation prompts:
// short cards a clinician reads in under a minute before or after a
// difficult conversation with a harmed patient or their family, the
// harmed-patient lens for reviewing a process, and the text of the six
// commitments of the Harmed Patient Pathway.
//
// The built-in cards live in content/ and are embedded in the binary. An
// organisation may add cards, or replace built-in ones, with a folder of its
// own files (HPP_PROMPTS_DIR); see content/README.md, written for them.
//
// # Card format
//
// One card per Markdown file. The file opens with front matter between two
// "---" lines, then a purpose paragraph, then four sections:
//
//	---
//	topic: listen                  (required; lowercase letters, digits, hyphens)
//	title: Listening with curiosity (required)
//	summary: One line for the topic list. (required)
//	order: 40                      (optional whole number; lists sort by order, then topic)
//	---
//	Purpose: when to use the card and why it matters.
//
//	## Ask                          (any heading other than the three below; kept as written)
//	- What matters most to you right now?
//	- (3 to 6 lines, each starting "- ")
//
//	## Instead of
//	We followed the policy.
//
//	## Try
//	I'd like to understand what happened for you.
//
//	## Remember                     (optional)
//	One short line.
//
// Lines in front matter are "key: value"; a line starting with "#" there is a
// comment. An unknown or repeated key is an error. Text wrapped over several
// lines is joined with spaces; a bullet may continue on indented lines. Line
// endings may be Unix or Windows, and a leading byte order mark is ignored.
//
// Every problem is reported as a *ParseError naming the file and, where it
// makes sense, the line, so the person who wrote the file can fix it.
//
// The commitments live in content/commitments.md: a first-level heading, the
// phased-adoption note, then one "## <number>. <title>" section per commitment
// with "Key:", "Meaning:" and "What hppbot does:" fields. Organisations do not
// override them.
//
// This package holds text only. It never sees a case, a person or anything
// about a patient, and it does no I/O beyond reading the prompt files once at
// start-up. A Library does not change after Load, so it is safe to share.
package prompts
