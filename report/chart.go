package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The chart is two panels drawn on one image, sharing a time axis of ISO
// weeks: contacts each week made on time and late (stacked bars), and the
// days from becoming aware to first contact (one dot per case, with the
// weekly median as a line).

// Chart size in pixels.
const (
	ChartWidth  = 1000
	ChartHeight = 700
	chartDPI    = 96
)

// Colours from the Okabe–Ito palette, which reads for people with colour
// blindness.
var (
	colourOnTime = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF} // blue
	colourLate   = color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF} // orange
	colourPoint  = color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF} // sky blue
	colourMedian = color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}
	colourGrid   = color.RGBA{R: 0xDD, G: 0xDD, B: 0xDD, A: 0xFF}
)

// ChartData is exactly what the chart plots, so it can be checked without
// reading pixels.
type ChartData struct {
	Weeks  []time.Time // the Monday starting each week
	Labels []string    // the x-axis label of each week's Monday ("" for weeks not labelled)
	OnTime []float64   // contacts made on or before their due time, per week
	Late   []float64   // contacts made after it, per week
	// Cases are the first contacts: x is the position on the week axis
	// (week i spans i-0.5 to i+0.5), y the days from becoming aware.
	Cases plotter.XYs
	// Medians are the weekly medians of Cases, at each week's centre.
	Medians plotter.XYs
}

// NewChartData lays the figures out for the chart.
func NewChartData(f Figures, loc *time.Location) ChartData {
	if loc == nil {
		loc = time.UTC
	}
	n := len(f.Weeks)
	d := ChartData{Weeks: make([]time.Time, n), Labels: make([]string, n), OnTime: make([]float64, n), Late: make([]float64, n)}
	every := max(1, int(math.Ceil(float64(n)/10))) // at most ten labels, so dates never collide
	lastYear := 0
	for i, w := range f.Weeks {
		d.Weeks[i] = w.Start
		d.OnTime[i] = float64(w.OnTime)
		d.Late[i] = float64(w.Late)
		if i%every == 0 {
			start := w.Start.In(loc)
			if start.Year() != lastYear {
				d.Labels[i] = start.Format("2 Jan 2006")
				lastYear = start.Year()
			} else {
				d.Labels[i] = start.Format("2 Jan")
			}
		}
		if m, ok := Median(w.FirstContactDays); ok {
			d.Medians = append(d.Medians, plotter.XY{X: float64(i), Y: m})
		}
	}
	if n > 0 {
		origin := f.Weeks[0].Start
		for _, fc := range f.FirstContacts {
			x := fc.At.Sub(origin).Hours()/(24*7) - 0.5
			d.Cases = append(d.Cases, plotter.XY{X: x, Y: fc.Days})
		}
	}
	return d
}

// Chart draws the figures as a PNG of ChartWidth × ChartHeight pixels.
// heading names what the chart covers, such as "maternity · 1 Sep to 30
// Nov 2026".
func Chart(f Figures, heading string, loc *time.Location) ([]byte, error) {
	return NewChartData(f, loc).PNG(heading)
}

// PNG draws the chart.
func (d ChartData) PNG(heading string) ([]byte, error) {
	w, h := chartSize()
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	if err := d.draw(draw.New(img), heading); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SVG draws the chart as SVG, the same size and the same drawing as PNG,
// with its fonts embedded so it needs nothing else to show.
func (d ChartData) SVG(heading string) ([]byte, error) {
	w, h := chartSize()
	c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(true))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if err := d.draw(dc, heading); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func chartSize() (w, h vg.Length) {
	return vg.Length(ChartWidth) * vg.Inch / chartDPI, vg.Length(ChartHeight) * vg.Inch / chartDPI
}

// draw lays the heading and the two panels out on a canvas.
func (d ChartData) draw(dc draw.Canvas, heading string) error {
	if len(d.Weeks) == 0 {
		return fmt.Errorf("report: no weeks to chart")
	}
	top, err := d.contactsPlot()
	if err != nil {
		return err
	}
	bottom, err := d.firstContactPlot()
	if err != nil {
		return err
	}
	w, h := chartSize()
	headStyle := textStyle(15)
	headStyle.XAlign, headStyle.YAlign = draw.XCenter, draw.YTop
	headHeight := headStyle.Height(heading) + 10
	dc.FillText(headStyle, vg.Point{X: w / 2, Y: h - 6}, heading)
	body := draw.Crop(dc, 0, 0, 0, -headHeight)

	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: 18, PadTop: 4, PadBottom: 6, PadLeft: 8, PadRight: 14}
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, tiles, body)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	return nil
}

