package bayesnodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestConv3DOpGradients checks the op's gradients for its input and its
// weights against central differences of its forward pass, in float64 and
// float32. The loss sum(conv3d(x, w) * r) is linear in x and in w, so the
// differences have no truncation error and a large step keeps float32's
// rounding small.
func TestConv3DOpGradients(t *testing.T) {
	geoms := []struct {
		name string
		geom conv3dGeom
		x, w []int
	}{
		{"plain", conv3dGeom{kernel: [3]int{2, 2, 2}, stride: [3]int{1, 1, 1}, dilation: [3]int{1, 1, 1}, groups: 1},
			[]int{2, 2, 3, 3, 3}, []int{3, 2, 2, 2, 2}},
		// A stride and dilation that leave input columns 1 and 4 unread:
		// their gradient must be exactly 0.
		{"stride-padding-dilation-groups", conv3dGeom{kernel: [3]int{2, 3, 2}, stride: [3]int{2, 2, 3}, padding: [3]int{1, 1, 0}, dilation: [3]int{1, 2, 2}, groups: 2},
			[]int{2, 4, 4, 5, 6}, []int{2, 2, 2, 3, 2}},
	}
	for _, c := range geoms {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, 2))
				x := randomDense(dt, c.x, rng)
				w := randomDense(dt, c.w, rng)
				yShape, err := c.geom.shapes(x.Shape(), w.Shape())
				if err != nil {
					t.Fatal(err)
				}
				r := randomDense(dt, yShape, rng)

				g := G.NewGraph()
				xn := G.NewTensor(g, dt, 5, G.WithShape(c.x...), G.WithName("x"), G.WithValue(x))
				wn := G.NewTensor(g, dt, 5, G.WithShape(c.w...), G.WithName("w"), G.WithValue(w))
				rn := G.NewTensor(g, dt, 5, G.WithShape(yShape...), G.WithName("r"), G.WithValue(r))
				y, err := conv3d(xn, wn, c.geom)
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
					op := &conv3dOp{geom: c.geom, dt: dt}
					out, err := op.Do(x, w)
					if err != nil {
						t.Fatal(err)
					}
					return dot(out.(*tensor.Dense), r)
				}
				h, tol := 1e-3, 1e-9
				if dt == tensor.Float32 {
					h, tol = 0.25, 2e-4
				}
				for _, p := range []struct {
					name string
					node *G.Node
					val  *tensor.Dense
				}{{"x", xn, x}, {"w", wn, w}} {
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
				if c.geom.stride[2] == 3 { // width 6, kernel 2 with dilation 2, stride 3: outputs read columns 0, 2, 3, 5
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

// TestConv3DOpHash checks that ops differing in any parameter hash apart,
// and equal ones alike (Gorgonia merges nodes by hash).
func TestConv3DOpHash(t *testing.T) {
	base := conv3dGeom{kernel: [3]int{2, 2, 2}, stride: [3]int{1, 1, 1}, dilation: [3]int{1, 1, 1}, groups: 1}
	vary := []func(*conv3dGeom){
		func(g *conv3dGeom) { g.kernel[2] = 3 },
		func(g *conv3dGeom) { g.stride[0] = 2 },
		func(g *conv3dGeom) { g.padding[1] = 1 },
		func(g *conv3dGeom) { g.dilation[2] = 2 },
		func(g *conv3dGeom) { g.groups = 2 },
	}
	seen := map[uint32]bool{(&conv3dOp{geom: base, dt: tensor.Float64}).Hashcode(): true}
	if (&conv3dOp{geom: base, dt: tensor.Float64}).Hashcode() != (&conv3dOp{geom: base, dt: tensor.Float64}).Hashcode() {
		t.Fatal("equal ops hash apart")
	}
	add := func(what string, h uint32) {
		if seen[h] {
			t.Errorf("%s: hash collides with another op's", what)
		}
		seen[h] = true
	}
	add("float32", (&conv3dOp{geom: base, dt: tensor.Float32}).Hashcode())
	for i, f := range vary {
		g := base
		f(&g)
		add(g.String(), (&conv3dOp{geom: g, dt: tensor.Float64}).Hashcode())
		add("weight grad "+g.String(), (&conv3dWeightGradOp{geom: g, dt: tensor.Float64}).Hashcode())
		add("input grad "+g.String(), (&conv3dInputGradOp{geom: g, dt: tensor.Float64, xShape: [5]int{1, 2, 3, 4, i + 5}}).Hashcode())
	}
	add("input grad of another input shape", (&conv3dInputGradOp{geom: base, dt: tensor.Float64, xShape: [5]int{1, 2, 3, 4, 4}}).Hashcode())
	add("input grad of yet another input shape", (&conv3dInputGradOp{geom: base, dt: tensor.Float64, xShape: [5]int{1, 2, 3, 4, 5}}).Hashcode())
}

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
