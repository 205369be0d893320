package bayesnodes_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// squareSum is the objective mean over the batch of sum(y^2): its gradient
// in the weights depends on their noise, unlike a linear loss's.
type squareSum struct{}

func (squareSum) Attach(b *graph.Builder, out, _ *G.Node) (*G.Node, error) {
	sq, err := G.Square(out)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(sq)
	if err != nil {
		return nil, err
	}
	return G.Mul(s, b.Scalar(1/float64(b.Batch())))
}

// weightGradVariance runs a 6-to-4 linear layer with estimator e on one
// batch of 32 examples 400 times, each with fresh noise, and returns the
// variance of the gradient of the weights' mu over the runs, averaged over
// the weights.
func weightGradVariance(t *testing.T, e bayesnodes.Estimator, dt tensor.Dtype) float64 {
	t.Helper()
	const batch, runs = 32, 400
	l, err := bayesnodes.NewLinear(6, 4, bayesnodes.WithEstimator(e), bayesnodes.WithoutBias(),
		bayesnodes.WithMuInit(0, 0.3), bayesnodes.WithRhoInit(-1, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(6), graph.WithDtype(dt), graph.Seed(7))
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(batch, squareSum{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX(randomInput(batch*6, 3)); err != nil {
		t.Fatal(err)
	}
	// The gradient of the weights' mu, read after each run, then zeroed
	// (runs add up gradients until a solver step).
	muGrad := func() *tensor.Dense {
		for _, vg := range g.Learnables() {
			if vg.(*G.Node).Name() == l.Weight.Mean().Name() {
				gv, err := vg.Grad()
				if err != nil {
					t.Fatal(err)
				}
				return gv.(*tensor.Dense)
			}
		}
		t.Fatal("no gradient for the weights' mu")
		return nil
	}
	n := l.Weight.Mean().Len()
	sum, sq := make([]float64, n), make([]float64, n)
	for range runs {
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		d := muGrad()
		for i := range n {
			var v float64
			switch d := d.Data().(type) {
			case []float64:
				v = d[i]
			case []float32:
				v = float64(d[i])
			}
			sum[i] += v
			sq[i] += v * v
		}
		d.Zero()
	}
	var total float64
	for i := range sum {
		mean := sum[i] / runs
		total += sq[i]/runs - mean*mean
	}
	return total / float64(n)
}

// TestFlipoutLowersGradientVariance checks what Flipout is for, in float64
// and float32: its examples' perturbations are independent, so the
// gradient's variance over the noise is far below weight sampling's, where
// the whole batch shares one draw (for this layer and batch about a fifth;
// with every example sharing its signs it would be the same).
func TestFlipoutLowersGradientVariance(t *testing.T) {
	for _, dt := range []tensor.Dtype{graph.Float64, graph.Float32} {
		ws := weightGradVariance(t, bayesnodes.Reparameterization, dt)
		flip := weightGradVariance(t, bayesnodes.Flipout, dt)
		if !(ws > 0) || !(flip > 0) {
			t.Fatalf("%v: gradient variances %v (weight sampling) and %v (Flipout), want positive", dt, ws, flip)
		}
		if r := flip / ws; r > 0.5 {
			t.Errorf("%v: Flipout's gradient variance is %.3g of weight sampling's (%.3g against %.3g), want well below 0.5", dt, r, flip, ws)
		} else {
			t.Logf("%v: Flipout's gradient variance is %.3g of weight sampling's", dt, r)
		}
	}
}
