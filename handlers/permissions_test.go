package handlers

import (
	"context"
	"strings"
	"testing"
	"time"
)

// caseState is what a refused command must leave untouched.
func (f *fixture) caseState(t *testing.T, id int64) (version int64, events int) {
	t.Helper()
	ctx := context.Background()
	c, err := f.st.GetCase(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := f.st.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Version, len(tl)
}

// caseLines is every command that reads or changes a case.
var caseLines = []string{
	"/hpp status HPP-1",
	"/hpp timeline HPP-1",
	"/hpp export HPP-1",
	"/hpp prompt HPP-1",
	"/hpp contact HPP-1 via=phone Synthetic note",
	"/hpp plan HPP-1 every=1w via=phone",
	"/hpp candour HPP-1 notified",
	"/hpp candour HPP-1 na Synthetic reason",
	"/hpp family HPP-1 support",
	"/hpp family HPP-1 parallel=claim",
	"/hpp involve HPP-1 @robin",
	"/hpp snooze HPP-1 1d",
	"/hpp close HPP-1",
	"/hpp reopen HPP-1",
	"/hpp lead HPP-1 @robin",
}

func TestEveryCaseCommandRefusesPeopleNotOnTheCase(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("admin", "/hpp service surgery lead=@quinn")
	f.as("opener", "/hpp open INC-9 service=maternity lead=@lee involved=@sam harm=moderate Fall")
	version, events := f.caseState(t, 1)
	// robin is on no case; quinn leads another service's pathway; sam is
	// involved in a different case only.
	f.as("opener", "/hpp open INC-10 service=surgery involved=@sam harm=low Slip")
	for _, person := range []string{"robin", "quinn"} {
		for _, line := range caseLines {
			got := text(f.as(person, line))
			if !strings.Contains(got, "HPP-1 is only open to the people on it") {
				t.Errorf("%s: %q was not refused:\n%s", person, line, got)
				continue
			}
			// The refusal says what to do instead, and reveals nothing of the case.
			if !strings.Contains(got, "ask its named contact, <@console:lee>") || !strings.Contains(got, "/hpp involve HPP-1") {
				t.Errorf("%s: %q: the refusal does not say what to do instead:\n%s", person, line, got)
			}
			if strings.Contains(got, "INC-9") || strings.Contains(got, "Fall") {
				t.Errorf("%s: %q: the refusal shows the case:\n%s", person, line, got)
			}
		}
	}
	if v, n := f.caseState(t, 1); v != version || n != events {
		t.Errorf("refused commands changed the case: version %d→%d, events %d→%d", version, v, events, n)
	}
	if len(f.sent.to("console:robin")) != 0 {
		t.Errorf("a refused command sent messages: %+v", f.sent.to("console:robin"))
	}
	if r := f.as("robin", "/hpp export HPP-1"); len(r.Files) != 0 {
		t.Errorf("a refused export carried %d files", len(r.Files))
	}
}

func TestEveryoneOnACaseMayActOnIt(t *testing.T) {
	for _, role := range []struct{ name, person string }{
		{"named contact", "lee"},
		{"opener", "opener"},
		{"involved", "sam"},
		{"service pathway lead", "pat"},
		{"admin", "admin"},
	} {
		t.Run(role.name, func(t *testing.T) {
			f := newFixture(t)
			f.as("admin", "/hpp service maternity lead=@pat")
			f.as("opener", "/hpp open INC-9 service=maternity lead=@lee involved=@sam harm=moderate Fall")
			for _, s := range []struct{ line, want string }{
				{"/hpp status HPP-1", "Named contact"},
				{"/hpp timeline HPP-1", "Timeline of HPP-1"},
				{"/hpp export HPP-1", "Here is the candour record for *HPP-1*"},
				{"/hpp prompt HPP-1", "this card fits best"},
				{"/hpp contact HPP-1 via=phone", "Contact logged"},
				{"/hpp plan HPP-1 every=1w", "Plan recorded"},
				{"/hpp candour HPP-1 notified", "the family was told"},
				{"/hpp family HPP-1 support", "independent support"},
				{"/hpp family HPP-1 parallel=claim", "carry on"},
				{"/hpp involve HPP-1 @jo", "as involved"},
				{"/hpp snooze HPP-1 1d", "snoozed until"},
				{"/hpp close HPP-1", "is closed"},
				{"/hpp reopen HPP-1", "is open again"},
				{"/hpp lead HPP-1 @alex", "is now the named contact"},
			} {
				if got := text(f.as(role.person, s.line)); !strings.Contains(got, s.want) {
					t.Errorf("%s: %q:\n%s\nwant %q", role.person, s.line, got, s.want)
				}
			}
		})
	}
}

func TestAFormerNamedContactNoLongerSeesTheCase(t *testing.T) {
	f := newFixture(t)
	f.as("opener", "/hpp open INC-9 lead=@lee harm=low Fall")
	f.as("lee", "/hpp lead HPP-1 @alex")
	if got := text(f.as("lee", "/hpp status HPP-1")); !strings.Contains(got, "only open to the people on it") {
		t.Errorf("the former named contact still sees the case:\n%s", got)
	}
	if got := text(f.as("alex", "/hpp status HPP-1")); !strings.Contains(got, "Named contact: <@console:alex>") {
		t.Errorf("the new named contact:\n%s", got)
	}
}

func TestOnlyAdminsSetUpServices(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat channel=#maternity")
	for _, person := range []string{"robin", "pat"} { // pat leads maternity's pathway, but is no admin
		for _, line := range []string{"/hpp service maternity lead=@robin", "/hpp service surgery lead=@robin", "/hpp service maternity channel=#elsewhere"} {
			got := text(f.as(person, line))
			if !strings.Contains(got, "Only hppbot admins can set up services") || !strings.Contains(got, "/hpp service") {
				t.Errorf("%s: %q:\n%s", person, line, got)
			}
		}
		// Anyone may see how services are set up.
		if got := text(f.as(person, "/hpp service maternity")); !strings.Contains(got, "pathway lead <@console:pat>") {
			t.Errorf("%s: viewing a service:\n%s", person, got)
		}
		if got := text(f.as(person, "/hpp service")); !strings.Contains(got, "maternity") || strings.Contains(got, "surgery") {
			t.Errorf("%s: the services list:\n%s", person, got)
		}
	}
	svc, _, err := f.st.Service(context.Background(), "maternity")
	if err != nil || svc.Lead != "console:pat" || svc.Channel != "console:maternity" {
		t.Errorf("maternity after refusals: %+v, %v", svc, err)
	}
}

func TestWhatEachPersonsListShows(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("admin", "/hpp service surgery lead=@quinn")
	f.as("lee", "/hpp open INC-1 service=maternity involved=@sam harm=low Fall") // HPP-1
	f.as("kim", "/hpp open INC-2 service=surgery harm=low Slip")                 // HPP-2
	f.as("kim", "/hpp open INC-3 harm=low Trip")                                 // HPP-3, no service
	f.clock.Add(8 * 24 * time.Hour)                                              // every first contact is overdue
	tests := []struct {
		person, line string
		want, not    []string
	}{
		{"robin", "/hpp list", nil, []string{"HPP-1", "HPP-2", "HPP-3"}},
		{"robin", "/hpp list all", nil, []string{"HPP-1", "HPP-2", "HPP-3"}},
		{"robin", "/hpp list overdue", nil, []string{"HPP-1", "HPP-2", "HPP-3"}},
		{"sam", "/hpp list", []string{"HPP-1"}, []string{"HPP-2", "HPP-3"}},
		{"sam", "/hpp list all", []string{"HPP-1"}, []string{"HPP-2", "HPP-3"}},
		{"pat", "/hpp list", nil, []string{"HPP-1", "HPP-2", "HPP-3"}}, // mine: pat is on no case
		{"pat", "/hpp list all", []string{"HPP-1"}, []string{"HPP-2", "HPP-3"}},
		{"pat", "/hpp list overdue", []string{"HPP-1"}, []string{"HPP-2", "HPP-3"}},
		{"pat", "/hpp list all service=surgery", nil, []string{"HPP-1", "HPP-2", "HPP-3"}},
		{"quinn", "/hpp list overdue", []string{"HPP-2"}, []string{"HPP-1", "HPP-3"}},
		{"kim", "/hpp list", []string{"HPP-2", "HPP-3"}, []string{"HPP-1"}},
		{"admin", "/hpp list all", []string{"HPP-1", "HPP-2", "HPP-3"}, nil},
		{"admin", "/hpp list overdue service=surgery", []string{"HPP-2"}, []string{"HPP-1", "HPP-3"}},
	}
	for _, tt := range tests {
		got := text(f.as(tt.person, tt.line))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %s:\n%s", tt.person, tt.line, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q shows %s:\n%s", tt.person, tt.line, n, got)
			}
		}
	}
}