func (d ChartData) contactsPlot() (*plot.Plot, error) {
	p := newPlot("Contacts with families each week: on time and late", "Contacts")
	n := len(d.Weeks)
	barWidth := vg.Length(math.Max(2, math.Min(36, 620/float64(n)*0.7)))
	onTime, err := plotter.NewBarChart(plotter.Values(d.OnTime), barWidth)
	if err != nil {
		return nil, err
	}
	onTime.Color = colourOnTime
	onTime.LineStyle.Width = 0
	late, err := plotter.NewBarChart(plotter.Values(d.Late), barWidth)
	if err != nil {
		return nil, err
	}
	late.Color = colourLate
	late.LineStyle.Width = 0
	late.StackOn(onTime)
	p.Add(grid(), onTime, late)
	p.Legend.Add("Made on or before the due time", onTime)
	p.Legend.Add("Made after the due time", late)
	highest := 0.0
	for i := range d.OnTime {
		highest = math.Max(highest, d.OnTime[i]+d.Late[i])
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(4, math.Ceil(highest*1.35)) // room for the legend
	p.Y.Tick.Marker = wholeTicks{}
	d.weekAxis(p)
	return p, nil
}

func (d ChartData) firstContactPlot() (*plot.Plot, error) {
	p := newPlot("Days from becoming aware of the harm to the first contact with the family", "Days")
	p.X.Label.Text = "Week starting (Monday)"
	p.Add(grid())
	highest := 0.0
	if len(d.Cases) > 0 {
		s, err := plotter.NewScatter(d.Cases)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color = colourPoint
		s.GlyphStyle.Radius = vg.Points(4)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(s)
		p.Legend.Add("One case", s)
		for _, c := range d.Cases {
			highest = math.Max(highest, c.Y)
		}
	}
	if len(d.Medians) > 0 {
		l, pts, err := plotter.NewLinePoints(d.Medians)
		if err != nil {
			return nil, err
		}
		l.Color = colourMedian
		l.Width = vg.Points(1.5)
		pts.Color = colourMedian
		pts.Shape = draw.BoxGlyph{}
		pts.Radius = vg.Points(2.5)
		p.Add(l, pts)
		p.Legend.Add("Median for the week", l, pts)
	}
	if len(d.Cases) == 0 {
		p.Title.Text += " — no first contacts in this period"
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(3, math.Ceil(highest*1.35))
	p.Y.Tick.Marker = wholeTicks{}
	d.weekAxis(p)
	return p, nil
}

// weekAxis gives a plot the shared week axis.
func (d ChartData) weekAxis(p *plot.Plot) {
	p.X.Min = -0.5
	p.X.Max = float64(len(d.Weeks)) - 0.5
	// Each week spans i-0.5 to i+0.5; its Monday is the tick on its left
	// edge, so a bar sits between the Monday it starts and the next.
	var ticks []plot.Tick
	for i, l := range d.Labels {
		ticks = append(ticks, plot.Tick{Value: float64(i) - 0.5, Label: l})
	}
	ticks = append(ticks, plot.Tick{Value: float64(len(d.Labels)) - 0.5})
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
}

func newPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.Padding = 6
	p.Y.Label.Text = yLabel
	p.Y.Label.TextStyle.Font = sans(12)
	p.X.Label.TextStyle.Font = sans(12)
	p.X.Tick.Label.Font = sans(10.5)
	p.Y.Tick.Label.Font = sans(10.5)
	p.Legend.TextStyle.Font = sans(11)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = 8
	p.Legend.YOffs = -4
	p.Legend.ThumbnailWidth = 18
	p.Legend.Padding = 3
	return p
}

func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil // weeks are marked by the bars; keep it calm
	g.Horizontal.Color = colourGrid
	return g
}

func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: font.Length(size)}
}

func textStyle(size float64) text.Style {
	return text.Style{Color: color.Black, Font: sans(size), Handler: plot.DefaultTextHandler}
}

// wholeTicks marks whole numbers only: counts of contacts have no halves.
type wholeTicks struct{}

// Ticks implements plot.Ticker.
func (wholeTicks) Ticks(min, max float64) []plot.Tick {
	step := math.Max(1, math.Ceil((max-min)/6))
	var out []plot.Tick
	for v := math.Ceil(min); v <= max && len(out) < 50; v += step {
		out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return out
}

// ChartText is the chart in words: every figure it plots, so a person who
// can't see the picture (a screen reader, a text-only client) gets the
// same. Weeks with nothing to show are counted, not listed.
func ChartText(f Figures, loc *time.Location) []string {
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }
	var lines []string
	if len(f.Weeks) == 0 {
		return []string{"The chart has no weeks to show."}
	}
	lines = append(lines, fmt.Sprintf("Contacts with families each week, on time and late, over %d weeks from the week of %s:", len(f.Weeks), day(f.Weeks[0].Start)))
	quiet := 0
	for _, w := range f.Weeks {
		if w.OnTime == 0 && w.Late == 0 {
			quiet++
			continue
		}
		lines = append(lines, fmt.Sprintf("• Week of %s: %d on time, %d late.", day(w.Start), w.OnTime, w.Late))
	}
	switch {
	case quiet == len(f.Weeks):
		lines = append(lines, "• No contacts were logged in any of these weeks.")
	case quiet > 0:
		lines = append(lines, fmt.Sprintf("• The other %d %s: no contacts.", quiet, plural(quiet, "week", "weeks")))
	}
	lines = append(lines, "Days from becoming aware of the harm to the first contact, for each case, by the week of the first contact:")
	some := false
	for _, w := range f.Weeks {
		if len(w.FirstContactDays) == 0 {
			continue
		}
		some = true
		days := make([]string, len(w.FirstContactDays))
		for i, d := range w.FirstContactDays {
			days[i] = fmt.Sprintf("%.1f", d)
		}
		line := fmt.Sprintf("• Week of %s: %s days", day(w.Start), joinList(days))
		if m, ok := Median(w.FirstContactDays); ok && len(days) > 1 {
			line += fmt.Sprintf(" (median %.1f)", m)
		}
		lines = append(lines, line+".")
	}
	if !some {
		lines = append(lines, "• No first contacts were logged in these weeks.")
	}
	return lines
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinList writes "a", "a and b", "a, b and c".
func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " and " + xs[len(xs)-1]
}
