package teams

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"hppbot/web/entra"
)

// The personal tab: with HPP_PUBLIC_URL set, the app package gains a tab
// "My cases" showing the web pages at {HPP_PUBLIC_URL}/tab, and the
// webApplicationInfo Teams single sign-on needs (the app's id and its
// resource api://<host>/<app id>, which web/entra checks tokens against).
// Without it the package is the bot alone.

// noDomains is where manifest.json's last entry is; the tab's entries go in
// its place.
const noDomains = `"validDomains": []`

// staticTab is one entry of the manifest's staticTabs.
type staticTab struct {
	EntityID   string   `json:"entityId"`
	Name       string   `json:"name,omitempty"`
	ContentURL string   `json:"contentUrl,omitempty"`
	WebsiteURL string   `json:"websiteUrl,omitempty"`
	Scopes     []string `json:"scopes"`
}

// webApplicationInfo is what Teams SSO needs to get a token for the tab.
type webApplicationInfo struct {
	ID       string `json:"id"`
	Resource string `json:"resource"`
}

// TabURL is the page the personal tab opens, for publicURL.
func TabURL(publicURL string) string { return strings.TrimSuffix(publicURL, "/") + "/tab" }

// CheckTabURL says whether publicURL (HPP_PUBLIC_URL) can be a Teams tab's
// address: a web address, https, with no query or fragment.
func CheckTabURL(publicURL string) error {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not a web address: it should look like https://hppbot.example.nhs.uk", publicURL)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%q must start with https:// for a Teams tab: Teams opens tabs only over https", publicURL)
	}
	return nil
}

// addTab puts staticTabs, webApplicationInfo and validDomains for publicURL
// into manifest (raw JSON, so the file keeps its order and layout). The
// sign-on resource is resource, or by default api://<host>/<app id>.
func addTab(manifest []byte, appID, publicURL, resource string) ([]byte, error) {
	if err := CheckTabURL(publicURL); err != nil {
		return nil, err
	}
	u, _ := url.Parse(publicURL)
	if resource == "" {
		var err error
		if resource, err = entra.Resource(publicURL, appID); err != nil {
			return nil, err
		}
	}
	if !bytes.Contains(manifest, []byte(noDomains)) {
		return nil, errors.New("manifest.json has no empty validDomains to put the tab's in")
	}
	base := strings.TrimSuffix(publicURL, "/")
	tabs := []staticTab{
		// The chat with hppbot stays the first tab.
		{EntityID: "conversations", Scopes: []string{"personal"}},
		{EntityID: "mycases", Name: "My cases", ContentURL: TabURL(publicURL), WebsiteURL: base + "/", Scopes: []string{"personal"}},
	}
	indent := func(v any) string {
		b, _ := json.MarshalIndent(v, "  ", "  ")
		return string(b)
	}
	entries := `"staticTabs": ` + indent(tabs) + ",\n" +
		`  "webApplicationInfo": ` + indent(webApplicationInfo{ID: appID, Resource: resource}) + ",\n" +
		`  "validDomains": ` + indent([]string{u.Hostname()})
	return bytes.Replace(manifest, []byte(noDomains), []byte(entries), 1), nil
}
