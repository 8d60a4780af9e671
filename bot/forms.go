package bot

import (
	"hppbot/pathway"
)

// OpenForm is the form for opening a case.
func OpenForm() *Form {
	harm := []Option{}
	for _, l := range pathway.HarmLevels {
		if l == pathway.HarmPsychological {
			continue // psychological harm has its own scale below
		}
		harm = append(harm, Option{Value: string(l), Label: l.Level()})
	}
	psych := []Option{}
	for _, l := range pathway.PsychLevels {
		psych = append(psych, Option{Value: string(l), Label: l.Level()})
	}
	return &Form{
		ID: "open", Title: "Open a harm case", Submit: "Open case", Command: "open",
		Intro: "Use the incident reference from your risk system. Please don't enter the patient's name, NHS number, date of birth or address.",
		Inputs: []Input{
			{Name: "ref", Label: "Incident reference", Kind: InputText, Placeholder: "INC-1042", Positional: true},
			{Name: "service", Label: "Service", Kind: InputText, Placeholder: "maternity", Optional: true},
			{Name: "harm", Label: "Physical harm", Kind: InputChoice, Options: harm, Optional: true},
			{Name: "psych", Label: "Psychological harm", Kind: InputChoice, Options: psych, Optional: true},
			{Name: "prolonged", Label: "Psychological harm lasting 28 days or more?", Kind: InputChoice, Optional: true, Options: []Option{
				{Value: "yes", Label: "Yes, or likely to"}, {Value: "no", Label: "No"}}},
			{Name: "lead", Label: "Named contact for the family", Kind: InputPerson, Optional: true, Hint: "Leave empty to be the contact yourself."},
			{Name: "involved", Label: "Staff involved", Kind: InputPeople, Optional: true, Hint: "They'll be offered private wellbeing check-ins."},
			{Name: "aware", Label: "Date the organisation became aware", Kind: InputDate, Optional: true},
			{Name: "candour", Label: "Duty of Candour", Kind: InputChoice, Optional: true, Options: []Option{
				{Value: "auto", Label: "Decide from the harm level"}, {Value: "yes", Label: "Applies"}, {Value: "no", Label: "Doesn't apply"}}},
			{Name: "text", Label: "Short summary (no patient details)", Kind: InputLong, Optional: true, Placeholder: "What happened, in a sentence"},
		},
	}
}

// ContactForm is the form for logging a contact on a case.
func ContactForm(caseName string) *Form {
	return &Form{
		ID: "contact", Title: "Log contact — " + caseName, Submit: "Log contact", Command: "contact " + caseName,
		Inputs: []Input{
			{Name: "via", Label: "How", Kind: InputChoice, Optional: true, Options: []Option{
				{Value: "phone", Label: "Phone"}, {Value: "meeting", Label: "Meeting"}, {Value: "video", Label: "Video"}, {Value: "letter", Label: "Letter"}, {Value: "email", Label: "Email"}}},
			{Name: "next", Label: "Next contact due", Kind: InputText, Optional: true, Placeholder: "7d, 2w or 2026-12-01", Hint: "Leave empty to follow the agreed plan."},
			{Name: "text", Label: "Note (no patient details)", Kind: InputLong, Optional: true},
		},
	}
}
