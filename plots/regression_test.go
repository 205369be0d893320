package plots

import (
	"bytes"
	"math"
	"testing"
)

// The picture is 6 × 4 inches at 96 dpi.
const wantW, wantH = 576, 384

// Band colour: blue (0, 114, 178) at opacity 64/255 over white.
const bandR, bandG, bandB = 191, 220, 236

func sinePlot() RegressionPlot {
	d := RegressionPlot{Title: "sine", BandLabel: "mean ± 2 std"}
	for i := range 50 {
		x := -3 + 6*float64(i)/49
		m := math.Sin(x)
		s := 0.1 + 0.05*x*x
		d.X = append(d.X, x)
		d.Mean = append(d.Mean, m)
		d.Lower = append(d.Lower, m-2*s)
		d.Upper = append(d.Upper, m+2*s)
		d.Truth = append(d.Truth, math.Sin(x))
	}
	for k := range 3 {
		f := make([]float64, len(d.X))
		for i, x := range d.X {
			f[i] = math.Sin(x) + 0.1*float64(k-1)
		}
		d.SampleFuncs = append(d.SampleFuncs, f)
	}
	for i := range 20 {
		x := -2 + 4*float64(i)/19
		d.DataX = append(d.DataX, x)
		d.DataY = append(d.DataY, math.Sin(x)+0.1*math.Cos(7*x))
	}
	return d
}

func TestRegressionBand(t *testing.T) {
	d := sinePlot()
	b, err := RegressionBand(d)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, wantW, wantH)
	if n := countNear(img, bandR, bandG, bandB, 3); n < 5000 {
		t.Errorf("%d pixels in the band colour, want a visible band (>= 5000)", n)
	}
	again, err := RegressionBand(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("two renderings of the same plot differ")
	}
	checkSave(t, func(path string) error { return SaveRegressionBand(path, d) }, b)
}

func TestRegressionBandMinimal(t *testing.T) {
	// Mean only, unsorted X: no band.
	b, err := RegressionBand(RegressionPlot{X: []float64{2, 0, 1}, Mean: []float64{4, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, wantW, wantH)
	// Only the anti-aliased edges of the blue mean line come near it.
	if n := countNear(img, bandR, bandG, bandB, 3); n > 300 {
		t.Errorf("%d pixels in the band colour without a band, want few", n)
	}
}

func TestRegressionBandSortsX(t *testing.T) {
	// The same curve given in two orders draws the same picture.
	a, err := RegressionBand(RegressionPlot{X: []float64{0, 1, 2, 3}, Mean: []float64{0, 1, 0, 1}, Lower: []float64{-1, 0, -1, 0}, Upper: []float64{1, 2, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := RegressionBand(RegressionPlot{X: []float64{2, 0, 3, 1}, Mean: []float64{0, 0, 1, 1}, Lower: []float64{-1, -1, 0, 0}, Upper: []float64{1, 1, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("shuffling the points changed the picture")
	}
}

func TestRegressionBandErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name    string
		edit    func(d *RegressionPlot)
		culprit string
	}{
		{"one point", func(d *RegressionPlot) { *d = RegressionPlot{X: []float64{1}, Mean: []float64{2}} }, "X has 1 points"},
		{"short mean", func(d *RegressionPlot) { d.Mean = d.Mean[:10] }, "Mean has 10 values, X has 50"},
		{"only lower", func(d *RegressionPlot) { d.Upper = nil }, "only one of Lower and Upper"},
		{"short upper", func(d *RegressionPlot) { d.Upper = d.Upper[1:] }, "Upper has 49 values"},
		{"short truth", func(d *RegressionPlot) { d.Truth = []float64{1} }, "Truth has 1 values"},
		{"short sample", func(d *RegressionPlot) { d.SampleFuncs[2] = d.SampleFuncs[2][:3] }, "SampleFuncs[2] has 3 values"},
		{"data lengths", func(d *RegressionPlot) { d.DataY = d.DataY[:5] }, "DataY has 5 values, DataX has 20"},
		{"NaN X", func(d *RegressionPlot) { d.X[7] = nan }, "X[7] = NaN"},
		{"Inf mean", func(d *RegressionPlot) { d.Mean[3] = inf }, "Mean[3] = +Inf"},
		{"NaN sample", func(d *RegressionPlot) { d.SampleFuncs[1][4] = nan }, "SampleFuncs[1][4] = NaN"},
		{"NaN data", func(d *RegressionPlot) { d.DataX[0] = nan }, "DataX[0] = NaN"},
		{"crossed band", func(d *RegressionPlot) { d.Lower[5] = d.Upper[5] + 1 }, "Lower[5]"},
		{"overflowing range", func(d *RegressionPlot) { d.Mean[0], d.Mean[1] = math.MaxFloat64, -math.MaxFloat64 }, "too wide"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := sinePlot()
			tc.edit(&d)
			_, err := RegressionBand(d)
			wantError(t, err, tc.culprit)
			checkSaveFails(t, func(path string) error { return SaveRegressionBand(path, d) })
		})
	}
}
