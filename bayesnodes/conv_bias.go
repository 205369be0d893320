package bayesnodes

// A convolution's bias, added per channel by an op of its own: Gorgonia's
// BroadcastAdd of a [1, C, 1, 1] bias repeats it to the output's full size
// (a new tensor every run) before adding, and showed in the LeNet profile.

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// addChannelBias returns y [batch, C, spatial...] + b [C], b[c] added to
// every value of channel c.
func addChannelBias(y, b *G.Node) (*G.Node, error) {
	ys, bs := y.Shape(), b.Shape()
	if len(ys) < 2 || bs.TotalSize() != ys[1] || b.Dims() != 1 {
		return nil, fmt.Errorf("bias of shape %v for an output of shape %v, want [%v]", bs, ys, ys[1:2])
	}
	return G.ApplyOp(&channelBiasOp{dims: len(ys), dt: y.Dtype()}, y, b)
}

// channelBiasOp is (y, b) -> y + b per channel.
type channelBiasOp struct {
	dims int
	dt   tensor.Dtype
	out  scratch
}

func (op *channelBiasOp) Arity() int { return 2 }
func (op *channelBiasOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, G.TensorType{Dims: 1, Of: hm.TypeVariable('a')}, t)
}
func (op *channelBiasOp) ReturnsPtr() bool     { return false }
func (op *channelBiasOp) CallsExtern() bool    { return false }
func (op *channelBiasOp) OverwritesInput() int { return -1 }
func (op *channelBiasOp) String() string       { return fmt.Sprintf("bayesnodes.channelBias(%d)", op.dims) }
func (op *channelBiasOp) Hashcode() uint32     { return hashOf(op) }
func (op *channelBiasOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.channelBias(%d,%v)", op.dims, op.dt)
}

// check verifies the shapes of y and b.
func (op *channelBiasOp) check(y, b tensor.Shape) error {
	if len(y) != op.dims || len(y) < 2 || len(b) != 1 || b[0] != y[1] {
		return fmt.Errorf("%v: output %v and bias %v, want a bias of one value per channel", op, y, b)
	}
	return nil
}

func (op *channelBiasOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	if err := op.check(s[0], s[1]); err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (op *channelBiasOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	y, b := ts[0], ts[1]
	if err := op.check(y.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	out := op.out.get(op.dt, y.Shape())
	plane := planeSize(y.Shape())
	if op.dt == tensor.Float64 {
		addPerChannel(y.Float64s(), b.Float64s(), out.Float64s(), plane)
	} else {
		addPerChannel(y.Float32s(), b.Float32s(), out.Float32s(), plane)
	}
	return out, nil
}

func (op *channelBiasOp) DiffWRT(inputs int) []bool { return []bool{true, true} }

// SymDiff: the output gradient passes to y as it is, and sums per channel
// to b.
func (op *channelBiasOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	db, err := G.ApplyOp(&channelSumOp{dims: op.dims, dt: op.dt}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, db}, nil
}

// planeSize is the number of values of one channel of one example of a
// tensor [batch, C, spatial...].
func planeSize(s tensor.Shape) int {
	n := 1
	for _, d := range s[2:] {
		n *= d
	}
	return n
}

// addPerChannel sets out = y + b, b[c] added to each plane of channel c.
func addPerChannel[T float32 | float64](y, b, out []T, plane int) {
	c := len(b)
	for i := range len(y) / plane {
		bias := b[i%c]
		src, dst := y[i*plane:(i+1)*plane], out[i*plane:(i+1)*plane]
		for k := range dst {
			dst[k] = src[k] + bias
		}
	}
}

// channelSumOp is dy [batch, C, spatial...] -> [C], the sum of each
// channel's values.
type channelSumOp struct {
	dims int
	dt   tensor.Dtype
	out  scratch
}

func (op *channelSumOp) Arity() int { return 1 }
func (op *channelSumOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}, G.TensorType{Dims: 1, Of: hm.TypeVariable('a')})
}
func (op *channelSumOp) ReturnsPtr() bool     { return false }
func (op *channelSumOp) CallsExtern() bool    { return false }
func (op *channelSumOp) OverwritesInput() int { return -1 }
func (op *channelSumOp) String() string       { return fmt.Sprintf("bayesnodes.channelSum(%d)", op.dims) }
func (op *channelSumOp) Hashcode() uint32     { return hashOf(op) }
func (op *channelSumOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.channelSum(%d,%v)", op.dims, op.dt)
}

func (op *channelSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 1)
	if err != nil {
		return nil, err
	}
	if len(s[0]) != op.dims || op.dims < 2 {
		return nil, fmt.Errorf("%v: input has shape %v, want %d axes", op, s[0], op.dims)
	}
	return tensor.Shape{s[0][1]}, nil
}

func (op *channelSumOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 1)
	if err != nil {
		return nil, err
	}
	dy := ts[0]
	s := dy.Shape()
	if len(s) != op.dims || op.dims < 2 {
		return nil, fmt.Errorf("%v: input has shape %v, want %d axes", op, s, op.dims)
	}
	db := op.out.get(op.dt, tensor.Shape{s[1]})
	plane := planeSize(s)
	if op.dt == tensor.Float64 {
		sumPerChannel(dy.Float64s(), db.Float64s(), plane)
	} else {
		sumPerChannel(dy.Float32s(), db.Float32s(), plane)
	}
	return db, nil
}

// sumPerChannel sets db[c] to the sum of every plane of channel c in dy,
// accumulating each plane in float64.
func sumPerChannel[T float32 | float64](dy, db []T, plane int) {
	c := len(db)
	sums := make([]float64, c)
	for i := range len(dy) / plane {
		s := 0.0
		for _, v := range dy[i*plane : (i+1)*plane] {
			s += float64(v)
		}
		sums[i%c] += s
	}
	for k, s := range sums {
		db[k] = T(s)
	}
}
