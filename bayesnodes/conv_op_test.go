package bayesnodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// TestConvOpGradients checks the op's gradients for its input and its
// weights against central differences of its forward pass, in float64 and
// float32, for 1, 2 and 3 spatial axes, with the minibatch in one product
// and split into chunks. The loss sum(conv(x, w) * r) is linear in x and in w, so the
// differences have no truncation error and a large step keeps float32's
// rounding small.
func TestConvOpGradients(t *testing.T) {
	geoms := []struct {
		name  string
		geom  convGeom
		x, w  []int
		chunk int // examples per product; 0 for the default
	}{
		{"1d", newConvGeom([]int{3}, []int{2}, []int{1}, []int{2}, 2), []int{3, 4, 9}, []int{4, 2, 3}, 0},
		{"2d", newConvGeom([]int{3, 2}, []int{1, 2}, []int{1, 0}, []int{1, 1}, 1), []int{3, 2, 5, 6}, []int{3, 2, 3, 2}, 0},
		{"2d/chunks-of-2", newConvGeom([]int{3, 3}, []int{1, 1}, []int{1, 1}, []int{2, 1}, 2), []int{5, 4, 5, 4}, []int{4, 2, 3, 3}, 2},
		{"2d/one-example-a-product", newConvGeom([]int{2, 2}, []int{2, 1}, []int{0, 1}, []int{1, 1}, 1), []int{3, 2, 4, 4}, []int{2, 2, 2, 2}, 1},
		{"plain", convGeom{rank: 3, kernel: [3]int{2, 2, 2}, stride: [3]int{1, 1, 1}, dilation: [3]int{1, 1, 1}, groups: 1},
			[]int{2, 2, 3, 3, 3}, []int{3, 2, 2, 2, 2}, 0},
		// A stride and dilation that leave input columns 1 and 4 unread:
		// their gradient must be exactly 0.
		{"stride-padding-dilation-groups", convGeom{rank: 3, kernel: [3]int{2, 3, 2}, stride: [3]int{2, 2, 3}, padding: [3]int{1, 1, 0}, dilation: [3]int{1, 2, 2}, groups: 2},
			[]int{2, 4, 4, 5, 6}, []int{2, 2, 2, 3, 2}, 0},
	}
	for _, c := range geoms {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				if c.chunk > 0 {
					defer func(v int) { maxColValues = v }(maxColValues)
					taps, outPlane := c.w[1], 1
					for _, k := range c.w[2:] {
						taps *= k
					}
					ys, err := c.geom.shapes(c.x, c.w)
					if err != nil {
						t.Fatal(err)
					}
					for _, n := range ys[2:] {
						outPlane *= n
					}
					maxColValues = c.chunk * taps * outPlane
					if l := newConvLayout(c.geom, c.x, ys); l.chunk != c.chunk {
						t.Fatalf("chunk %d, want %d", l.chunk, c.chunk)
					}
				}
				rng := rand.New(rand.NewPCG(1, 2))
				x := randomDense(dt, c.x, rng)
				w := randomDense(dt, c.w, rng)
				yShape, err := c.geom.shapes(x.Shape(), w.Shape())
				if err != nil {
					t.Fatal(err)
				}
				r := randomDense(dt, yShape, rng)

				g := G.NewGraph()
				dims := len(c.x)
				xn := G.NewTensor(g, dt, dims, G.WithShape(c.x...), G.WithName("x"), G.WithValue(x))
				wn := G.NewTensor(g, dt, dims, G.WithShape(c.w...), G.WithName("w"), G.WithValue(w))
				rn := G.NewTensor(g, dt, dims, G.WithShape(yShape...), G.WithName("r"), G.WithValue(r))
				y, err := convolve(xn, wn, c.geom, true)
				if err != nil {
					t.Fatal(err)
				}
				loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, rn))))
				if _, err := G.Grad(loss, xn, wn); err != nil {
					t.Fatal(err)
				}
				vm := G.NewTapeMachine(g, G.BindDualValues(xn, wn))
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				lossOf := func() float64 {
					out, err := convOpOf(c.geom, dt).Do(x, w)
					if err != nil {
						t.Fatal(err)
					}
					return dot(out.(*tensor.Dense), r)
				}
				h, tol := 1e-3, 1e-9
				if dt == tensor.Float32 {
					h, tol = 0.25, 2e-4
				}
				checkOpGradients(t, lossOf, h, tol, opInput{"x", xn, x}, opInput{"w", wn, w})
				if c.geom.rank == 3 && c.geom.stride[2] == 3 { // width 6, kernel 2 with dilation 2, stride 3: outputs read columns 0, 2, 3, 5
					dx, _ := xn.Grad()
					d := floats(dx.(*tensor.Dense))
					for i := range d {
						if col := i % 6; (col == 1 || col == 4) && d[i] != 0 {
							t.Fatalf("dx[%d] = %v for an input value no output reads, want 0", i, d[i])
						}
					}
				}
			})
		}
	}
}

