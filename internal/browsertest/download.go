package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Download runs steps that start a download (a click on a link, say) and
// returns the saved file's name — as the server's Content-Disposition named
// it — and contents, as a person's browser would save it. It fails the test
// if no download finishes within the step timeout.
func (b *Browser) Download(steps ...chromedp.Action[chromedp.Void]) (name string, data []byte) {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		BrowserContextID: chromedp.FromContext(b.Ctx).BrowserContextID, // the test's own, when shared
	}); err != nil {
		b.t.Fatalf("browser: allowing downloads: %v", err)
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	for {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() && !strings.HasSuffix(e.Name(), ".crdownload") {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					b.t.Fatal(err)
				}
				return e.Name(), data
			}
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("browser: no download finished within %v", actionTimeout)
			return "", nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}
