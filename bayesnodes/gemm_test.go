package bayesnodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGemmMatchesGorgonia checks every transposition against Gorgonia's own
// Mul of explicitly transposed matrices, with their gradients through a
// weighted sum, in float64 and float32.
func TestGemmMatchesGorgonia(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				const m, k, n = 3, 4, 5
				shape := func(rows, cols int, trans bool) []int {
					if trans {
						return []int{cols, rows}
					}
					return []int{rows, cols}
				}
				random := func(s []int) *tensor.Dense {
					if dt == tensor.Float32 {
						v := make([]float32, s[0]*s[1])
						for i := range v {
							v[i] = float32(rng.NormFloat64())
						}
						return tensor.New(tensor.WithShape(s...), tensor.WithBacking(v))
					}
					v := make([]float64, s[0]*s[1])
					for i := range v {
						v[i] = rng.NormFloat64()
					}
					return tensor.New(tensor.WithShape(s...), tensor.WithBacking(v))
				}
				av, bv, wv := random(shape(m, k, ta)), random(shape(k, n, tb)), random([]int{m, n})
				run := func(ours bool) (c []float64, da, db []float64) {
					g := G.NewGraph()
					a := G.NewMatrix(g, dt, G.WithShape(av.Shape()...), G.WithName("a"), G.WithValue(av.Clone()))
					b := G.NewMatrix(g, dt, G.WithShape(bv.Shape()...), G.WithName("b"), G.WithValue(bv.Clone()))
					w := G.NewMatrix(g, dt, G.WithShape(m, n), G.WithName("w"), G.WithValue(wv.Clone()))
					var prod *G.Node
					if ours {
						prod = G.Must(gemm(a, b, ta, tb))
					} else {
						x, y := a, b
						if ta {
							x = G.Must(G.Transpose(a))
						}
						if tb {
							y = G.Must(G.Transpose(b))
						}
						prod = G.Must(G.Mul(x, y))
					}
					var cv G.Value
					G.Read(prod, &cv)
					loss := G.Must(G.Sum(G.Must(G.HadamardProd(prod, w))))
					if _, err := G.Grad(loss, a, b); err != nil {
						t.Fatal(err)
					}
					vm := G.NewTapeMachine(g, G.BindDualValues(a, b))
					defer vm.Close()
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					return asF64(t, cv), gradF64(t, a), gradF64(t, b)
				}
				c1, da1, db1 := run(true)
				c2, da2, db2 := run(false)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for name, pair := range map[string][2][]float64{"product": {c1, c2}, "dA": {da1, da2}, "dB": {db1, db2}} {
					for i := range pair[1] {
						if d := math.Abs(pair[0][i] - pair[1][i]); d > tol*(1+math.Abs(pair[1][i])) {
							t.Errorf("%v transA=%v transB=%v: %s[%d] = %v, Gorgonia gives %v", dt, ta, tb, name, i, pair[0][i], pair[1][i])
						}
					}
				}
			}
		}
	}
}

func asF64(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	t.Fatalf("value holds %T", v.Data())
	return nil
}

func gradF64(t *testing.T, n *G.Node) []float64 {
	t.Helper()
	g, err := n.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return asF64(t, g)
}

func TestGemmRejectsMismatchedShapes(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("b"))
	if _, err := gemm(a, b, false, false); err == nil {
		t.Error("2x3 times 2x3: no error")
	}
	if _, err := gemm(a, b, false, true); err != nil {
		t.Errorf("2x3 times (2x3)ᵀ: %v", err)
	}
	c := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("c"))
	if _, err := gemm(a, c, false, false); err == nil {
		t.Error("float64 times float32: no error")
	}
}
