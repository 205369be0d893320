package optim_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/optim"
)

// vgParam is a named gorgonia.ValueGrad over two tensors, standing in for a
// parameter node whose gradient a TapeMachine has filled.
type vgParam struct {
	name string
	w    G.Value
	g    G.Value
}

func (p *vgParam) Value() G.Value         { return p.w }
func (p *vgParam) Grad() (G.Value, error) { return p.g, nil }
func (p *vgParam) Name() string           { return p.name }
func (p *vgParam) wd() *tensor.Dense      { return p.w.(*tensor.Dense) }
func (p *vgParam) gd() *tensor.Dense      { return p.g.(*tensor.Dense) }
func (p *vgParam) w64() []float64         { return p.wd().Data().([]float64) }
func (p *vgParam) g64() []float64         { return p.gd().Data().([]float64) }
func (p *vgParam) w32() []float32         { return p.wd().Data().([]float32) }
func (p *vgParam) g32() []float32         { return p.gd().Data().([]float32) }
func (p *vgParam) setGrad64(g []float64)  { copy(p.g64(), g) }
func (p *vgParam) setGrad32(g []float32)  { copy(p.g32(), g) }
func dense64(x []float64, s ...int) G.Value {
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(append([]float64(nil), x...)))
}
func dense32(x []float32, s ...int) G.Value {
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(append([]float32(nil), x...)))
}
func zeros64(s ...int) G.Value { return tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(s...)) }
func zeros32(s ...int) G.Value { return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s...)) }
func vgList(ps ...*vgParam) []G.ValueGrad {
	r := make([]G.ValueGrad, len(ps))
	for i, p := range ps {
		r[i] = p
	}
	return r
}

// vg64 returns a float64 parameter of the given shape with value w and a zero
// gradient.
func vg64(name string, w []float64, shape ...int) *vgParam {
	return &vgParam{name: name, w: dense64(w, shape...), g: zeros64(shape...)}
}

// vg32 is vg64 for float32.
func vg32(name string, w []float32, shape ...int) *vgParam {
	return &vgParam{name: name, w: dense32(w, shape...), g: zeros32(shape...)}
}

// errGrad is a ValueGrad whose Grad fails, like a node without a dual value.
type errGrad struct{ vgParam }

func (e *errGrad) Grad() (G.Value, error) { return nil, errors.New("no dual value") }

