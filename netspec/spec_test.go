package netspec

import (
	"errors"
	"github.com/gorgonia-bnn/bnn/uncertainty"
	"slices"
	"strings"
	"testing"
)

func TestExamplesShapes(t *testing.T) {
	for _, tc := range []struct {
		spec   *Spec
		params map[string][]int // a few parameters and their shapes
		count  int              // parameter tensors
	}{
		{MLP(Classification, 784, 400, 400, 10), map[string][]int{"fc1.weight.mu": {400, 784}, "fc3.bias.rho": {10}}, 12},
		{LeNet(), map[string][]int{"conv1.weight.mu": {6, 1, 5, 5}, "conv2.weight.rho": {16, 6, 5, 5}, "fc1.weight.mu": {120, 256}, "fc3.bias.mu": {10}}, 20},
	} {
		if err := tc.spec.Validate(); err != nil {
			t.Fatal(err)
		}
		if w, err := tc.spec.OutputWidth(); err != nil || w != 10 {
			t.Fatalf("OutputWidth = %d, %v; want 10", w, err)
		}
		m, err := tc.spec.NewModel()
		if err != nil {
			t.Fatal(err)
		}
		if err := m.InitParams(); err != nil {
			t.Fatal(err)
		}
		if n := len(m.Params()); n != tc.count {
			t.Errorf("%d parameter tensors, want %d", n, tc.count)
		}
		for name, shape := range tc.params {
			p := m.Param(name)
			if p == nil || !slices.Equal(p.Shape(), shape) {
				t.Errorf("parameter %s: %v, want shape %v", name, p, shape)
			}
		}
		p, err := m.Predict(make([]float64, 2*m.InputWidth()), 2)
		if err != nil || p.Width != 10 || p.N != 2 {
			t.Fatalf("Predict: %+v, %v", p, err)
		}
	}
}

func TestConvShapes(t *testing.T) {
	s := &Spec{Input: []int{3, 20}, Task: Regression, Layers: []Layer{
		{Kind: Conv1D, Out: 4, Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}, Dilation: []int{2}},
		{Kind: Tanh}, {Kind: Flatten}, {Kind: Linear, Out: 2}, {Kind: Sigmoid},
	}}
	out, err := s.Output()
	if err != nil || !slices.Equal(out, []int{2}) {
		t.Fatalf("Output = %v, %v", out, err)
	}
	m, err := s.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	// (20 + 2 - 2*2 - 1)/2 + 1 = 9 positions of 4 channels feed fc1.
	p, err := m.Predict(make([]float64, 60), 1)
	if err != nil || p.Width != 2 {
		t.Fatalf("Predict: %v, %v", p, err)
	}
	if got := m.Param("fc1.weight.mu").Shape(); !slices.Equal(got, []int{2, 36}) {
		t.Errorf("fc1 weight %v, want [2 36]", got)
	}
	grouped := &Spec{Input: []int{4, 9, 9}, Task: Regression, Layers: []Layer{
		{Kind: Conv2D, Out: 8, Kernel: []int{3, 2}, Groups: 2, NoBias: true},
		{Kind: MaxPool2D, Kernel: []int{2}, Padding: []int{1}}, {Kind: Flatten}, {Kind: Linear, Out: 1, Name: "head"},
	}}
	// conv: 7x8; pool (7+2-2)/2+1 = 4, (8+2-2)/2+1 = 5
	if out, err := grouped.Network(); err != nil || out == nil {
		t.Fatal(err)
	}
	m, err = grouped.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := m.Predict(make([]float64, 2*4*81), 1); err != nil || p.Width != 1 {
		t.Fatalf("Predict: %v, %v", p, err)
	}
	if got := m.Param("head.weight.mu").Shape(); !slices.Equal(got, []int{1, 8 * 4 * 5}) {
		t.Errorf("head weight %v, want [1 160]", got)
	}
	if m.Param("conv1.bias.mu") != nil {
		t.Error("no_bias convolution has a bias")
	}
}