// opInput is an input of an op under test: its node, whose gradient a run
// has computed, and its value, which central differences perturb.
type opInput struct {
	name string
	node *G.Node
	val  *tensor.Dense
}

// checkOpGradients compares each input's gradient with central differences
// of lossOf, step h, relative error (floored at 1) within tol.
func checkOpGradients(t *testing.T, lossOf func() float64, h, tol float64, inputs ...opInput) {
	t.Helper()
	for _, p := range inputs {
		grad, err := p.node.Grad()
		if err != nil {
			t.Fatal(err)
		}
		analytic := floats(grad.(*tensor.Dense))
		worst := 0.0
		for i := range analytic {
			orig := at(p.val, i)
			set(p.val, i, orig+h)
			up := lossOf()
			set(p.val, i, orig-h)
			down := lossOf()
			set(p.val, i, orig)
			num := (up - down) / (2 * h)
			rel := math.Abs(analytic[i]-num) / math.Max(1, math.Abs(num))
			worst = max(worst, rel)
			if rel > tol {
				t.Fatalf("d loss / d %s[%d]: analytic %.10g, numeric %.10g", p.name, i, analytic[i], num)
			}
		}
		t.Logf("%s: %d values, worst error %.3g", p.name, len(analytic), worst)
	}
}

// TestConvOpHash checks that ops differing in any parameter hash apart,
// and equal ones alike (Gorgonia merges nodes by hash).
func TestConvOpHash(t *testing.T) {
	base := convGeom{rank: 3, kernel: [3]int{2, 2, 2}, stride: [3]int{1, 1, 1}, dilation: [3]int{1, 1, 1}, groups: 1}
	vary := []func(*convGeom){
		func(g *convGeom) { g.kernel[2] = 3 },
		func(g *convGeom) { g.stride[0] = 2 },
		func(g *convGeom) { g.padding[1] = 1 },
		func(g *convGeom) { g.dilation[2] = 2 },
		func(g *convGeom) { g.groups = 2 },
	}
	seen := map[uint32]bool{hashOfOp(convOpOf(base, tensor.Float64)): true}
	if hashOfOp(convOpOf(base, tensor.Float64)) != hashOfOp(convOpOf(base, tensor.Float64)) {
		t.Fatal("equal ops hash apart")
	}
	add := func(what string, h uint32) {
		if seen[h] {
			t.Errorf("%s: hash collides with another op's", what)
		}
		seen[h] = true
	}
	add("float32", hashOfOp(convOpOf(base, tensor.Float32)))
	for i, f := range vary {
		g := base
		f(&g)
		add(g.String(), hashOfOp(convOpOf(g, tensor.Float64)))
		add("weight grad "+g.String(), hashOfOp(opkit.New[float64](convGradW[float64]{geom: g})))
		add("input grad "+g.String(), hashOfOp(opkit.New[float64](convGradX[float64]{geom: g, xShape: tensor.Shape{1, 2, 3, 4, i + 5}})))
	}
	// A 2-D geometry is not a 3-D one with a depth-1 kernel: their ops
	// take tensors of different ranks.
	r2 := newConvGeom([]int{2, 2}, []int{1, 1}, []int{0, 0}, []int{1, 1}, 1)
	r3 := newConvGeom([]int{1, 2, 2}, []int{1, 1, 1}, []int{0, 0, 0}, []int{1, 1, 1}, 1)
	add("rank 2", hashOfOp(convOpOf(r2, tensor.Float64)))
	add("rank 3 with a depth-1 kernel", hashOfOp(convOpOf(r3, tensor.Float64)))
	add("input grad of another input shape", hashOfOp(opkit.New[float64](convGradX[float64]{geom: base, xShape: tensor.Shape{1, 2, 3, 4, 4}})))
	add("input grad of yet another input shape", hashOfOp(opkit.New[float64](convGradX[float64]{geom: base, xShape: tensor.Shape{1, 2, 3, 4, 5}})))
}

