package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// sentinel fills the gaps between rows and the space past the end of
// every matrix: the product must never write it, and A and B gaps hold
// NaN, which would poison any result that read them.
const sentinel = 12345.5

// problem is one gemm call with its operands laid out in larger buffers.
type problem struct {
	tA, tB        blas.Transpose
	m, n, k       int
	lda, ldb, ldc int
	alpha, beta   float64
	a, b, c       []float64 // whole buffers, gaps and tails included
	lenA, lenB    int       // the part passed to gemm
	lenC          int
}

func (p problem) String() string {
	return fmt.Sprintf("%c%c m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%g beta=%g",
		p.tA, p.tB, p.m, p.n, p.k, p.lda, p.ldb, p.ldc, p.alpha, p.beta)
}

// newProblem lays out random operands with row gaps of up to pad elements.
func newProblem(rng *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int, alpha, beta float64) problem {
	p := problem{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == blas.Trans {
		br, bc = n, k
	}
	p.lda = max(1, ac) + rng.IntN(pad+1)
	p.ldb = max(1, bc) + rng.IntN(pad+1)
	p.ldc = max(1, n) + rng.IntN(pad+1)
	var gap float64 = sentinel
	if beta == 0 {
		gap = math.NaN() // C is not read: NaN must be overwritten
	}
	p.a, p.lenA = matrix(rng, ar, ac, p.lda, math.NaN())
	p.b, p.lenB = matrix(rng, br, bc, p.ldb, math.NaN())
	p.c, p.lenC = matrix(rng, m, n, p.ldc, sentinel)
	if beta == 0 {
		for i := range m {
			for j := range n {
				p.c[i*p.ldc+j] = gap
			}
		}
	}
	return p
}

// matrix returns an r×c matrix of values in [-1, 1) with rows ld apart,
// gap in the gaps and in a tail of 8 past the end, and the length passed.
func matrix(rng *rand.Rand, r, c, ld int, gap float64) ([]float64, int) {
	n := 0
	if r > 0 {
		n = (r-1)*ld + c
	}
	buf := make([]float64, n+8)
	for i := range buf {
		buf[i] = gap
	}
	for i := range r {
		for j := range c {
			buf[i*ld+j] = 2*rng.Float64() - 1
		}
	}
	return buf, n
}

func (p problem) at(buf []float64, ld int, trans bool, i, j int) float64 {
	if trans {
		i, j = j, i
	}
	return buf[i*ld+j]
}

// reference returns the exact-ish product (float64 sums of the operands
// rounded to T) and, per element, the bound sum |alpha a b| + |beta c|.
func reference[T float](p problem) (want, bound []float64) {
	want = make([]float64, p.m*p.n)
	bound = make([]float64, p.m*p.n)
	for i := range p.m {
		for j := range p.n {
			var s, abs float64
			for l := range p.k {
				x := float64(T(p.at(p.a, p.lda, p.tA == blas.Trans, i, l))) * float64(T(p.at(p.b, p.ldb, p.tB == blas.Trans, l, j)))
				s += x
				abs += math.Abs(x)
			}
			alpha, beta := float64(T(p.alpha)), float64(T(p.beta))
			w, bd := alpha*s, math.Abs(alpha)*abs
			if beta != 0 {
				c := float64(T(p.c[i*p.ldc+j]))
				w += beta * c
				bd += math.Abs(beta * c)
			}
			want[i*p.n+j], bound[i*p.n+j] = w, bd
		}
	}
	return want, bound
}

func convert[T float](s []float64) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// run calls impl's Sgemm or Dgemm on copies of p's operands and returns
// the whole C buffer.
func run[T float](impl blas.Float64Level3, impl32 blas.Float32Level3, p problem) []T {
	a, b, c := convert[T](p.a), convert[T](p.b), convert[T](p.c)
	switch a := any(a).(type) {
	case []float64:
		impl.Dgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, a[:p.lenA], p.lda, any(b).([]float64)[:p.lenB], p.ldb, p.beta, any(c).([]float64)[:p.lenC], p.ldc)
	case []float32:
		impl32.Sgemm(p.tA, p.tB, p.m, p.n, p.k, float32(p.alpha), a[:p.lenA], p.lda, any(b).([]float32)[:p.lenB], p.ldb, float32(p.beta), any(c).([]float32)[:p.lenC], p.ldc)
	}
	return c
}