func mustAdam(t testing.TB, lr float64, opts ...optim.Option) *optim.Adam {
	t.Helper()
	s, err := optim.NewAdam(lr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSGD(t testing.TB, lr float64, opts ...optim.Option) *optim.SGD {
	t.Helper()
	s, err := optim.NewSGD(lr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConstructorsValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	adam := func(lr float64, o ...optim.Option) error { _, err := optim.NewAdam(lr, o...); return err }
	sgd := func(lr float64, o ...optim.Option) error { _, err := optim.NewSGD(lr, o...); return err }
	for _, tc := range []struct {
		name string
		err  error
		want string // a substring naming the culprit
	}{
		{"adam NaN lr", adam(nan), "learning rate NaN"},
		{"adam negative lr", adam(-1e-3), "learning rate -0.001"},
		{"sgd infinite lr", sgd(inf), "learning rate +Inf"},
		{"beta1 = 1", adam(1e-3, optim.Betas(1, 0.999)), "Betas(1, 0.999): beta1 = 1"},
		{"beta2 negative", adam(1e-3, optim.Betas(0.9, -0.1)), "Betas(0.9, -0.1): beta2 = -0.1"},
		{"beta1 NaN", adam(1e-3, optim.Betas(nan, 0.9)), "beta1 = NaN"},
		{"epsilon 0", adam(1e-3, optim.Epsilon(0)), "Epsilon(0)"},
		{"epsilon NaN", adam(1e-3, optim.Epsilon(nan)), "Epsilon(NaN)"},
		{"weight decay negative", adam(1e-3, optim.WeightDecay(-1)), "WeightDecay(-1)"},
		{"weight decay Inf", sgd(0.1, optim.WeightDecay(inf)), "WeightDecay(+Inf)"},
		{"clip 0", adam(1e-3, optim.ClipNorm(0)), "ClipNorm(0)"},
		{"clip NaN", sgd(1e-3, optim.ClipNorm(nan)), "ClipNorm(NaN)"},
		{"momentum 1", sgd(0.1, optim.Momentum(1)), "Momentum(1)"},
		{"momentum negative", sgd(0.1, optim.Momentum(-0.5)), "Momentum(-0.5)"},
		{"Nesterov without momentum", sgd(0.1, optim.Nesterov()), "Nesterov() needs Momentum"},
		{"Momentum on Adam", adam(1e-3, optim.Momentum(0.9)), "NewAdam: Momentum(0.9) applies to SGD and RMSProp only"},
		{"Nesterov on Adam", adam(1e-3, optim.Nesterov()), "Nesterov() applies to SGD only"},
		{"Betas on SGD", sgd(0.1, optim.Betas(0.9, 0.99)), "NewSGD: Betas(0.9, 0.99) applies to Adam only"},
		{"Epsilon on SGD", sgd(0.1, optim.Epsilon(1e-8)), "Epsilon(1e-08) applies to Adam and RMSProp only"},
		{"zero Option", adam(1e-3, optim.ClipNorm(1), optim.Option{}), "option 1 is the zero Option"},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.name, tc.err, tc.want)
		}
	}

	// Valid edge cases are accepted.
	for name, err := range map[string]error{
		"adam lr 0":                 adam(0),
		"betas 0":                   adam(1e-3, optim.Betas(0, 0)),
		"all adam options":          adam(1e-3, optim.Betas(0.8, 0.99), optim.Epsilon(1e-6), optim.WeightDecay(1e-2), optim.ClipNorm(5)),
		"nesterov before momentum":  sgd(0.1, optim.Nesterov(), optim.Momentum(0.9)),
		"sgd weight decay and clip": sgd(0.1, optim.WeightDecay(1e-4), optim.ClipNorm(1)),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSettersValidate(t *testing.T) {
	for _, s := range []optim.Solver{mustAdam(t, 1e-3), mustSGD(t, 0.1)} {
		if got := s.GradScale(); got != 1 {
			t.Errorf("%T: default GradScale = %v, want 1", s, got)
		}
		for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
			if err := s.SetGradScale(bad); err == nil || !strings.Contains(err.Error(), "SetGradScale") {
				t.Errorf("%T.SetGradScale(%v) = %v, want an error", s, bad, err)
			}
		}
		for _, bad := range []float64{-1e-3, math.NaN(), math.Inf(1)} {
			if err := s.SetLearnRate(bad); err == nil || !strings.Contains(err.Error(), "SetLearnRate") {
				t.Errorf("%T.SetLearnRate(%v) = %v, want an error", s, bad, err)
			}
		}
		if s.GradScale() != 1 || (s.LearnRate() != 1e-3 && s.LearnRate() != 0.1) {
			t.Errorf("%T: a rejected setter changed the solver: scale %v, lr %v", s, s.GradScale(), s.LearnRate())
		}
		if err := s.SetGradScale(0.25); err != nil || s.GradScale() != 0.25 {
			t.Errorf("%T.SetGradScale(0.25): err %v, GradScale %v", s, err, s.GradScale())
		}
		if err := s.SetLearnRate(0.5); err != nil || s.LearnRate() != 0.5 {
			t.Errorf("%T.SetLearnRate(0.5): err %v, LearnRate %v", s, err, s.LearnRate())
		}
	}
}

// TestLearnRateSchedule checks that SetLearnRate takes effect at the next
// step: plain SGD with lr 0.5 then 0.25 moves w by -0.5*g then -0.25*g.
func TestLearnRateSchedule(t *testing.T) {
	s := mustSGD(t, 0.5)
	p := vg64("w", []float64{1}, 1)
	p.setGrad64([]float64{2})
	if err := s.Step(vgList(p)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLearnRate(0.25); err != nil {
		t.Fatal(err)
	}
	p.setGrad64([]float64{2})
	if err := s.Step(vgList(p)); err != nil {
		t.Fatal(err)
	}
	if got, want := p.w64()[0], 1-0.5*2-0.25*2; got != want {
		t.Errorf("w = %v, want %v", got, want)
	}
	if s.Steps() != 2 {
		t.Errorf("Steps = %d, want 2", s.Steps())
	}
}

func TestStepErrors(t *testing.T) {
	good := func() *vgParam { return vg64("good", []float64{1, 2}, 2) }
	typedNil := &vgParam{name: "typed nil", w: dense64([]float64{1}, 1), g: (*tensor.Dense)(nil)}
	ints := &vgParam{name: "ints", w: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2})), g: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 0}))}
	view := vg64("view", []float64{1, 2, 3, 4}, 2, 2)
	v, err := view.wd().Slice(nil, tensor.S(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	view.w, view.g = v, zeros64(2)

	for _, tc := range []struct {
		name    string
		bad     G.ValueGrad
		target  error
		mention string
	}{
		{"nil grad", &vgParam{name: "b1", w: dense64([]float64{1}, 1)}, optim.ErrNoGrad, `("b1"): no gradient: the gradient is nil`},
		{"typed nil grad", typedNil, optim.ErrNoGrad, `("typed nil"): no gradient: the gradient is a nil *tensor.Dense`},
		{"typed nil value", &vgParam{name: "tnv", w: (*tensor.Dense)(nil), g: zeros64(1)}, optim.ErrUnsupported, `("tnv"): unsupported value: the value is a nil *tensor.Dense`},
		{"grad error", &errGrad{vgParam{name: "w9", w: dense64([]float64{1}, 1)}}, optim.ErrNoGrad, `("w9"): no gradient: no dual value`},
		{"nil value", &vgParam{name: "nv", g: zeros64(1)}, optim.ErrUnsupported, `("nv"): unsupported value: the value is nil`},
		{"nil ValueGrad", nil, optim.ErrNoGrad, "parameter 1: no gradient: the ValueGrad is nil"},
		{"dtype mismatch", &vgParam{name: "mix", w: dense64([]float64{1, 2}, 2), g: zeros32(2)}, optim.ErrMismatch, `("mix"): value and gradient do not match: the value is float64 but the gradient is float32`},
		{"shape mismatch", &vgParam{name: "sh", w: zeros64(2, 3), g: zeros64(3, 2)}, optim.ErrMismatch, "shape (2, 3) but the gradient (3, 2)"},
		{"scalar value", &vgParam{name: "s", w: G.NewF64(1), g: G.NewF64(0)}, optim.ErrUnsupported, `("s"): unsupported value: the value is a *gorgonia.F64`},
		{"int dtype", ints, optim.ErrUnsupported, "dtype is int"},
		{"view", view, optim.ErrUnsupported, "view"},
	} {
		for _, s := range []optim.Solver{mustAdam(t, 1e-3), mustSGD(t, 0.1, optim.Momentum(0.9)), mustSGD(t, 0.1)} {
			first := good()
			first.setGrad64([]float64{3, 4})
			err := s.Step([]G.ValueGrad{first, tc.bad})
			var pe *optim.ParamError
			switch {
			case err == nil:
				t.Errorf("%s, %T: no error", tc.name, s)
				continue
			case !errors.Is(err, tc.target):
				t.Errorf("%s, %T: error %q is not %v", tc.name, s, err, tc.target)
			case !errors.As(err, &pe) || pe.Index != 1:
				t.Errorf("%s, %T: error %q is not a *ParamError for parameter 1", tc.name, s, err)
			case !strings.Contains(err.Error(), tc.mention):
				t.Errorf("%s, %T: error %q does not contain %q", tc.name, s, err, tc.mention)
			}
			// Nothing changed: the good parameter and its gradient are intact.
			if w, g := first.w64(), first.g64(); w[0] != 1 || w[1] != 2 || g[0] != 3 || g[1] != 4 || s.Steps() != 0 {
				t.Errorf("%s, %T: failed Step changed w %v, g %v or Steps %d", tc.name, s, w, g, s.Steps())
			}
		}
	}

	if err := mustAdam(t, 1e-3).Step(nil); err == nil || !strings.Contains(err.Error(), "no parameters") {
		t.Errorf("Step(nil) = %v, want a 'no parameters' error", err)
	}
}

// TestStepRealNodeWithoutGrad passes a Gorgonia node that has no dual value.
func TestStepRealNodeWithoutGrad(t *testing.T) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("orphan"), G.WithValue(dense64([]float64{1, 2}, 2)))
	err := mustAdam(t, 1e-3).Step([]G.ValueGrad{w})
	if !errors.Is(err, optim.ErrNoGrad) || !strings.Contains(err.Error(), `parameter 0 ("orphan")`) {
		t.Errorf("Step on a node without gradient: %v", err)
	}
}

