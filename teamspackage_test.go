package main

import (
	"archive/zip"
	"bytes"
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
