package netspec

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// Task is what a network's output means.
type Task string

const (
	// Regression: the outputs are predicted values (each a Gaussian's
	// mean, with NoiseStd its sd).
	Regression Task = "regression"
	// Classification: the outputs are the logits of Classes() classes.
	Classification Task = "classification"
)

// Layer kinds.
const (
	Linear    = "linear"    // dense Bayesian layer: [batch, in] -> [batch, Out]
	Conv1D    = "conv1d"    // [batch, C, L] -> [batch, Out, L']
	Conv2D    = "conv2d"    // [batch, C, H, W] -> [batch, Out, H', W']
	MaxPool2D = "maxpool2d" // [batch, C, H, W] -> [batch, C, H', W']
	ReLU      = "relu"
	Tanh      = "tanh"
	Sigmoid   = "sigmoid"
	Flatten   = "flatten" // [batch, ...] -> [batch, product]
)

// Spec is a declarative description of a Bayesian network. The zero values
// of the optional fields are the library's defaults.
type Spec struct {
	// Input is the shape of one example, e.g. [784] or [1, 28, 28].
	Input []int `json:"input"`
	// Dtype is "float64" (the default when empty) or "float32".
	Dtype string `json:"dtype,omitempty"`
	Task  Task   `json:"task"`
	// Layers are applied in order to the input [batch, Input...].
	Layers []Layer `json:"layers,omitempty"`
	// Custom names a network built by Go code instead of Layers (which
	// must then be empty): the Spec still carries the input, task and
	// prediction settings that package scoring and serve need, but
	// Network, NewModel and Load fail with ErrCustom and Output is
	// unknown.
	Custom string `json:"custom,omitempty"`

	// Estimator is the Bayesian layers' training estimator
	// ("reparameterization", the default, "local-reparameterization" or
	// "flipout"). Predictions sample weights under every estimator.
	Estimator string `json:"estimator,omitempty"`
	// Prior is the prior of every weight; nil is bayesnodes.DefaultPrior.
	Prior *Prior `json:"prior,omitempty"`
	// Init sets the posteriors' initial values; nil keeps the defaults.
	Init *Init `json:"init,omitempty"`

	// NoiseStd is a regression's likelihood noise sd: with it, results
	// carry the total predictive sd as well as the epistemic one.
	NoiseStd float64 `json:"noise_std,omitempty"`
	// OODThreshold, for a classifier, is the mutual information (in nats)
	// above which an input is flagged out of distribution; 0 flags none.
	OODThreshold float64 `json:"ood_threshold,omitempty"`
	// Conformal is a regression's split-conformal calibration of its
	// intervals: mean ± Scale·sd, sd the total predictive sd (the
	// epistemic one without NoiseStd), covers a new target with
	// probability Level (see uncertainty.CalibrateInterval).
	Conformal *uncertainty.ConformalInterval `json:"conformal,omitempty"`
}

// Layer is one step of a Spec. Which fields apply depends on Kind.
type Layer struct {
	Kind string `json:"kind"`
	// Name names the layer's parameters (Name.weight.mu, ...). The
	// default numbers layers by kind: fc1, fc2, ... for linear layers,
	// conv1, conv2, ... for convolutions (the examples' names).
	Name string `json:"name,omitempty"`
	// Out is a linear layer's output width or a convolution's output
	// channels.
	Out int `json:"out,omitempty"`
	// Kernel, Stride, Padding and Dilation of a convolution or pooling:
	// one value per spatial axis, or one for all. Stride defaults to 1 for
	// a convolution and to the kernel for a pooling; Padding to 0;
	// Dilation (convolutions only) to 1.
	Kernel   []int `json:"kernel,omitempty"`
	Stride   []int `json:"stride,omitempty"`
	Padding  []int `json:"padding,omitempty"`
	Dilation []int `json:"dilation,omitempty"`
	// Groups splits a convolution's channels (default 1).
	Groups int `json:"groups,omitempty"`
	// NoBias drops a linear layer's or a convolution's bias.
	NoBias bool `json:"no_bias,omitempty"`
}

