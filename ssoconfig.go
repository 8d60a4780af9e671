package main

import (
	"fmt"
	"strings"

	"hppbot/web/entra"
)

// readTeamsSSO reads the settings of the Teams tab's single sign-on, which
// web/entra checks tokens with. It is on when hppbot has a public address
// (HPP_PUBLIC_URL), a Teams app (MICROSOFT_APP_ID) and a tenant whose
// people sign in (HPP_ENTRA_TENANTS, else MICROSOFT_APP_TENANT_ID); off,
// it returns nil and why, and the tab signs people in by a one-time link
// instead. A value that is set but wrong is a configError.
//
//   - HPP_ENTRA_TENANTS: tenant ids whose people may sign in to the tab,
//     comma-separated (default MICROSOFT_APP_TENANT_ID);
//   - HPP_ENTRA_AUDIENCE: the app's Application ID URI, when it isn't
//     api://<host of HPP_PUBLIC_URL>/<MICROSOFT_APP_ID>; the app id itself
//     is always accepted too (v2.0 tokens carry it);
//   - HPP_ENTRA_AUTHORITY: Entra ID's sign-in address (default
//     https://login.microsoftonline.com; tests point it at a stand-in).
func readTeamsSSO(get func(string) string) (cfg *entra.Config, off string, err error) {
	publicURL := strings.TrimSpace(get("HPP_PUBLIC_URL"))
	appID := strings.TrimSpace(get("MICROSOFT_APP_ID"))
	tenants := splitList(get("HPP_ENTRA_TENANTS"))
	if len(tenants) == 0 {
		tenants = splitList(get("MICROSOFT_APP_TENANT_ID"))
		if len(tenants) == 1 && !entra.IsTenantID(tenants[0]) {
			// The bot takes a tenant's domain name too; tokens carry the id.
			return nil, fmt.Sprintf("MICROSOFT_APP_TENANT_ID %q is a name, not the tenant id: set HPP_ENTRA_TENANTS to the Directory (tenant) ID", tenants[0]), nil
		}
	}
	switch {
	case publicURL == "":
		return nil, "HPP_PUBLIC_URL is not set", nil
	case appID == "":
		return nil, "MICROSOFT_APP_ID is not set", nil
	case len(tenants) == 0:
		return nil, "no tenant: set MICROSOFT_APP_TENANT_ID (or HPP_ENTRA_TENANTS) to your Entra tenant id", nil
	}
	audience := strings.TrimSpace(get("HPP_ENTRA_AUDIENCE"))
	if audience == "" {
		if audience, err = entra.Resource(publicURL, appID); err != nil {
			return nil, "", &configError{"HPP_PUBLIC_URL", err.Error()}
		}
	} else if !strings.HasPrefix(audience, "api://") {
		return nil, "", &configError{"HPP_ENTRA_AUDIENCE", fmt.Sprintf("%q should be the app's Application ID URI, such as api://hppbot.example.nhs.uk/<app id>", audience)}
	}
	c := entra.Config{
		Tenants:   tenants,
		Audiences: []string{audience, appID},
		Authority: strings.TrimSpace(get("HPP_ENTRA_AUTHORITY")),
	}
	if _, err := entra.New(c); err != nil {
		name := "HPP_ENTRA_TENANTS"
		if strings.Contains(err.Error(), "authority") {
			name = "HPP_ENTRA_AUTHORITY"
		}
		return nil, "", &configError{name, strings.TrimPrefix(err.Error(), "entra: ")}
	}
	return &c, "", nil
}

// splitList is a comma-separated value's non-empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
