package bot

import "fmt"

// AllButtons is every button of a reply in the order a reader meets them:
// the sections' own, then the reply's.
func (r Reply) AllButtons() []Button {
	var out []Button
	for _, s := range r.Sections {
		if s.Button != nil {
			out = append(out, *s.Button)
		}
	}
	return append(out, r.Buttons...)
}

// FitSections keeps the first keep sections of a reply with an Overflow
// and says how many more there are and where to see them. A reply without
// an Overflow, or with no more than keep sections, comes back as it is.
func (r Reply) FitSections(keep int) Reply {
	if r.Overflow == "" || keep >= len(r.Sections) {
		return r
	}
	keep = max(keep, 0)
	more := len(r.Sections) - keep
	sections := make([]Section, keep, keep+1)
	copy(sections, r.Sections[:keep])
	r.Sections = append(sections, Section{Text: fmt.Sprintf("…and %d more — %s", more, r.Overflow)})
	r.Overflow = ""
	return r
}
