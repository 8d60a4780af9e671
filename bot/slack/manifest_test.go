package slack

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// The manifest asks for what the surface uses and no more.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab     bool `yaml:"home_tab_enabled"`
				MessagesTab bool `yaml:"messages_tab_enabled"`
				// Read-only would stop people typing to hppbot.
				MessagesTabReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			SlashCommands []struct {
				Command      string `yaml:"command"`
				URL          string `yaml:"url"`
				ShouldEscape bool   `yaml:"should_escape"`
				UsageHint    string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				URL    string   `yaml:"request_url"`
				Events []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool   `yaml:"is_enabled"`
				URL     string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode *bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
	if want := []string{"chat:write", "commands", "files:write", "im:history", "im:write", "users:read"}; !slices.Equal(scopes, want) {
		t.Errorf("scopes %v, want %v", scopes, want)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("slash commands: %+v", m.Features.SlashCommands)
	}
	cmd := m.Features.SlashCommands[0]
	if cmd.Command != "/hpp" || !cmd.ShouldEscape || cmd.UsageHint == "" || cmd.URL != "https://hppbot.example.org/slack/commands" {
		t.Errorf("slash command: %+v", cmd)
	}
	// The Messages tab takes typed commands (message.im): it must not be read-only.
	if !m.Features.AppHome.HomeTab || !m.Features.AppHome.MessagesTab || m.Features.AppHome.MessagesTabReadOnly {
		t.Errorf("app home: %+v", m.Features.AppHome)
	}
	if !slices.Equal(m.Settings.Events.Events, []string{"app_home_opened", "message.im"}) || m.Settings.Events.URL != "https://hppbot.example.org/slack/events" {
		t.Errorf("events: %+v", m.Settings.Events)
	}
	if !m.Settings.Interactivity.Enabled || m.Settings.Interactivity.URL != "https://hppbot.example.org/slack/interactivity" {
		t.Errorf("interactivity: %+v", m.Settings.Interactivity)
	}
	if m.Settings.SocketMode == nil {
		t.Error("socket_mode_enabled should be stated, so operators see the switch")
	}
}