// check compares C with the reference within 8 machine epsilons of the
// bound, and the gaps and tail of C with what they held.
func check[T float](t *testing.T, p problem, got []T) {
	t.Helper()
	want, bound := reference[T](p)
	eps := 0x1p-52
	if _, ok := any(got).([]float32); ok {
		eps = 0x1p-23
	}
	inside := make([]bool, len(got))
	for i := range p.m {
		for j := range p.n {
			idx := i*p.ldc + j
			inside[idx] = true
			g, w := float64(got[idx]), want[i*p.n+j]
			if tol := 8*eps*bound[i*p.n+j] + 1e-300; !(math.Abs(g-w) <= tol) {
				t.Fatalf("%v: C[%d][%d] = %v, want %v (tolerance %.3g)", p, i, j, g, w, tol)
			}
		}
	}
	for idx, v := range got {
		if !inside[idx] && float64(v) != sentinel {
			t.Fatalf("%v: C[%d] outside the matrix changed from %v to %v", p, idx, sentinel, v)
		}
	}
}

var (
	sizes  = []int{0, 1, 2, 5, 7, 16, 17, 33, 100, 257}
	trans  = []blas.Transpose{blas.NoTrans, blas.Trans}
	scales = [][2]float64{{1, 0}, {1, 1}, {-0.7, 0}, {1.5, -0.3}, {0, 0}, {0, 2.5}, {2, 1}}
)

// randomProblems returns many shapes over sizes, biased away from the
// largest cubes to keep the reference cheap, with every transpose pair.
func randomProblems(rng *rand.Rand, count int) []problem {
	var ps []problem
	for range count {
		m, n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
		if m*n*k > 257*257*33 {
			k = 17
		}
		s := scales[rng.IntN(len(scales))]
		for _, tA := range trans {
			for _, tB := range trans {
				ps = append(ps, newProblem(rng, tA, tB, m, n, k, 3*rng.IntN(2), s[0], s[1]))
			}
		}
	}
	// Every thin case (one dimension of one, or more), with and without beta,
	// strided.
	for _, s := range [][3]int{{500, 100, 1}, {1, 100, 500}, {500, 1, 100}, {1, 1, 37}, {1, 9, 1}, {9, 1, 1}, {1, 1, 1}} {
		for _, sc := range [][2]float64{{1, 0}, {-1.5, 0.25}} {
			for _, tA := range trans {
				for _, tB := range trans {
					ps = append(ps, newProblem(rng, tA, tB, s[0], s[1], s[2], 3, sc[0], sc[1]))
				}
			}
		}
	}
	// The blocking edges: k past kc, m past mc, n past nc.
	for _, s := range [][3]int{{7, 5, 600}, {250, 9, 3}, {3, 3100, 5}, {130, 70, 513}} {
		for _, tA := range trans {
			for _, tB := range trans {
				ps = append(ps, newProblem(rng, tA, tB, s[0], s[1], s[2], 2, 1.25, 0.5))
			}
		}
	}
	// Dot products (A untransposed, B transposed, few rows of A, long k):
	// blocks overlapping at both edges, k past a chunk with a tail, and a
	// LeNet weight gradient.
	for _, s := range [][3]int{{4, 4, 256}, {5, 7, 1043}, {24, 41, 2051}, {6, 25, 4608}, {16, 150, 300}} {
		for _, sc := range [][2]float64{{1, 0}, {-1.5, 0.25}} {
			ps = append(ps, newProblem(rng, blas.NoTrans, blas.Trans, s[0], s[1], s[2], 3, sc[0], sc[1]))
		}
	}
	return ps
}

func testAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	count := 60
	if raceEnabled {
		count = 12
	}
	for _, p := range randomProblems(rng, count) {
		check(t, p, run[float32](Implementation{}, Implementation{}, p))
		check(t, p, run[float64](Implementation{}, Implementation{}, p))
	}
}

// TestAgainstReference checks every kernel set the CPU supports.
func TestAgainstReference(t *testing.T) {
	if len(supported) == 0 {
		t.Logf("no micro-kernels on this CPU: testing gonum's routines")
	}
	for _, ks := range supported {
		t.Run(ks.name, func(t *testing.T) {
			withKernels(ks, func() { testAgainstReference(t) })
		})
	}
}