func TestValidateNamesTheProblem(t *testing.T) {
	mlp := func(edit func(*Spec)) *Spec {
		s := MLP(Classification, 4, 8, 3)
		edit(s)
		return s
	}
	for _, tc := range []struct {
		name string
		spec *Spec
		want error
		text string
	}{
		{"no input", mlp(func(s *Spec) { s.Input = nil }), ErrInput, "no input"},
		{"zero input", mlp(func(s *Spec) { s.Input = []int{0} }), ErrInput, "[0]"},
		{"dtype", mlp(func(s *Spec) { s.Dtype = "int8" }), ErrDtype, "int8"},
		{"task", mlp(func(s *Spec) { s.Task = "ranking" }), ErrTask, "ranking"},
		{"no layers", mlp(func(s *Spec) { s.Layers = nil }), ErrLayer, "no layers"},
		{"unknown kind", mlp(func(s *Spec) { s.Layers[1].Kind = "softmax" }), ErrLayer, "softmax"},
		{"zero out", mlp(func(s *Spec) { s.Layers[0].Out = 0 }), ErrLayer, "layer 0"},
		{"kernel on linear", mlp(func(s *Spec) { s.Layers[0].Kernel = []int{3} }), ErrLayer, "kernel"},
		{"name on relu", mlp(func(s *Spec) { s.Layers[1].Name = "act" }), ErrLayer, "act"},
		{"duplicate names", mlp(func(s *Spec) { s.Layers[0].Name = "fc2" }), ErrLayer, "fc2"},
		{"conv on flat input", mlp(func(s *Spec) { s.Layers[0] = Layer{Kind: Conv2D, Out: 2, Kernel: []int{1}} }), ErrShape, "[4]"},
		{"linear on image", &Spec{Input: []int{1, 4, 4}, Task: Regression, Layers: []Layer{{Kind: Linear, Out: 1}}}, ErrShape, "flatten"},
		{"kernel too big", &Spec{Input: []int{1, 4, 4}, Task: Regression, Layers: []Layer{{Kind: Conv2D, Out: 1, Kernel: []int{5}}}}, ErrShape, "kernel spans 5"},
		{"no kernel", &Spec{Input: []int{1, 4, 4}, Task: Regression, Layers: []Layer{{Kind: Conv2D, Out: 1}}}, ErrLayer, "no kernel"},
		{"kernel of 3 axes", &Spec{Input: []int{1, 4, 4}, Task: Regression, Layers: []Layer{{Kind: MaxPool2D, Kernel: []int{2, 2, 2}}}}, ErrLayer, "want 1 or 2"},
		{"groups", &Spec{Input: []int{3, 4, 4}, Task: Regression, Layers: []Layer{{Kind: Conv2D, Out: 4, Kernel: []int{1}, Groups: 2}}}, ErrShape, "groups"},
		{"one class", mlp(func(s *Spec) { s.Layers[2].Out = 1 }), ErrShape, "at least 2 classes"},
		{"noise on classifier", mlp(func(s *Spec) { s.NoiseStd = 0.1 }), ErrTask, "noise_std"},
		{"negative noise", &Spec{Input: []int{1}, Task: Regression, Layers: []Layer{{Kind: Linear, Out: 1}}, NoiseStd: -1}, ErrOption, "noise_std"},
		{"ood on regression", &Spec{Input: []int{1}, Task: Regression, Layers: []Layer{{Kind: Linear, Out: 1}}, OODThreshold: 0.1}, ErrTask, "ood_threshold"},
		{"estimator", mlp(func(s *Spec) { s.Estimator = "magic" }), ErrOption, "magic"},
		{"prior", mlp(func(s *Spec) { s.Prior = &Prior{Kind: "normal", Sigma: -1} }), ErrOption, "Sigma"},
		{"conformal level", &Spec{Input: []int{1}, Task: Regression, Layers: []Layer{{Kind: Linear, Out: 1}}, Conformal: &uncertainty.ConformalInterval{Level: 1.5, Scale: 2}}, ErrOption, "1.5"},
	} {
		err := tc.spec.Validate()
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v; want %v naming %q", tc.name, err, tc.want, tc.text)
		}
		if _, err := tc.spec.Network(); !errors.Is(err, tc.want) {
			t.Errorf("%s: Network: %v; want %v", tc.name, err, tc.want)
		}
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	if _, err := Parse([]byte(`{"input":[1],"task":"regression","layers":[{"kind":"linear","out":1,"outs":2}]}`)); err == nil || !strings.Contains(err.Error(), "outs") {
		t.Errorf("unknown field: %v", err)
	}
	s, err := Parse([]byte(`{"input":[2],"task":"regression","layers":[{"kind":"linear","out":1}],"noise_std":0.5}`))
	if err != nil || s.NoiseStd != 0.5 {
		t.Fatalf("Parse: %+v, %v", s, err)
	}
}

func TestSameNetwork(t *testing.T) {
	a, b := MLP(Classification, 4, 8, 3), MLP(Classification, 4, 8, 3)
	b.OODThreshold, b.Dtype = 0.2, "float64"
	if !a.SameNetwork(b) {
		t.Error("a different threshold made another network")
	}
	b.Layers[0].Out = 9
	if a.SameNetwork(b) {
		t.Error("a different width made the same network")
	}
}

func TestCustom(t *testing.T) {
	s := &Spec{Input: []int{4}, Task: Classification, Custom: "mine", OODThreshold: 0.1}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Network(); !errors.Is(err, ErrCustom) {
		t.Errorf("Network: %v", err)
	}
	if _, err := s.Output(); !errors.Is(err, ErrCustom) {
		t.Errorf("Output: %v", err)
	}
	s.Layers = MLP(Classification, 4, 2).Layers
	if err := s.Validate(); !errors.Is(err, ErrLayer) {
		t.Errorf("custom with layers: %v", err)
	}
}
