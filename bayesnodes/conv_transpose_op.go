package bayesnodes

// The op behind ConvTranspose1D, 2D and 3D. A transposed convolution is
// the adjoint of a convolution in its input: y = convT(x, w) spreads each
// input value x[q] over the outputs p = q*stride - padding + dilation*k,
// weighted by tap k. So its three products are the convolution's, with
// the roles of input and output swapped (conv_op.go's kernels, on the
// layout of a convolution from y's size to x's):
//
//	forward            (x, w)  -> y:  the convolution's input gradient, col2im(w_g^T x_g)
//	input gradient     (dy, w) -> dx: the convolution itself, of dy with w
//	weight gradient    (dy, x) -> dw: the convolution's weight gradient, x_g im2col(dy)^T
//
// x is [batch, in, spatial...] and w [in, out/groups, kernel...], as in
// PyTorch. The kernels loop over x's positions and read or write y's only
// where they fall inside it, so the output padding (extra positions at
// the far end of each axis, which no input reaches when it is below the
// stride) needs nothing of them.

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// convTransposeGeom is a transposed convolution's geometry: the
// convolution's (whose adjoint it is) and the output padding, leading
// axes 0 as in convGeom.
type convTransposeGeom struct {
	convGeom
	outputPadding [3]int
}

func (g convTransposeGeom) String() string {
	return fmt.Sprintf("%v,output_padding=%v", g.convGeom, g.tail(g.outputPadding))
}

// check reports a geometry that is no transposed convolution: PyTorch's
// rule, each output padding below its axis's stride or its dilation.
func (g convTransposeGeom) check() error {
	if err := g.convGeom.check(); err != nil {
		return err
	}
	for i, p := range g.outputPadding {
		if i < 3-g.rank && p != 0 {
			return fmt.Errorf("geometry %v: an axis beyond rank %d is not the identity", g, g.rank)
		}
		if p < 0 || p >= max(g.stride[i], g.dilation[i]) {
			return fmt.Errorf("output padding %v: want each value >= 0 and smaller than its axis's stride %v or dilation %v",
				g.tail(g.outputPadding), g.tail(g.stride), g.tail(g.dilation))
		}
	}
	return nil
}

// outSize returns the output's spatial size for an input of spatial size
// in: (in-1)*stride - 2*padding + dilation*(kernel-1) + output padding + 1
// per axis, an error where that is below 1.
func (g convTransposeGeom) outSize(in [3]int) ([3]int, error) {
	var out [3]int
	for i := range out {
		out[i] = (in[i]-1)*g.stride[i] - 2*g.padding[i] + g.dilation[i]*(g.kernel[i]-1) + g.outputPadding[i] + 1
		if in[i] < 1 || out[i] < 1 {
			return out, fmt.Errorf("along axis %d an input of %d gives an output of %d ((%d-1)*%d - 2*%d + %d*(%d-1) + %d + 1), want at least 1",
				2+i-(3-g.rank), in[i], out[i], in[i], g.stride[i], g.padding[i], g.dilation[i], g.kernel[i], g.outputPadding[i])
		}
	}
	return out, nil
}

// shapes checks the shapes of x and w against g and returns y's shape.
func (g convTransposeGeom) shapes(x, w tensor.Shape) (tensor.Shape, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	n, a := 2+g.rank, 3-g.rank
	if len(x) != n {
		return nil, fmt.Errorf("input has shape %v, want [batch, channels, %s]", x, g.axesName())
	}
	if len(w) != n || w[0]%g.groups != 0 || !slices.Equal([]int(w[2:]), g.kernel[a:]) {
		return nil, fmt.Errorf("weight has shape %v, want [in, out/groups, %v] with in divisible by groups=%d", w, g.kernel[a:], g.groups)
	}
	if x[1] != w[0] {
		return nil, fmt.Errorf("input has shape %v: %d channels, the weight %v wants %d", x, x[1], w, w[0])
	}
	out, err := g.outSize(g.spatial3(x[2:]))
	if err != nil {
		return nil, fmt.Errorf("input has shape %v: %w", x, err)
	}
	return append(tensor.Shape{x[0], w[1] * g.groups}, out[a:]...), nil
}

// layout returns the kernels' layout for a transposed convolution from x
// to y: that of the convolution from y to x.
func (g convTransposeGeom) layout(x, y tensor.Shape) convLayout {
	return newConvLayout(g.convGeom, y, x)
}