// Prior is a weight prior: Kind "normal" (N(Mu, Sigma^2)) or
// "scale-mixture" (Pi N(0, Sigma1^2) + (1-Pi) N(0, Sigma2^2)).
type Prior struct {
	Kind   string  `json:"kind"`
	Mu     float64 `json:"mu,omitempty"`
	Sigma  float64 `json:"sigma,omitempty"`
	Pi     float64 `json:"pi,omitempty"`
	Sigma1 float64 `json:"sigma1,omitempty"`
	Sigma2 float64 `json:"sigma2,omitempty"`
}

// Init is the posteriors' initialisation (see bayesnodes.WithMuInit and
// WithRhoInit).
type Init struct {
	// MuStd > 0 draws the means from N(0, MuStd^2); 0 keeps the fan-in
	// scaled uniform default.
	MuStd float64 `json:"mu_std,omitempty"`
	// RhoMean and RhoStd draw rho from N(RhoMean, RhoStd^2); both 0 keep
	// the default (bayesnodes.DefaultRhoInit, sd 0.1).
	RhoMean float64 `json:"rho_mean,omitempty"`
	RhoStd  float64 `json:"rho_std,omitempty"`
}

// MLP returns the Spec of a fully connected network of the given widths
// (input first) with ReLU between its linear layers, e.g. MLP(Classification,
// 784, 400, 400, 10) for the examples' MNIST network.
func MLP(task Task, sizes ...int) *Spec {
	s := &Spec{Task: task}
	if len(sizes) > 0 {
		s.Input = []int{sizes[0]}
	}
	for i := 1; i < len(sizes); i++ {
		if i > 1 {
			s.Layers = append(s.Layers, Layer{Kind: ReLU})
		}
		s.Layers = append(s.Layers, Layer{Kind: Linear, Out: sizes[i]})
	}
	return s
}

// LeNet returns the Spec of the examples' LeNet for 28x28 digits: conv
// 6@5x5, max-pool 2, ReLU, conv 16@5x5, max-pool 2, ReLU, then
// 256-120-84-10 with ReLU between.
func LeNet() *Spec {
	block := func(out int) []Layer {
		return []Layer{{Kind: Conv2D, Out: out, Kernel: []int{5}}, {Kind: MaxPool2D, Kernel: []int{2}}, {Kind: ReLU}}
	}
	s := &Spec{Input: []int{1, 28, 28}, Task: Classification}
	s.Layers = append(append(block(6), block(16)...), Layer{Kind: Flatten})
	s.Layers = append(s.Layers, MLP(Classification, 256, 120, 84, 10).Layers...)
	return s
}

// Validate checks s and the shapes through its layers.
func (s *Spec) Validate() error {
	_, err := s.plan()
	return err
}

// Output returns the shape of one example's output.
func (s *Spec) Output() ([]int, error) {
	p, err := s.plan()
	if err != nil {
		return nil, err
	}
	if s.Custom != "" {
		return nil, fmt.Errorf("netspec: %w: the output of custom network %q is not described", ErrCustom, s.Custom)
	}
	return p.out, nil
}

// OutputWidth returns the number of values in one example's output: the
// number of classes of a classifier.
func (s *Spec) OutputWidth() (int, error) {
	out, err := s.Output()
	if err != nil {
		return 0, err
	}
	return product(out), nil
}

// plan is a validated Spec: the shape each layer receives and its name.
type plan struct {
	in    [][]int // in[i]: the shape layer i receives, without the batch
	names []string
	out   []int
}

func (s *Spec) plan() (*plan, error) {
	if s == nil {
		return nil, fmt.Errorf("netspec: nil spec")
	}
	if len(s.Input) == 0 {
		return nil, fmt.Errorf("netspec: %w: no input shape", ErrInput)
	}
	for _, d := range s.Input {
		if d < 1 {
			return nil, fmt.Errorf("netspec: %w: input %v, want every dimension >= 1", ErrInput, s.Input)
		}
	}
	if _, err := s.dtype(); err != nil {
		return nil, err
	}
	if err := s.checkOptions(); err != nil {
		return nil, err
	}
	if s.Custom != "" {
		if len(s.Layers) > 0 {
			return nil, fmt.Errorf("netspec: %w: custom network %q with %d layers: give one or the other", ErrLayer, s.Custom, len(s.Layers))
		}
		return &plan{}, s.checkOutput(nil)
	}
	if len(s.Layers) == 0 {
		return nil, fmt.Errorf("netspec: %w: no layers", ErrLayer)
	}
	p := &plan{}
	shape := append([]int(nil), s.Input...)
	seen := map[string]int{}
	var linears, convs int
	for i, l := range s.Layers {
		name := l.Name
		switch l.Kind {
		case Linear:
			linears++
			name = defaultName(name, "fc", linears)
		case Conv1D, Conv2D:
			convs++
			name = defaultName(name, "conv", convs)
		default:
			if l.Name != "" {
				return nil, fmt.Errorf("netspec: %w: layer %d (%s) has no parameters to name, but name %q", ErrLayer, i, l.Kind, l.Name)
			}
		}
		if name != "" {
			if j, dup := seen[name]; dup {
				return nil, fmt.Errorf("netspec: %w: layers %d and %d are both named %q", ErrLayer, j, i, name)
			}
			seen[name] = i
		}
		p.in = append(p.in, shape)
		p.names = append(p.names, name)
		next, err := l.outShape(shape)
		if err != nil {
			return nil, fmt.Errorf("netspec: layer %d (%s): %w", i, l.Kind, err)
		}
		shape = next
	}
	p.out = shape
	if err := s.checkOutput(shape); err != nil {
		return nil, err
	}
	return p, nil
}

