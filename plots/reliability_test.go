package plots

import (
	"math"
	"testing"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// Gap fill: red (213, 94, 0) at opacity 51/255 over white.
const gapR, gapG, gapB = 247, 223, 204

// Bar colour: blue (0, 114, 178) at opacity 217/255 over white.
const barR, barG, barB = 38, 135, 189

func bins10(acc func(conf float64) float64) []uncertainty.ReliabilityBin {
	bins := make([]uncertainty.ReliabilityBin, 10)
	for b := range bins {
		lo, hi := float64(b)/10, float64(b+1)/10
		bins[b] = uncertainty.ReliabilityBin{Lo: lo, Hi: hi}
		if b >= 3 {
			conf := (lo + hi) / 2
			bins[b].Confidence, bins[b].Accuracy, bins[b].Count = conf, acc(conf), 10*b
		}
	}
	return bins
}

func TestReliabilityDiagram(t *testing.T) {
	over := bins10(func(c float64) float64 { return 0.8 * c })
	b, err := ReliabilityDiagram("over-confident", over)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, wantW, wantH)
	if n := countNear(img, barR, barG, barB, 4); n < 10000 {
		t.Errorf("%d pixels in the bar colour, want visible bars (>= 10000)", n)
	}
	if n := countNear(img, gapR, gapG, gapB, 4); n < 1000 {
		t.Errorf("%d pixels in the gap colour, want visible gaps (>= 1000)", n)
	}
	checkSave(t, func(path string) error { return SaveReliabilityDiagram(path, "over-confident", over) }, b)

	// A calibrated model has no gaps.
	b, err = ReliabilityDiagram("", bins10(func(c float64) float64 { return c }))
	if err != nil {
		t.Fatal(err)
	}
	img = decode(t, b, wantW, wantH)
	if n := countNear(img, gapR, gapG, gapB, 4); n > 0 {
		t.Errorf("%d pixels in the gap colour for a calibrated model, want 0", n)
	}
}

func TestReliabilityDiagramFromCalibration(t *testing.T) {
	cp, err := uncertainty.NewClassPredictive([][]float64{{0.9, 0.1, 0.3, 0.7, 0.65, 0.35, 0.55, 0.45}}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := cp.Calibration([]int{0, 0, 0, 1}, 15)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReliabilityDiagram("four points", cal.Bins)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b, wantW, wantH)
}

func TestReliabilityDiagramErrors(t *testing.T) {
	calibrated := func() []uncertainty.ReliabilityBin { return bins10(func(c float64) float64 { return c }) }
	with := func(edit func(b []uncertainty.ReliabilityBin)) []uncertainty.ReliabilityBin {
		b := calibrated()
		edit(b)
		return b
	}
	for _, tc := range []struct {
		name    string
		bins    []uncertainty.ReliabilityBin
		culprit string
	}{
		{"no bins", nil, "no bins"},
		{"all empty", calibrated()[:3], "all 3 bins are empty"},
		{"Lo >= Hi", with(func(b []uncertainty.ReliabilityBin) { b[4].Lo = b[4].Hi }), "bins[4] covers (0.5, 0.5]"},
		{"Hi > 1", with(func(b []uncertainty.ReliabilityBin) { b[9].Hi = 1.5 }), "bins[9] covers (0.9, 1.5]"},
		{"NaN Lo", with(func(b []uncertainty.ReliabilityBin) { b[0].Lo = math.NaN() }), "bins[0] covers (NaN, 0.1]"},
		{"confidence", with(func(b []uncertainty.ReliabilityBin) { b[5].Confidence = 1.2 }), "bins[5].Confidence = 1.2"},
		{"accuracy", with(func(b []uncertainty.ReliabilityBin) { b[6].Accuracy = math.NaN() }), "bins[6].Accuracy = NaN"},
		{"count", with(func(b []uncertainty.ReliabilityBin) { b[7].Count = -1 }), "bins[7].Count = -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReliabilityDiagram("x", tc.bins)
			wantError(t, err, tc.culprit)
			checkSaveFails(t, func(path string) error { return SaveReliabilityDiagram(path, "x", tc.bins) })
		})
	}
}

// TestReliabilityDiagramUnderConfident: gaps inside the bars are drawn in
// the bar's colour with white hatching, as their legend entry shows them,
// never in the over-confident gap's red, which the legend then omits.
func TestReliabilityDiagramUnderConfident(t *testing.T) {
	under := bins10(func(c float64) float64 { return min(1, 1.25*c) })
	b, err := ReliabilityDiagram("under-confident", under)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, wantW, wantH)
	if n := countNear(img, gapR, gapG, gapB, 4); n > 0 {
		t.Errorf("%d pixels in the over-confident gap colour, want none", n)
	}
	if n := countNear(img, barR, barG, barB, 4); n < 10000 {
		t.Errorf("%d pixels in the bar colour, want visible bars (>= 10000)", n)
	}
}
