package report

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
	"time"
)

func TestChartDataKnownSet(t *testing.T) {
	s, in := knownSet(t)
	d := NewChartData(Compute(in), s.loc)
	if len(d.Weeks) != 5 || len(d.OnTime) != 5 || len(d.Late) != 5 || len(d.Labels) != 5 {
		t.Fatalf("week series lengths: %d %d %d %d", len(d.Weeks), len(d.OnTime), len(d.Late), len(d.Labels))
	}
	sum := func(vs []float64) (n float64) {
		for _, v := range vs {
			n += v
		}
		return n
	}
	if sum(d.OnTime) != 4 || sum(d.Late) != 3 { // the known set's contacts, candour steps among them
		t.Errorf("bars: on time %v, late %v", d.OnTime, d.Late)
	}
	if d.OnTime[1] != 2 || d.Late[1] != 2 {
		t.Errorf("week of 2 Nov: on time %v late %v", d.OnTime[1], d.Late[1])
	}
	if len(d.Cases) != 3 {
		t.Fatalf("scatter has %d points, want 3", len(d.Cases))
	}
	for _, c := range d.Cases {
		if c.X < -0.5 || c.X > float64(len(d.Weeks))-0.5 || c.Y < 0 {
			t.Errorf("point %+v is off the axes", c)
		}
	}
	// A first contact on Tue 3 Nov sits in week 1 (2 Nov), which spans 0.5 to 1.5.
	if x := d.Cases[0].X; x < 0.5 || x > 1.5 {
		t.Errorf("first point x = %v, want within week 1", x)
	}
	if len(d.Medians) != 2 || d.Medians[0].X != 1 || d.Medians[1].X != 2 {
		t.Errorf("medians = %v, want weeks 1 and 2", d.Medians)
	}
	if d.Labels[0] != "26 Oct 2026" || d.Labels[1] != "2 Nov" {
		t.Errorf("labels = %q", d.Labels)
	}
}

func TestChartLabelsThinOut(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := Compute(Input{From: now.AddDate(0, 0, -730), To: now, Now: now})
	d := NewChartData(f, time.UTC)
	labelled := 0
	for _, l := range d.Labels {
		if l != "" {
			labelled++
		}
	}
	if labelled == 0 || labelled > 11 {
		t.Fatalf("%d of %d weeks labelled; want a readable number", labelled, len(d.Labels))
	}
}

func TestChartPNG(t *testing.T) {
	s, in := knownSet(t)
	data, err := Chart(Compute(in), "maternity · 28 Oct to 25 Nov 2026", s.loc)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight {
		t.Fatalf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), ChartWidth, ChartHeight)
	}
	if n := countColour(img, colourOnTime); n < 200 {
		t.Errorf("%d on-time pixels: the on-time bars are missing", n)
	}
	if n := countColour(img, colourLate); n < 200 {
		t.Errorf("%d late pixels: the late bars are missing", n)
	}
	if n := countColour(img, colourPoint); n < 30 {
		t.Errorf("%d point pixels: the first-contact dots are missing", n)
	}
	if dir := os.Getenv("HPP_CHART_OUT"); dir != "" {
		_ = os.WriteFile(dir+"/chart-test.png", data, 0o644)
	}
}

func TestChartEmptyWindowStillDraws(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	data, err := Chart(Compute(Input{From: now.AddDate(0, 0, -14), To: now, Now: now}), "nothing yet", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Not blank: axes, titles and labels are drawn in dark ink.
	if n := countDark(img); n < 500 {
		t.Fatalf("only %d dark pixels: the chart looks blank", n)
	}
	if _, err := Chart(Figures{}, "", time.UTC); err == nil {
		t.Fatal("a chart with no weeks should be refused, not drawn empty")
	}
}

func countColour(img image.Image, want interface{ RGBA() (r, g, b, a uint32) }) int {
	wr, wg, wb, _ := want.RGBA()
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, wr) && near(g, wg) && near(bl, wb) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint32) bool {
	d := int(a>>8) - int(b>>8)
	return d > -8 && d < 8
}

func countDark(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 100 && g>>8 < 100 && bl>>8 < 100 {
				n++
			}
		}
	}
	return n
}
