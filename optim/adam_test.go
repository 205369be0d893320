package optim_test

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/optim"
)

// refAdam is Algorithm 1 of Kingma & Ba (2015), "Adam: a method for stochastic
// optimization", written literally, with the decoupled weight decay of
// Algorithm 2 of Loshchilov & Hutter (2019), "Decoupled weight decay
// regularization", whose eta_t*lambda is lr*wd here.
type refAdam struct {
	lr, beta1, beta2, eps, wd float64
	t                         int
	m, v                      [][]float64
}

func (r *refAdam) step(w, g [][]float64) {
	if r.m == nil {
		for i := range w {
			r.m = append(r.m, make([]float64, len(w[i])))
			r.v = append(r.v, make([]float64, len(w[i])))
		}
	}
	r.t++
	for i := range w {
		for j := range w[i] {
			r.m[i][j] = r.beta1*r.m[i][j] + (1-r.beta1)*g[i][j]
			r.v[i][j] = r.beta2*r.v[i][j] + (1-r.beta2)*g[i][j]*g[i][j]
			mHat := r.m[i][j] / (1 - math.Pow(r.beta1, float64(r.t)))
			vHat := r.v[i][j] / (1 - math.Pow(r.beta2, float64(r.t)))
			w[i][j] = w[i][j] - r.lr*r.wd*w[i][j] - r.lr*mHat/(math.Sqrt(vHat)+r.eps)
		}
	}
}

// quadGrads returns the gradient of sum(c_i (w_i - 1)^2) + noise at step k,
// computed from w in float64: g_i = 2 c_i (w_i - 1) + 0.3 sin(k + i).
func quadGrads(w [][]float64, k int) [][]float64 {
	g := make([][]float64, len(w))
	for i := range w {
		g[i] = make([]float64, len(w[i]))
		for j := range w[i] {
			c := 0.5 + float64(j%3)
			g[i][j] = 2*c*(w[i][j]-1) + 0.3*math.Sin(float64(k+j+i))
		}
	}
	return g
}

// initial parameter values: a 2x3 matrix and a 4-vector.
var (
	initW     = [][]float64{{0.3, -1.2, 2.5, 0, 4, -0.7}, {1e-3, -3, 0.5, 2}}
	initShape = [][]int{{2, 3}, {4}}
)

// runSolver steps s for n steps on float64 or float32 copies of initW, with
// the gradients of quadGrads evaluated at the solver's own current values,
// multiplied by 1/scale (the solver is told to scale them back) and returns
// the final values as float64.
func runSolver(t *testing.T, s optim.Solver, f32 bool, n int, scale float64) [][]float64 {
	t.Helper()
	if err := s.SetGradScale(scale); err != nil {
		t.Fatal(err)
	}
	ps := make([]*vgParam, len(initW))
	for i, w := range initW {
		if f32 {
			w32 := make([]float32, len(w))
			for j, x := range w {
				w32[j] = float32(x)
			}
			ps[i] = vg32("p", w32, initShape[i]...)
		} else {
			ps[i] = vg64("p", w, initShape[i]...)
		}
	}
	cur := func() [][]float64 {
		out := make([][]float64, len(ps))
		for i, p := range ps {
			if f32 {
				for _, x := range p.w32() {
					out[i] = append(out[i], float64(x))
				}
			} else {
				out[i] = append([]float64(nil), p.w64()...)
			}
		}
		return out
	}
	for k := 0; k < n; k++ {
		g := quadGrads(cur(), k)
		for i, p := range ps {
			for j := range g[i] {
				if f32 {
					p.g32()[j] = float32(g[i][j] / scale)
				} else {
					p.g64()[j] = g[i][j] / scale
				}
			}
		}
		if err := s.Step(vgList(ps...)); err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if f32 && !equal32(p.g32(), make([]float32, len(p.g32()))) || !f32 && !equal64(p.g64(), make([]float64, len(p.g64()))) {
				t.Fatalf("step %d: gradient not zeroed", k)
			}
		}
	}
	return cur()
}

// runRef runs a reference update function on a copy of initW.
func runRef(n int, step func(w, g [][]float64)) [][]float64 {
	w := make([][]float64, len(initW))
	for i := range initW {
		w[i] = append([]float64(nil), initW[i]...)
	}
	for k := 0; k < n; k++ {
		step(w, quadGrads(w, k))
	}
	return w
}

func checkClose(t *testing.T, name string, got, want [][]float64, tol float64) {
	t.Helper()
	for i := range want {
		if !close64(got[i], want[i], tol) {
			t.Errorf("%s: parameter %d = %v, want %v (tolerance %g)", name, i, got[i], want[i], tol)
		}
	}
}

