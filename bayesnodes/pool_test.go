package bayesnodes

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// poolCases are geometries with windows that tile, overlap, leave input
// rows unread and reach into the padding.
var poolCases = []struct {
	name string
	geom poolGeom
	x    []int
}{
	{"2x2-stride-2", poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}, []int{2, 3, 6, 4}},
	{"2x2-stride-2-odd-size", poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}, []int{1, 2, 5, 7}},
	{"3x3-stride-2-padding-1", poolGeom{kernel: [2]int{3, 3}, stride: [2]int{2, 2}, padding: [2]int{1, 1}}, []int{2, 2, 5, 6}},
	{"3x2-stride-1x3-padding-1x0", poolGeom{kernel: [2]int{3, 2}, stride: [2]int{1, 3}, padding: [2]int{1, 0}}, []int{1, 3, 4, 8}},
}

// directMaxPool is the textbook definition: the maximum over each window of
// the input padded with -Inf.
func directMaxPool(p poolGeom, x *tensor.Dense) []float64 {
	s := x.Shape()
	ys, _ := p.outShape(s)
	var out []float64
	for n := range s[0] {
		for c := range s[1] {
			for i := range ys[2] {
				for j := range ys[3] {
					best := math.Inf(-1)
					for a := range p.kernel[0] {
						for b := range p.kernel[1] {
							h, w := i*p.stride[0]-p.padding[0]+a, j*p.stride[1]-p.padding[1]+b
							if h >= 0 && h < s[2] && w >= 0 && w < s[3] {
								best = math.Max(best, at(x, ((n*s[1]+c)*s[2]+h)*s[3]+w))
							}
						}
					}
					out = append(out, best)
				}
			}
		}
	}
	return out
}

func TestMaxPool2DMatchesDirect(t *testing.T) {
	for _, c := range poolCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				x := randomDense(dt, c.x, rand.New(rand.NewPCG(1, 2)))
				g := G.NewGraph()
				xn := G.NewTensor(g, dt, 4, G.WithShape(c.x...), G.WithName("x"), G.WithValue(x))
				y, err := MaxPool2D(xn, c.geom.kernel, c.geom.stride, c.geom.padding)
				if err != nil {
					t.Fatal(err)
				}
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				for run := range 2 { // the second run reuses the op's memory
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					got, want := floats(y.Value().(*tensor.Dense)), directMaxPool(c.geom, x)
					if len(got) != len(want) {
						t.Fatalf("run %d: %d values, want %d", run, len(got), len(want))
					}
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("run %d: y[%d] = %v, want %v", run, i, got[i], want[i])
						}
					}
					vm.Reset()
				}
			})
		}
	}
}

// TestMaxPool2DGradient checks the input gradient of sum(maxpool(x) * r)
// against central differences in float64 (random inputs have no ties, so
// a small step never moves a window's maximum).
func TestMaxPool2DGradient(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			x := randomDense(tensor.Float64, c.x, rng)
			yShape, err := c.geom.outShape(x.Shape())
			if err != nil {
				t.Fatal(err)
			}
			r := randomDense(tensor.Float64, yShape, rng)
			g := G.NewGraph()
			xn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(c.x...), G.WithName("x"), G.WithValue(x))
			rn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(yShape...), G.WithName("r"), G.WithValue(r))
			y, err := MaxPool2D(xn, c.geom.kernel, c.geom.stride, c.geom.padding)
			if err != nil {
				t.Fatal(err)
			}
			loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, rn))))
			if _, err := G.Grad(loss, xn); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(xn))
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			dx, err := xn.Grad()
			if err != nil {
				t.Fatal(err)
			}
			analytic := floats(dx.(*tensor.Dense))
			lossOf := func() float64 {
				out, err := opkit.New[float64](maxPoolOp[float64]{c.geom}).Do(x)
				if err != nil {
					t.Fatal(err)
				}
				return dot(out.(*tensor.Dense), r)
			}
			const h = 1e-6
			worst, nonzero := 0.0, 0
			for i := range analytic {
				orig := at(x, i)
				set(x, i, orig+h)
				up := lossOf()
				set(x, i, orig-h)
				down := lossOf()
				set(x, i, orig)
				num := (up - down) / (2 * h)
				rel := math.Abs(analytic[i]-num) / math.Max(1, math.Abs(num))
				worst = max(worst, rel)
				if rel > 1e-8 {
					t.Fatalf("d loss / d x[%d]: analytic %.10g, numeric %.10g", i, analytic[i], num)
				}
				if analytic[i] != 0 {
					nonzero++
				}
			}
			if nonzero == 0 {
				t.Fatal("every gradient is 0")
			}
			t.Logf("%d values (%d non-zero), worst error %.3g", len(analytic), nonzero, worst)
		})
	}
}

// TestMaxPool2DTiesAndNaN: the gradient of a window goes to its first
// maximum only, and a NaN is a window's maximum, on the 2x2 fast path and
// on the general one (stride 1 down the rows gives the same windows of
// this 2-row input).
func TestMaxPool2DTiesAndNaN(t *testing.T) {
	x := []float64{
		1, 3, 2, math.NaN(),
		3, 0, 5, 1,
	}
	xs, ys := tensor.Shape{1, 1, 2, 4}, tensor.Shape{1, 1, 1, 2}
	for _, p := range []poolGeom{
		{kernel: [2]int{2, 2}, stride: [2]int{2, 2}},
		{kernel: [2]int{2, 2}, stride: [2]int{1, 2}},
	} {
		y := make([]float64, 2)
		maxPool(p, xs, ys, x, y, nil)
		if y[0] != 3 || !math.IsNaN(y[1]) {
			t.Errorf("%v: maxima %v, want [3 NaN]", p, y)
		}
		dx := make([]float64, len(x))
		maxPool(p, xs, ys, x, []float64{10, 20}, dx)
		want := []float64{0, 10, 0, 20, 0, 0, 0, 0}
		for i := range want {
			if dx[i] != want[i] {
				t.Fatalf("%v: dx = %v, want %v", p, dx, want)
			}
		}
	}
}

