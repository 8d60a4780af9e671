package bot

// HandOverForm asks whom to hand a case's named-contact role to: a Slack
// modal with a people picker, a Teams card with a people picker. Its answer
// makes the command line "lead <case> <@person>", as if typed. A surface that
// can't show forms runs "lead <case>" as it is, which asks for the @name.
func HandOverForm(caseName string) *Form {
	return &Form{
		ID: "lead", Title: "Hand over — " + caseName, Submit: "Hand over", Command: "lead " + caseName,
		Intro: "They become the family's named contact for " + caseName + ", and both of you are told.",
		Inputs: []Input{
			{Name: "to", Label: "Hand the named-contact role to", Kind: InputPerson, Positional: true},
		},
	}
}
