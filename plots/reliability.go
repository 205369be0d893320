package plots

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/uncertainty"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ReliabilityDiagram draws a reliability diagram as a 6 × 4 inch PNG
// picture: for each non-empty confidence bin a bar up to the bin's
// accuracy, a hatched gap from there to the bin's mean confidence, and the
// diagonal on which a perfectly calibrated model's bars would end. The bins
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
	// The gaps come after the bars, hatched, so that a gap inside a bar
	// (an under-confident bin) shows as well as one above it.
	var barThumb plot.Thumbnailer
	var gaps []*hatchedRect
	for _, bin := range bins {
		if bin.Count == 0 {
			continue
		}
		bar, err := plotter.NewPolygon(rect(bin.Lo, bin.Hi, 0, bin.Accuracy))
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %w", fn, err)
		}
		bar.Color = withAlpha(blue, 0.85)
		bar.LineStyle.Color = black
		bar.LineStyle.Width = vg.Points(0.6)
		p.Add(bar)
		barThumb = bar
		if bin.Accuracy != bin.Confidence {
			gaps = append(gaps, &hatchedRect{
				X0: bin.Lo, X1: bin.Hi,
				Y0: min(bin.Accuracy, bin.Confidence), Y1: max(bin.Accuracy, bin.Confidence),
				Fill:    withAlpha(red, 0.2),
				Line:    draw.LineStyle{Color: red, Width: vg.Points(0.7)},
				Spacing: vg.Points(4),
			})
		}
	}
	for _, g := range gaps {
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

	p.Legend.Add("accuracy", barThumb)
	if len(gaps) > 0 {
		p.Legend.Add("gap to confidence", gaps[0])
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
