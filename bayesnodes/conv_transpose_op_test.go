package bayesnodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// convTransposeCases are geometries for the op's tests: every rank, a
// stride, padding, output padding, dilation and groups, an output padding
// below the dilation but not the stride, and a minibatch split in chunks.
var convTransposeCases = []struct {
	name  string
	geom  convTransposeGeom
	x, w  []int
	chunk int // examples per product; 0 for the default
}{
	{"1d", transposeGeom(newConvGeom([]int{3}, []int{2}, []int{1}, []int{1}, 1), 1), []int{2, 3, 5}, []int{3, 4, 3}, 0},
	{"2d/groups-dilation", transposeGeom(newConvGeom([]int{3, 2}, []int{2, 1}, []int{1, 0}, []int{1, 2}, 2), 1, 0), []int{2, 4, 3, 4}, []int{4, 3, 3, 2}, 0},
	{"2d/outpad-below-dilation", transposeGeom(newConvGeom([]int{2, 2}, []int{1, 1}, []int{0, 1}, []int{2, 1}, 1), 1, 0), []int{1, 2, 3, 3}, []int{2, 3, 2, 2}, 0},
	{"2d/chunks-of-2", transposeGeom(newConvGeom([]int{2, 3}, []int{2, 2}, []int{0, 1}, []int{1, 1}, 1), 1, 1), []int{5, 2, 3, 3}, []int{2, 2, 2, 3}, 2},
	{"3d", transposeGeom(newConvGeom([]int{2, 3, 2}, []int{2, 1, 2}, []int{0, 1, 1}, []int{1, 1, 2}, 2), 1, 0, 0), []int{2, 2, 3, 3, 2}, []int{2, 2, 2, 3, 2}, 0},
}

func transposeGeom(g convGeom, outPad ...int) convTransposeGeom {
	t := convTransposeGeom{convGeom: g}
	copy(t.outputPadding[3-g.rank:], outPad)
	return t
}

