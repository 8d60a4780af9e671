package pathway

import "testing"

func TestAccess(t *testing.T) {
	c := &Case{ID: 1, Service: "maternity", Lead: "slack:ULEE", OpenedBy: "slack:UOPEN", Involved: []string{"slack:USAM"}}
	noService := &Case{ID: 2, Lead: "slack:ULEE"}
	a := Access{Admins: []string{"UADMIN", " @console-ada ", "teams:29:admin"}}
	for _, tt := range []struct {
		person, lead string
		c            *Case
		want         bool
	}{
		{"slack:ULEE", "", c, true},              // named contact
		{"slack:UOPEN", "", c, true},             // opener
		{"slack:USAM", "", c, true},              // involved
		{"slack:UPAT", "slack:UPAT", c, true},    // the service's pathway lead
		{"slack:UPAT", "slack:UQUINN", c, false}, // leads another service, not this one
		{"slack:UROBIN", "", c, false},           // nobody to this case
		{"slack:UADMIN", "", c, true},            // admin by platform id
		{"console:console-ada", "", c, true},     // admin by name, @ and spaces trimmed
		{"teams:29:admin", "", c, true},          // admin by full person id
		{"slack:UPAT", "slack:UPAT", noService, false},
		{"", "", c, false},
		{"", "", nil, false},
		{"slack:ULEE", "", nil, false},
	} {
		if got := a.MayAct(tt.person, tt.c, tt.lead); got != tt.want {
			t.Errorf("MayAct(%q, lead %q) = %v, want %v", tt.person, tt.lead, got, tt.want)
		}
	}
	if !(Access{EveryoneAdmin: true}).MayAct("console:anyone", c, "") {
		t.Error("EveryoneAdmin: refused")
	}
	if (Access{}).IsAdmin("slack:UADMIN") {
		t.Error("no admins configured, yet an admin")
	}
}
