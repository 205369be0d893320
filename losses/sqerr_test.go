package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sqErrRun builds c * sum((out - target)^2) with the fused op or with
// Gorgonia's Sub, Square and Sum, runs it twice (new targets the second
// time, so that reused memory is seen to hold no stale values) and returns
// each run's loss and output gradient as bit patterns.
func sqErrRun(t *testing.T, dt tensor.Dtype, fused bool, out *tensor.Dense, targets []*tensor.Dense) (losses []uint64, grads [][]uint64) {
	t.Helper()
	g := G.NewGraph()
	o := G.NewTensor(g, dt, out.Dims(), G.WithShape(out.Shape()...), G.WithName("out"), G.WithValue(out.Clone()))
	y := G.NewTensor(g, dt, out.Dims(), G.WithShape(out.Shape()...), G.WithName("y"))
	var ss *G.Node
	if fused {
		ss = G.Must(sumSquaredDiff(o, y))
	} else {
		ss = G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(o, y))))))
	}
	c := G.NewConstant(0.37)
	if dt == tensor.Float32 {
		c = G.NewConstant(float32(0.37))
	}
	loss := G.Must(G.Mul(ss, c))
	var lv G.Value
	G.Read(loss, &lv)
	if _, err := G.Grad(loss, o); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(o))
	defer vm.Close()
	for _, target := range targets {
		if err := G.Let(y, target.Clone()); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		d, err := o.Grad()
		if err != nil {
			t.Fatal(err)
		}
		var l uint64
		switch v := lv.(type) {
		case *G.F64:
			l = math.Float64bits(float64(*v))
		case *G.F32:
			l = uint64(math.Float32bits(float32(*v)))
		default:
			l = bitsOf(t, v)[0]
		}
		losses, grads = append(losses, l), append(grads, bitsOf(t, d))
		d.(*tensor.Dense).Zero() // each run's own gradient
	}
	return losses, grads
}

func bitsOf(t *testing.T, v G.Value) []uint64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float64:
		b := make([]uint64, len(d))
		for i, x := range d {
			b[i] = math.Float64bits(x)
		}
		return b
	case []float32:
		b := make([]uint64, len(d))
		for i, x := range d {
			b[i] = uint64(math.Float32bits(x))
		}
		return b
	case float64:
		return []uint64{math.Float64bits(d)}
	case float32:
		return []uint64{uint64(math.Float32bits(d))}
	}
	t.Fatalf("value holds %T", v.Data())
	return nil
}

func randomTensor(rng *rand.Rand, dt tensor.Dtype, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	if dt == tensor.Float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestSumSquaredDiffMatchesGorgonia checks the fused squared error against
// Gorgonia's Sub, Square and Sum bit for bit, loss and gradient, in
// float64 and float32, for a matrix and a rank-1 output.
func TestSumSquaredDiffMatchesGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, shape := range [][]int{{9, 3}, {13}} {
			out := randomTensor(rng, dt, shape...)
			targets := []*tensor.Dense{randomTensor(rng, dt, shape...), randomTensor(rng, dt, shape...)}
			l1, g1 := sqErrRun(t, dt, true, out, targets)
			l2, g2 := sqErrRun(t, dt, false, out, targets)
			for r := range l1 {
				if l1[r] != l2[r] {
					t.Errorf("%v %v run %d: loss bits %x, Gorgonia's %x", dt, shape, r, l1[r], l2[r])
				}
				for i := range g2[r] {
					if g1[r][i] != g2[r][i] {
						t.Errorf("%v %v run %d: gradient %d bits %x, Gorgonia's %x", dt, shape, r, i, g1[r][i], g2[r][i])
					}
				}
			}
		}
	}
}

// TestSumSquaredDiffFiniteDifferences checks the fused op's gradient in
// float64 against central differences of its own forward values.
func TestSumSquaredDiffFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	out, y := make([]float64, 12), make([]float64, 12)
	for i := range out {
		out[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	const g, h = 0.7, 1e-6
	grad := make([]float64, len(out))
	sqDiffGrad(grad, out, y, g)
	worst := 0.0
	for i := range out {
		p := append([]float64(nil), out...)
		p[i] += h
		up := g * sumSqDiff(p, y)
		p[i] -= 2 * h
		down := g * sumSqDiff(p, y)
		num := (up - down) / (2 * h)
		rel := math.Abs(num-grad[i]) / math.Max(1, math.Abs(num))
		worst = math.Max(worst, rel)
		if rel > 1e-7 {
			t.Errorf("gradient %d: analytic %v, numeric %v", i, grad[i], num)
		}
	}
	t.Logf("worst relative error %.2g", worst)
}

// TestSumSquaredDiffTargetGradient checks the gradient that reaches a
// target computed from parameters against Gorgonia's Sub, Square and Sum.
func TestSumSquaredDiffTargetGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2))
	out, y := make([]float64, 6), make([]float64, 6)
	for i := range out {
		out[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	targetGrad := func(fused bool) []float64 {
		g := G.NewGraph()
		o := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("out"), G.WithValue(tensor.New(tensor.WithBacking(append([]float64(nil), out...)))))
		p := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("p"), G.WithValue(tensor.New(tensor.WithBacking(append([]float64(nil), y...)))))
		target := G.Must(G.Mul(p, G.NewConstant(1.5))) // a target computed from a parameter
		var ss *G.Node
		if fused {
			ss = G.Must(sumSquaredDiff(o, target))
		} else {
			ss = G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(o, target))))))
		}
		if _, err := G.Grad(ss, o, p); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(o, p))
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		d, err := p.Grad()
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), d.Data().([]float64)...)
	}
	got, want := targetGrad(true), targetGrad(false)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
			t.Errorf("d loss / d p[%d] = %v, want %v (Gorgonia's)", i, got[i], want[i])
		}
	}
}

func TestSumSquaredDiffRejectsBadInputs(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("b"))
	c := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 2), G.WithName("c"))
	if _, err := sumSquaredDiff(a, b); err == nil {
		t.Error("[4 2] against [2 4]: no error")
	}
	if _, err := sumSquaredDiff(a, c); err == nil {
		t.Error("float64 against float32: no error")
	}
}
