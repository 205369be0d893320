package bayesnodes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestChannelBias checks y + b per channel and its gradients, for the loss
// sum((y + b) * r): d/dy = r, d/db[c] = the sum of r over channel c, for
// 1, 2 and 3 spatial axes in float64 and float32.
func TestChannelBias(t *testing.T) {
	for _, shape := range [][]int{{2, 3, 4}, {2, 3, 2, 5}, {3, 2, 2, 1, 3}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprint(shape)+"/"+dt.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, 8))
				y, r := randomDense(dt, shape, rng), randomDense(dt, shape, rng)
				b := randomDense(dt, []int{shape[1]}, rng)
				g := G.NewGraph()
				yn := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("y"), G.WithValue(y))
				bn := G.NewVector(g, dt, G.WithShape(shape[1]), G.WithName("b"), G.WithValue(b))
				rn := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("r"), G.WithValue(r))
				out, err := addChannelBias(yn, bn)
				if err != nil {
					t.Fatal(err)
				}
				loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
				if _, err := G.Grad(loss, yn, bn); err != nil {
					t.Fatal(err)
				}
				vm := G.NewTapeMachine(g, G.BindDualValues(yn, bn))
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				plane := len(floats(y)) / (shape[0] * shape[1])
				got := floats(out.Value().(*tensor.Dense))
				wantDB := make([]float64, shape[1])
				for i := range got {
					c := i / plane % shape[1]
					if want := at(y, i) + at(b, c); math.Abs(got[i]-want) > tol {
						t.Fatalf("out[%d] = %v, want %v", i, got[i], want)
					}
					wantDB[c] += at(r, i)
				}
				dy, _ := yn.Grad()
				for i, v := range floats(dy.(*tensor.Dense)) {
					if v != at(r, i) {
						t.Fatalf("d/dy[%d] = %v, want %v", i, v, at(r, i))
					}
				}
				db, _ := bn.Grad()
				for c, v := range floats(db.(*tensor.Dense)) {
					if math.Abs(v-wantDB[c]) > tol*10 {
						t.Fatalf("d/db[%d] = %v, want %v", c, v, wantDB[c])
					}
				}
			})
		}
	}
	g := G.NewGraph()
	y := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("y"))
	b := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b"))
	if _, err := addChannelBias(y, b); err == nil {
		t.Error("a bias of 4 values for 3 channels: no error")
	}
}

// TestSumPerChannelOrder checks that summing planes side by side gives the
// bits of summing each plane's values in order, then the planes of a
// channel in order, for plane counts that leave every tail.
func TestSumPerChannelOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []int{1, 3, 6} {
		for batch := 1; batch <= 5; batch++ {
			const plane = 37
			dy := make([]float32, batch*c*plane)
			for i := range dy {
				dy[i] = float32(rng.NormFloat64() * math.Exp(6*rng.NormFloat64()))
			}
			want := make([]float64, c)
			for i := range batch * c {
				s := 0.0
				for _, v := range dy[i*plane : (i+1)*plane] {
					s += float64(v)
				}
				want[i%c] += s
			}
			got := make([]float32, c)
			sumPerChannel(dy, got, plane)
			for k := range got {
				if math.Float32bits(got[k]) != math.Float32bits(float32(want[k])) {
					t.Fatalf("%d channels, batch %d: channel %d is %v, want %v", c, batch, k, got[k], float32(want[k]))
				}
			}
		}
	}
}
