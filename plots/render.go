package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/gorgonia-bnn/bnn/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The size of every picture but Digits, and the resolution of all.
const (
	width  = 6 * vg.Inch
	height = 4 * vg.Inch
	dpi    = 96
)

// A colour-blind-safe palette (Okabe and Ito 2008).
var (
	blue   = color.NRGBA{R: 0, G: 114, B: 178, A: 255}
	orange = color.NRGBA{R: 230, G: 159, B: 0, A: 255}
	red    = color.NRGBA{R: 213, G: 94, B: 0, A: 255}
	grey   = color.NRGBA{R: 90, G: 90, B: 90, A: 255}
	black  = color.NRGBA{A: 255}
)

// withAlpha returns c with opacity a in [0, 1].
func withAlpha(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(math.Round(255 * a))
	return c
}

// renderPlot draws p on a w × h canvas, inside a small margin, and encodes
// it as PNG.
func renderPlot(fn string, p *plot.Plot, w, h vg.Length) ([]byte, error) {
	const m = vg.Length(5) // points
	return renderCanvas(fn, w, h, func(dc draw.Canvas) { p.Draw(draw.Crop(dc, m, -m, m, -m)) })
}

// renderCanvas runs paint on a fresh white w × h canvas and encodes the
// result as PNG. The inputs are validated before this point; a panic from
// the plotting library is still turned into an error, so that a case the
// validation missed cannot bring down the caller's process.
func renderCanvas(fn string, w, h vg.Length, paint func(draw.Canvas)) (png []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			png, err = nil, fmt.Errorf("plots: %s: drawing failed: %v", fn, r)
		}
	}()
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	paint(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: %s: encoding PNG: %w", fn, err)
	}
	return buf.Bytes(), nil
}

// save writes the PNG made by a drawing function to path atomically.
func save(path string, png []byte, err error) error {
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, png, 0o644)
}

// checkFinite returns an error naming name[i] if xs[i] is NaN or infinite.
func checkFinite(fn, name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("plots: %s: %s[%d] = %v is not finite", fn, name, i, x)
		}
	}
	return nil
}

// checkLen returns an error if xs does not have n values.
func checkLen(fn, name string, xs []float64, n int, of string) error {
	if len(xs) != n {
		return fmt.Errorf("plots: %s: %s has %d values, %s has %d", fn, name, len(xs), of, n)
	}
	return nil
}

// newPlot returns a plot with the given title and axis labels and the
// legend in the top left corner.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(4)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = legendFontSize
	p.Legend.Padding = vg.Points(1)
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = -vg.Points(2)
	return p
}

const legendFontSize = vg.Length(10)

// makeRoomForLegend raises the top of p's y axis above the data range
// [lo, hi] by enough for a top-aligned legend of n entries not to cover the
// data, assuming a plot of the default height.
func makeRoomForLegend(p *plot.Plot, lo, hi float64, n int) {
	r := hi - lo
	if !(r > 0) || math.IsInf(r, 0) {
		return // let the axis choose its own range
	}
	// Points between the title and the x axis of a 4-inch plot, and taken
	// by each legend entry and by the legend's offset, roughly.
	const dataHeight, entryHeight, offset = 230, float64(legendFontSize) + 4, 8
	f := min(0.6, (float64(n)*entryHeight+offset)/dataHeight)
	ymax := hi + r*f/(1-f)
	if math.IsInf(ymax-lo, 0) {
		return
	}
	p.Y.Min, p.Y.Max = lo, ymax
}

// checkSpan returns an error if the values of an axis, between lo and hi,
// span a range too wide to represent (hi - lo overflows), which the
// plotting library cannot label.
func checkSpan(fn, axis string, lo, hi float64) error {
	if math.IsInf(hi-lo, 0) {
		return fmt.Errorf("plots: %s: the %s values span [%v, %v], too wide a range to draw", fn, axis, lo, hi)
	}
	return nil
}

// series is a named slice of values, for validation messages.
type series struct {
	name   string
	values []float64
}

// legendItem is a legend entry waiting to be added in the desired order.
type legendItem struct {
	label string
	thumb plot.Thumbnailer
}

// reversed returns a reversed copy of pts.
func reversed(pts plotter.XYs) plotter.XYs {
	out := slices.Clone(pts)
	slices.Reverse(out)
	return out
}
