package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The icons are drawn here: a white heart (care) on NHS blue for the
// colour icon, and the same heart in white on transparency for the outline
// icon, as Teams asks. go test -update redraws manifest/*.png.

// drawHeart draws a heart of the given colour on bg, size×size, with 4×4
// supersampling for smooth edges.
func drawHeart(size int, fg color.NRGBA, bg color.NRGBA, scale float64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			hits := 0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					// Map to heart space: x, y in about [-1.5, 1.5], y up.
					x := ((float64(px)+(float64(sx)+0.5)/ss)/float64(size) - 0.5) * 3 / scale
					y := -((float64(py)+(float64(sy)+0.5)/ss)/float64(size)-0.5)*3/scale + 0.15
					a := x*x + y*y - 1
					if a*a*a-x*x*y*y*y <= 0 {
						hits++
					}
				}
			}
			f := float64(hits) / ss / ss
			mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*f + float64(b)*(1-f))) }
			if bg.A == 0 {
				img.SetNRGBA(px, py, color.NRGBA{fg.R, fg.G, fg.B, uint8(math.Round(255 * f))})
			} else {
				img.SetNRGBA(px, py, color.NRGBA{mix(fg.R, bg.R), mix(fg.G, bg.G), mix(fg.B, bg.B), 255})
			}
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestIcons(t *testing.T) {
	white := color.NRGBA{255, 255, 255, 255}
	icons := map[string][]byte{
		"color.png":   encodePNG(t, drawHeart(192, white, color.NRGBA{0x00, 0x5E, 0xB8, 255}, 0.95)),
		"outline.png": encodePNG(t, drawHeart(32, white, color.NRGBA{}, 0.9)),
	}
	for name, want := range icons {
		path := filepath.Join("manifest", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the drawing (go test -update redraws it)", path)
		}
	}
	// What Teams asks of the icons.
	colour := decodePNG(t, "manifest/color.png")
	if b := colour.Bounds(); b.Dx() != 192 || b.Dy() != 192 {
		t.Errorf("color.png is %v, want 192×192", b)
	}
	outline := decodePNG(t, "manifest/outline.png")
	if b := outline.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
		t.Errorf("outline.png is %v, want 32×32", b)
	}
	transparent, opaque := 0, 0
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := color.NRGBAModel.Convert(outline.At(x, y)).(color.NRGBA)
			if c.A > 0 && (c.R != 255 || c.G != 255 || c.B != 255) {
				t.Fatalf("outline.png has a pixel that isn't white at %d,%d: %v", x, y, c)
			}
			switch c.A {
			case 0:
				transparent++
			case 255:
				opaque++
			}
		}
	}
	if transparent < 200 || opaque < 100 {
		t.Errorf("outline.png: %d transparent and %d solid pixels; want a white shape on transparency", transparent, opaque)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPackage(t *testing.T) {
	var b bytes.Buffer
	if err := WritePackage(&b, testAppID); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = data
	}
	if len(files) != 3 || files["manifest.json"] == nil || files["color.png"] == nil || files["outline.png"] == nil {
		t.Fatalf("package holds %d files; want manifest.json, color.png and outline.png at the top", len(files))
	}
	raw := files["manifest.json"]
	if bytes.Contains(raw, []byte(appIDPlaceholder)) {
		t.Fatal("the app id placeholder was left in")
	}
	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		Version         string `json:"version"`
		ID              string `json:"id"`
		Developer       struct {
			Name, WebsiteURL, PrivacyURL, TermsOfUseURL string
		} `json:"developer"`
		Name        struct{ Short, Full string }    `json:"name"`
		Description struct{ Short, Full string }    `json:"description"`
		Icons       struct{ Color, Outline string } `json:"icons"`
		AccentColor string                          `json:"accentColor"`
		Bots        []struct {
			BotID        string   `json:"botId"`
			Scopes       []string `json:"scopes"`
			CommandLists []struct {
				Scopes   []string `json:"scopes"`
				Commands []struct{ Title, Description string }
			} `json:"commandLists"`
		} `json:"bots"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		ok   bool
		what string
	}{
		{m.ManifestVersion >= "1.16" && strings.Contains(m.Schema, "v"+m.ManifestVersion+"/"), "manifest schema 1.16 or later, matching $schema"},
		{m.ID == testAppID && len(m.Bots) == 1 && m.Bots[0].BotID == testAppID, "app and bot id filled in"},
		{m.Version == "1.0.0", "a version"},
		{strings.HasPrefix(m.Developer.WebsiteURL, "https://") && strings.HasPrefix(m.Developer.PrivacyURL, "https://") && strings.HasPrefix(m.Developer.TermsOfUseURL, "https://") && m.Developer.Name != "", "developer fields"},
		{m.Name.Short != "" && utf8.RuneCountInString(m.Name.Short) <= 30 && utf8.RuneCountInString(m.Name.Full) <= 100, "names within Teams' limits"},
		{m.Description.Short != "" && utf8.RuneCountInString(m.Description.Short) <= 80 && utf8.RuneCountInString(m.Description.Full) <= 4000, "descriptions within Teams' limits"},
		{m.Icons.Color == "color.png" && m.Icons.Outline == "outline.png", "icons named"},
		{len(m.AccentColor) == 7 && m.AccentColor[0] == '#', "an accent colour"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("manifest: %s", c.what)
		}
	}
	scopes := map[string]bool{}
	for _, s := range m.Bots[0].Scopes {
		scopes[s] = true
	}
	if !scopes["personal"] || !scopes["team"] {
		t.Errorf("bot scopes = %v, want personal and team", m.Bots[0].Scopes)
	}
	listed := map[string]bool{}
	for _, l := range m.Bots[0].CommandLists {
		if len(l.Commands) == 0 || len(l.Commands) > 10 {
			t.Errorf("a command list for %v has %d commands (Teams takes 1 to 10)", l.Scopes, len(l.Commands))
		}
		for _, c := range l.Commands {
			if c.Title == "" || len(c.Title) > 32 || utf8.RuneCountInString(c.Description) > 128 {
				t.Errorf("command %q: title or description too long", c.Title)
			}
		}
		for _, s := range l.Scopes {
			listed[s] = true
		}
	}
	if !listed["personal"] || !listed["team"] {
		t.Errorf("command lists cover %v, want personal and team", listed)
	}
	if err := WritePackage(io.Discard, "not-a-guid"); err == nil {
		t.Error("a package was written for a bad app id")
	}
	// The same app id gives the same bytes.
	var again bytes.Buffer
	_ = WritePackage(&again, testAppID)
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the package is not reproducible")
	}
}
