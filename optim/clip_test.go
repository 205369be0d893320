package optim_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/optim"
)

func TestGlobalNorm(t *testing.T) {
	// 3-4-12-84-132: sqrt(9+16) = 5, sqrt(25+144) = 13, sqrt(169+7056) = 85,
	// with the last two gradients in float32.
	a := vg64("a", []float64{0, 0}, 2)
	a.setGrad64([]float64{3, 4})
	b := vg32("b", []float32{0}, 1)
	b.setGrad32([]float32{12})
	c := vg32("c", []float32{0, 0}, 1, 2)
	c.setGrad32([]float32{-84, 0})
	got, err := optim.GlobalNorm(vgList(a, b, c))
	if err != nil {
		t.Fatal(err)
	}
	if got != 85 {
		t.Errorf("GlobalNorm = %v, want 85", got)
	}
	if got, err := optim.GlobalNorm(nil); got != 0 || err != nil {
		t.Errorf("GlobalNorm(nil) = %v, %v; want 0, nil", got, err)
	}
	bad := &vgParam{name: "bad", w: dense64([]float64{1}, 1), g: zeros32(1)}
	_, err = optim.GlobalNorm(vgList(a, bad))
	var pe *optim.ParamError
	if !errors.As(err, &pe) || pe.Op != "GlobalNorm" || pe.Index != 1 || pe.Name != "bad" || !errors.Is(err, optim.ErrMismatch) {
		t.Errorf("GlobalNorm with a mismatched parameter: %v", err)
	}
}

// clipParams returns two parameters at zero whose gradients have global norm
// 13 (3, 4 and 12).
func clipParams() []*vgParam {
	a, b := vg64("a", []float64{0, 0}, 2), vg32("b", []float32{0}, 1)
	a.setGrad64([]float64{3, 4})
	b.setGrad32([]float32{12})
	return []*vgParam{a, b}
}

// displacement returns the parameters' values, which SGD with lr 1 from zero
// makes minus the gradients it used.
func displacement(ps []*vgParam) []float64 {
	return []float64{ps[0].w64()[0], ps[0].w64()[1], float64(ps[1].w32()[0])}
}

func TestClipNorm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   float64
		scale float64
		want  []float64 // -(the gradient used)
	}{
		// Norm 13 clipped to 6.5: the gradients are halved.
		{"clipped", 6.5, 1, []float64{-1.5, -2, -6}},
		// The scale applies first: 13/2 = 6.5 is clipped to 1.3.
		{"clipped after scale", 1.3, 0.5, []float64{-0.3, -0.4, -1.2}},
		// Below the maximum nothing changes.
		{"below max", 13.5, 1, []float64{-3, -4, -12}},
		{"below max after scale", 7, 0.5, []float64{-1.5, -2, -6}},
	} {
		ps := clipParams()
		s := mustSGD(t, 1, optim.ClipNorm(tc.max))
		if err := s.SetGradScale(tc.scale); err != nil {
			t.Fatal(err)
		}
		if err := s.Step(vgList(ps...)); err != nil {
			t.Fatal(err)
		}
		got := displacement(ps)
		if !close64(got, tc.want, 1e-7) {
			t.Errorf("%s: gradient used = %v, want %v", tc.name, got, tc.want)
		}
		norm := math.Sqrt(got[0]*got[0] + got[1]*got[1] + got[2]*got[2])
		if want := math.Min(tc.max, 13*tc.scale); math.Abs(norm-want) > 1e-6 {
			t.Errorf("%s: norm of the gradient used = %v, want %v", tc.name, norm, want)
		}
	}
}

// TestClipNormAdam checks that Adam clips too: with a clipped gradient the
// second step differs from the unclipped one exactly as the reference does.
func TestClipNormAdam(t *testing.T) {
	s := mustAdam(t, 0.1, optim.ClipNorm(1))
	ps := clipParams()
	if err := s.Step(vgList(ps...)); err != nil {
		t.Fatal(err)
	}
	// After one step, m = (1-beta1) * g * (1/13) for the clipped g.
	st := s.State()
	want := []float64{0.1 * 3 / 13, 0.1 * 4 / 13}
	if !close64(st.M[0], want, 1e-12) || !close64(st.M[1], []float64{0.1 * 12 / 13}, 1e-7) {
		t.Errorf("first moments after a clipped step: %v, want %v and [%v]", st.M, want, 0.1*12/13)
	}
}

func TestClipNormNonFinite(t *testing.T) {
	for _, bad := range []float64{math.Inf(-1), math.NaN(), 1e200} {
		s := mustAdam(t, 0.1, optim.ClipNorm(1))
		ps := clipParams()
		ps[0].setGrad64([]float64{bad, 1})
		err := s.Step(vgList(ps...))
		if !errors.Is(err, optim.ErrNonFinite) || !strings.Contains(err.Error(), `Adam.Step: parameter 0 ("a")`) {
			t.Errorf("gradient %v: error %v, want ErrNonFinite", bad, err)
		}
		if ps[0].w64()[1] != 0 || ps[0].g64()[1] != 1 || s.Steps() != 0 || s.State().M != nil {
			t.Errorf("gradient %v: the failed Step changed something", bad)
		}
	}
}

var _ G.ValueGrad = (*vgParam)(nil)
