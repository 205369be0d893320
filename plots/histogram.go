package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// EntropyHistogram draws the distributions of an uncertainty score on
// in-distribution and out-of-distribution inputs as two overlaid,
// translucent histograms with the same bin edges, as a 6 × 4 inch PNG
// picture. Each histogram shows the share of its own inputs per bin, so
// that sets of different sizes compare; the better the score, the less
// they overlap. The x axis is labelled as entropy in nats, the usual score,
// but any score can be drawn (mutual information, for example).
//
// The bins split the range of all values into ⌈√n⌉ equal bins for n values
// in total, at least 10 and at most 50. inLabel and outLabel name the sets
// in the legend; they default to "in-distribution" and
// "out-of-distribution".
//
// It returns an error if in or out is empty or holds a NaN or an infinity,
// or if the values span a range wider than the largest float64.
func EntropyHistogram(title string, in, out []float64, inLabel, outLabel string) ([]byte, error) {
	const fn = "EntropyHistogram"
	for _, s := range []series{{"in", in}, {"out", out}} {
		if len(s.values) == 0 {
			return nil, fmt.Errorf("plots: %s: %s is empty", fn, s.name)
		}
		if err := checkFinite(fn, s.name, s.values); err != nil {
			return nil, err
		}
	}
	lo := min(slices.Min(in), slices.Min(out))
	hi := max(slices.Max(in), slices.Max(out))
	if err := checkSpan(fn, "in and out", lo, hi); err != nil {
		return nil, err
	}
	if lo == hi {
		// One value only: centre it in a bin range of visible width.
		d := max(0.5, math.Abs(lo)/64)
		lo, hi = max(lo-d, -math.MaxFloat64), min(hi+d, math.MaxFloat64)
	}
	n := len(in) + len(out)
	nbins := min(50, max(10, int(math.Ceil(math.Sqrt(float64(n))))))

	p := newPlot(title, "entropy (nats)", "share of inputs")
	p.Legend.Left = false
	p.Legend.XOffs = -p.Legend.XOffs
	var top float64
	for _, h := range []struct {
		values []float64
		label  string
		colour color.NRGBA
	}{
		{in, cmp.Or(inLabel, "in-distribution"), blue},
		{out, cmp.Or(outLabel, "out-of-distribution"), orange},
	} {
		// Empty bins are left out rather than drawn as a line along the
		// axis; the shared edges of the others are unchanged.
		bins := slices.DeleteFunc(shareBins(h.values, lo, hi, nbins), func(b plotter.HistogramBin) bool { return b.Weight == 0 })
		for _, b := range bins {
			top = max(top, b.Weight)
		}
		hist := &plotter.Histogram{
			Bins:      bins,
			Width:     hi/float64(nbins) - lo/float64(nbins),
			FillColor: withAlpha(h.colour, 0.45),
		}
		hist.LineStyle.Color = h.colour
		hist.LineStyle.Width = vg.Points(0.8)
		p.Add(hist)
		p.Legend.Add(h.label, hist)
	}
	makeRoomForLegend(p, 0, top, 2)
	return renderPlot(fn, p, width, height)
}

// SaveEntropyHistogram writes EntropyHistogram(title, in, out, inLabel,
// outLabel) to path as a PNG file, atomically.
func SaveEntropyHistogram(path, title string, in, out []float64, inLabel, outLabel string) error {
	png, err := EntropyHistogram(title, in, out, inLabel, outLabel)
	return save(path, png, err)
}

// shareBins counts xs into nbins equal bins over [lo, hi], the last bin
// closed, each weighted by the share of xs it holds. It is written so that
// no intermediate overflows, even for a range as wide as the float64s.
func shareBins(xs []float64, lo, hi float64, nbins int) []plotter.HistogramBin {
	bins := make([]plotter.HistogramBin, nbins)
	edge := func(b int) float64 {
		t := float64(b) / float64(nbins)
		return lo*(1-t) + hi*t
	}
	for b := range bins {
		bins[b].Min = edge(b)
		bins[b].Max = edge(b + 1)
	}
	bins[nbins-1].Max = hi
	share := 1 / float64(len(xs))
	half := hi/2 - lo/2
	for _, x := range xs {
		t := (x/2 - lo/2) / half * float64(nbins)
		b := 0
		if t > 0 {
			b = min(int(t), nbins-1)
		}
		bins[b].Weight += share
	}
	return bins
}