// convolveTransposed adds y = convT(x, w) to x's graph; with inputGrad
// false x gets no gradient (a network's data).
func convolveTransposed(x, w *G.Node, g convTransposeGeom, inputGrad bool) (*G.Node, error) {
	if x == nil || w == nil {
		return nil, fmt.Errorf("bayesnodes: transposed convolution: nil input or weight node")
	}
	return opkit.Apply(convTranspose[float32]{g, !inputGrad, new(convBufs[float32])}, convTranspose[float64]{g, !inputGrad, new(convBufs[float64])}, x, w)
}

// convTranspose is y = convT(x, w).
type convTranspose[T opkit.Float] struct {
	geom        convTransposeGeom
	noInputGrad bool
	buf         *convBufs[T]
}

func (m convTranspose[T]) String() string {
	return fmt.Sprintf("bayesnodes.convTranspose(%v,noInputGrad=%t)", m.geom, m.noInputGrad)
}

func (m convTranspose[T]) Ranks() ([]int, int) { return convRanks(m.geom.convGeom) }

func (m convTranspose[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return m.geom.shapes(in[0], in[1])
}

func (m convTranspose[T]) Eval(a *opkit.Args[T]) error {
	y, err := m.geom.shapes(a.Shapes[0], a.Shapes[1])
	if err != nil {
		return err
	}
	l := m.geom.layout(a.Shapes[0], y)
	col, mat := m.buf.of(l)
	convInputGrad(l, a.In[1], a.In[0], a.Out, col, mat)
	return nil
}

func (m convTranspose[T]) DiffWRT() []bool { return []bool{!m.noInputGrad, true} }

// Grad returns the gradients of x and w, one op each.
func (m convTranspose[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, w := in[0], in[1]
	dw, err := opkit.ApplyOf[T](convTransposeWeightGrad[T]{m.geom, w.Shape().Clone(), new(convBufs[T])}, grad, x)
	if err != nil || m.noInputGrad {
		return G.Nodes{nil, dw}, err
	}
	dx, err := opkit.ApplyOf[T](convTransposeInputGrad[T]{m.geom, x.Shape().Clone(), new(convBufs[T])}, grad, w)
	return G.Nodes{dx, dw}, err
}

// convTransposeInputGrad is (dy, w) -> dx, the convolution of dy with w
// at x's positions. x's shape is part of the op: with a stride above 1
// several input sizes give one output size.
type convTransposeInputGrad[T opkit.Float] struct {
	geom   convTransposeGeom
	xShape tensor.Shape
	buf    *convBufs[T]
}

func (m convTransposeInputGrad[T]) String() string {
	return fmt.Sprintf("bayesnodes.convTransposeInputGrad(%v,input=%v)", m.geom, []int(m.xShape))
}

func (m convTransposeInputGrad[T]) Ranks() ([]int, int) { return convRanks(m.geom.convGeom) }

func (m convTransposeInputGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	y, err := m.geom.shapes(m.xShape, in[1])
	if err != nil {
		return nil, err
	}
	if !y.Eq(in[0]) {
		return nil, fmt.Errorf("output gradient has shape %v, want %v", in[0], y)
	}
	return m.xShape.Clone(), nil
}

func (m convTransposeInputGrad[T]) Eval(a *opkit.Args[T]) error {
	l := m.geom.layout(m.xShape, a.Shapes[0])
	col, mat := m.buf.of(l)
	convForward(l, a.In[0], a.In[1], a.Out, col, mat)
	return nil
}

// convTransposeWeightGrad is (dy, x) -> dw: for each group, x's channels
// times the im2col matrix of dy at x's positions, transposed.
type convTransposeWeightGrad[T opkit.Float] struct {
	geom   convTransposeGeom
	wShape tensor.Shape
	buf    *convBufs[T]
}

func (m convTransposeWeightGrad[T]) String() string {
	return fmt.Sprintf("bayesnodes.convTransposeWeightGrad(%v,weight=%v)", m.geom, []int(m.wShape))
}

func (m convTransposeWeightGrad[T]) Ranks() ([]int, int) { return convRanks(m.geom.convGeom) }

func (m convTransposeWeightGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	y, err := m.geom.shapes(in[1], m.wShape)
	if err != nil {
		return nil, err
	}
	if !y.Eq(in[0]) {
		return nil, fmt.Errorf("output gradient has shape %v, want %v", in[0], y)
	}
	return m.wShape.Clone(), nil
}

func (m convTransposeWeightGrad[T]) Eval(a *opkit.Args[T]) error {
	l := m.geom.layout(a.Shapes[1], a.Shapes[0])
	col, mat := m.buf.of(l)
	convWeightGrad(l, a.In[0], a.In[1], a.Out, col, mat, false)
	return nil
}
