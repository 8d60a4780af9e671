package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTeamsPackageCommand(t *testing.T) {
	const appID = "11111111-2222-3333-4444-555555555555"
	dir := t.TempDir()
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name     string
		args     []string
		vars     map[string]string
		code     int
		file     string
		inStderr string
	}{
		{"writes the package", []string{"teams-package", "-o", filepath.Join(dir, "app.zip")}, map[string]string{"MICROSOFT_APP_ID": appID}, 0, "app.zip", ""},
		{"needs the app id", []string{"teams-package", "-o", filepath.Join(dir, "none.zip")}, nil, 2, "", "MICROSOFT_APP_ID"},
		{"a bad app id", []string{"teams-package", "-o", filepath.Join(dir, "bad.zip")}, map[string]string{"MICROSOFT_APP_ID": "my-bot"}, 2, "", "not an app id"},
		{"an unknown flag", []string{"teams-package", "-x"}, map[string]string{"MICROSOFT_APP_ID": appID}, 2, "", "usage"},
		{"a folder that isn't there", []string{"teams-package", "-o", filepath.Join(dir, "no", "such", "x.zip")}, map[string]string{"MICROSOFT_APP_ID": appID}, 1, "", "can't write"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, env(tc.vars), strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if tc.inStderr != "" && !strings.Contains(stderr.String(), tc.inStderr) {
				t.Errorf("stderr %q should mention %q", stderr.String(), tc.inStderr)
			}
			if tc.file == "" {
				return
			}
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
				if f.Name == "manifest.json" {
					rc, _ := f.Open()
					m, _ := io.ReadAll(rc)
					rc.Close()
					if !bytes.Contains(m, []byte(`"botId": "`+appID+`"`)) || bytes.Contains(m, []byte("{{APP_ID}}")) {
						t.Errorf("manifest.json doesn't carry the app id")
					}
				}
			}
			if strings.Join(names, ",") != "manifest.json,color.png,outline.png" {
				t.Errorf("zip holds %v", names)
			}
			if !strings.Contains(stdout.String(), "Wrote "+filepath.Join(dir, tc.file)) {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

func TestTeamsPackageTab(t *testing.T) {
	const appID = "11111111-2222-3333-4444-555555555555"
	type manifest struct {
		StaticTabs []struct {
			EntityID   string   `json:"entityId"`
			Name       string   `json:"name"`
			ContentURL string   `json:"contentUrl"`
			WebsiteURL string   `json:"websiteUrl"`
			Scopes     []string `json:"scopes"`
		} `json:"staticTabs"`
		WebApplicationInfo *struct {
			ID       string `json:"id"`
			Resource string `json:"resource"`
		} `json:"webApplicationInfo"`
		ValidDomains []string `json:"validDomains"`
	}
	read := func(t *testing.T, path string) manifest {
		t.Helper()
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		rc, err := zr.Open("manifest.json")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		var m manifest
		if err := json.NewDecoder(rc).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	dir := t.TempDir()
	run1 := func(t *testing.T, publicURL, out string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		vars := map[string]string{"MICROSOFT_APP_ID": appID, "HPP_PUBLIC_URL": publicURL}
		code := run([]string{"teams-package", "-o", filepath.Join(dir, out)}, func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	t.Run("with HPP_PUBLIC_URL: the My cases tab and its sign-in", func(t *testing.T) {
		code, stdout, stderr := run1(t, "https://hppbot.example.nhs.uk/", "tab.zip")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		m := read(t, filepath.Join(dir, "tab.zip"))
		if len(m.StaticTabs) != 2 || m.StaticTabs[0].EntityID != "conversations" {
			t.Fatalf("staticTabs = %+v; want the chat first, then My cases", m.StaticTabs)
		}
		tab := m.StaticTabs[1]
		if tab.Name != "My cases" || tab.ContentURL != "https://hppbot.example.nhs.uk/tab" || tab.WebsiteURL != "https://hppbot.example.nhs.uk/" || strings.Join(tab.Scopes, ",") != "personal" {
			t.Errorf("tab = %+v", tab)
		}
		if w := m.WebApplicationInfo; w == nil || w.ID != appID || w.Resource != "api://hppbot.example.nhs.uk/"+appID {
			t.Errorf("webApplicationInfo = %+v; want the app id and api://hppbot.example.nhs.uk/<app id>", w)
		}
		if strings.Join(m.ValidDomains, ",") != "hppbot.example.nhs.uk" {
			t.Errorf("validDomains = %v", m.ValidDomains)
		}
		if !strings.Contains(stdout, "My cases at https://hppbot.example.nhs.uk/tab") || !strings.Contains(stdout, "Expose an API") {
			t.Errorf("stdout %q should name the tab and the app registration steps", stdout)
		}
	})
	t.Run("without it: the bot alone", func(t *testing.T) {
		if code, _, stderr := run1(t, "", "bot.zip"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		m := read(t, filepath.Join(dir, "bot.zip"))
		if len(m.StaticTabs) != 0 || m.WebApplicationInfo != nil || len(m.ValidDomains) != 0 {
			t.Errorf("a package without HPP_PUBLIC_URL has a tab: %+v", m)
		}
	})
	// The sign-on resource is the one the server checks tokens against:
	// HPP_ENTRA_AUDIENCE when it is set.
	for _, tc := range []struct {
		name, audience string
		code           int
		resource, want string
	}{
		{"an Application ID URI of its own", "api://hpp.trust.example.nhs.uk/" + appID, 0, "api://hpp.trust.example.nhs.uk/" + appID, ""},
		{"not an Application ID URI", "hpp.trust.example.nhs.uk", 2, "", "HPP_ENTRA_AUDIENCE"},
	} {
		t.Run("HPP_ENTRA_AUDIENCE: "+tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			vars := map[string]string{"MICROSOFT_APP_ID": appID, "HPP_PUBLIC_URL": "https://hppbot.example.nhs.uk", "HPP_ENTRA_AUDIENCE": tc.audience}
			code := run([]string{"teams-package", "-o", filepath.Join(dir, "aud.zip")}, func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and words about %q", code, stderr.String(), tc.code, tc.want)
			}
			if tc.code != 0 {
				return
			}
			if w := read(t, filepath.Join(dir, "aud.zip")).WebApplicationInfo; w == nil || w.Resource != tc.resource {
				t.Errorf("webApplicationInfo = %+v; want resource %s", w, tc.resource)
			}
		})
	}
	for _, bad := range []struct{ url, want string }{
		{"http://hppbot.example.nhs.uk", "https://"},
		{"hppbot.example.nhs.uk", "not a web address"},
		{"https://hppbot.example.nhs.uk/?x=1", "not a web address"},
	} {
		t.Run("refuses "+bad.url, func(t *testing.T) {
			code, _, stderr := run1(t, bad.url, "bad.zip")
			if code != 2 || !strings.Contains(stderr, "HPP_PUBLIC_URL") || !strings.Contains(stderr, bad.want) {
				t.Errorf("exit %d, stderr %q; want 2 and words about %q", code, stderr, bad.want)
			}
		})
	}
}
