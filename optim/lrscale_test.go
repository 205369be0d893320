package optim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/optim"
)

type newSolver func(lr float64, opts ...optim.Option) (optim.Solver, error)

var solverKinds = map[string]newSolver{
	"Adam":    func(lr float64, o ...optim.Option) (optim.Solver, error) { return optim.NewAdam(lr, o...) },
	"SGD":     func(lr float64, o ...optim.Option) (optim.Solver, error) { return optim.NewSGD(lr, o...) },
	"RMSProp": func(lr float64, o ...optim.Option) (optim.Solver, error) { return optim.NewRMSProp(lr, o...) },
}

func hasSuffix(s string) func(string) bool {
	return func(name string) bool { return strings.HasSuffix(name, s) }
}

// descend takes steps of s on ps, each parameter's gradient being w - 1
// elementwise, so that each trajectory depends on its own learning rate.
func descend(t *testing.T, s optim.Solver, steps int, ps ...*vgParam) {
	t.Helper()
	for range steps {
		for _, p := range ps {
			for i, w := range p.w64() {
				p.g64()[i] = w - 1
			}
		}
		if err := s.Step(vgList(ps...)); err != nil {
			t.Fatal(err)
		}
	}
}

// A parameter scaled by LearnRateScale must follow the trajectory of the
// same solver built with the scaled learning rate, weight decay included,
// and the others that of the unscaled one.
func TestLearnRateScaleMatchesScaledSolver(t *testing.T) {
	const lr, steps = 0.01, 7
	start := []float64{0.3, -2, 5}
	for kind, make := range solverKinds {
		t.Run(kind, func(t *testing.T) {
			opts := []optim.Option{optim.WeightDecay(0.1)}
			// Two options that both match multiply: 2 * 5 = 10.
			s, err := make(lr, append(opts, optim.LearnRateScale(hasSuffix(".rho"), 2),
				optim.LearnRateScale(hasSuffix("1.rho"), 5))...)
			if err != nil {
				t.Fatal(err)
			}
			mu, rho, other := vg64("fc1.mu", start, 3), vg64("fc1.rho", start, 3), vg64("fc1.rho.mu", start, 3)
			descend(t, s, steps, mu, rho, other)

			plain, err := make(lr, opts...)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := make(10*lr, opts...)
			if err != nil {
				t.Fatal(err)
			}
			wantMu, wantRho := vg64("a", start, 3), vg64("b", start, 3)
			descend(t, plain, steps, wantMu)
			descend(t, fast, steps, wantRho)
			for _, c := range []struct {
				got, want *vgParam
			}{{mu, wantMu}, {other, wantMu}, {rho, wantRho}} {
				for i, w := range c.want.w64() {
					if g := c.got.w64()[i]; math.Abs(g-w) > 1e-12 {
						t.Errorf("%s[%d] = %.15g, want %.15g", c.got.name, i, g, w)
					}
				}
			}
			if d, dr := math.Abs(mu.w64()[1]-start[1]), math.Abs(rho.w64()[1]-start[1]); !(dr > 5*d) {
				t.Errorf("rho moved %g, mu %g: the scale had no effect", dr, d)
			}
		})
	}
}

func TestLearnRateScaleRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opt    optim.Option
		saying string
	}{
		{"nil match", optim.LearnRateScale(nil, 2), "match function is nil"},
		{"zero", optim.LearnRateScale(hasSuffix(".rho"), 0), "factor 0 is not a positive"},
		{"negative", optim.LearnRateScale(hasSuffix(".rho"), -3), "factor -3 is not a positive"},
		{"NaN", optim.LearnRateScale(hasSuffix(".rho"), math.NaN()), "factor NaN"},
		{"infinite", optim.LearnRateScale(hasSuffix(".rho"), math.Inf(1)), "factor +Inf"},
	} {
		for kind, make := range solverKinds {
			_, err := make(1e-3, tc.opt)
			if err == nil || !strings.Contains(err.Error(), "LearnRateScale") || !strings.Contains(err.Error(), tc.saying) {
				t.Errorf("%s, %s: error %v, want one naming LearnRateScale and saying %q", kind, tc.name, err, tc.saying)
			}
		}
	}
}
