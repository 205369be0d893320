package plots

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RegressionPlot describes a regression picture: noisy data, the predictive
// mean with a shaded band, and optionally the true function and a few
// sampled functions. Everything drawn as a curve is given on the grid X.
type RegressionPlot struct {
	Title string
	// XLabel and YLabel label the axes; they default to "x" and "y".
	XLabel, YLabel string

	// DataX and DataY are the observations, drawn as points. They may be
	// empty.
	DataX, DataY []float64

	// X is the grid of the curves, at least two points. It need not be
	// sorted: the curves are drawn in increasing order of X.
	X []float64
	// Mean is the predictive mean at X, drawn as a line.
	Mean []float64
	// Lower and Upper bound the shaded band at X, for example mean ± 2 std
	// from uncertainty.Summarize or two curves from uncertainty.Quantiles.
	// Both nil draws no band.
	Lower, Upper []float64
	// BandLabel names the band in the legend; it defaults to
	// "predictive interval".
	BandLabel string

	// Truth, if not nil, is the true function at X, drawn dashed.
	Truth []float64
	// SampleFuncs, if any, are functions drawn from the posterior at X,
	// drawn as thin lines. A handful is enough.
	SampleFuncs [][]float64
}

// RegressionBand draws d as a 6 × 4 inch PNG picture.
//
// It returns an error if X has fewer than two points; if Mean, Lower,
// Upper, Truth (when given) or a sampled function does not have one value
// per point of X; if only one of Lower and Upper is given or Lower[i] >
// Upper[i]; if DataX and DataY differ in length; if any value is NaN or
// infinite; or if the values of an axis span a range wider than the
// largest float64.
func RegressionBand(d RegressionPlot) ([]byte, error) {
	const fn = "RegressionBand"
	if err := d.validate(fn); err != nil {
		return nil, err
	}
	// Draw the curves in increasing order of X.
	order := make([]int, len(d.X))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(d.X[a], d.X[b]) })
	xys := func(ys []float64) plotter.XYs {
		pts := make(plotter.XYs, len(order))
		for j, i := range order {
			pts[j] = plotter.XY{X: d.X[i], Y: ys[i]}
		}
		return pts
	}

	p := newPlot(d.Title, cmp.Or(d.XLabel, "x"), cmp.Or(d.YLabel, "y"))

	var legend []legendItem
	if d.Lower != nil {
		ring := append(xys(d.Upper), reversed(xys(d.Lower))...)
		band, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, fmt.Errorf("plots: %s: band: %w", fn, err)
		}
		band.Color = withAlpha(blue, 0.25)
		band.LineStyle.Width = 0
		p.Add(band)
		legend = append(legend, legendItem{cmp.Or(d.BandLabel, "predictive interval"), band})
	}
	for k, f := range d.SampleFuncs {
		l, err := plotter.NewLine(xys(f))
		if err != nil {
			return nil, fmt.Errorf("plots: %s: SampleFuncs[%d]: %w", fn, k, err)
		}
		l.Color = withAlpha(grey, 0.55)
		l.Width = vg.Points(0.6)
		p.Add(l)
		if k == 0 {
			legend = append(legend, legendItem{"sampled functions", l})
		}
	}
	if d.Truth != nil {
		l, err := plotter.NewLine(xys(d.Truth))
		if err != nil {
			return nil, fmt.Errorf("plots: %s: Truth: %w", fn, err)
		}
		l.Color = black
		l.Width = vg.Points(1.2)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		legend = append(legend, legendItem{"truth", l})
	}
	mean, err := plotter.NewLine(xys(d.Mean))
	if err != nil {
		return nil, fmt.Errorf("plots: %s: Mean: %w", fn, err)
	}
	mean.Color = blue
	mean.Width = vg.Points(1.8)
	p.Add(mean)
	legend = append(legend, legendItem{"predictive mean", mean})

	if len(d.DataX) > 0 {
		pts := make(plotter.XYs, len(d.DataX))
		for i := range pts {
			pts[i] = plotter.XY{X: d.DataX[i], Y: d.DataY[i]}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("plots: %s: data: %w", fn, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(orange, 0.8), Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		legend = append([]legendItem{{"data", sc}}, legend...)
	}
	for _, it := range legend {
		p.Legend.Add(it.label, it.thumb)
	}
	lo, hi := d.yRange()
	makeRoomForLegend(p, lo, hi, len(legend))
	return renderPlot(fn, p, width, height)
}

// SaveRegressionBand writes RegressionBand(d) to path as a PNG file,
// atomically.
func SaveRegressionBand(path string, d RegressionPlot) error {
	png, err := RegressionBand(d)
	return save(path, png, err)
}

// yRange returns the smallest and largest value drawn.
func (d *RegressionPlot) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, ys := range append([][]float64{d.Mean, d.Lower, d.Upper, d.Truth, d.DataY}, d.SampleFuncs...) {
		for _, y := range ys {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	return lo, hi
}

func (d *RegressionPlot) validate(fn string) error {
	n := len(d.X)
	if n < 2 {
		return fmt.Errorf("plots: %s: X has %d points, want at least 2", fn, n)
	}
	if (d.Lower == nil) != (d.Upper == nil) {
		return fmt.Errorf("plots: %s: only one of Lower and Upper is given", fn)
	}
	if err := checkFinite(fn, "X", d.X); err != nil {
		return err
	}
	curves := []series{{"Mean", d.Mean}}
	if d.Lower != nil {
		curves = append(curves, series{"Lower", d.Lower}, series{"Upper", d.Upper})
	}
	if d.Truth != nil {
		curves = append(curves, series{"Truth", d.Truth})
	}
	for k, f := range d.SampleFuncs {
		curves = append(curves, series{fmt.Sprintf("SampleFuncs[%d]", k), f})
	}
	for _, c := range curves {
		if err := checkLen(fn, c.name, c.values, n, "X"); err != nil {
			return err
		}
		if err := checkFinite(fn, c.name, c.values); err != nil {
			return err
		}
	}
	for i := range d.Lower {
		if d.Lower[i] > d.Upper[i] {
			return fmt.Errorf("plots: %s: Lower[%d] = %v is above Upper[%d] = %v", fn, i, d.Lower[i], i, d.Upper[i])
		}
	}
	if err := checkLen(fn, "DataY", d.DataY, len(d.DataX), "DataX"); err != nil {
		return err
	}
	if err := checkFinite(fn, "DataX", d.DataX); err != nil {
		return err
	}
	if err := checkFinite(fn, "DataY", d.DataY); err != nil {
		return err
	}
	xlo, xhi := min(slices.Min(d.X), minOr(d.DataX)), max(slices.Max(d.X), maxOr(d.DataX))
	if err := checkSpan(fn, "x", xlo, xhi); err != nil {
		return err
	}
	ylo, yhi := d.yRange()
	return checkSpan(fn, "y", ylo, yhi)
}

// minOr and maxOr are slices.Min and slices.Max, with ±Inf for no values.
func minOr(xs []float64) float64 {
	if len(xs) == 0 {
		return math.Inf(1)
	}
	return slices.Min(xs)
}

func maxOr(xs []float64) float64 {
	if len(xs) == 0 {
		return math.Inf(-1)
	}
	return slices.Max(xs)
}
