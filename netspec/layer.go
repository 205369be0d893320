package netspec

import "fmt"

// spatial is the number of spatial axes of a convolution or pooling kind.
func spatial(kind string) int {
	switch kind {
	case Conv1D:
		return 1
	case Conv2D, MaxPool2D:
		return 2
	}
	return 0
}

// outShape checks l's settings against its kind and the shape it receives
// (without the batch) and returns the shape it gives.
func (l Layer) outShape(in []int) ([]int, error) {
	if err := l.checkFields(); err != nil {
		return nil, err
	}
	switch l.Kind {
	case Linear:
		if len(in) != 1 {
			return nil, fmt.Errorf("%w: a linear layer takes [features], it receives %v (add a flatten layer)", ErrShape, in)
		}
		return []int{l.Out}, nil
	case ReLU, Tanh, Sigmoid:
		return in, nil
	case Flatten:
		return []int{product(in)}, nil
	}
	rank := spatial(l.Kind)
	if len(in) != rank+1 {
		return nil, fmt.Errorf("%w: it takes [channels%s], it receives %v", ErrShape, []string{"", ", length", ", height, width"}[rank], in)
	}
	g, err := l.geometry()
	if err != nil {
		return nil, err
	}
	out := []int{in[0]}
	if l.Kind != MaxPool2D {
		if in[0]%g.groups != 0 || l.Out%g.groups != 0 {
			return nil, fmt.Errorf("%w: %d input and %d output channels do not split into %d groups", ErrShape, in[0], l.Out, g.groups)
		}
		out[0] = l.Out
	}
	for a := range rank {
		span := g.dilation[a]*(g.kernel[a]-1) + 1
		padded := in[1+a] + 2*g.padding[a]
		if span > padded {
			return nil, fmt.Errorf("%w: along spatial axis %d the kernel spans %d, more than the padded input's %d", ErrShape, a, span, padded)
		}
		out = append(out, (padded-span)/g.stride[a]+1)
	}
	return out, nil
}

// checkFields reports a setting the kind does not take or one out of range.
func (l Layer) checkFields() error {
	conv := l.Kind == Conv1D || l.Kind == Conv2D
	var unused []string
	switch l.Kind {
	case Linear, Conv1D, Conv2D:
		if l.Out < 1 {
			return fmt.Errorf("%w: out %d, want >= 1", ErrLayer, l.Out)
		}
	case MaxPool2D, ReLU, Tanh, Sigmoid, Flatten:
		if l.Out != 0 {
			unused = append(unused, "out")
		}
		if l.NoBias {
			unused = append(unused, "no_bias")
		}
	default:
		return fmt.Errorf("%w: unknown kind %q (want linear, conv1d, conv2d, maxpool2d, relu, tanh, sigmoid or flatten)", ErrLayer, l.Kind)
	}
	if spatial(l.Kind) == 0 {
		for _, f := range []struct {
			name string
			set  bool
		}{{"kernel", l.Kernel != nil}, {"stride", l.Stride != nil}, {"padding", l.Padding != nil}, {"dilation", l.Dilation != nil}, {"groups", l.Groups != 0}} {
			if f.set {
				unused = append(unused, f.name)
			}
		}
	} else if !conv && (l.Dilation != nil || l.Groups != 0) {
		unused = append(unused, "dilation or groups")
	}
	if len(unused) > 0 {
		return fmt.Errorf("%w: a %s layer takes no %v", ErrLayer, l.Kind, unused)
	}
	return nil
}

// geom is a convolution's or pooling's settings, one value per axis.
type geom struct {
	kernel, stride, padding, dilation []int
	groups                            int
}

func (l Layer) geometry() (geom, error) {
	rank := spatial(l.Kind)
	perAxis := func(what string, v []int, def []int, least int) ([]int, error) {
		switch {
		case v == nil:
			return def, nil
		case len(v) == 1:
			v = []int{v[0], v[0]}[:rank]
		case len(v) != rank:
			return nil, fmt.Errorf("%w: %s %v: want 1 or %d values", ErrLayer, what, v, rank)
		}
		for _, x := range v {
			if x < least {
				return nil, fmt.Errorf("%w: %s %v: want every value >= %d", ErrLayer, what, v, least)
			}
		}
		return v, nil
	}
	ones := []int{1, 1}[:rank]
	var g geom
	var err error
	if l.Kernel == nil {
		return g, fmt.Errorf("%w: no kernel", ErrLayer)
	}
	if g.kernel, err = perAxis("kernel", l.Kernel, nil, 1); err != nil {
		return g, err
	}
	strideDefault := ones
	if l.Kind == MaxPool2D {
		strideDefault = g.kernel
	}
	if g.stride, err = perAxis("stride", l.Stride, strideDefault, 1); err != nil {
		return g, err
	}
	if g.padding, err = perAxis("padding", l.Padding, []int{0, 0}[:rank], 0); err != nil {
		return g, err
	}
	if g.dilation, err = perAxis("dilation", l.Dilation, ones, 1); err != nil {
		return g, err
	}
	g.groups = max(l.Groups, 1)
	if l.Groups < 0 {
		return g, fmt.Errorf("%w: groups %d, want >= 1", ErrLayer, l.Groups)
	}
	if l.Kind == MaxPool2D {
		for a := range rank {
			if 2*g.padding[a] > g.kernel[a] {
				return g, fmt.Errorf("%w: padding %v for kernel %v, want at most half the kernel", ErrLayer, g.padding, g.kernel)
			}
		}
	}
	return g, nil
}
