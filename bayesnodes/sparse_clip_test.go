package bayesnodes_test

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// TestSparseKLGradientWhereClipped checks the sparse KL's gradients by
// finite differences with log alpha on both sides of both clip bounds:
// beyond them the KL is flat, so theta and log sigma^2 get no gradient
// from it; inside, they do. Every point is at least 1.5 from a bound, so
// no finite-difference step crosses one. (Passing the derivative through
// the clip once went unnoticed but by the prune example, whose
// compression fell from 22.3x to 13.1x.)
func TestSparseKLGradientWhereClipped(t *testing.T) {
	bands := [][2]float64{
		{bayesnodes.LogAlphaMin - 6, bayesnodes.LogAlphaMin - 1.5}, // clipped below
		{bayesnodes.LogAlphaMin + 1.5, bayesnodes.LogAlphaMin + 4}, // inside
		{bayesnodes.LogAlphaMax - 4, bayesnodes.LogAlphaMax - 1.5}, // inside
		{bayesnodes.LogAlphaMax + 1.5, bayesnodes.LogAlphaMax + 6}, // clipped above
	}
	l, err := bayesnodes.NewLinear(4, 3, bayesnodes.WithSparseVD(-2), bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	setLogAlpha(t, l.Weight, 6, func(rng *rand.Rand) float64 {
		b := bands[i%len(bands)]
		i++
		return b[0] + (b[1]-b[0])*rng.Float64()
	})
	clipped := 0
	for _, la := range l.Weight.LogAlphaValues() {
		if la == bayesnodes.LogAlphaMin || la == bayesnodes.LogAlphaMax {
			clipped++
		}
	}
	if clipped != 6 {
		t.Fatalf("%d of 12 weights clipped, want 6", clipped)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l.Apply(b, x)
		if err != nil {
			return nil, err
		}
		return G.Tanh(h)
	}
	// Gradients near zero (the clipped weights') are compared absolutely
	// below 1e-2, where the finite differences' rounding (about 3e-9
	// here) would swamp a relative error. A gradient let through the
	// clip is 0.5 per weight at the lower bound and 2e-5 at the upper.
	checkGradientsStep(t, net, []int{4}, 5, nil, 1e-6, 1e-2).Close()
}
