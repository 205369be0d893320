package optim_test

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/optim"
)

// refSGD is SGD with L2 weight decay and heavy-ball or Nesterov momentum as
// written in PyTorch's torch.optim.SGD documentation (dampening 0):
//
//	g = g + wd*w
//	b = g at the first step, b = mu*b + g later
//	g = g + mu*b (Nesterov) or g = b
//	w = w - lr*g
type refSGD struct {
	lr, mu, wd float64
	nesterov   bool
	t          int
	b          [][]float64
}

func (r *refSGD) step(w, g [][]float64) {
	r.t++
	if r.b == nil {
		r.b = make([][]float64, len(w))
		for i := range w {
			r.b[i] = make([]float64, len(w[i]))
		}
	}
	for i := range w {
		for j := range w[i] {
			d := g[i][j] + r.wd*w[i][j]
			if r.mu != 0 {
				if r.t == 1 {
					r.b[i][j] = d
				} else {
					r.b[i][j] = r.mu*r.b[i][j] + d
				}
				if r.nesterov {
					d += r.mu * r.b[i][j]
				} else {
					d = r.b[i][j]
				}
			}
			w[i][j] -= r.lr * d
		}
	}
}

func TestSGDMatchesReference(t *testing.T) {
	const steps = 6
	for _, tc := range []struct {
		name  string
		opts  []optim.Option
		ref   refSGD
		scale float64
	}{
		{"plain", nil, refSGD{lr: 0.05}, 1},
		{"L2", []optim.Option{optim.WeightDecay(0.3)}, refSGD{lr: 0.05, wd: 0.3}, 1},
		{"momentum", []optim.Option{optim.Momentum(0.9)}, refSGD{lr: 0.05, mu: 0.9}, 1},
		{"momentum L2 scaled", []optim.Option{optim.Momentum(0.7), optim.WeightDecay(0.1)}, refSGD{lr: 0.05, mu: 0.7, wd: 0.1}, 1.0 / 3},
		{"Nesterov", []optim.Option{optim.Momentum(0.9), optim.Nesterov()}, refSGD{lr: 0.05, mu: 0.9, nesterov: true}, 1},
		{"Nesterov L2", []optim.Option{optim.Nesterov(), optim.Momentum(0.5), optim.WeightDecay(0.2)}, refSGD{lr: 0.05, mu: 0.5, wd: 0.2, nesterov: true}, 0.5},
	} {
		r := tc.ref
		want := runRef(steps, r.step)
		got := runSolver(t, mustSGD(t, tc.ref.lr, tc.opts...), false, steps, tc.scale)
		checkClose(t, tc.name+" float64", got, want, 1e-12)

		r = tc.ref
		want = runRef(steps, r.step)
		got = runSolver(t, mustSGD(t, tc.ref.lr, tc.opts...), true, steps, tc.scale)
		checkClose(t, tc.name+" float32", got, want, 1e-6)
	}
}

// TestSGDMomentumByHand follows one weight through three steps of heavy-ball
// and Nesterov momentum with a constant gradient of 1, lr 0.1 and mu 0.5.
//
//	heavy ball: b = 1, 1.5, 1.75;           w = -0.1, -0.25, -0.425
//	Nesterov:   d = 1+0.5b = 1.5, 1.75, 1.875; w = -0.15, -0.325, -0.5125
func TestSGDMomentumByHand(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []optim.Option
		want []float64
	}{
		{"heavy ball", []optim.Option{optim.Momentum(0.5)}, []float64{-0.1, -0.25, -0.425}},
		{"Nesterov", []optim.Option{optim.Momentum(0.5), optim.Nesterov()}, []float64{-0.15, -0.325, -0.5125}},
	} {
		s := mustSGD(t, 0.1, tc.opts...)
		p := vg64("w", []float64{0}, 1)
		for k, want := range tc.want {
			p.setGrad64([]float64{1})
			if err := s.Step([]G.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
			if got := p.w64()[0]; !close64([]float64{got}, []float64{want}, 1e-15) {
				t.Errorf("%s step %d: w = %v, want %v", tc.name, k+1, got, want)
			}
		}
		if st := s.State(); !close64(st.M[0], []float64{1.75}, 1e-15) {
			t.Errorf("%s: momentum buffer = %v, want [1.75]", tc.name, st.M[0])
		}
	}
}

func BenchmarkSGDStep(b *testing.B) {
	for _, bc := range []struct {
		name string
		mk   func() G.Solver
	}{
		{"bnn-momentum", func() G.Solver { return mustSGD(b, 1e-2, optim.Momentum(0.9)) }},
		{"gorgonia-momentum", func() G.Solver { return G.NewMomentum(G.WithLearnRate(1e-2), G.WithMomentum(0.9)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			vgs, refill := adamBenchParams()
			s := bc.mk()
			if err := s.Step(vgs); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				refill()
				b.StartTimer()
				if err := s.Step(vgs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
