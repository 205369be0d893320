package opkit

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/gvalue"
)

// Op is a Math as a Gorgonia op (G.Op; see New for G.SDOp).
type Op[T Float] struct {
	m        Math[T]
	in       []int // input ranks
	out      int   // output rank
	memoised bool
	viewer   Viewer // m, where its output is a view of input 0
	mem      Scratch
	scalar   [1]T // a Scalar output's memory
	args     Args[T]
	// The input shapes and output shape of the last run, so that a run
	// with the same shapes skips Shape.
	lastIn  []tensor.Shape
	lastOut tensor.Shape
	// The inputs of the last memoised run.
	memo []Scratch
	// The epoch that vouches for the inputs (see Vouch), and one more
	// than its count when the memo last matched them (0: never).
	epoch   *Epoch
	matched uint64
}

// diffOp is an Op whose Math is Differentiable.
type diffOp[T Float] struct {
	*Op[T]
	d Differentiable
}

// New returns m as a Gorgonia op with memory of its own: a *Op[T], which
// is also a G.SDOp when m is Differentiable. Every node needs an op value
// of its own (see the package doc).
func New[T Float](m Math[T]) G.Op {
	in, out := m.Ranks()
	op := &Op[T]{m: m, in: in, out: out}
	op.args.In = make([][]T, len(in))
	_, op.memoised = m.(Memoised)
	op.viewer, _ = m.(Viewer)
	if d, ok := m.(Differentiable); ok {
		return diffOp[T]{op, d}
	}
	return op
}

// Apply adds an op to the graph of in: m32 for float32 inputs, m64 for
// float64 ones. Every input must have the first one's dtype.
func Apply[M32 Math[float32], M64 Math[float64]](m32 M32, m64 M64, in ...*G.Node) (*G.Node, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%v: no inputs", m64)
	}
	if in[0] == nil {
		return nil, fmt.Errorf("%v: input 0 is a nil node", m64)
	}
	switch dt := in[0].Dtype(); dt {
	case tensor.Float64:
		return ApplyOf[float64](m64, in...)
	case tensor.Float32:
		return ApplyOf[float32](m32, in...)
	default:
		return nil, fmt.Errorf("%v: input has dtype %v, want float64 or float32", m64, dt)
	}
}

// ApplyOf adds m as an op of its own to the graph of in, whose dtype must
// be T's.
func ApplyOf[T Float](m Math[T], in ...*G.Node) (*G.Node, error) {
	dt := Dtype[T]()
	for i, n := range in {
		if n == nil {
			return nil, fmt.Errorf("%v: input %d is a nil node", m, i)
		}
		if n.Dtype() != dt {
			return nil, fmt.Errorf("%v: input %d has dtype %v, want %v", m, i, n.Dtype(), dt)
		}
	}
	return G.ApplyOp(New(m), in...)
}

// Dtype returns the tensor dtype of T.
func Dtype[T Float]() tensor.Dtype {
	var z T
	if _, ok := any(z).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// Math returns the op's mathematics.
func (op *Op[T]) Math() Math[T] { return op.m }

// OwnsOutput reports whether the op's output lives in memory of its own,
// which nothing but the op's runs writes: true unless its Math is a Viewer
// (its output is then input 0's memory).
func (op *Op[T]) OwnsOutput() bool { return op.viewer == nil }

func (op *Op[T]) Arity() int { return len(op.in) }

func (op *Op[T]) Type() hm.Type {
	a := hm.TypeVariable('a')
	typeOf := func(rank int) hm.Type {
		if rank == Scalar {
			return a
		}
		return G.TensorType{Dims: rank, Of: a}
	}
	ts := make([]hm.Type, 0, len(op.in)+1)
	for _, r := range op.in {
		ts = append(ts, typeOf(r))
	}
	return hm.NewFnType(append(ts, typeOf(op.out))...)
}

func (op *Op[T]) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != len(op.in) {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), len(op.in))
	}
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%v: input %d's shape is a %T", op, i, d)
		}
		if err := op.checkRank(i, s); err != nil {
			return nil, err
		}
		shapes[i] = s
	}
	out, err := op.m.Shape(shapes)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return out, nil
}

// checkRank checks input i's shape against its rank: a Scalar input has
// one element.
func (op *Op[T]) checkRank(i int, s tensor.Shape) error {
	switch r := op.in[i]; {
	case r == Scalar && s.TotalSize() != 1:
		return fmt.Errorf("%v: input %d has shape %v, want a scalar", op, i, s)
	case r != Scalar && len(s) != r:
		return fmt.Errorf("%v: input %d has shape %v, want %d axes", op, i, s, r)
	}
	return nil
}