func TestAdamMatchesPaper(t *testing.T) {
	const steps = 7
	for _, tc := range []struct {
		name  string
		opts  []optim.Option
		ref   refAdam
		scale float64
	}{
		{"Adam defaults", nil, refAdam{lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8}, 1},
		{"Adam betas eps", []optim.Option{optim.Betas(0.5, 0.8), optim.Epsilon(1e-3)}, refAdam{lr: 0.05, beta1: 0.5, beta2: 0.8, eps: 1e-3}, 1},
		{"AdamW", []optim.Option{optim.WeightDecay(0.2)}, refAdam{lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.2}, 1},
		{"Adam scaled gradient", nil, refAdam{lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8}, 0.25},
		{"Adam beta1 0", []optim.Option{optim.Betas(0, 0.9)}, refAdam{lr: 0.05, beta1: 0, beta2: 0.9, eps: 1e-8}, 1},
	} {
		want := runRef(steps, tc.ref.step)
		got := runSolver(t, mustAdam(t, tc.ref.lr, tc.opts...), false, steps, tc.scale)
		checkClose(t, tc.name+" float64", got, want, 1e-12)

		r := tc.ref
		r.t, r.m, r.v = 0, nil, nil
		want = runRef(steps, r.step)
		got = runSolver(t, mustAdam(t, tc.ref.lr, tc.opts...), true, steps, tc.scale)
		checkClose(t, tc.name+" float32", got, want, 1e-6)
	}
}

// TestAdamMatchesGorgonia cross-checks against gorgonia.AdamSolver, whose
// plain Adam (no L2, no clipping, batch 1) is correct in v0.9.18.
func TestAdamMatchesGorgonia(t *testing.T) {
	ours, theirs := mustAdam(t, 0.05, optim.Betas(0.8, 0.99)), G.NewAdamSolver(G.WithLearnRate(0.05), G.WithBeta1(0.8), G.WithBeta2(0.99))
	a, b := vg64("w", []float64{1, -2, 3, 0.5}, 2, 2), vg64("w", []float64{1, -2, 3, 0.5}, 2, 2)
	for k := 0; k < 5; k++ {
		g := quadGrads([][]float64{a.w64()}, k)[0]
		a.setGrad64(g)
		b.setGrad64(g)
		if err := ours.Step(vgList(a)); err != nil {
			t.Fatal(err)
		}
		if err := theirs.Step(vgList(b)); err != nil {
			t.Fatal(err)
		}
		if !close64(a.w64(), b.w64(), 1e-12) {
			t.Fatalf("step %d: ours %v, Gorgonia's %v", k+1, a.w64(), b.w64())
		}
	}
}

// TestAdamFirstStep checks the property that makes Adam scale-invariant: the
// first bias-corrected step moves each weight by lr*g/(|g|+eps) ~ lr*sign(g).
func TestAdamFirstStep(t *testing.T) {
	s := mustAdam(t, 0.01, optim.Epsilon(1e-12))
	p := vg64("w", []float64{0, 0, 0}, 3)
	p.setGrad64([]float64{1e-6, -3, 1e4})
	if err := s.Step(vgList(p)); err != nil {
		t.Fatal(err)
	}
	if want := []float64{-0.01, 0.01, -0.01}; !close64(p.w64(), want, 1e-8) {
		t.Errorf("w after one step = %v, want %v", p.w64(), want)
	}
}

// adamBenchSize is the number of values adamBenchParams returns.
const adamBenchSize = 956820

// adamBenchParams returns the parameter tensors of a Bayesian 784-400-400-10
// MLP (mu and rho for each weight matrix and bias), 956,820 float32 values,
// with random gradients, and a function restoring those gradients.
func adamBenchParams() ([]G.ValueGrad, func()) {
	shapes := [][]int{{784, 400}, {400}, {400, 400}, {400}, {400, 10}, {10}}
	rng := rand.New(rand.NewPCG(1, 2))
	var vgs []G.ValueGrad
	var grads, saved [][]float32
	for range 2 { // mu and rho
		for _, sh := range shapes {
			n := tensor.Shape(sh).TotalSize()
			w, g := make([]float32, n), make([]float32, n)
			for i := range w {
				w[i] = float32(rng.NormFloat64() * 0.1)
				g[i] = float32(rng.NormFloat64() * 0.01)
			}
			vgs = append(vgs, &vgParam{
				w: tensor.New(tensor.WithShape(sh...), tensor.WithBacking(w)),
				g: tensor.New(tensor.WithShape(sh...), tensor.WithBacking(g)),
			})
			grads = append(grads, g)
			saved = append(saved, append([]float32(nil), g...))
		}
	}
	return vgs, func() {
		for i := range grads {
			copy(grads[i], saved[i])
		}
	}
}

// BenchmarkAdamStep compares one Adam step of this package with Gorgonia's
// AdamSolver on the same tensors. Both zero the gradients, so they are
// restored, untimed, before every step.
func BenchmarkAdamStep(b *testing.B) {
	for _, bc := range []struct {
		name string
		mk   func() G.Solver
	}{
		{"bnn", func() G.Solver { return mustAdam(b, 1e-3) }},
		{"bnn-clip", func() G.Solver { return mustAdam(b, 1e-3, optim.ClipNorm(1)) }},
		{"gorgonia", func() G.Solver { return G.NewAdamSolver(G.WithLearnRate(1e-3)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			vgs, refill := adamBenchParams()
			s := bc.mk()
			if err := s.Step(vgs); err != nil { // allocates the moments
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
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/adamBenchSize, "ns/element")
		})
	}
}
