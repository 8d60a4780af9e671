package teams

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"time"
)

// The Teams app package: manifest.json (with the bot's id filled in) and
// the two icons, zipped at the top level, ready for Teams' "Upload a custom
// app" or the admin centre.

//go:embed manifest/manifest.json manifest/color.png manifest/outline.png
var manifestFiles embed.FS

// appIDPlaceholder stands for MICROSOFT_APP_ID in manifest.json.
const appIDPlaceholder = "{{APP_ID}}"

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Manifest returns manifest.json for the app id, without the tab.
func Manifest(appID string) ([]byte, error) { return ManifestFor(appID, "", "") }

// ManifestFor returns manifest.json for the app id; publicURL
// (HPP_PUBLIC_URL), when set, adds the personal tab "My cases" and its
// single sign-on (see tab.go), whose resource is resource
// (HPP_ENTRA_AUDIENCE, the app's Application ID URI) or, when that is
// empty, api://<host of publicURL>/<app id>.
func ManifestFor(appID, publicURL, resource string) ([]byte, error) {
	if !guidPattern.MatchString(appID) {
		return nil, fmt.Errorf("%q is not an app id: it should look like 00000000-0000-0000-0000-000000000000 (the Microsoft App ID of your Azure Bot)", appID)
	}
	raw, err := manifestFiles.ReadFile("manifest/manifest.json")
	if err != nil {
		return nil, err
	}
	out := bytes.ReplaceAll(raw, []byte(appIDPlaceholder), []byte(appID))
	if publicURL != "" {
		if out, err = addTab(out, appID, publicURL, resource); err != nil {
			return nil, err
		}
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("manifest.json is not valid JSON")
	}
	return out, nil
}

// WritePackage writes the app package (a zip) for the app id to w, without
// the tab.
func WritePackage(w io.Writer, appID string) error { return WritePackageFor(w, appID, "", "") }

// WritePackageFor writes the app package (a zip) for the app id to w, with
// the personal tab at publicURL when that is set (see ManifestFor).
func WritePackageFor(w io.Writer, appID, publicURL, resource string) error {
	manifest, err := ManifestFor(appID, publicURL, resource)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		// A fixed time keeps the package the same for the same app id.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := add("manifest.json", manifest); err != nil {
		return err
	}
	for _, icon := range []string{"color.png", "outline.png"} {
		data, err := manifestFiles.ReadFile("manifest/" + icon)
		if err != nil {
			return err
		}
		if err := add(icon, data); err != nil {
			return err
		}
	}
	return zw.Close()
}
