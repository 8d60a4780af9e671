package teams

import "hppbot/bot"

// maxActions is how many actions Teams shows on a card (its host config's
// maxActions); more are not shown.
const maxActions = 6

// fitActions keeps a reply's buttons within maxActions. Sections' own
// buttons (one case of several) come first on the card; when they don't
// all fit, a reply with an Overflow keeps as many whole sections as have
// room for their buttons and says where to see the rest, and any other
// reply keeps its text and loses the sections' buttons that don't fit.
func fitActions(r bot.Reply) bot.Reply {
	own := countActions(r.Buttons)
	if own+countSectionActions(r.Sections) <= maxActions {
		return r
	}
	room := max(maxActions-own, 0)
	if r.Overflow != "" {
		keep, used := 0, 0
		for keep < len(r.Sections) {
			n := countSectionActions(r.Sections[keep : keep+1])
			if used+n > room {
				break
			}
			used += n
			keep++
		}
		return r.FitSections(keep)
	}
	sections := make([]bot.Section, len(r.Sections))
	copy(sections, r.Sections)
	used := 0
	for i := range sections {
		if countSectionActions(sections[i:i+1]) == 0 {
			continue
		}
		if used < room {
			used++
			continue
		}
		sections[i].Button = nil
	}
	r.Sections = sections
	return r
}

// countActions is how many of buttons become actions (buttonActions skips
// those with nothing to show or run).
func countActions(buttons []bot.Button) int {
	n := 0
	for _, b := range buttons {
		if b.Label != "" && b.Command != "" {
			n++
		}
	}
	return n
}

func countSectionActions(sections []bot.Section) int {
	n := 0
	for _, s := range sections {
		if s.Button != nil && s.Button.Label != "" && s.Button.Command != "" {
			n++
		}
	}
	return n
}