func (op *Op[T]) Do(in ...G.Value) (G.Value, error) {
	if len(in) != len(op.in) {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), len(op.in))
	}
	a := &op.args
	if err := op.read(in); err != nil {
		return nil, err
	}
	shape, sameShapes, err := op.shape()
	if err != nil {
		return nil, err
	}
	a.OutShape = shape
	if op.viewer != nil {
		return op.view(op.viewer)
	}
	var res *tensor.Dense
	if op.out == Scalar {
		a.Out = op.scalar[:]
	} else {
		res = op.mem.Get(Dtype[T](), shape)
		a.Out = elems[T](res)[:shape.TotalSize()]
	}
	// Same shapes keep the output's memory, which then holds the result
	// for the recorded inputs.
	if !op.memoised || !op.vouched(sameShapes) && !(op.sameInputs() && sameShapes) {
		if err := op.m.Eval(a); err != nil {
			op.memo = nil // the output holds no result
			return nil, fmt.Errorf("%v: %w", op, err)
		}
	}
	if op.epoch != nil {
		op.matched = op.epoch.n + 1
	}
	if op.out == Scalar {
		// A fresh scalar each run, as Gorgonia's own scalar ops return.
		if v, ok := any(a.Out[0]).(float32); ok {
			return G.NewF32(v), nil
		}
		return G.NewF64(float64(a.Out[0])), nil
	}
	return res, nil
}

// read checks the input values and sets op.args.In and Shapes from them.
func (op *Op[T]) read(in []G.Value) error {
	a, dt := &op.args, Dtype[T]()
	a.Shapes = a.Shapes[:0]
	for i, v := range in {
		if op.in[i] == Scalar {
			x, ok := gvalue.Scalar(v)
			if !ok {
				return fmt.Errorf("%v: input %d is a %T, want a scalar", op, i, v)
			}
			a.In[i] = append(a.In[i][:0], T(x))
			a.Shapes = append(a.Shapes, tensor.ScalarShape())
			continue
		}
		t, ok := v.(*tensor.Dense)
		if !ok {
			return fmt.Errorf("%v: input %d is a %T, want a tensor", op, i, v)
		}
		if t.Dtype() != dt {
			return fmt.Errorf("%v: input %d has dtype %v, want %v", op, i, t.Dtype(), dt)
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		s := t.Shape()
		if err := op.checkRank(i, s); err != nil {
			return err
		}
		a.In[i] = elems[T](t)[:s.TotalSize()]
		a.Shapes = append(a.Shapes, s)
	}
	return nil
}

// shape returns the output's shape for op.args.Shapes, and whether they
// are the last run's, calling Shape only when they are not.
func (op *Op[T]) shape() (out tensor.Shape, same bool, err error) {
	same = op.lastOut != nil && len(op.lastIn) == len(op.args.Shapes)
	for i := 0; same && i < len(op.lastIn); i++ {
		same = op.lastIn[i].Eq(op.args.Shapes[i])
	}
	if same {
		return op.lastOut, true, nil
	}
	if out, err = op.m.Shape(op.args.Shapes); err != nil {
		return nil, false, fmt.Errorf("%v: %w", op, err)
	}
	op.lastIn = op.lastIn[:0]
	for _, s := range op.args.Shapes {
		op.lastIn = append(op.lastIn, s.Clone())
	}
	op.lastOut = out.Clone()
	return op.lastOut, false, nil
}

// Vouch binds a memoised op to e: the graph that runs it vouches that its
// inputs are the same bits on every run within one of e's epochs, so the
// op compares them with its memo only on its first run in each (see
// Epoch). It reports whether op is memoised; if not, it does nothing.
func (op *Op[T]) Vouch(e *Epoch) bool {
	if op.memoised {
		op.epoch = e
	}
	return op.memoised
}

// vouched reports whether the output holds the result for the inputs
// without comparing them: an earlier run in the current epoch matched or
// computed it.
func (op *Op[T]) vouched(sameShapes bool) bool {
	return sameShapes && op.epoch != nil && op.memo != nil && op.matched == op.epoch.n+1
}

// sameInputs reports whether the inputs are those of the last run, bit for
// bit, and records them otherwise (see Memoised).
func (op *Op[T]) sameInputs() bool {
	if op.memo == nil {
		op.memo = make([]Scratch, len(op.in))
	}
	same := true
	for i, x := range op.args.In {
		// Every input is recorded, also after the first difference.
		same = SameInput(&op.memo[i], x) && same
	}
	return same
}

func (op *Op[T]) ReturnsPtr() bool     { return false }
func (op *Op[T]) CallsExtern() bool    { return false }
func (op *Op[T]) OverwritesInput() int { return -1 }
func (op *Op[T]) String() string       { return op.m.String() }

func (op *Op[T]) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "%v|%v|%v", op.m, Dtype[T](), op.Type())
}

func (op *Op[T]) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op diffOp[T]) DiffWRT(inputs int) []bool { return op.d.DiffWRT() }

func (op diffOp[T]) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != len(op.in) {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(inputs), len(op.in))
	}
	d, err := op.d.Grad(inputs, output, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return d, nil
}

// elems returns t's elements as []T.
func elems[T Float](t *tensor.Dense) []T {
	if Dtype[T]() == tensor.Float32 {
		return any(t.Float32s()).([]T)
	}
	return any(t.Float64s()).([]T)
}
