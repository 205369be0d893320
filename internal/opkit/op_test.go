package opkit

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// axpy is y = a x + b elementwise, a a scalar parameter of the op and b an
// input: the test op. It counts its evaluations.
type axpy[T Float] struct {
	a     float64
	evals *int
}

func (m axpy[T]) String() string      { return fmt.Sprintf("test.axpy(%v)", m.a) }
func (m axpy[T]) Ranks() ([]int, int) { return []int{1, 1}, 1 }
func (m axpy[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return SameShapes(in...)
}
func (m axpy[T]) Eval(a *Args[T]) error {
	*m.evals++
	for i, x := range a.In[0] {
		a.Out[i] = T(m.a)*x + a.In[1][i]
	}
	return nil
}
func (m axpy[T]) DiffWRT() []bool { return []bool{true, true} }
func (m axpy[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := ApplyOf[T](scale[T]{m.a}, grad, G.NewConstant(T(1)))
	return G.Nodes{dx, grad}, err
}

// scale is (x, s) -> c s x, s a scalar input, memoised; not differentiable.
type scale[T Float] struct{ c float64 }

func (m scale[T]) String() string      { return fmt.Sprintf("test.scale(%v)", m.c) }
func (m scale[T]) Ranks() ([]int, int) { return []int{1, Scalar}, 1 }
func (m scale[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (m scale[T]) Memoised() {}
func (m scale[T]) Eval(a *Args[T]) error {
	for i, x := range a.In[0] {
		a.Out[i] = T(m.c) * a.In[1][0] * x
	}
	return nil
}

// total is sum x, a scalar, failing on a NaN.
type total[T Float] struct{}

func (total[T]) String() string      { return "test.total" }
func (total[T]) Ranks() ([]int, int) { return []int{1}, Scalar }
func (total[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (total[T]) Eval(a *Args[T]) error {
	var s T
	for _, x := range a.In[0] {
		if x != x {
			return errors.New("NaN input")
		}
		s += x
	}
	a.Out[0] = s
	return nil
}

func vec[T Float](v ...T) *tensor.Dense { return tensor.New(tensor.WithBacking(v)) }

func TestOpSkeleton(t *testing.T) {
	var n int
	op := New[float64](axpy[float64]{2, &n})
	if op.Arity() != 2 || op.String() != "test.axpy(2)" || op.ReturnsPtr() || op.CallsExtern() || op.OverwritesInput() != -1 {
		t.Errorf("arity %d, string %q, flags %v %v %d", op.Arity(), op, op.ReturnsPtr(), op.CallsExtern(), op.OverwritesInput())
	}
	if got, want := op.Type().String(), "Vector a → Vector a → Vector a"; got != want {
		t.Errorf("type %q, want %q", got, want)
	}
	if _, ok := op.(G.SDOp); !ok {
		t.Error("a Differentiable math is not an SDOp")
	}
	if _, ok := New[float64](total[float64]{}).(G.SDOp); ok {
		t.Error("a math without a gradient is an SDOp")
	}
	if got := New[float64](scale[float64]{1}).Type().String(); !strings.HasSuffix(got, "Vector a → a → Vector a") {
		t.Errorf("scalar input's type: %q", got)
	}
	// The hash tells dtypes and parameters apart, and only them.
	h := func(op G.Op) uint32 { return op.Hashcode() }
	if h(New[float64](axpy[float64]{2, &n})) != h(op) {
		t.Error("equal ops hash apart")
	}
	if h(New[float32](axpy[float32]{2, &n})) == h(op) || h(New[float64](axpy[float64]{math.Nextafter(2, 3), &n})) == h(op) {
		t.Error("ops of another dtype or parameter hash alike")
	}
}

func TestOpDoChecksAndReusesMemory(t *testing.T) {
	var n int
	op := New[float64](axpy[float64]{2, &n})
	y1, err := op.Do(vec(1.0, 2, 3), vec(10.0, 20, 30))
	if err != nil {
		t.Fatal(err)
	}
	if got := y1.Data().([]float64); got[0] != 12 || got[1] != 24 || got[2] != 36 {
		t.Errorf("axpy: %v", got)
	}
	y2, err := op.Do(vec(0.0, 0, 1), vec(1.0, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if y2 != y1 || y2.Data().([]float64)[2] != 3 {
		t.Errorf("second run: new header %v, values %v", y2 != y1, y2.Data())
	}
	// A strided view is read as the values it shows.
	m := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	col, err := m.Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	y3, err := op.Do(col, vec(0.0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := y3.Data().([]float64); got[0] != 4 || got[1] != 10 {
		t.Errorf("strided input: %v, want [4 10]", got)
	}
	for name, in := range map[string][]G.Value{
		"arity":  {vec(1.0)},
		"dtype":  {vec(1.0), vec[float32](1)},
		"shape":  {vec(1.0, 2), vec(1.0)},
		"rank":   {tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{1})), vec(1.0)},
		"scalar": {G.NewF64(1), vec(1.0)},
	} {
		if _, err := op.Do(in...); err == nil || !strings.Contains(err.Error(), "test.axpy(2)") {
			t.Errorf("%s: error %v, want one naming the op", name, err)
		}
	}
	if _, err := New[float64](total[float64]{}).Do(vec(1.0, math.NaN())); err == nil || !strings.Contains(err.Error(), "test.total: NaN input") {
		t.Errorf("Eval's error: %v", err)
	}
}

func TestOpScalarsAndMemo(t *testing.T) {
	op := New[float32](scale[float32]{3})
	x := vec[float32](1, 2)
	for _, s := range []G.Value{G.NewF32(2), vec[float32](2), tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float32{2}))} {
		y, err := op.Do(x, s)
		if err != nil {
			t.Fatal(err)
		}
		if got := y.Data().([]float32); got[0] != 6 || got[1] != 12 {
			t.Errorf("scale by %v: %v", s, got)
		}
	}
	// The memo: the same inputs give the held output, new ones a new one.
	y, err := op.Do(x, G.NewF32(2))
	if err != nil {
		t.Fatal(err)
	}
	y.Data().([]float32)[0] = -1 // visible only if Eval is skipped
	if y, _ = op.Do(x, G.NewF32(2)); y.Data().([]float32)[0] != -1 {
		t.Error("a memoised op evaluated the same inputs again")
	}
	if y, _ = op.Do(x, G.NewF32(1)); y.Data().([]float32)[0] != 3 {
		t.Errorf("a memoised op kept its output for a new scalar: %v", y.Data())
	}
	if y, _ = op.Do(vec[float32](1, 2, 5), G.NewF32(1)); y.Data().([]float32)[2] != 15 {
		t.Errorf("a memoised op kept its output for a new shape: %v", y.Data())
	}
	v, err := New[float32](total[float32]{}).Do(vec[float32](1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := v.(*G.F32); !ok || float32(*f) != 3 {
		t.Errorf("scalar output %#v, want F32 3", v)
	}
}

// TestOpVouched checks Vouch: an op bound to an epoch compares its inputs
// on its first run in each epoch only, computes again after an Advance,
// and still computes when the shapes change or its last Eval failed; an
// op that is not memoised refuses to be bound.
func TestOpVouched(t *testing.T) {
	var e Epoch
	op := New[float32](scale[float32]{3}).(*Op[float32])
	if !op.Vouch(&e) {
		t.Fatal("a memoised op refused to be bound")
	}
	var n int
	if New[float32](axpy[float32]{1, &n}).(diffOp[float32]).Vouch(&e) {
		t.Fatal("an op that is not memoised was bound")
	}
	do := func(x *tensor.Dense, s float32) float32 {
		t.Helper()
		y, err := op.Do(x, G.NewF32(s))
		if err != nil {
			t.Fatal(err)
		}
		return y.Data().([]float32)[0]
	}
	x := vec[float32](1, 2)
	e.Advance()
	if got := do(x, 2); got != 6 {
		t.Fatalf("first run: %v, want 6", got)
	}
	// Within the epoch the inputs are vouched for: a change, which a
	// graph binding the op promises not to make, goes unseen.
	if got := do(x, 1); got != 6 {
		t.Fatalf("a vouched run compared its inputs: %v, want the held 6", got)
	}
	e.Advance()
	if got := do(x, 1); got != 3 {
		t.Fatalf("after Advance: %v, want 3", got)
	}
	if got := do(vec[float32](2, 2, 2), 1); got != 6 {
		t.Fatalf("a new shape within the epoch: %v, want 6", got)
	}
	// A failed run leaves nothing to vouch for.
	bad := New[float32](failing[float32]{}).(*Op[float32])
	bad.Vouch(&e)
	e.Advance()
	if _, err := bad.Do(vec[float32](1)); err == nil {
		t.Fatal("a failing Eval reported no error")
	}
	if _, err := bad.Do(vec[float32](1)); err == nil {
		t.Fatal("a run after a failed one, in the same epoch, skipped Eval")
	}
}

// failing is a memoised op whose Eval always fails.
type failing[T Float] struct{}

func (failing[T]) String() string      { return "test.failing" }
func (failing[T]) Ranks() ([]int, int) { return []int{1}, 1 }
func (failing[T]) Memoised()           {}
func (failing[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (failing[T]) Eval(*Args[T]) error { return errors.New("always fails") }

// TestOpsInGraph differentiates and runs kit ops on TapeMachine, twice,
// with the output reshaped in place downstream between ops, in both
// dtypes, and checks Apply's errors.
func TestOpsInGraph(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		var n32, n64 int
		g := G.NewGraph()
		x := G.NewVector(g, dt, G.WithShape(3), G.WithName("x"), G.WithInit(G.RangedFrom(1)))
		b := G.NewVector(g, dt, G.WithShape(3), G.WithName("b"), G.WithInit(G.Ones()))
		y := G.Must(Apply(axpy[float32]{2, &n32}, axpy[float64]{2, &n64}, x, b))
		r := G.Must(G.Reshape(y, tensor.Shape{3, 1}))
		loss := G.Must(G.Sum(G.Must(G.Square(r))))
		if _, err := G.Grad(loss, x, b); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(x, b))
		for run := range 2 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			// y = 2x + 1 = 3, 5, 7; dloss/dx = 2 y * 2, dloss/db = 2 y.
			dx, _ := x.Grad()
			db, _ := b.Grad()
			for i, want := range []float64{12, 20, 28} {
				gx, gb := toF64(dx, i), toF64(db, i)
				if gx != float64(run+1)*want || gb != float64(run+1)*want/2 {
					t.Errorf("%v run %d: dx[%d] %v db[%d] %v, want %v and %v", dt, run, i, gx, i, gb, float64(run+1)*want, float64(run+1)*want/2)
				}
			}
			vm.Reset()
		}
		vm.Close()
		if (dt == tensor.Float64) != (n64 == 2 && n32 == 0) {
			t.Errorf("%v: float32 math ran %d times, float64 %d", dt, n32, n64)
		}
	}
	g := G.NewGraph()
	var n int
	i := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("i"))
	f := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("f"))
	f32 := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("f32"))
	f4 := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("f4"))
	for name, in := range map[string][]*G.Node{"int": {i, i}, "mixed": {f, f32}, "nil": {f, nil}, "shape": {f, f4}, "none": nil} {
		if _, err := Apply(axpy[float32]{2, &n}, axpy[float64]{2, &n}, in...); err == nil {
			t.Errorf("%s inputs: no error", name)
		}
	}
}

// toF64 returns element i of a float tensor value.
func toF64(v G.Value, i int) float64 {
	switch d := v.Data().(type) {
	case []float32:
		return float64(d[i])
	case []float64:
		return d[i]
	}
	return math.NaN()
}
