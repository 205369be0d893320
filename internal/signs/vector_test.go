package signs

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// forEachKernel runs fn with each kernel this CPU has: AVX-512, AVX2, and
// the Go loops alone (the reference).
func forEachKernel(t *testing.T, fn func(t *testing.T)) {
	cpuvec.Each(&vectorLanes, 2, func(name string) { t.Run(name, fn) })
}

// operands returns n values (with specials, some of them zeros of either
// sign, infinities, NaN and subnormals) and n signs.
func operands(n int, seed uint64, specials bool) (a, s []float32) {
	rng := rand.New(rand.NewPCG(seed, 3))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40}
	a, s = make([]float32, n), make([]float32, n)
	for i := range n {
		a[i] = float32(rng.NormFloat64())
		if specials && rng.IntN(8) == 0 {
			a[i] = special[rng.IntN(len(special))]
		}
		s[i] = float32(2*rng.IntN(2) - 1)
	}
	return a, s
}

// same reports whether x and y are the same bits.
func same(x, y []float32) bool {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return len(x) == len(y)
}

// TestKernelsMatchGo checks Mul and AddMul against the Go loops, bit for
// bit, on every length up to 70 (every tail) at offsets 0-15, and that
// they write nothing past len(s).
func TestKernelsMatchGo(t *testing.T) {
	const sentinel = -12345
	forEachKernel(t, func(t *testing.T) {
		for n := range 71 {
			for off := range 16 {
				a, s := operands(n+off, uint64(n), true)
				y0, _ := operands(n+off, uint64(n+1000), true)
				a, s, y0 = a[off:], s[off:], y0[off:]
				d := make([]float32, n+8)
				y := append(append([]float32(nil), y0...), make([]float32, 8)...)
				for i := n; i < n+8; i++ {
					d[i], y[i] = sentinel, sentinel
				}
				Mul(d, a, s)
				AddMul(y, a, s)
				wantD, wantY := make([]float32, n), append([]float32(nil), y0...)
				for i := range n {
					wantD[i] = a[i] * s[i]
					wantY[i] += a[i] * s[i]
				}
				if !same(d[:n], wantD) || !same(y[:n], wantY) {
					t.Fatalf("n=%d, offset %d: Mul %v, want %v; AddMul %v, want %v", n, off, d[:n], wantD, y[:n], wantY)
				}
				for i := n; i < n+8; i++ {
					if d[i] != sentinel || y[i] != sentinel {
						t.Fatalf("n=%d, offset %d: wrote past the end", n, off)
					}
				}
			}
		}
	})
}

// TestFloat64 checks the Go loops on float64.
func TestFloat64(t *testing.T) {
	a, s, y := []float64{1.5, -2, 3}, []float64{-1, 1, -1}, []float64{1, 1, 1}
	d := make([]float64, 3)
	Mul(d, a, s)
	AddMul(y, a, s)
	if d[0] != -1.5 || d[1] != -2 || d[2] != -3 || y[0] != -0.5 || y[1] != -1 || y[2] != -2 {
		t.Errorf("Mul %v, AddMul %v", d, y)
	}
}