// TestParamsChanged checks that the parameters must keep their number, dtype
// and shape between steps, and that a rejected step leaves the solver as if it
// had not been attempted.
func TestParamsChanged(t *testing.T) {
	mk := func() []*vgParam {
		return []*vgParam{vg64("a", []float64{1, 2, 3, 4, 5, 6}, 2, 3), vg64("b", []float64{-1, 1}, 2)}
	}
	grads := func(ps []*vgParam) {
		ps[0].setGrad64([]float64{0.1, -0.2, 0.3, -0.4, 0.5, -0.6})
		ps[1].setGrad64([]float64{1, -1})
	}
	for _, mkSolver := range []func() optim.Solver{
		func() optim.Solver { return mustAdam(t, 0.01) },
		func() optim.Solver { return mustSGD(t, 0.1, optim.Momentum(0.9)) },
		func() optim.Solver { return mustSGD(t, 0.1) },
	} {
		s, twin := mkSolver(), mkSolver()
		ps, pt := mk(), mk()
		grads(ps)
		grads(pt)
		if err := s.Step(vgList(ps...)); err != nil {
			t.Fatal(err)
		}
		if err := twin.Step(vgList(pt...)); err != nil {
			t.Fatal(err)
		}

		transposed := vg64("a", make([]float64, 6), 3, 2)
		as32 := vg32("b", []float32{-1, 1}, 2)
		for _, tc := range []struct {
			name    string
			vgs     []G.ValueGrad
			mention string
		}{
			{"fewer", vgList(ps[0]), "got 1 parameters, the moment buffers are for 2"},
			{"more", vgList(ps[0], ps[1], ps[1]), "got 3 parameters"},
			{"shape", vgList(transposed, ps[1]), `parameter 0 ("a"): parameters changed: it is float64 (3, 2), it was float64 (2, 3)`},
			{"dtype", vgList(ps[0], as32), `parameter 1 ("b"): parameters changed: it is float32 (2), it was float64 (2)`},
		} {
			grads(ps)
			err := s.Step(tc.vgs)
			if !errors.Is(err, optim.ErrParamsChanged) || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("%T, %s: error %v, want ErrParamsChanged mentioning %q", s, tc.name, err, tc.mention)
			}
		}
		// After the rejected steps, s behaves exactly like its twin.
		grads(ps)
		grads(pt)
		if err := s.Step(vgList(ps...)); err != nil {
			t.Fatal(err)
		}
		if err := twin.Step(vgList(pt...)); err != nil {
			t.Fatal(err)
		}
		for i := range ps {
			if !equal64(ps[i].w64(), pt[i].w64()) {
				t.Errorf("%T: after rejected steps, %s = %v, its twin %v", s, ps[i].name, ps[i].w64(), pt[i].w64())
			}
		}
		if s.Steps() != 2 {
			t.Errorf("%T: Steps = %d, want 2", s, s.Steps())
		}
	}
}