func defaultName(name, prefix string, n int) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("%s%d", prefix, n)
}

func (s *Spec) checkOutput(out []int) error {
	switch s.Task {
	case Classification:
		if s.Custom == "" && (len(out) != 1 || out[0] < 2) {
			return fmt.Errorf("netspec: %w: a classifier's output must be [classes] with at least 2 classes, the layers give %v", ErrShape, out)
		}
		if s.NoiseStd != 0 || s.Conformal != nil {
			return fmt.Errorf("netspec: %w: noise_std and conformal are for regression, the task is %s", ErrTask, s.Task)
		}
	case Regression:
		if s.OODThreshold != 0 {
			return fmt.Errorf("netspec: %w: ood_threshold is for classification, the task is %s", ErrTask, s.Task)
		}
	default:
		return fmt.Errorf("netspec: %w: %q, want %q or %q", ErrTask, s.Task, Regression, Classification)
	}
	return nil
}

func (s *Spec) checkOptions() error {
	if s.Estimator != "" {
		var e bayesnodes.Estimator
		if err := e.UnmarshalText([]byte(s.Estimator)); err != nil {
			return fmt.Errorf("netspec: %w: estimator: %v", ErrOption, err)
		}
	}
	if s.Prior != nil {
		if _, err := s.Prior.prior(); err != nil {
			return err
		}
	}
	if in := s.Init; in != nil {
		if !finite(in.MuStd) || in.MuStd < 0 || !finite(in.RhoMean) || !finite(in.RhoStd) || in.RhoStd < 0 {
			return fmt.Errorf("netspec: %w: init %+v, want finite values, mu_std and rho_std >= 0", ErrOption, *in)
		}
	}
	if !finite(s.NoiseStd) || s.NoiseStd < 0 {
		return fmt.Errorf("netspec: %w: noise_std %v, want a finite value >= 0", ErrOption, s.NoiseStd)
	}
	if !finite(s.OODThreshold) || s.OODThreshold < 0 {
		return fmt.Errorf("netspec: %w: ood_threshold %v, want a finite value >= 0", ErrOption, s.OODThreshold)
	}
	if c := s.Conformal; c != nil && (!(c.Level > 0 && c.Level < 1) || !finite(c.Scale) || c.Scale <= 0) {
		return fmt.Errorf("netspec: %w: conformal level %v, scale %v: want a level in (0, 1) and a finite scale > 0", ErrOption, c.Level, c.Scale)
	}
	return nil
}

func (p *Prior) prior() (bayesnodes.Prior, error) {
	var pr interface {
		bayesnodes.Prior
		Validate() error
	}
	switch p.Kind {
	case "normal":
		pr = bayesnodes.Normal{Mu: p.Mu, Sigma: p.Sigma}
	case "scale-mixture":
		pr = bayesnodes.ScaleMixture{Pi: p.Pi, Sigma1: p.Sigma1, Sigma2: p.Sigma2}
	default:
		return nil, fmt.Errorf("netspec: %w: prior kind %q, want \"normal\" or \"scale-mixture\"", ErrOption, p.Kind)
	}
	if err := pr.Validate(); err != nil {
		return nil, fmt.Errorf("netspec: %w: prior: %v", ErrOption, err)
	}
	return pr, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
