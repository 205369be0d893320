package optim_test

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/optim"
)

// refRMSProp is RMSProp as written in PyTorch's torch.optim.RMSprop
// documentation (not centred):
//
//	g = g + wd*w
//	v = alpha*v + (1-alpha)*g^2
//	b = mu*b + g/(sqrt(v)+eps); w = w - lr*b   (mu > 0)
//	w = w - lr*g/(sqrt(v)+eps)                (mu = 0)
type refRMSProp struct {
	lr, alpha, eps, mu, wd float64
	v, b                   [][]float64
}

func (r *refRMSProp) step(w, g [][]float64) {
	if r.v == nil {
		r.v, r.b = make([][]float64, len(w)), make([][]float64, len(w))
		for i := range w {
			r.v[i], r.b[i] = make([]float64, len(w[i])), make([]float64, len(w[i]))
		}
	}
	for i := range w {
		for j := range w[i] {
			d := g[i][j] + r.wd*w[i][j]
			r.v[i][j] = r.alpha*r.v[i][j] + (1-r.alpha)*d*d
			u := d / (math.Sqrt(r.v[i][j]) + r.eps)
			if r.mu > 0 {
				r.b[i][j] = r.mu*r.b[i][j] + u
				u = r.b[i][j]
			}
			w[i][j] -= r.lr * u
		}
	}
}

func mustRMSProp(t testing.TB, lr float64, opts ...optim.Option) *optim.RMSProp {
	t.Helper()
	s, err := optim.NewRMSProp(lr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRMSPropMatchesReference(t *testing.T) {
	const steps = 6
	for _, tc := range []struct {
		name  string
		opts  []optim.Option
		ref   refRMSProp
		scale float64
	}{
		{"plain", nil, refRMSProp{lr: 0.01, alpha: 0.99, eps: 1e-8}, 1},
		{"alpha eps", []optim.Option{optim.Alpha(0.9), optim.Epsilon(1e-3)}, refRMSProp{lr: 0.01, alpha: 0.9, eps: 1e-3}, 1},
		{"momentum L2 scaled", []optim.Option{optim.Momentum(0.8), optim.WeightDecay(0.1)}, refRMSProp{lr: 0.01, alpha: 0.99, eps: 1e-8, mu: 0.8, wd: 0.1}, 0.25},
	} {
		r := tc.ref
		want := runRef(steps, r.step)
		got := runSolver(t, mustRMSProp(t, tc.ref.lr, tc.opts...), false, steps, tc.scale)
		checkClose(t, tc.name+" float64", got, want, 1e-12)

		r = tc.ref
		want = runRef(steps, r.step)
		got = runSolver(t, mustRMSProp(t, tc.ref.lr, tc.opts...), true, steps, tc.scale)
		checkClose(t, tc.name+" float32", got, want, 1e-5)
	}
}

// TestRMSPropStateResumes checks that a solver restored from another's
// state continues exactly as the original does.
func TestRMSPropStateResumes(t *testing.T) {
	a := mustRMSProp(t, 0.1, optim.Momentum(0.5))
	p := vg64("w", []float64{1, -2}, 2)
	for range 3 {
		p.setGrad64([]float64{0.3, -0.1})
		if err := a.Step([]G.ValueGrad{p}); err != nil {
			t.Fatal(err)
		}
	}
	b := mustRMSProp(t, 0.1, optim.Momentum(0.5))
	if err := b.SetState(a.State()); err != nil {
		t.Fatal(err)
	}
	q := vg64("w", append([]float64(nil), p.w64()...), 2)
	p.setGrad64([]float64{0.2, 0.4})
	q.setGrad64([]float64{0.2, 0.4})
	if err := a.Step([]G.ValueGrad{p}); err != nil {
		t.Fatal(err)
	}
	if err := b.Step([]G.ValueGrad{q}); err != nil {
		t.Fatal(err)
	}
	if !equal64(p.w64(), q.w64()) {
		t.Errorf("resumed solver gives %v, the original %v", q.w64(), p.w64())
	}
}

func TestRMSPropAllocatesNothing(t *testing.T) {
	vgs, refill := adamBenchParams()
	s := mustRMSProp(t, 1e-3, optim.Momentum(0.9))
	if err := s.Step(vgs); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(10, func() {
		refill()
		if err := s.Step(vgs); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per step, want 0", n)
	}
}

func TestRMSPropBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts []optim.Option
		want string
	}{
		{[]optim.Option{optim.Alpha(1)}, "Alpha(1): alpha = 1 is outside [0, 1)"},
		{[]optim.Option{optim.Alpha(math.NaN())}, "Alpha(NaN)"},
		{[]optim.Option{optim.Betas(0.9, 0.99)}, "Betas(0.9, 0.99) applies to Adam only"},
		{[]optim.Option{optim.Nesterov()}, "Nesterov() applies to SGD only"},
	} {
		_, err := optim.NewRMSProp(0.01, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	if _, err := optim.NewAdam(0.01, optim.Alpha(0.9)); err == nil || !strings.Contains(err.Error(), "applies to RMSProp only") {
		t.Errorf("Adam with Alpha: error %v", err)
	}
	if _, err := optim.NewAdam(0.01, optim.Momentum(0.9)); err == nil || !strings.Contains(err.Error(), "applies to SGD and RMSProp only") {
		t.Errorf("Adam with Momentum: error %v", err)
	}
}
