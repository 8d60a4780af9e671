package prompts_test

import (
	"fmt"

	"hppbot/prompts"
)

func ExampleTopic_Text() {
	lib, err := prompts.Load("") // HPP_PROMPTS_DIR would go here
	if err != nil {
		fmt.Println(err)
		return
	}
	listen, _ := lib.Topic("listen")
	fmt.Println(listen.Text())
	// Output:
	// *Listening with curiosity*
	// Use this once the family has heard what you know, and at every contact after that. Asking, and then listening without defending, shows them their experience counts, and tells you what they actually need rather than what we assume they need.
	//
	// *Ask*
	// • What matters most to you right now?
	// • What do you need from us, today and over the next few weeks?
	// • What would help right now, even if it seems small?
	// • What questions are on your mind? There is no wrong question.
	// • Is there anything about what happened that you feel we haven't heard yet?
	// • How are you, and the people close to you, coping?
	//
	// *Instead of:* “Let me just explain why we made that decision.”
	// *Try:* “Before I explain anything, I'd like to hear what this has been like for you.”
	//
	// *Remember:* Write their questions down in their own words and read them back. They are where the review should start.
}