// convOpOf returns the convolution op of g in dtype dt.
func convOpOf(g convGeom, dt tensor.Dtype) G.Op {
	if dt == tensor.Float32 {
		return opkit.New[float32](newConv[float32](g, true))
	}
	return opkit.New[float64](newConv[float64](g, true))
}

func hashOfOp(op G.Op) uint32 { return op.Hashcode() }

func randomDense(dt tensor.Dtype, shape []int, rng *rand.Rand) *tensor.Dense {
	d := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	for i := range shape[0] * tensor.Shape(shape[1:]).TotalSize() {
		set(d, i, rng.NormFloat64())
	}
	return d
}

func at(d *tensor.Dense, i int) float64 {
	if dt := d.Dtype(); dt == tensor.Float32 {
		return float64(d.Float32s()[i])
	}
	return d.Float64s()[i]
}

func set(d *tensor.Dense, i int, v float64) {
	if d.Dtype() == tensor.Float32 {
		d.Float32s()[i] = float32(v)
		return
	}
	d.Float64s()[i] = v
}

func floats(d *tensor.Dense) []float64 {
	out := make([]float64, d.Shape().TotalSize())
	for i := range out {
		out[i] = at(d, i)
	}
	return out
}

// dot returns sum a*b in float64.
func dot(a, b *tensor.Dense) float64 {
	s := 0.0
	for i := range a.Shape().TotalSize() {
		s += at(a, i) * at(b, i)
	}
	return s
}

// TestConvWeightGradReusesColumns: the weight gradient uses the forward
// op's im2col matrix when its input is the forward's, and builds its own
// when the input has changed since.
func TestConvWeightGradReusesColumns(t *testing.T) {
	geom := newConvGeom([]int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}, 1)
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			x := randomDense(dt, []int{3, 2, 5, 4}, rng)
			w := randomDense(dt, []int{4, 2, 3, 3}, rng)
			dy := randomDense(dt, []int{3, 4, 5, 4}, rng)
			if dt == tensor.Float32 {
				checkColumnReuse[float32](t, geom, x, w, dy, rng)
			} else {
				checkColumnReuse[float64](t, geom, x, w, dy, rng)
			}
		})
	}
}

