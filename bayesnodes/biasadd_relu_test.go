package bayesnodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/elementwise"
)

// signedZeroDense returns a tensor of normal values in dtype dt, with every
// eighth value set to +0, -0 or a value that is negative, so that ReLU's
// boundary and signed zeros are exercised.
func signedZeroDense(rng *rand.Rand, dt tensor.Dtype, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
		switch i % 8 {
		case 3:
			v[i] = 0
		case 5:
			v[i] = math.Copysign(0, -1)
		}
	}
	if dt == tensor.Float32 {
		f := make([]float32, n)
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// bits returns the values of a float tensor as bit patterns, so that two
// results compare exactly (signed zeros included).
func bits(t *testing.T, v G.Value) []uint64 {
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
	}
	t.Fatalf("value holds %T", v.Data())
	return nil
}

// TestBiasAddReLUMatchGorgonia checks that relu(y + b) through the fused
// ops gives Gorgonia's BroadcastAdd and Rectify results bit for bit, value
// and gradients for y and b (through a weighted sum, and through a second
// run to see that memory reused across runs holds no stale values), in
// float64 and float32.
func TestBiasAddReLUMatchGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		const batch, c = 7, 5
		yv, bv, wv := signedZeroDense(rng, dt, batch, c), signedZeroDense(rng, dt, c), signedZeroDense(rng, dt, batch, c)
		yv2 := signedZeroDense(rng, dt, batch, c)
		run := func(ours bool) (outs, dys, dbs [][]uint64) {
			g := G.NewGraph()
			y := G.NewMatrix(g, dt, G.WithShape(batch, c), G.WithName("y"), G.WithValue(yv.Clone()))
			b := G.NewVector(g, dt, G.WithShape(c), G.WithName("b"), G.WithValue(bv.Clone()))
			w := G.NewMatrix(g, dt, G.WithShape(batch, c), G.WithName("w"), G.WithValue(wv.Clone()))
			var out *G.Node
			if ours {
				out = G.Must(ReLU(G.Must(fusedBiasAdd(y, b))))
			} else {
				br := G.Must(G.Reshape(b, tensor.Shape{1, c}))
				out = G.Must(G.Rectify(G.Must(G.BroadcastAdd(y, br, nil, []byte{0}))))
			}
			var ov G.Value
			G.Read(out, &ov)
			loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, w))))
			if _, err := G.Grad(loss, y, b); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(y, b))
			defer vm.Close()
			for i, input := range []*tensor.Dense{yv, yv2} {
				if err := G.Let(y, input.Clone()); err != nil {
					t.Fatal(err)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
				dy, err := y.Grad()
				if err != nil {
					t.Fatal(err)
				}
				db, err := b.Grad()
				if err != nil {
					t.Fatal(err)
				}
				outs, dys, dbs = append(outs, bits(t, ov)), append(dys, bits(t, dy)), append(dbs, bits(t, db))
				if i == 0 {
					// Gradients add up across runs; compare each run's own.
					for _, n := range []*G.Node{y, b} {
						if err := zeroGrad(n); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			return outs, dys, dbs
		}
		o1, dy1, db1 := run(true)
		o2, dy2, db2 := run(false)
		for r := range o1 {
			for name, pair := range map[string][2][]uint64{"relu(y+b)": {o1[r], o2[r]}, "dy": {dy1[r], dy2[r]}, "db": {db1[r], db2[r]}} {
				if len(pair[0]) != len(pair[1]) {
					t.Fatalf("%v run %d: %s has %d values, Gorgonia's %d", dt, r, name, len(pair[0]), len(pair[1]))
				}
				for i := range pair[1] {
					if pair[0][i] != pair[1][i] {
						t.Errorf("%v run %d: %s[%d] bits %x, Gorgonia's %x", dt, r, name, i, pair[0][i], pair[1][i])
					}
				}
			}
		}
	}
}

func zeroGrad(n *G.Node) error {
	g, err := n.Grad()
	if err != nil {
		return err
	}
	g.(*tensor.Dense).Zero()
	return nil
}

// TestReLUSpecialValues checks the forward values on the edge cases that
// G.Rectify defines: -0 for negative inputs, 0 stays 0, NaN stays NaN.
func TestReLUSpecialValues(t *testing.T) {
	x := []float64{-2, math.Copysign(0, -1), 0, 3, math.NaN(), math.Inf(-1), math.Inf(1)}
	y := make([]float64, len(x))
	elementwise.ReLU(y, x)
	want := []float64{math.Copysign(0, -1), math.Copysign(0, -1), 0, 3, math.NaN(), math.NaN(), math.Inf(1)}
	for i := range x {
		if math.Float64bits(y[i]) != math.Float64bits(want[i]) && !(math.IsNaN(y[i]) && math.IsNaN(want[i])) {
			t.Errorf("relu(%v) = %v, want %v", x[i], y[i], want[i])
		}
	}
	x32, y32 := make([]float32, len(x)), make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	elementwise.ReLU(y32, x32)
	for i := range x {
		if math.Float32bits(y32[i]) != math.Float32bits(float32(want[i])) && !(y32[i] != y32[i] && math.IsNaN(want[i])) {
			t.Errorf("float32 relu(%v) = %v, want %v", x[i], y32[i], want[i])
		}
	}
	g := []float64{1, 2, 3, 4, 5, 6, 7}
	d := make([]float64, len(x))
	elementwise.ReLUGrad(d, x, g)
	g32, d32 := []float32{1, 2, 3, 4, 5, 6, 7}, make([]float32, len(x))
	elementwise.ReLUGrad(d32, x32, g32)
	wantD := []float64{0, 2, 3, 4, 0, 0, 7}
	for i := range x {
		if d[i] != wantD[i] || float64(d32[i]) != wantD[i] {
			t.Errorf("relu gradient at %v with g = %v: %v (float32 %v), want %v", x[i], g[i], d[i], d32[i], wantD[i])
		}
	}
}

func TestBiasAddReLURejectBadInputs(t *testing.T) {
	g := G.NewGraph()
	y := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("y"))
	b := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("b"))
	if _, err := fusedBiasAdd(y, b); err == nil {
		t.Error("[4 3] + [2]: no error")
	}
	b32 := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("b32"))
	if _, err := fusedBiasAdd(y, b32); err == nil {
		t.Error("float64 + float32: no error")
	}
	i := G.NewMatrix(g, tensor.Int, G.WithShape(4, 3), G.WithName("i"))
	if _, err := ReLU(i); err == nil {
		t.Error("ReLU of an int matrix: no error")
	}
	if _, err := ReLU(G.NewScalar(g, tensor.Float64, G.WithName("s"))); err == nil {
		t.Error("ReLU of a scalar: no error")
	}
	if _, err := ReLU(nil); err == nil {
		t.Error("ReLU of nil: no error")
	}
}

// TestColumnSumOrder checks the column sums against one row at a time
// added in order, bit for bit, for batch sizes around the four-row passes.
func TestColumnSumOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const c = 3
	g := make([]float64, 11*c)
	for i := range g {
		g[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6))
	}
	for rows := 1; rows <= 11; rows++ {
		got := make([]float64, c)
		columnSumKernel(got, g[:rows*c])
		for j := range c {
			want := g[j]
			for i := 1; i < rows; i++ {
				want += g[i*c+j]
			}
			if math.Float64bits(got[j]) != math.Float64bits(want) {
				t.Errorf("%d rows, column %d: %v, want %v", rows, j, got[j], want)
			}
		}
	}
}
