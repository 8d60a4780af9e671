package teams

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/web/entra"
	"hppbot/web/entra/entratest"
)

// The Teams tab's single sign-on (web/entra) names a person by the object id
// in their Entra token; the chat names them by the aadObjectId Teams sends.
// Both must be the same hppbot person, or the tab would show someone else's
// cases or none: a person who has chatted with hppbot signs in to the tab as
// that same person, and someone hppbot hasn't met is told to open it first.
func TestTabSignInIsTheChatPerson(t *testing.T) {
	e := newEnv(t)
	act := e.personalMessage("m:sso-1", "help")
	act["from"] = map[string]any{"id": "29:user-sam", "name": "Sam Example", "aadObjectId": entratest.Person}
	if code := e.post(t, act, e.bearer(t)); code != http.StatusOK {
		t.Fatalf("message: status %d", code)
	}

	idp := entratest.New(t, entratest.Tenant)
	audience := entratest.Resource("hppbot.example.nhs.uk")
	v, err := entra.New(entra.Config{
		Tenants: []string{entratest.Tenant}, Audiences: []string{audience}, Authority: idp.URL,
		Known: func(ctx context.Context, person string) (bool, error) {
			_, ok, err := e.st.ConversationRef(ctx, person)
			return ok, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	person, err := v.Person(ctx, idp.Token(t, entratest.Person, audience))
	if err != nil {
		t.Fatalf("Sam's tab sign-in: %v", err)
	}
	if want := personIDFor(t, act); person != want {
		t.Errorf("the tab signs Sam in as %q; the chat knows Sam as %q", person, want)
	}
	stranger := "aaaaaaaa-0000-4000-8000-000000000099"
	if _, err := v.Person(ctx, idp.Token(t, stranger, audience)); !errors.Is(err, entra.ErrUnknownPerson) {
		t.Errorf("someone hppbot hasn't met: err = %v, want ErrUnknownPerson", err)
	}
}

// personIDFor is the person id the surface gives the sender of act.
func personIDFor(t *testing.T, act map[string]any) string {
	t.Helper()
	from := act["from"].(map[string]any)
	var a schema.ChannelAccount
	a.ID, _ = from["id"].(string)
	a.AadObjectID, _ = from["aadObjectId"].(string)
	return personID(a)
}
