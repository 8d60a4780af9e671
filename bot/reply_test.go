package bot

import (
	"reflect"
	"testing"
)

func TestReplyMentions(t *testing.T) {
	r := Reply{
		Text:     "<@slack:U1> and <@teams:29:a|Jo> in <#slack:C1>",
		Note:     "again <@slack:U1>",
		Sections: []Section{{Title: "<@console:sam>", Text: "<#console:maternity|maternity>", Fields: []Field{{Label: "Lead", Value: "<@slack:U2>"}}}},
	}
	people, channels := r.Mentions()
	if want := []string{"slack:U1", "teams:29:a", "console:sam", "slack:U2"}; !reflect.DeepEqual(people, want) {
		t.Errorf("people = %v; want %v", people, want)
	}
	if want := []string{"slack:C1", "console:maternity"}; !reflect.DeepEqual(channels, want) {
		t.Errorf("channels = %v; want %v", channels, want)
	}
	if p, c := (Reply{Text: "no mentions < here >"}).Mentions(); p != nil || c != nil {
		t.Errorf("got %v %v from text without mentions", p, c)
	}
}