func TestMaxPool2DBadInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 5, 4), G.WithName("x"))
	x3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 5, 4), G.WithName("x3"))
	xi := G.NewTensor(g, tensor.Int, 4, G.WithShape(2, 3, 5, 4), G.WithName("xi"))
	k2 := [2]int{2, 2}
	cases := []struct {
		name                    string
		x                       *G.Node
		kernel, stride, padding [2]int
		want                    string
	}{
		{"nil input", nil, k2, k2, [2]int{}, "nil input node"},
		{"3-D input", x3, k2, k2, [2]int{}, "input has shape (2, 5, 4), want [batch, channels, H, W]"},
		{"integer input", xi, k2, k2, [2]int{}, "dtype int, want float64 or float32"},
		{"zero kernel", x, [2]int{2, 0}, k2, [2]int{}, "kernel [2 0], want every size > 0"},
		{"zero stride", x, k2, [2]int{0, 1}, [2]int{}, "stride [0 1], want every value > 0"},
		{"negative padding", x, k2, k2, [2]int{-1, 0}, "padding [-1 0] for kernel [2 2], want every value in [0, kernel/2]"},
		{"padding over half the kernel", x, [2]int{3, 3}, k2, [2]int{1, 2}, "padding [1 2] for kernel [3 3]"},
		{"kernel larger than the input", x, [2]int{2, 5}, k2, [2]int{}, "along axis 3 the kernel 5 is larger than the padded input's 4 (4 + 2*0)"},
		{"kernel larger than the padded input", x, [2]int{8, 2}, k2, [2]int{1, 0}, "along axis 2 the kernel 8 is larger than the padded input's 7 (5 + 2*1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, err := MaxPool2D(c.x, c.kernel, c.stride, c.padding)
			if err == nil {
				t.Fatalf("no error, got a node of shape %v", y.Shape())
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bayesnodes: MaxPool2D: ") {
				t.Errorf("error %q, want it to start with bayesnodes: MaxPool2D: and contain %q", err, c.want)
			}
		})
	}
}

// TestMaxPool2DOpHash: ops that differ in any parameter hash apart.
func TestMaxPool2DOpHash(t *testing.T) {
	base := poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}
	seen := map[uint32]string{}
	for _, p := range []poolGeom{base,
		{kernel: [2]int{2, 3}, stride: [2]int{2, 2}},
		{kernel: [2]int{2, 2}, stride: [2]int{1, 2}},
		{kernel: [2]int{2, 2}, stride: [2]int{2, 2}, padding: [2]int{0, 1}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			c := opCommon{dt: dt}
			for _, op := range []G.Op{of(c, maxPoolOp[float32]{p}, maxPoolOp[float64]{p}), of(c, maxPoolGradOp[float32]{p}, maxPoolGradOp[float64]{p})} {
				what := op.String() + dt.String()
				if other, ok := seen[op.Hashcode()]; ok {
					t.Errorf("%s hashes like %s", what, other)
				}
				seen[op.Hashcode()] = what
			}
		}
	}
	if opkit.New[float64](maxPoolOp[float64]{base}).Hashcode() != opkit.New[float64](maxPoolOp[float64]{base}).Hashcode() {
		t.Error("equal ops hash apart")
	}
}

// TestMaxPool2x2VectorMatchesLoops checks the float32 2x2 pooling (by
// pool2x2's kernels where the CPU has them) against the Go loops, which
// float64 takes, forward and gradient, on planes with an even and an odd
// number of rows and columns and with ties.
func TestMaxPool2x2VectorMatchesLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range [][4]int{{2, 3, 6, 4}, {1, 2, 5, 7}, {3, 2, 8, 9}} {
		planes, ih, iw := s[0]*s[1], s[2], s[3]
		oh, ow := ih/2, iw/2
		x32, dy32 := make([]float32, planes*ih*iw), make([]float32, planes*oh*ow)
		for i := range x32 {
			x32[i] = float32(rng.IntN(5)) // ties
		}
		for i := range dy32 {
			dy32[i] = float32(rng.NormFloat64())
		}
		x64, dy64 := make([]float64, len(x32)), make([]float64, len(dy32))
		for i := range x32 {
			x64[i] = float64(x32[i])
		}
		for i := range dy32 {
			dy64[i] = float64(dy32[i])
		}
		y32, y64 := make([]float32, len(dy32)), make([]float64, len(dy64))
		dx32, dx64 := make([]float32, len(x32)), make([]float64, len(x64))
		maxPool2x2(planes, ih, iw, oh, ow, x32, y32, nil)
		maxPool2x2(planes, ih, iw, oh, ow, x64, y64, nil)
		maxPool2x2(planes, ih, iw, oh, ow, x32, dy32, dx32)
		maxPool2x2(planes, ih, iw, oh, ow, x64, dy64, dx64)
		for i := range y32 {
			if float64(y32[i]) != y64[i] {
				t.Fatalf("%v: y[%d] = %v, want %v", s, i, y32[i], y64[i])
			}
		}
		for i := range dx32 {
			if float64(dx32[i]) != dx64[i] {
				t.Fatalf("%v: dx[%d] = %v, want %v", s, i, dx32[i], dx64[i])
			}
		}
	}
}
