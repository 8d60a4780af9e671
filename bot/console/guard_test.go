package console_test

import (
	"strings"
	"testing"
)

// Issue 20, item 7: a patient's or relative's name with a title or an age
// is refused and nothing is saved; a colleague named with a mention, and
// staff titles, are not.
func TestNamesAreRefused(t *testing.T) {
	out := run(t, wednesday,
		"/hpp open INC-2001 Mrs Jane Smith aged 76 fell on the ward",
		"/hpp open INC-2001 Jane Smith aged 76 fell on the ward",
		"/hpp open INC-2001 The patient fell on the ward; Dr Patel and Mr @sam reviewed",
		"/hpp contact HPP-1 via=phone Spoke with their daughter, Miss Smith",
		"/hpp contact HPP-1 via=phone Spoke with their daughter; Mr @sam to call Friday",
		"/hpp timeline HPP-1", "/hpp list all")
	for _, want := range []string{
		"Nothing was saved: that looks like a patient's or relative's name (Mrs J…)",
		"Nothing was saved: that looks like a patient's or relative's name (J… S… aged 76)",
		`Write "the patient" or "their mother" instead. If it's a colleague (surgeons are often Mr or Ms), name them with an @mention, which is never refused.`,
		"Nothing was saved: that looks like a patient's or relative's name (Miss S…)",
		"HPP-1 is open — INC-2001",
		"Contact logged for HPP-1 (phone)",
		"Open cases you can see — 1 case",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "HPP-2") || strings.Count(out, "Contact logged") != 1 {
		t.Errorf("a refused command was stored:\n%s", out)
	}
	for _, name := range []string{"Jane", "Smith"} {
		if i := strings.Index(out, "/hpp timeline HPP-1"); i >= 0 && strings.Contains(out[i:], name) {
			t.Errorf("the timeline holds %q:\n%s", name, out[i:])
		}
	}
}