func TestReportsAreForPathwayLeadsAndAdmins(t *testing.T) {
	f := newFixture(t)
	f.as("admin", "/hpp service maternity lead=@pat")
	f.as("admin", "/hpp service surgery lead=@quinn")
	f.as("lee", "/hpp open INC-1 service=maternity harm=moderate involved=@sam Fall")
	tests := []struct {
		person, line string
		refused      bool
	}{
		{"lee", "/hpp report", true}, // the named contact is not a pathway lead
		{"sam", "/hpp report yearly", true},
		{"robin", "/hpp report service=maternity", true},
		{"quinn", "/hpp report service=maternity", true}, // another service's lead
		{"pat", "/hpp report", false},
		{"pat", "/hpp report service=maternity", false},
		{"pat", "/hpp report yearly", false},
		{"admin", "/hpp report service=surgery", false},
		{"admin", "/hpp report yearly", false},
	}
	for _, tt := range tests {
		got := text(f.as(tt.person, tt.line))
		refused := strings.Contains(got, "are for each service's pathway lead") || strings.Contains(got, "are for its pathway lead")
		if refused != tt.refused {
			t.Errorf("%s: %q refused=%v; want %v:\n%s", tt.person, tt.line, refused, tt.refused, got)
		}
		if refused && !strings.Contains(got, "ask") {
			t.Errorf("%s: %q: the refusal does not say what to do instead:\n%s", tt.person, tt.line, got)
		}
	}
}
