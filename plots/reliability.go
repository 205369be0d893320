package plots

import (
	"fmt"
	"image/color"
	"math"

	"github.com/gorgonia-bnn/bnn/uncertainty"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ReliabilityDiagram draws a reliability diagram as a 6 × 4 inch PNG
// picture: for each non-empty confidence bin a bar up to the bin's
// accuracy, labelled with the bin's number of examples, a hatched gap from
// there to the bin's mean confidence (red above an over-confident bin's
// bar, white hatching inside an under-confident one's), and the diagonal
// on which a perfectly calibrated model's bars would end. The bins
// are typically uncertainty.Calibration.Bins. Bars below the diagonal mean
// over-confidence, bars above it under-confidence.
//
// The expected calibration error, sum over bins of Count/total ×
// |Accuracy - Confidence|, is appended to the title.
//
// It returns an error if there are no bins or all are empty, or if a bin
// has bounds outside [0, 1] or Lo >= Hi, a Confidence or Accuracy outside
// [0, 1], or a negative Count.
func ReliabilityDiagram(title string, bins []uncertainty.ReliabilityBin) ([]byte, error) {
	const fn = "ReliabilityDiagram"
	if len(bins) == 0 {
		return nil, fmt.Errorf("plots: %s: no bins", fn)
	}
	total := 0
	for b, bin := range bins {
		switch {
		case !(0 <= bin.Lo && bin.Lo < bin.Hi && bin.Hi <= 1):
			return nil, fmt.Errorf("plots: %s: bins[%d] covers (%v, %v], want 0 <= Lo < Hi <= 1", fn, b, bin.Lo, bin.Hi)
		case !(0 <= bin.Confidence && bin.Confidence <= 1):
			return nil, fmt.Errorf("plots: %s: bins[%d].Confidence = %v is outside [0, 1]", fn, b, bin.Confidence)
		case !(0 <= bin.Accuracy && bin.Accuracy <= 1):
			return nil, fmt.Errorf("plots: %s: bins[%d].Accuracy = %v is outside [0, 1]", fn, b, bin.Accuracy)
		case bin.Count < 0:
			return nil, fmt.Errorf("plots: %s: bins[%d].Count = %d is negative", fn, b, bin.Count)
		}
		total += bin.Count
	}
	if total == 0 {
		return nil, fmt.Errorf("plots: %s: all %d bins are empty", fn, len(bins))
	}

	var ece float64
	for _, bin := range bins {
		ece += float64(bin.Count) / float64(total) * math.Abs(bin.Accuracy-bin.Confidence)
	}
	if title == "" {
		title = fmt.Sprintf("ECE %.4f", ece)
	} else {
		title = fmt.Sprintf("%s (ECE %.4f)", title, ece)
	}
	p := newPlot(title, "confidence", "accuracy")
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, 1

	// Each bar is its own polygon so that adjacent outlines stay visible.
	// Fills are opaque, so every gap looks exactly like its legend entry
	// wherever it lies: above its bar (over-confident: light red, red
	// hatching) or inside it (under-confident: the bar's blue, white
	// hatching), drawn after the bars.
	barFill := overWhite(blue, 0.85)
	var barThumb plot.Thumbnailer
	var over, under []*hatchedRect
	counts := plotter.XYLabels{}
	for _, bin := range bins {
		if bin.Count == 0 {
			continue
		}
		bar, err := plotter.NewPolygon(rect(bin.Lo, bin.Hi, 0, bin.Accuracy))
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %w", fn, err)
		}
		bar.Color = barFill
		bar.LineStyle.Color = black
		bar.LineStyle.Width = vg.Points(0.6)
		p.Add(bar)
		barThumb = bar
		gap := &hatchedRect{
			X0: bin.Lo, X1: bin.Hi,
			Y0: min(bin.Accuracy, bin.Confidence), Y1: max(bin.Accuracy, bin.Confidence),
			Spacing: vg.Points(4),
		}
		switch {
		case bin.Accuracy < bin.Confidence:
			gap.Fill, gap.Line = overWhite(red, 0.2), draw.LineStyle{Color: red, Width: vg.Points(0.7)}
			over = append(over, gap)
		case bin.Accuracy > bin.Confidence:
			gap.Fill, gap.Line = barFill, draw.LineStyle{Color: color.White, Width: vg.Points(0.9)}
			under = append(under, gap)
		}
		counts.XYs = append(counts.XYs, plotter.XY{X: (bin.Lo + bin.Hi) / 2, Y: max(bin.Accuracy, bin.Confidence)})
		counts.Labels = append(counts.Labels, fmt.Sprint(bin.Count))
	}
	for _, g := range append(over, under...) {
		p.Add(g)
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("plots: %s: %w", fn, err)
	}
	diag.Color = grey
	diag.Width = vg.Points(1)
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	// Each bin's number of examples, just above its bar or gap.
	labels, err := plotter.NewLabels(counts)
	if err != nil {
		return nil, fmt.Errorf("plots: %s: %w", fn, err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Size = vg.Points(7)
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YBottom
		labels.TextStyle[i].Color = grey
	}
	labels.Offset = vg.Point{Y: vg.Points(1.5)}
	p.Add(labels)

	p.Legend.Add("accuracy (examples per bin above each bar)", barThumb)
	if len(over) > 0 {
		p.Legend.Add("gap to confidence: over-confident", over[0])
	}
	if len(under) > 0 {
		p.Legend.Add("gap to confidence: under-confident", under[0])
	}
	p.Legend.Add("perfect calibration", diag)
	return renderPlot(fn, p, width, height)
}

// SaveReliabilityDiagram writes ReliabilityDiagram(title, bins) to path as
// a PNG file, atomically.
func SaveReliabilityDiagram(path, title string, bins []uncertainty.ReliabilityBin) error {
	png, err := ReliabilityDiagram(title, bins)
	return save(path, png, err)
}

// rect returns the corners of the rectangle [x0, x1] × [y0, y1].
func rect(x0, x1, y0, y1 float64) plotter.XYs {
	return plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// overWhite returns the opaque colour c shows at opacity alpha over white.
func overWhite(c color.NRGBA, alpha float64) color.NRGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(alpha*float64(v) + (1-alpha)*255)) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 255}
}