func TestDuplicateParameter(t *testing.T) {
	a, b := vg64("a", []float64{1}, 1), vg64("b", []float64{2}, 1)
	sharedGrad := &vgParam{name: "c", w: dense64([]float64{3}, 1), g: b.g}
	for _, vgs := range [][]G.ValueGrad{vgList(a, b, a), vgList(a, b, sharedGrad)} {
		err := mustAdam(t, 0.1).Step(vgs)
		if !errors.Is(err, optim.ErrDuplicate) || !strings.Contains(err.Error(), "parameter 2") || !strings.Contains(err.Error(), "with parameter") {
			t.Errorf("Step with a parameter listed twice: %v", err)
		}
	}
}

func TestMixedDtypes(t *testing.T) {
	// A float32 and a float64 parameter in one solver each follow the
	// single-parameter trajectory.
	s, s64, s32 := mustAdam(t, 0.1), mustAdam(t, 0.1), mustAdam(t, 0.1)
	a, b := vg64("a", []float64{1, 2}, 2), vg32("b", []float32{3, 4}, 2)
	a1, b1 := vg64("a", []float64{1, 2}, 2), vg32("b", []float32{3, 4}, 2)
	for step := 0; step < 3; step++ {
		for _, p := range []*vgParam{a, a1} {
			p.setGrad64([]float64{0.5, -float64(step)})
		}
		for _, p := range []*vgParam{b, b1} {
			p.setGrad32([]float32{-0.25, float32(step)})
		}
		for _, e := range []error{s.Step(vgList(a, b)), s64.Step(vgList(a1)), s32.Step(vgList(b1))} {
			if e != nil {
				t.Fatal(e)
			}
		}
	}
	if !equal64(a.w64(), a1.w64()) || !equal32(b.w32(), b1.w32()) {
		t.Errorf("mixed: a %v b %v; alone: a %v b %v", a.w64(), b.w32(), a1.w64(), b1.w32())
	}
}

