package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Widths are the screen widths each page is looked at: a desktop, and 320
// CSS px, where WCAG's reflow asks for no sideways scrolling.
var Widths = []int{1280, 320}

// Screenshot sizes the tab to width CSS px (at one device pixel per CSS
// px) and returns a PNG of the whole page, top to bottom. The tab keeps
// that width afterwards.
func (b *Browser) Screenshot(width int) []byte {
	b.t.Helper()
	b.Do(chromedp.EmulateViewport(int64(width), 800))
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browser: screenshot at %d px: %v", width, err)
	}
	return png
}

// SaveScreenshots writes name-1280.png and name-320.png (see Widths) of the
// page now open into dir and returns their paths. Afterwards the tab is at
// the last width.
func (b *Browser) SaveScreenshots(dir, name string) []string {
	b.t.Helper()
	var paths []string
	for _, w := range Widths {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(path, b.Screenshot(w), 0o644); err != nil {
			b.t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// ScreenshotDir is where a test saves screenshots: HPP_TEST_SCREENSHOTS
// when set (kept, so a person can look at them), else a folder removed
// when the test ends.
func ScreenshotDir(t testing.TB) string {
	dir := os.Getenv("HPP_TEST_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Overflows says whether the page now open scrolls sideways at the tab's
// width: at 320 px it must not (WCAG 1.4.10 Reflow).
func (b *Browser) Overflows() bool {
	b.t.Helper()
	return Eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`)
}
