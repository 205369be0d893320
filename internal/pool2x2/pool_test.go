package pool2x2

import (
	"math"
	"math/rand/v2"
	"testing"
)

// reference is the scalar definition: the maxima by Go's max, the
// gradient to the first maximum or NaN of each window.
func reference(r0, r1, dy []float32) (y, d0, d1 []float32) {
	n := len(dy)
	y, d0, d1 = make([]float32, n), make([]float32, 2*n), make([]float32, 2*n)
	for j := range n {
		v := [4]float32{r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]}
		out := [4]*float32{&d0[2*j], &d0[2*j+1], &d1[2*j], &d1[2*j+1]}
		m := max(max(v[0], v[1]), max(v[2], v[3]))
		y[j] = m
		for k, x := range v {
			if x == m || x != x {
				*out[k] = dy[j]
				break
			}
		}
	}
	return y, d0, d1
}

// TestAgainstReference checks both kernels bit for bit on rows of every
// length to 40 windows (full steps and every tail), from values drawn so
// that windows hold ties, signed zeros, infinities and NaNs.
func TestAgainstReference(t *testing.T) {
	if !Available() {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2.5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	draw := func() float32 {
		if rng.IntN(3) == 0 {
			return pool[rng.IntN(len(pool))]
		}
		return float32(rng.NormFloat64())
	}
	for n := range 41 {
		for range 50 {
			r0, r1, dy := make([]float32, 2*n+1), make([]float32, 2*n+1), make([]float32, n+1)
			for i := range r0 {
				r0[i], r1[i] = draw(), draw()
			}
			for i := range dy {
				dy[i] = float32(rng.NormFloat64())
			}
			wantY, want0, want1 := reference(r0[:2*n], r1[:2*n], dy[:n])
			// Sentinels past the row must survive.
			y, d0, d1 := make([]float32, n+1), make([]float32, 2*n+1), make([]float32, 2*n+1)
			y[n], d0[2*n], d1[2*n] = 7, 7, 7
			for i := range 2 * n {
				d0[i], d1[i] = 9, 9 // every value must be written
			}
			RowMax(r0[:2*n], r1[:2*n], y[:n])
			RowGrad(r0[:2*n], r1[:2*n], dy[:n], d0[:2*n], d1[:2*n])
			for j := range n {
				if !same(y[j], wantY[j]) {
					t.Fatalf("n=%d: y[%d] = %v, want %v (window %v %v %v %v)", n, j, y[j], wantY[j], r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1])
				}
			}
			for i := range 2 * n {
				if math.Float32bits(d0[i]) != math.Float32bits(want0[i]) || math.Float32bits(d1[i]) != math.Float32bits(want1[i]) {
					t.Fatalf("n=%d: gradient at %d = %v, %v, want %v, %v (window %v %v %v %v)", n, i, d0[i], d1[i], want0[i], want1[i], r0[i&^1], r0[i|1], r1[i&^1], r1[i|1])
				}
			}
			if y[n] != 7 || d0[2*n] != 7 || d1[2*n] != 7 {
				t.Fatalf("n=%d: a kernel wrote past the row", n)
			}
		}
	}
}

// same is bit equality, any NaN matching any NaN (Go leaves which NaN
// max returns open).
func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

func BenchmarkRowGrad(b *testing.B) {
	if !Available() {
		b.Skip("no AVX-512 on this CPU")
	}
	const n = 12
	r0, r1, dy, d0, d1 := make([]float32, 2*n), make([]float32, 2*n), make([]float32, n), make([]float32, 2*n), make([]float32, 2*n)
	for i := range r0 {
		r0[i], r1[i] = float32(i%5), float32(i%3)
	}
	for b.Loop() {
		RowGrad(r0, r1, dy, d0, d1)
	}
}
