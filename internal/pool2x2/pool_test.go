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
// length to 40 windows (full steps and every tail), one or several rows
// with gaps between them, from values drawn so that windows hold ties,
// signed zeros, infinities and NaNs.
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
		for trial := range 50 {
			rows := 1 + trial%3
			ld := max(1, 2*n+rng.IntN(3))
			x, dy := make([]float32, 2*rows*ld+1), make([]float32, rows*n+1)
			for i := range x {
				x[i] = draw()
			}
			for i := range dy {
				dy[i] = float32(rng.NormFloat64())
			}
			// Sentinels past the rows, and in the gaps, must survive;
			// every value in a window must be written.
			const gap, unset = 7, 9
			wantY, wantDx := make([]float32, rows*n+1), make([]float32, len(x))
			wantY[rows*n] = gap
			for i := range wantDx {
				wantDx[i] = gap
			}
			for i := range rows {
				r0, r1 := x[2*i*ld:][:2*n], x[(2*i+1)*ld:][:2*n]
				y, d0, d1 := reference(r0, r1, dy[i*n:][:n])
				copy(wantY[i*n:], y)
				copy(wantDx[2*i*ld:], d0)
				copy(wantDx[(2*i+1)*ld:], d1)
			}
			y, dx := make([]float32, len(wantY)), make([]float32, len(wantDx))
			y[rows*n] = gap
			for i := range dx {
				dx[i] = gap
				if i%ld < 2*n {
					dx[i] = unset
				}
			}
			dx[len(dx)-1] = gap
			Max(rows, n, x[:len(x)-1], ld, y[:rows*n])
			Grad(rows, n, x[:len(x)-1], ld, dy[:rows*n], dx[:len(dx)-1])
			for j := range y {
				if !same(y[j], wantY[j]) {
					t.Fatalf("%d rows of %d, %d apart: y[%d] = %v, want %v", rows, n, ld, j, y[j], wantY[j])
				}
			}
			for i := range dx {
				if math.Float32bits(dx[i]) != math.Float32bits(wantDx[i]) {
					t.Fatalf("%d rows of %d, %d apart: dx[%d] = %v, want %v", rows, n, ld, i, dx[i], wantDx[i])
				}
			}
		}
	}
}

// TestChecks checks that windows that do not fit are refused.
func TestChecks(t *testing.T) {
	if !Available() {
		t.Skip("no AVX-512 on this CPU")
	}
	for _, c := range []struct {
		name              string
		rows, n, ld, x, y int
	}{
		{"rows overlap", 2, 4, 7, 100, 8},
		{"short x", 2, 4, 8, 31, 8},
		{"short y", 2, 4, 8, 32, 7},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			Max(c.rows, c.n, make([]float32, c.x), c.ld, make([]float32, c.y))
		}()
	}
}

// same is bit equality, any NaN matching any NaN (Go leaves which NaN
// max returns open).
func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// BenchmarkGrad is the gradient of LeNet's first pooling for one
// example: six planes of 12 rows of 12 windows, one call.
func BenchmarkGrad(b *testing.B) {
	if !Available() {
		b.Skip("no AVX-512 on this CPU")
	}
	const rows, n = 6 * 12, 12
	x, dy, dx := make([]float32, 4*rows*n), make([]float32, rows*n), make([]float32, 4*rows*n)
	for i := range x {
		x[i] = float32(i % 7)
	}
	for b.Loop() {
		Grad(rows, n, x, 2*n, dy, dx)
	}
}