// fillGrads sets deterministic, step-dependent gradients.
func fillGrads(ps []*vgParam, step int) {
	for j, p := range ps {
		switch p.gd().Dtype() {
		case tensor.Float64:
			g := p.g64()
			for i := range g {
				g[i] = math.Sin(float64(step)*1.3+float64(i)*0.7+float64(j)) * float64(1+i)
			}
		case tensor.Float32:
			g := p.g32()
			for i := range g {
				g[i] = float32(math.Sin(float64(step)*1.3+float64(i)*0.7+float64(j)) * float64(1+i))
			}
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	newParams64 := func() []*vgParam {
		return []*vgParam{vg64("a", []float64{1, 2, 3, 4, 5, 6}, 2, 3), vg64("b", []float64{-1, 1}, 2)}
	}
	newParams32 := func() []*vgParam {
		return []*vgParam{vg32("a", []float32{1, 2, 3, 4, 5, 6}, 2, 3), vg32("b", []float32{-1, 1}, 2)}
	}
	type solverCase struct {
		name string
		mk   func() optim.Solver
	}
	for _, sc := range []solverCase{
		{"Adam", func() optim.Solver { return mustAdam(t, 0.05, optim.WeightDecay(0.1)) }},
		{"SGD momentum", func() optim.Solver { return mustSGD(t, 0.05, optim.Momentum(0.9), optim.Nesterov()) }},
		{"SGD", func() optim.Solver { return mustSGD(t, 0.05) }},
	} {
		for _, dt := range []string{"float64", "float32"} {
			newParams := newParams64
			if dt == "float32" {
				newParams = newParams32
			}
			// Reference: 5 uninterrupted steps.
			ref, pr := sc.mk(), newParams()
			for k := 0; k < 5; k++ {
				fillGrads(pr, k)
				if err := ref.Step(vgList(pr...)); err != nil {
					t.Fatal(err)
				}
			}
			// 2 steps, save, restore into a fresh solver (before its first
			// step) and into one that has stepped, 3 more steps.
			first, pf := sc.mk(), newParams()
			for k := 0; k < 2; k++ {
				fillGrads(pf, k)
				if err := first.Step(vgList(pf...)); err != nil {
					t.Fatal(err)
				}
			}
			st := first.State()
			if st.Steps != 2 {
				t.Fatalf("%s %s: State().Steps = %d, want 2", sc.name, dt, st.Steps)
			}
			stepped := sc.mk()
			other := newParams()
			fillGrads(other, 7)
			if err := stepped.Step(vgList(other...)); err != nil {
				t.Fatal(err)
			}
			for _, restored := range []optim.Solver{sc.mk(), stepped} {
				if err := restored.SetState(st); err != nil {
					t.Fatalf("%s %s: SetState: %v", sc.name, dt, err)
				}
				if restored.Steps() != 2 {
					t.Errorf("%s %s: Steps after SetState = %d, want 2", sc.name, dt, restored.Steps())
				}
				pc := newParams()
				for i := range pc {
					copyValue(pc[i], pf[i])
				}
				for k := 2; k < 5; k++ {
					fillGrads(pc, k)
					if err := restored.Step(vgList(pc...)); err != nil {
						t.Fatal(err)
					}
				}
				for i := range pc {
					if !sameValue(pc[i], pr[i]) {
						t.Errorf("%s %s: restored run gives %v, uninterrupted %v", sc.name, dt, pc[i].w, pr[i].w)
					}
				}
			}
			// State is a copy.
			if len(st.M) > 0 {
				st.M[0][0] = 1e9
				if first.State().M[0][0] == 1e9 {
					t.Errorf("%s %s: State shares memory with the solver", sc.name, dt)
				}
			}
		}
	}
}

func copyValue(dst, src *vgParam) {
	if src.wd().Dtype() == tensor.Float32 {
		copy(dst.w32(), src.w32())
		return
	}
	copy(dst.w64(), src.w64())
}

func sameValue(a, b *vgParam) bool {
	if a.wd().Dtype() == tensor.Float32 {
		return equal32(a.w32(), b.w32())
	}
	return equal64(a.w64(), b.w64())
}

func TestStateShapes(t *testing.T) {
	if st := mustAdam(t, 1e-3).State(); st.Steps != 0 || st.M != nil || st.V != nil {
		t.Errorf("fresh Adam state = %+v, want zero", st)
	}
	s := mustSGD(t, 0.1)
	p := vg32("w", []float32{1, 2, 3}, 3)
	if err := s.Step(vgList(p)); err != nil {
		t.Fatal(err)
	}
	if st := s.State(); st.Steps != 1 || st.M != nil || st.V != nil {
		t.Errorf("plain SGD state = %+v, want only Steps 1", st)
	}

	a := mustAdam(t, 0.1)
	q := vg32("w", []float32{1, 2, 3}, 3)
	q.setGrad32([]float32{1, -2, 0.5})
	if err := a.Step(vgList(q)); err != nil {
		t.Fatal(err)
	}
	// After one step from zero moments: m = (1-beta1) g, v = (1-beta2) g^2.
	st := a.State()
	wantM := []float64{float64(float32(0.1 * 1)), float64(float32(0.1 * -2)), float64(float32(0.1 * 0.5))}
	wantV := []float64{float64(float32(0.001 * 1)), float64(float32(0.001 * 4)), float64(float32(0.001 * 0.25))}
	if len(st.M) != 1 || len(st.V) != 1 || !close64(st.M[0], wantM, 1e-9) || !close64(st.V[0], wantV, 1e-9) {
		t.Errorf("Adam state after one step: M %v V %v, want %v %v", st.M, st.V, wantM, wantV)
	}

	// A zero state resets.
	if err := a.SetState(optim.SolverState{}); err != nil {
		t.Fatal(err)
	}
	if st := a.State(); st.Steps != 0 || st.M != nil {
		t.Errorf("state after reset = %+v", st)
	}
	// ... and the solver accepts a new parameter list.
	if err := a.Step(vgList(vg64("other", []float64{1}, 1))); err != nil {
		t.Errorf("Step after reset: %v", err)
	}
}

func TestSetStateErrors(t *testing.T) {
	adamState := optim.SolverState{Steps: 3, M: [][]float64{{0.1, 0.2}}, V: [][]float64{{0.01, 0.02}}}
	sgdState := optim.SolverState{Steps: 3, M: [][]float64{{0.1, 0.2}}}
	for _, tc := range []struct {
		name    string
		s       optim.Solver
		st      optim.SolverState
		mention string
	}{
		{"negative steps", mustAdam(t, 1), optim.SolverState{Steps: -1}, "negative step count -1"},
		{"SGD state into Adam", mustAdam(t, 1), sgdState, "0 second moment buffers"},
		{"Adam state into momentum SGD", mustSGD(t, 1, optim.Momentum(0.5)), adamState, "was it saved from Adam?"},
		{"momentum state into plain SGD", mustSGD(t, 1), sgdState, "keeps none"},
		{"steps without buffers", mustAdam(t, 1), optim.SolverState{Steps: 2}, "Adam needs as many of each, at least one"},
		{"ragged", mustAdam(t, 1), optim.SolverState{Steps: 1, M: [][]float64{{1, 2}}, V: [][]float64{{1}}}, "buffer 0: 2 first but 1 second moments"},
		{"negative V", mustAdam(t, 1), optim.SolverState{Steps: 1, M: [][]float64{{1, 2}}, V: [][]float64{{1, -2}}}, "V[0][1] = -2"},
		{"NaN M", mustSGD(t, 1, optim.Momentum(0.5)), optim.SolverState{Steps: 1, M: [][]float64{{math.NaN()}}}, "M[0][0] = NaN"},
	} {
		if err := tc.s.SetState(tc.st); err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: SetState error %v, want one mentioning %q", tc.name, err, tc.mention)
		}
		if tc.s.Steps() != 0 {
			t.Errorf("%s: rejected SetState changed Steps to %d", tc.name, tc.s.Steps())
		}
	}

	// A state for other parameters: rejected by SetState once the solver has
	// stepped, by the next Step otherwise.
	p := vg64("w", []float64{1, 2, 3}, 3)
	s := mustAdam(t, 0.1)
	if err := s.Step(vgList(p)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(adamState); !errors.Is(err, optim.ErrParamsChanged) || !strings.Contains(err.Error(), "buffer 0 has 2 elements, parameter 0 has 3") {
		t.Errorf("SetState with other sizes: %v", err)
	}
	fresh := mustAdam(t, 0.1)
	if err := fresh.SetState(adamState); err != nil {
		t.Fatal(err)
	}
	q := vg64("w", []float64{1, 2, 3}, 3)
	q.setGrad64([]float64{1, 1, 1})
	if err := fresh.Step(vgList(q)); !errors.Is(err, optim.ErrParamsChanged) || !strings.Contains(err.Error(), `parameter 0 ("w")`) {
		t.Errorf("Step after SetState with other sizes: %v", err)
	}
	if err := fresh.Step(vgList(q, q)); !errors.Is(err, optim.ErrParamsChanged) || !strings.Contains(err.Error(), "the restored state has 1") {
		t.Errorf("Step with another count after SetState: %v", err)
	}
	if q.w64()[0] != 1 || q.g64()[0] != 1 || fresh.Steps() != 3 {
		t.Errorf("rejected Step changed w %v, g %v or Steps %d", q.w64(), q.g64(), fresh.Steps())
	}
	if st := fresh.State(); !equal64(st.M[0], adamState.M[0]) {
		t.Errorf("pending state lost after a rejected Step: %+v", st)
	}
}

// zeroAllocs asserts that Step allocates nothing once the buffers exist.
func zeroAllocs(t *testing.T, name string, s optim.Solver, vgs []G.ValueGrad) {
	t.Helper()
	if err := s.Step(vgs); err != nil { // allocates the moments
		t.Fatal(err)
	}
	var err error
	allocs := testing.AllocsPerRun(50, func() {
		if e := s.Step(vgs); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("%s: %v allocations per Step, want 0", name, allocs)
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // "c" is split across cores
	for _, dt := range []string{"float64", "float32"} {
		params := func() []G.ValueGrad {
			if dt == "float32" {
				return vgList(vg32("a", make([]float32, 12), 3, 4), vg32("b", make([]float32, 4), 4), vg32("c", make([]float32, 400*300), 400, 300))
			}
			return vgList(vg64("a", make([]float64, 12), 3, 4), vg64("b", make([]float64, 4), 4), vg64("c", make([]float64, 400*300), 400, 300))
		}
		for name, s := range map[string]optim.Solver{
			"Adam":          mustAdam(t, 1e-3),
			"AdamW clipped": mustAdam(t, 1e-3, optim.WeightDecay(0.01), optim.ClipNorm(1)),
			"SGD":           mustSGD(t, 0.1, optim.WeightDecay(0.01)),
			"SGD momentum":  mustSGD(t, 0.1, optim.Momentum(0.9), optim.ClipNorm(1)),
			"SGD Nesterov":  mustSGD(t, 0.1, optim.Momentum(0.9), optim.Nesterov()),
		} {
			zeroAllocs(t, name+" "+dt, s, params())
		}
	}
	vgs := vgList(vg64("a", make([]float64, 12), 3, 4), vg32("b", make([]float32, 4), 4))
	if allocs := testing.AllocsPerRun(50, func() { _, _ = optim.GlobalNorm(vgs) }); allocs != 0 {
		t.Errorf("GlobalNorm: %v allocations, want 0", allocs)
	}
}

// TestSolversSplitAcrossCores checks that updates split across cores give
// the same bits as one run on a single core.
func TestSolversSplitAcrossCores(t *testing.T) {
	solvers := map[string]func() (optim.Solver, error){
		"AdamW":          func() (optim.Solver, error) { return optim.NewAdam(1e-2, optim.WeightDecay(0.01)) },
		"SGD":            func() (optim.Solver, error) { return optim.NewSGD(1e-2) },
		"SGD Nesterov":   func() (optim.Solver, error) { return optim.NewSGD(1e-2, optim.Momentum(0.9), optim.Nesterov()) },
		"RMSProp":        func() (optim.Solver, error) { return optim.NewRMSProp(1e-2) },
		"RMSProp moment": func() (optim.Solver, error) { return optim.NewRMSProp(1e-2, optim.Momentum(0.9)) },
	}
	for name, newSolver := range solvers {
		run := func(procs int) []float32 {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			rng := rand.New(rand.NewPCG(3, 4))
			w := make([]float32, 400*300)
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			p := vg32("w", w, 400, 300)
			s, err := newSolver()
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				g := p.g.Data().([]float32)
				for i := range g {
					g[i] = float32(rng.NormFloat64())
				}
				if err := s.Step(vgList(p)); err != nil {
					t.Fatal(err)
				}
			}
			return w
		}
		one, two := run(1), run(2)
		for i := range one {
			if math.Float32bits(one[i]) != math.Float32bits(two[i]) {
				t.Fatalf("%s: w[%d] = %v on one core, %v on two", name, i, one[i], two[i])
			}
		}
	}
}

func equal64(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equal32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// close64 reports whether |a[i]-b[i]| <= tol*max(1, |b[i]|) for all i.
func close64(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= tol*math.Max(1, math.Abs(b[i]))) {
			return false
		}
	}
	return true
}

// quadGraph builds cost = sum((w - x)^2) for a 2x3 parameter w and an input x,
// compiled on a TapeMachine that keeps w's gradient as a dual value.
type quadGraph struct {
	w, x *G.Node
	vm   G.VM
}

func newQuadGraph(t *testing.T, w0 []float64) *quadGraph {
	t.Helper()
	g := G.NewGraph()
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("w"), G.WithValue(dense64(w0, 2, 3)))
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	cost := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(w, x))))))
	if _, err := G.Grad(cost, w); err != nil {
		t.Fatal(err)
	}
	q := &quadGraph{w: w, x: x, vm: G.NewTapeMachine(g, G.BindDualValues(w))}
	t.Cleanup(func() { q.vm.Close() })
	return q
}

