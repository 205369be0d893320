package prune_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/prune"
)

func TestKeepSignalToNoise(t *testing.T) {
	keep, err := prune.KeepSignalToNoise([]float64{1, -1, 0.2, -3}, []float64{1, 4, 0.1, 10}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, false}; !slices.Equal(keep, want) {
		t.Errorf("keep %v, want %v (SNR 1, 0.25, 2, 0.3 against 0.5)", keep, want)
	}
	if _, err := prune.KeepSignalToNoise([]float64{1}, []float64{1, 2}, 1); !errors.Is(err, prune.ErrShape) {
		t.Errorf("mismatched lengths: error %v, want ErrShape", err)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := prune.KeepSignalToNoise([]float64{1}, []float64{1}, bad); !errors.Is(err, prune.ErrThreshold) {
			t.Errorf("threshold %v: error %v, want ErrThreshold", bad, err)
		}
	}
}