// withKernels runs f with ks running the products; nil switches the
// micro-kernels off, as on a CPU without AVX2.
func withKernels(ks *kernelSet, f func()) {
	saved := kernels
	kernels = ks
	defer func() { kernels = saved }()
	f()
}

func TestFallback(t *testing.T) {
	withKernels(nil, func() {
		if got := Kernel(); got != "gonum" {
			t.Errorf("Kernel() = %q without micro-kernels, want gonum", got)
		}
		testAgainstReference(t)
	})
}

// TestWorkersBitIdentical checks that the number of goroutines does not
// change a single bit of C.
func TestWorkersBitIdentical(t *testing.T) {
	if len(supported) == 0 {
		t.Skip("no micro-kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][3]int{{128, 400, 784}, {400, 784, 128}, {1024, 400, 400}, {257, 333, 300}, {7, 1000, 9}, {500, 3, 700}, {16, 150, 4099}}
	if raceEnabled {
		shapes = [][3]int{{128, 200, 300}, {257, 33, 300}, {7, 1000, 9}}
	}
	for _, s := range shapes {
		for _, tA := range trans {
			for _, tB := range trans {
				p := newProblem(rng, tA, tB, s[0], s[1], s[2], 1, 0.9, 0.6)
				for _, ks := range supported {
					compareWorkers(t, ks.f32, p)
					compareWorkers(t, ks.f64, p)
				}
			}
		}
	}
}

func compareWorkers[T float](t *testing.T, pl *plan[T], p problem) {
	t.Helper()
	var first []T
	for _, workers := range []int{1, 2, 3, 4} {
		a, b, c := convert[T](p.a), convert[T](p.b), convert[T](p.c)
		gemm(pl, p.tA == blas.Trans, p.tB == blas.Trans, p.m, p.n, p.k, T(p.alpha), a[:p.lenA], p.lda, b[:p.lenB], p.ldb, T(p.beta), c[:p.lenC], p.ldc, workers)
		if first == nil {
			first = c
			continue
		}
		for i := range c {
			if math.Float64bits(float64(c[i])) != math.Float64bits(float64(first[i])) {
				t.Fatalf("%v %T: C[%d] = %v on %d goroutines, %v on one", p, c[0], i, c[i], workers, first[i])
			}
		}
	}
}

// TestPanics checks that invalid arguments panic with gonum's messages.
func TestPanics(t *testing.T) {
	a, b, c := make([]float64, 100), make([]float64, 100), make([]float64, 100)
	cases := []struct {
		tA, tB                 blas.Transpose
		m, n, k, lda, ldb, ldc int
		lenA, lenB, lenC       int
	}{
		{tA: 'x', tB: blas.NoTrans, m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.NoTrans, tB: 'x', m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{m: -1, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{m: 2, n: -1, k: 2, lda: 2, ldb: 2, ldc: 2},
		{m: 2, n: 2, k: -1, lda: 2, ldb: 2, ldc: 2},
		{m: 2, n: 2, k: 3, lda: 2, ldb: 2, ldc: 2},
		{tA: blas.Trans, m: 3, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2},
		{m: 2, n: 3, k: 2, lda: 2, ldb: 2, ldc: 3},
		{tB: blas.Trans, m: 2, n: 2, k: 3, lda: 3, ldb: 2, ldc: 2},
		{m: 2, n: 3, k: 2, lda: 2, ldb: 3, ldc: 2},
		{m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenA: 3},
		{m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenB: 3},
		{m: 2, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenC: 3},
		{m: 0, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, lenA: 1, lenB: 1, lenC: 1}, // no panic
	}
	for _, tc := range cases {
		if tc.tA == 0 {
			tc.tA = blas.NoTrans
		}
		if tc.tB == 0 {
			tc.tB = blas.NoTrans
		}
		la, lb, lc := 100, 100, 100
		if tc.lenA > 0 {
			la = tc.lenA
		}
		if tc.lenB > 0 {
			lb = tc.lenB
		}
		if tc.lenC > 0 {
			lc = tc.lenC
		}
		call := func(impl blas.Float64Level3, impl32 blas.Float32Level3) (msg64, msg32 any) {
			msg64 = panicOf(func() {
				impl.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a[:la], tc.lda, b[:lb], tc.ldb, 0, c[:lc], tc.ldc)
			})
			a32, b32, c32 := make([]float32, la), make([]float32, lb), make([]float32, lc)
			msg32 = panicOf(func() {
				impl32.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a32, tc.lda, b32, tc.ldb, 0, c32, tc.ldc)
			})
			return msg64, msg32
		}
		got64, got32 := call(Implementation{}, Implementation{})
		want64, want32 := call(gonum.Implementation{}, gonum.Implementation{})
		if got64 != want64 || got32 != want32 {
			t.Errorf("%+v: panics %v, %v; gonum's %v, %v", tc, got64, got32, want64, want32)
		}
	}
}

func panicOf(f func()) (msg any) {
	defer func() { msg = recover() }()
	f()
	return nil
}

// TestSteadyStateAllocates checks that, once the pools hold their
// buffers, a product allocates nothing, on one goroutine or shared among
// several (a recurrent layer multiplies at every time step).
func TestSteadyStateAllocates(t *testing.T) {
	if kernels == nil {
		t.Skip("no micro-kernels on this CPU")
	}
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{blas.Trans, blas.Trans, 128, 400, 784}, {blas.Trans, blas.Trans, 500, 100, 1}, {blas.Trans, blas.Trans, 1, 100, 500},
		{blas.Trans, blas.Trans, 100, 1, 500}, {blas.NoTrans, blas.Trans, 16, 150, 4096}, {blas.NoTrans, blas.NoTrans, 16, 4096, 150},
	} {
		p := newProblem(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0.5)
		a, b, c := convert[float32](p.a), convert[float32](p.b), convert[float32](p.c)
		for _, workers := range []int{1, 2, 4} {
			allocs := testing.AllocsPerRun(20, func() {
				gemm(kernels.f32, s.tA == blas.Trans, s.tB == blas.Trans, p.m, p.n, p.k, 1, a[:p.lenA], p.lda, b[:p.lenB], p.ldb, 0.5, c[:p.lenC], p.ldc, workers)
			})
			if allocs != 0 {
				t.Errorf("%v on %d goroutines: %v allocations per product", p, workers, allocs)
			}
		}
	}
}

// TestDirectBMatchesPacked checks that reading B in place (few rows of
// op(A)) gives the bits of packing it: the same rows of a product with
// enough more rows to pack B must agree to the last bit.
func TestDirectBMatchesPacked(t *testing.T) {
	if len(supported) == 0 {
		t.Skip("no micro-kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{6, 36864, 25}, {16, 4096, 150}, {10, 400, 128}, {7, 70, 300}, {24, 33, 600}, {2, 97, 5}} {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range trans {
			big := newProblem(rng, tA, blas.NoTrans, m+directPanels*6+1, n, k, 3, 0.9, 0.6)
			for _, ks := range supported {
				compareDirect(t, ks.f32, big, m)
				compareDirect(t, ks.f64, big, m)
			}
		}
	}
}

// compareDirect runs the product of p and that of its first m rows of
// op(A) and C, and compares those rows.
func compareDirect[T float](t *testing.T, pl *plan[T], p problem, m int) {
	t.Helper()
	if m > directPanels*pl.mr || p.m <= directPanels*pl.mr {
		t.Fatalf("%v: m=%d reads B in place, %d packs it: want both, with mr=%d", p, m, p.m, pl.mr)
	}
	aTrans := p.tA == blas.Trans
	a, b, packed := convert[T](p.a), convert[T](p.b), convert[T](p.c)
	gemm(pl, aTrans, false, p.m, p.n, p.k, T(p.alpha), a[:p.lenA], p.lda, b[:p.lenB], p.ldb, T(p.beta), packed[:p.lenC], p.ldc, 2)
	direct := convert[T](p.c)
	lenA := (m-1)*p.lda + p.k
	if aTrans {
		lenA = (p.k-1)*p.lda + m
	}
	gemm(pl, aTrans, false, m, p.n, p.k, T(p.alpha), a[:lenA], p.lda, b[:p.lenB], p.ldb, T(p.beta), direct[:(m-1)*p.ldc+p.n], p.ldc, 2)
	for i := range m * p.ldc {
		if math.Float64bits(float64(direct[i])) != math.Float64bits(float64(packed[i])) {
			t.Fatalf("%v %T: C[%d] = %v with B read in place (m=%d), %v packed", p, direct[0], i, direct[i], m, packed[i])
		}
	}
}