// directConvTranspose is the definition: each x[n, i, q] adds x * w[i, o,
// k] to y[n, group(i)*out/g + o, q*stride - padding + dilation*k], where
// that falls inside y.
func directConvTranspose(g convTransposeGeom, x, w []float64, xs, ys tensor.Shape) []float64 {
	in, out := xs[1], ys[1]
	gi, gout := in/g.groups, out/g.groups
	is, os := g.spatial3(xs[2:]), g.spatial3(ys[2:])
	y := make([]float64, ys.TotalSize())
	k := g.kernel
	for n := range xs[0] {
		for i := range in {
			for o := range gout {
				co := (i/gi)*gout + o
				for q0 := range is[0] {
					for q1 := range is[1] {
						for q2 := range is[2] {
							xv := x[(((n*in+i)*is[0]+q0)*is[1]+q1)*is[2]+q2]
							for k0 := range k[0] {
								for k1 := range k[1] {
									for k2 := range k[2] {
										p0 := q0*g.stride[0] - g.padding[0] + g.dilation[0]*k0
										p1 := q1*g.stride[1] - g.padding[1] + g.dilation[1]*k1
										p2 := q2*g.stride[2] - g.padding[2] + g.dilation[2]*k2
										if p0 < 0 || p0 >= os[0] || p1 < 0 || p1 >= os[1] || p2 < 0 || p2 >= os[2] {
											continue
										}
										wv := w[(((i*gout+o)*k[0]+k0)*k[1]+k1)*k[2]+k2]
										y[(((n*out+co)*os[0]+p0)*os[1]+p1)*os[2]+p2] += xv * wv
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return y
}

// convTransposeOp returns the float64 op of g.
func convTransposeOp(g convTransposeGeom) G.Op {
	return opkit.New[float64](convTranspose[float64]{g, false, new(convBufs[float64])})
}

// withChunk sets maxColValues so that a case's products hold c.chunk
// examples, and returns the function that restores it.
func withChunk(t *testing.T, g convTransposeGeom, xs, ws []int, chunk int) func() {
	old := maxColValues
	if chunk == 0 {
		return func() {}
	}
	ys, err := g.shapes(xs, ws)
	if err != nil {
		t.Fatal(err)
	}
	l := g.layout(xs, ys)
	maxColValues = chunk * l.taps * l.outPlane
	if l = g.layout(xs, ys); l.chunk != chunk {
		t.Fatalf("chunk %d, want %d", l.chunk, chunk)
	}
	return func() { maxColValues = old }
}

// TestConvTransposeOpMatchesDefinition checks the op, run through the
// convolution's kernels, against the transposed convolution's definition.
func TestConvTransposeOpMatchesDefinition(t *testing.T) {
	for _, c := range convTransposeCases {
		t.Run(c.name, func(t *testing.T) {
			defer withChunk(t, c.geom, c.x, c.w, c.chunk)()
			rng := rand.New(rand.NewPCG(3, 4))
			x, w := randomDense(tensor.Float64, c.x, rng), randomDense(tensor.Float64, c.w, rng)
			op := convTransposeOp(c.geom)
			for run := range 2 { // the second run reuses the op's memory
				y, err := op.Do(x, w)
				if err != nil {
					t.Fatal(err)
				}
				yd := y.(*tensor.Dense)
				want := directConvTranspose(c.geom, x.Float64s(), w.Float64s(), x.Shape(), yd.Shape())
				for i, v := range yd.Float64s() {
					if math.Abs(v-want[i]) > 1e-12 {
						t.Fatalf("run %d: y[%d] = %v, definition %v", run, i, v, want[i])
					}
				}
			}
		})
	}
}

// TestConvTransposeOpGradients checks the op's gradients for its input and
// weights against central differences of its forward pass in float64. The
// loss sum(convT(x, w) * r) is linear in each, so the differences have no
// truncation error.
func TestConvTransposeOpGradients(t *testing.T) {
	for _, c := range convTransposeCases {
		t.Run(c.name, func(t *testing.T) {
			defer withChunk(t, c.geom, c.x, c.w, c.chunk)()
			rng := rand.New(rand.NewPCG(5, 6))
			x, w := randomDense(tensor.Float64, c.x, rng), randomDense(tensor.Float64, c.w, rng)
			yShape, err := c.geom.shapes(x.Shape(), w.Shape())
			if err != nil {
				t.Fatal(err)
			}
			r := randomDense(tensor.Float64, yShape, rng)
			g := G.NewGraph()
			dims := len(c.x)
			xn := G.NewTensor(g, tensor.Float64, dims, G.WithShape(c.x...), G.WithName("x"), G.WithValue(x))
			wn := G.NewTensor(g, tensor.Float64, dims, G.WithShape(c.w...), G.WithName("w"), G.WithValue(w))
			rn := G.NewTensor(g, tensor.Float64, dims, G.WithShape(yShape...), G.WithName("r"), G.WithValue(r))
			y, err := convolveTransposed(xn, wn, c.geom, true)
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
			fwd := convTransposeOp(c.geom)
			lossOf := func() float64 {
				out, err := fwd.Do(x, w)
				if err != nil {
					t.Fatal(err)
				}
				return dot(out.(*tensor.Dense), r)
			}
			checkOpGradients(t, lossOf, 1e-3, 1e-9, opInput{"x", xn, x}, opInput{"w", wn, w})
		})
	}
}

// TestConvTransposeOpHash checks that transposed convolutions differing in
// their output padding alone are not merged, and equal ones are.
func TestConvTransposeOpHash(t *testing.T) {
	g := transposeGeom(newConvGeom([]int{3}, []int{2}, []int{0}, []int{1}, 1), 0)
	h := transposeGeom(newConvGeom([]int{3}, []int{2}, []int{0}, []int{1}, 1), 1)
	hash := func(g convTransposeGeom) uint32 { return convTransposeOp(g).Hashcode() }
	if hash(g) != hash(g) {
		t.Error("equal ops hash apart")
	}
	if hash(g) == hash(h) {
		t.Error("output padding 0 and 1 hash alike")
	}
}