// run sets x and runs the machine once, adding 2(w - x) to w's gradient.
func (q *quadGraph) run(t *testing.T, x []float64) {
	t.Helper()
	if err := G.Let(q.x, dense64(x, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if err := q.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	q.vm.Reset()
}

func (q *quadGraph) grad(t *testing.T) []float64 {
	t.Helper()
	g, err := q.w.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return g.Data().([]float64)
}

// TestTapeMachineAccumulation runs a TapeMachine K = 3 times with different
// inputs, then steps with gradient scale 1/3: the result must equal one step
// on the mean gradient, the gradient must be zero afterwards, and the next run
// must start accumulating from zero.
func TestTapeMachineAccumulation(t *testing.T) {
	w0 := []float64{0.5, -1, 2, 0, 1.5, -0.25}
	xs := [][]float64{
		{1, 2, 3, 4, 5, 6},
		{-1, 0, 1, 0.5, 2, -3},
		{0.3, 0.1, -0.2, 2, 1, 0},
	}
	// The mean gradient, computed by hand: mean over k of 2(w0 - x_k).
	mean := make([]float64, 6)
	for i := range mean {
		for _, x := range xs {
			mean[i] += 2 * (w0[i] - x[i]) / 3
		}
	}
	for name, mk := range map[string]func() optim.Solver{
		"Adam":         func() optim.Solver { return mustAdam(t, 0.1, optim.WeightDecay(0.1)) },
		"SGD momentum": func() optim.Solver { return mustSGD(t, 0.1, optim.Momentum(0.9)) },
	} {
		q := newQuadGraph(t, w0)
		for _, x := range xs {
			q.run(t, x)
		}
		s := mk()
		if err := s.SetGradScale(1.0 / 3); err != nil {
			t.Fatal(err)
		}
		if err := s.Step([]G.ValueGrad{q.w}); err != nil {
			t.Fatal(err)
		}
		ref := vg64("w", w0, 2, 3)
		ref.setGrad64(mean)
		if err := mk().Step(vgList(ref)); err != nil {
			t.Fatal(err)
		}
		got := q.w.Value().Data().([]float64)
		if !close64(got, ref.w64(), 1e-12) {
			t.Errorf("%s: w after K=3 runs and scale 1/3 = %v, one step on the mean gradient = %v", name, got, ref.w64())
		}
		if g := q.grad(t); !equal64(g, make([]float64, 6)) {
			t.Errorf("%s: gradient after Step = %v, want zeros", name, g)
		}
		// The next run's gradient is that of this run alone.
		q.run(t, xs[0])
		want := make([]float64, 6)
		for i := range want {
			want[i] = 2 * (got[i] - xs[0][i])
		}
		if g := q.grad(t); !close64(g, want, 1e-12) {
			t.Errorf("%s: gradient of the run after Step = %v, want %v", name, g, want)
		}
	}
}

// TestAdamMinimisesQuadratic trains w towards x through a Gorgonia graph.
func TestAdamMinimisesQuadratic(t *testing.T) {
	target := []float64{1, 2, 3, 4, 5, 6}
	q := newQuadGraph(t, []float64{0, 0, 0, 0, 0, 0})
	s := mustAdam(t, 0.1)
	for k := 0; k < 500; k++ {
		q.run(t, target)
		if err := s.Step([]G.ValueGrad{q.w}); err != nil {
			t.Fatal(err)
		}
	}
	if got := q.w.Value().Data().([]float64); !close64(got, target, 1e-3) {
		t.Errorf("after 500 Adam steps w = %v, want %v", got, target)
	}
	if s.Steps() != 500 {
		t.Errorf("Steps = %d, want 500", s.Steps())
	}
}