func checkColumnReuse[T opkit.Float](t *testing.T, geom convGeom, x, w, dy *tensor.Dense, rng *rand.Rand) {
	gradOf := func(fwd *convState[T], x *tensor.Dense) []float64 {
		op := opkit.New[T](convGradW[T]{geom: geom, fwd: fwd, buf: new(convBufs[T])})
		dw, err := op.Do(x, dy)
		if err != nil {
			t.Fatal(err)
		}
		return floats(dw.(*tensor.Dense))
	}
	want := gradOf(nil, x)

	fwd := newConv[T](geom, true)
	if _, err := opkit.New[T](fwd).Do(x, w); err != nil {
		t.Fatal(err)
	}
	same := gradOf(fwd.st, x)
	checkSame(t, "same input", same, want)

	// Poison the forward's matrix: a gradient that still matches did not
	// read it.
	for i := range fwd.st.col {
		fwd.st.col[i] = T(math.NaN())
	}
	if got := gradOf(fwd.st, x); !math.IsNaN(got[0]) {
		t.Errorf("gradient %v from a poisoned forward matrix: the matrix was not reused", got[:3])
	}

	x2 := randomDense(x.Dtype(), []int{3, 2, 5, 4}, rng)
	want2 := gradOf(nil, x2)
	checkSame(t, "changed input", gradOf(fwd.st, x2), want2)
}

func checkSame(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: dw[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestPlainIm2colMatchesGeneral checks the fast im2col and col2im of
// geometries without padding, stride or dilation against the general
// ones, bit for bit, over one to three axes and several examples.
func TestPlainIm2colMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		kernel, in []int
		channels   int
	}{
		{[]int{3}, []int{9}, 2},
		{[]int{5, 5}, []int{12, 12}, 3},
		{[]int{2, 3}, []int{4, 7}, 1},
		{[]int{2, 3, 2}, []int{4, 5, 6}, 2},
		{[]int{3, 1, 2}, []int{3, 2, 5}, 1},
		{[]int{3, 3}, []int{5, 20}, 2}, // wider than one vector: the scalar sums
	} {
		ones, zeros := make([]int, len(c.kernel)), make([]int, len(c.kernel))
		for i := range ones {
			ones[i] = 1
		}
		g := newConvGeom(c.kernel, ones, zeros, ones, 1)
		if !g.plain() {
			t.Fatalf("%v: not plain", g)
		}
		const batch = 3
		xs := append(tensor.Shape{batch, c.channels}, c.in...)
		ys, err := g.shapes(xs, append(tensor.Shape{4, c.channels}, c.kernel...))
		if err != nil {
			t.Fatal(err)
		}
		l := newConvLayout(g, xs, ys)
		x := make([]float64, xs.TotalSize())
		x32 := make([]float32, len(x))
		for i := range x {
			x[i] = rng.NormFloat64()
			x32[i] = float32(x[i])
		}
		checkPlainTaps(t, l, x, batch)
		checkPlainTaps(t, l, x32, batch)
	}
}

// checkPlainTaps compares plainTaps, both ways, with the general loops on
// batch examples of x.
func checkPlainTaps[T float32 | float64](t *testing.T, l convLayout, x []T, batch int) {
	t.Helper()
	ld := batch * l.outPlane
	plain, general := make([]T, l.taps*ld), make([]T, l.taps*ld)
	for i := range batch {
		plainTaps(l, x[i*l.inStride:], plain[i*l.outPlane:], ld, false)
		im2colGeneral(l, x[i*l.inStride:], general[i*l.outPlane:], ld)
	}
	if i := firstDifference(plain, general); i >= 0 {
		t.Fatalf("%v %T: im2col value %d is %v, general %v", l.geom, x[0], i, plain[i], general[i])
	}
	dxPlain, dxGeneral := make([]T, len(x)), make([]T, len(x))
	for i := range batch {
		plainTaps(l, dxPlain[i*l.inStride:], plain[i*l.outPlane:], ld, true)
		col2imGeneral(l, plain[i*l.outPlane:], dxGeneral[i*l.inStride:], ld)
	}
	if i := firstDifference(dxPlain, dxGeneral); i >= 0 {
		t.Fatalf("%v %T: col2im value %d is %v, general %v", l.geom, x[0], i, dxPlain[i], dxGeneral[i])
	}
}

// firstDifference returns the first index where a and b differ in their
// bits, or -1.
func firstDifference[T float32 | float64](a, b []T) int {
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return i
		}
	}
	return -1
}
