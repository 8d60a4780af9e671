package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hppbot/bot/teams"
)

// runTeamsPackage is `hppbot teams-package [-o hppbot-teams.zip]`: it writes
// the Teams app package (manifest and icons) with MICROSOFT_APP_ID filled
// in, ready to upload to Teams. With HPP_PUBLIC_URL set, the package also
// has the personal tab "My cases" and its single sign-on.
func runTeamsPackage(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("teams-package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "hppbot-teams.zip", "the file to write the app package to")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: MICROSOFT_APP_ID=<your bot's app id> [HPP_PUBLIC_URL=https://<hppbot's address>] hppbot teams-package [-o hppbot-teams.zip]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	appID := strings.TrimSpace(getenv("MICROSOFT_APP_ID"))
	if appID == "" {
		fmt.Fprintln(stderr, "hppbot: MICROSOFT_APP_ID: is needed for the Teams package — set it to your Azure Bot's Microsoft App ID")
		return 2
	}
	publicURL := strings.TrimSpace(getenv("HPP_PUBLIC_URL"))
	if publicURL != "" {
		if err := teams.CheckTabURL(publicURL); err != nil {
			fmt.Fprintf(stderr, "hppbot: HPP_PUBLIC_URL: %v\n", err)
			return 2
		}
	}
	// The tab's sign-on resource is the one the running server checks
	// tokens against (HPP_ENTRA_AUDIENCE, when it is set).
	audience := strings.TrimSpace(getenv("HPP_ENTRA_AUDIENCE"))
	if audience != "" && !strings.HasPrefix(audience, "api://") {
		fmt.Fprintf(stderr, "hppbot: HPP_ENTRA_AUDIENCE: %q should be the app's Application ID URI, such as api://hppbot.example.nhs.uk/<app id>\n", audience)
		return 2
	}
	var buf bytes.Buffer
	if err := teams.WritePackageFor(&buf, appID, publicURL, audience); err != nil {
		fmt.Fprintf(stderr, "hppbot: MICROSOFT_APP_ID: %v\n", err)
		return 2
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "hppbot: can't write %s: %v\n", *out, unwrapPathError(err))
		return 1
	}
	fmt.Fprintf(stdout, "Wrote %s for app %s. Upload it in Teams (Apps → Manage your apps → Upload an app), or give it to your Teams administrator.\n", *out, appID)
	if publicURL != "" {
		fmt.Fprintf(stdout, "It has the personal tab My cases at %s; its sign-in needs the app registration steps in docs/deploying-in-the-nhs.md (Expose an API).\n", teams.TabURL(publicURL))
	}
	return 0
}
