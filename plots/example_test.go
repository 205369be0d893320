package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/plots"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// size reports the pixel size of a PNG picture.
func size(b []byte) string {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	return fmt.Sprintf("%d x %d", cfg.Width, cfg.Height)
}

func ExampleRegressionBand() {
	// Monte-Carlo predictions of 20 sampled functions on a grid.
	var x []float64
	samples := make([][]float64, 20)
	for i := range 41 {
		xi := -2 + 4*float64(i)/40
		x = append(x, xi)
		for s := range samples {
			samples[s] = append(samples[s], math.Sin(xi)+0.05*float64(s-10)*xi)
		}
	}
	sum, err := uncertainty.Summarize(samples)
	if err != nil {
		log.Fatal(err)
	}
	lower, upper := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		lower[i] = sum.Mean[i] - 2*sum.Std[i]
		upper[i] = sum.Mean[i] + 2*sum.Std[i]
	}
	b, err := plots.RegressionBand(plots.RegressionPlot{
		Title:       "Bayesian regression",
		DataX:       []float64{-1.5, -0.5, 0, 0.7, 1.2},
		DataY:       []float64{-1.0, -0.5, 0.1, 0.6, 0.9},
		X:           x,
		Mean:        sum.Mean,
		Lower:       lower,
		Upper:       upper,
		BandLabel:   "mean ± 2 std",
		SampleFuncs: samples[:3],
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size(b))
	// Output: 576 x 384
}

func ExampleReliabilityDiagram() {
	// Two samples of a 2-class model on 4 inputs.
	cp, err := uncertainty.NewClassPredictive([][]float64{
		{0.95, 0.05, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4},
		{0.85, 0.15, 0.4, 0.6, 0.6, 0.4, 0.5, 0.5},
	}, 4, 2)
	if err != nil {
		log.Fatal(err)
	}
	cal, err := cp.Calibration([]int{0, 1, 1, 0}, 15)
	if err != nil {
		log.Fatal(err)
	}
	b, err := plots.ReliabilityDiagram("toy model", cal.Bins)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size(b))
	// Output: 576 x 384
}

func ExampleEntropyHistogram() {
	in := []float64{0.01, 0.02, 0.05, 0.1, 0.02, 0.3}
	out := []float64{0.6, 0.9, 1.1, 0.4, 1.5}
	b, err := plots.EntropyHistogram("predictive entropy", in, out, "MNIST", "Fashion-MNIST")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size(b))
	// Output: 576 x 384
}

func ExampleDigits() {
	// Two 3 × 3 "images": a plus and a cross.
	plus := []float64{0, 1, 0, 1, 1, 1, 0, 1, 0}
	cross := []float64{1, 0, 1, 0, 1, 0, 1, 0, 1}
	b, err := plots.Digits("shapes", [][]float64{plus, cross}, 1, 2, []string{"plus", "cross"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size(b))
	// Output: 197 x 139
}

func ExampleSaveEntropyHistogram() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "entropy.png")
	err = plots.SaveEntropyHistogram(path, "", []float64{0.1, 0.2}, []float64{0.8, 1.0}, "", "")
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(size(b))
	// Output: 576 x 384
}
