package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadTeamsSSO(t *testing.T) {
	const (
		app    = "11111111-2222-3333-4444-555555555555"
		tenant = "00000000-0000-4000-8000-00000000a001"
		other  = "00000000-0000-4000-8000-00000000b002"
	)
	on := map[string]string{"HPP_PUBLIC_URL": "https://hppbot.example.nhs.uk", "MICROSOFT_APP_ID": app, "MICROSOFT_APP_TENANT_ID": tenant}
	with := func(changes ...string) func(string) string {
		vars := map[string]string{}
		for k, v := range on {
			vars[k] = v
		}
		for i := 0; i+1 < len(changes); i += 2 {
			vars[changes[i]] = changes[i+1]
		}
		return func(k string) string { return vars[k] }
	}
	t.Run("on, from the Teams settings", func(t *testing.T) {
		cfg, off, err := readTeamsSSO(with())
		if err != nil || cfg == nil {
			t.Fatalf("cfg %v, off %q, err %v", cfg, off, err)
		}
		if !slices.Equal(cfg.Tenants, []string{tenant}) || !slices.Equal(cfg.Audiences, []string{"api://hppbot.example.nhs.uk/" + app, app}) || cfg.Authority != "" {
			t.Errorf("cfg = %+v", cfg)
		}
	})
	t.Run("tenants, audience and authority set", func(t *testing.T) {
		cfg, _, err := readTeamsSSO(with("HPP_ENTRA_TENANTS", tenant+", "+other, "HPP_ENTRA_AUDIENCE", "api://tab.example.nhs.uk/"+app, "HPP_ENTRA_AUTHORITY", "http://127.0.0.1:9999"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Tenants, []string{tenant, other}) || cfg.Audiences[0] != "api://tab.example.nhs.uk/"+app || cfg.Authority != "http://127.0.0.1:9999" {
			t.Errorf("cfg = %+v", cfg)
		}
	})
	for _, tc := range []struct{ name, key, value, want string }{
		{"no public address", "HPP_PUBLIC_URL", "", "HPP_PUBLIC_URL"},
		{"no Teams app", "MICROSOFT_APP_ID", "", "MICROSOFT_APP_ID"},
		{"no tenant", "MICROSOFT_APP_TENANT_ID", "", "MICROSOFT_APP_TENANT_ID"},
		{"the bot's tenant by name", "MICROSOFT_APP_TENANT_ID", "nhs.net", "HPP_ENTRA_TENANTS"},
	} {
		t.Run("off: "+tc.name, func(t *testing.T) {
			cfg, off, err := readTeamsSSO(with(tc.key, tc.value))
			if cfg != nil || err != nil || !strings.Contains(off, tc.want) {
				t.Errorf("cfg %v, off %q, err %v; want off naming %s", cfg, off, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		changes []string
		varName string
	}{
		{"a listed tenant not a GUID", []string{"HPP_ENTRA_TENANTS", tenant + ",nhs"}, "HPP_ENTRA_TENANTS"},
		{"audience not an api:// URI", []string{"HPP_ENTRA_AUDIENCE", "hppbot"}, "HPP_ENTRA_AUDIENCE"},
		{"authority not a URL", []string{"HPP_ENTRA_AUTHORITY", "login"}, "HPP_ENTRA_AUTHORITY"},
		{"public address not a URL", []string{"HPP_PUBLIC_URL", "hppbot"}, "HPP_PUBLIC_URL"},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			_, _, err := readTeamsSSO(with(tc.changes...))
			var ce *configError
			if !errors.As(err, &ce) || ce.Var != tc.varName {
				t.Fatalf("err = %v; want a configError naming %s", err, tc.varName)
			}
		})
	}
}
