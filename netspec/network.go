package netspec

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// apply adds one step of a network to a graph.
type apply func(b *graph.Builder, x *G.Node) (*G.Node, error)

// Network returns the network s describes, with layers of its own: every
// call makes new parameters.
func (s *Spec) Network() (graph.Network, error) {
	p, err := s.plan()
	if err != nil {
		return nil, err
	}
	if s.Custom != "" {
		return nil, fmt.Errorf("netspec: %w: %q is built by its own Go code", ErrCustom, s.Custom)
	}
	opts, err := s.layerOptions()
	if err != nil {
		return nil, err
	}
	steps := make([]apply, len(s.Layers))
	for i, l := range s.Layers {
		if steps[i], err = l.build(p.in[i], p.names[i], opts); err != nil {
			return nil, fmt.Errorf("netspec: layer %d (%s): %w", i, l.Kind, err)
		}
	}
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		for _, step := range steps {
			var err error
			if x, err = step(b, x); err != nil {
				return nil, err
			}
		}
		return x, nil
	}, nil
}

// NewModel returns a model of the network s describes, with its input shape
// and dtype; opts add to them (graph.Seed, say).
func (s *Spec) NewModel(opts ...graph.Option) (*graph.Model, error) {
	net, err := s.Network()
	if err != nil {
		return nil, err
	}
	dt, _ := s.dtype() // checked by Network
	return graph.NewModel(net, append([]graph.Option{graph.Input(s.Input...), graph.WithDtype(dt)}, opts...)...)
}

func (s *Spec) dtype() (tensor.Dtype, error) {
	switch s.Dtype {
	case "", "float64":
		return graph.Float64, nil
	case "float32":
		return graph.Float32, nil
	}
	return tensor.Dtype{}, fmt.Errorf("netspec: %w: %q, want \"float32\" or \"float64\"", ErrDtype, s.Dtype)
}

// layerOptions returns the options every Bayesian layer of s gets.
func (s *Spec) layerOptions() ([]bayesnodes.Option, error) {
	var opts []bayesnodes.Option
	if s.Estimator != "" {
		var e bayesnodes.Estimator
		if err := e.UnmarshalText([]byte(s.Estimator)); err != nil {
			return nil, fmt.Errorf("netspec: %w: estimator: %v", ErrOption, err)
		}
		opts = append(opts, bayesnodes.WithEstimator(e))
	}
	if s.Prior != nil {
		pr, err := s.Prior.prior()
		if err != nil {
			return nil, err
		}
		opts = append(opts, bayesnodes.WithPrior(pr))
	}
	if in := s.Init; in != nil {
		if in.MuStd > 0 {
			opts = append(opts, bayesnodes.WithMuInit(0, in.MuStd))
		}
		if in.RhoMean != 0 || in.RhoStd != 0 {
			opts = append(opts, bayesnodes.WithRhoInit(in.RhoMean, in.RhoStd))
		}
	}
	return opts, nil
}

// build returns the step of a validated layer that receives shape in.
func (l Layer) build(in []int, name string, common []bayesnodes.Option) (apply, error) {
	opts := append(common[:len(common):len(common)], bayesnodes.WithName(name))
	if l.NoBias {
		opts = append(opts, bayesnodes.WithoutBias())
	}
	switch l.Kind {
	case Linear:
		layer, err := bayesnodes.NewLinear(in[0], l.Out, opts...)
		if err != nil {
			return nil, err
		}
		return layer.Apply, nil
	case ReLU:
		return func(_ *graph.Builder, x *G.Node) (*G.Node, error) { return bayesnodes.ReLU(x) }, nil
	case Tanh:
		return func(_ *graph.Builder, x *G.Node) (*G.Node, error) { return G.Tanh(x) }, nil
	case Sigmoid:
		return func(_ *graph.Builder, x *G.Node) (*G.Node, error) { return G.Sigmoid(x) }, nil
	case Flatten:
		return func(_ *graph.Builder, x *G.Node) (*G.Node, error) { return bayesnodes.Flatten(x) }, nil
	}
	g, err := l.geometry()
	if err != nil {
		return nil, err
	}
	if l.Kind == MaxPool2D {
		kernel, stride, padding := [2]int(g.kernel), [2]int(g.stride), [2]int(g.padding)
		return func(_ *graph.Builder, x *G.Node) (*G.Node, error) {
			return bayesnodes.MaxPool2D(x, kernel, stride, padding)
		}, nil
	}
	convOpts := make([]bayesnodes.ConvOption, 0, len(opts)+4)
	for _, o := range opts {
		convOpts = append(convOpts, o)
	}
	convOpts = append(convOpts, bayesnodes.Stride(g.stride...), bayesnodes.Padding(g.padding...),
		bayesnodes.Dilation(g.dilation...), bayesnodes.Groups(g.groups))
	if l.Kind == Conv1D {
		layer, err := bayesnodes.NewConv1D(in[0], l.Out, g.kernel[0], convOpts...)
		if err != nil {
			return nil, err
		}
		return layer.Apply, nil
	}
	layer, err := bayesnodes.NewConv2D(in[0], l.Out, [2]int(g.kernel), convOpts...)
	if err != nil {
		return nil, err
	}
	return layer.Apply, nil
}
