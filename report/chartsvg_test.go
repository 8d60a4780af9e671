package report

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// TestChartSVG: the SVG is well-formed XML, the chart's size, with the
// heading and the same bars in the same colours as the PNG.
func TestChartSVG(t *testing.T) {
	s, in := knownSet(t)
	data, err := NewChartData(Compute(in), s.loc).SVG("maternity · 28 Oct to 25 Nov 2026")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the chart is not well-formed SVG: %v", err)
			}
			break
		}
	}
	svg := string(data)
	for _, want := range []string{"<svg", "maternity · 28 Oct to 25 Nov 2026",
		fmt.Sprintf("#%02X%02X%02X", colourOnTime.R, colourOnTime.G, colourOnTime.B),
		fmt.Sprintf("#%02X%02X%02X", colourLate.R, colourLate.G, colourLate.B)} {
		if !strings.Contains(strings.ToUpper(svg), strings.ToUpper(want)) {
			t.Errorf("the SVG has no %q", want)
		}
	}
	if _, err := (ChartData{}).SVG(""); err == nil {
		t.Error("an empty chart drew")
	}
}
