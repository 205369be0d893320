package softplus

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// rhoGrid covers both branches of softplus, the x < -20 branch of the
// posterior ops' log sigma, and values where softplus is 1 + tiny or x +
// tiny.
var rhoGrid = []float64{-700, -300, -87, -40, -20.5, -19.5, -8, -3.2, -3, -1, -1e-9, 0, 1e-9, 0.5, 1, 2.7, 20, 40, 300}

func refSigmoid(x float64) float64 {
	if x > 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// relClose reports |got - want| <= tol max(|want|, floor).
func relClose(got, want, tol, floor float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), floor)
}

// forEachSoftplusKernel runs fn with vectorF32 on each kernel this CPU
// has: AVX-512, AVX2, and the Go kernel alone.
func forEachSoftplusKernel(t *testing.T, fn func(t *testing.T)) {
	cpuvec.Each(&lanes, 1, func(name string) { t.Run(name, fn) })
}

// wantSoftplus32 returns the correctly rounded float32 softplus and
// sigmoid of x.
func wantSoftplus32(x float32) (sp, sg float32) {
	return float32(Of(float64(x))), float32(refSigmoid(float64(x)))
}

// softplusSpecials are the inputs at the edges of float32 and of the
// kernels' ranges.
var softplusSpecials = []float32{
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	1e-40, -1e-40, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30,
	88, -88, 103, -103, 110, -110, 111, -111, 1e6, -1e6,
}

// checkSoftplus32 reports an error where sp, sg are not within 1 ulp of
// the correctly rounded softplus and sigmoid of rho (NaN for NaN), and
// returns how many are not correctly rounded.
func checkSoftplus32(t *testing.T, sp, sg, rho []float32) (inexact int) {
	t.Helper()
	for i, x := range rho {
		if x != x {
			if sp[i] == sp[i] || sg[i] == sg[i] {
				t.Errorf("element %d: softplus(NaN) = %v, sigmoid(NaN) = %v", i, sp[i], sg[i])
			}
			continue
		}
		want, wantSg := wantSoftplus32(x)
		if ulps(sp[i], want) > 1 || ulps(sg[i], wantSg) > 1 {
			t.Errorf("element %d, x=%v: softplus %v, sigmoid %v; want %v, %v (within 1 ulp)", i, x, sp[i], sg[i], want, wantSg)
		}
		if sp[i] != want || sg[i] != wantSg {
			inexact++
		}
	}
	return inexact
}

// TestSoftplusF32 runs TestSoftplusKernelF32's dense grid, and a million
// rho ~ N(-4, 2^2), through vectorF32, and compares it with
// kernelF32.
func TestSoftplusF32(t *testing.T) {
	var grid []float32
	for x := float32(-130); x < 130; x += 1.0 / 512 {
		grid = append(grid, x)
	}
	for _, x := range rhoGrid {
		grid = append(grid, float32(x), -float32(x))
	}
	grid = append(grid, softplusSpecials...)
	rng := rand.New(rand.NewPCG(3, 4))
	normal := make([]float32, 1_000_000)
	for i := range normal {
		normal[i] = float32(-4 + 2*rng.NormFloat64())
	}
	forEachSoftplusKernel(t, func(t *testing.T) {
		for _, set := range []struct {
			name string
			rho  []float32
		}{{"grid", grid}, {"N(-4, 2^2)", normal}} {
			sp, sg := make([]float32, len(set.rho)), make([]float32, len(set.rho))
			vectorF32(sp, sg, set.rho)
			inexact := checkSoftplus32(t, sp, sg, set.rho)
			goSp, goSg := make([]float32, len(set.rho)), make([]float32, len(set.rho))
			kernelF32(goSp, goSg, set.rho)
			differ := 0
			for i, x := range set.rho {
				if x != x {
					continue
				}
				if d := max(ulps(sp[i], goSp[i]), ulps(sg[i], goSg[i])); d > 1 {
					t.Errorf("x=%v: vectorF32 gives %v, %v; kernelF32 %v, %v", x, sp[i], sg[i], goSp[i], goSg[i])
				} else if d == 1 {
					differ++
				}
			}
			t.Logf("%s: %d elements, %d not correctly rounded, %d differ from kernelF32 (by 1 ulp)", set.name, len(set.rho), inexact, differ)
		}
	})
}

// TestSoftplusF32Slices checks every length up to 37, so every tail, on
// sub-slices at offsets 0..7 of rho, sp and sg, and that nothing outside
// sp and sg is written.
func TestSoftplusF32Slices(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := make([]float32, 64)
	for i := range base {
		base[i] = float32(-4 + 4*rng.NormFloat64())
	}
	const sentinel = -12345
	forEachSoftplusKernel(t, func(t *testing.T) {
		for n := range 38 {
			for off := range 8 {
				rho := base[off : off+n]
				spBuf, sgBuf := make([]float32, 64), make([]float32, 64)
				for i := range spBuf {
					spBuf[i], sgBuf[i] = sentinel, sentinel
				}
				spOff, sgOff := (off+3)%8, 7-off
				sp, sg := spBuf[spOff:spOff+n], sgBuf[sgOff:sgOff+n]
				vectorF32(sp, sg, rho)
				checkSoftplus32(t, sp, sg, rho)
				for i := range spBuf {
					if (i < spOff || i >= spOff+n) && spBuf[i] != sentinel || (i < sgOff || i >= sgOff+n) && sgBuf[i] != sentinel {
						t.Fatalf("n=%d, offset %d: wrote outside sp or sg at %d", n, off, i)
					}
				}
			}
		}
	})
}

// TestSoftplusF32Specials puts each special input in every lane position
// of two vectors' worth of ordinary ones, which must not change.
func TestSoftplusF32Specials(t *testing.T) {
	const n = 19 // two AVX-512 steps and a tail
	rho := make([]float32, n)
	for i := range rho {
		rho[i] = float32(i)/2 - 5
	}
	wantSp, wantSg := make([]float32, n), make([]float32, n)
	forEachSoftplusKernel(t, func(t *testing.T) {
		vectorF32(wantSp, wantSg, rho)
		checkSoftplus32(t, wantSp, wantSg, rho)
		sp, sg := make([]float32, n), make([]float32, n)
		for _, special := range softplusSpecials {
			for pos := range n {
				in := slices.Clone(rho)
				in[pos] = special
				vectorF32(sp, sg, in)
				checkSoftplus32(t, sp[pos:pos+1], sg[pos:pos+1], in[pos:pos+1])
				for i := range n {
					if i != pos && (sp[i] != wantSp[i] || sg[i] != wantSg[i]) {
						t.Errorf("%v at %d changed element %d: %v, %v; want %v, %v", special, pos, i, sp[i], sg[i], wantSp[i], wantSg[i])
					}
				}
			}
		}
	})
	// The infinities exactly: softplus(+Inf) = +Inf, sigmoid 1; both 0 at -Inf.
	forEachSoftplusKernel(t, func(t *testing.T) {
		in := slices.Repeat([]float32{float32(math.Inf(1)), float32(math.Inf(-1))}, 8)
		sp, sg := make([]float32, len(in)), make([]float32, len(in))
		vectorF32(sp, sg, in)
		for i := range in {
			wantSp, wantSg := float32(0), float32(0)
			if i%2 == 0 {
				wantSp, wantSg = float32(math.Inf(1)), 1
			}
			if sp[i] != wantSp || sg[i] != wantSg {
				t.Errorf("x=%v: softplus %v, sigmoid %v; want %v, %v", in[i], sp[i], sg[i], wantSp, wantSg)
			}
		}
	})
}

func TestSoftplusKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	xs := slices.Clone(rhoGrid)
	for range 2000 {
		xs = append(xs, 12*rng.NormFloat64())
	}
	sp, sg := make([]float64, len(xs)), make([]float64, len(xs))
	kernel(sp, sg, xs)
	for i, x := range xs {
		if !relClose(sp[i], Of(x), 1e-15, 0) || !relClose(sg[i], refSigmoid(x), 1e-15, 0) {
			t.Errorf("float64 x=%v: softplus %v, sigmoid %v; want %v, %v", x, sp[i], sg[i], Of(x), refSigmoid(x))
		}
	}
	xs32 := make([]float32, len(xs))
	for i, x := range xs {
		xs32[i] = float32(x)
	}
	sp32, sg32 := make([]float32, len(xs)), make([]float32, len(xs))
	kernel(sp32, sg32, xs32)
	for i, x := range xs32 {
		// Correctly rounded from float64, so within float32's half ulp.
		want, wantSg := float32(Of(float64(x))), float32(refSigmoid(float64(x)))
		if !relClose(float64(sp32[i]), float64(want), 1e-7, 1e-38) || !relClose(float64(sg32[i]), float64(wantSg), 1e-7, 1e-38) {
			t.Errorf("float32 x=%v: softplus %v, sigmoid %v; want %v, %v", x, sp32[i], sg32[i], want, wantSg)
		}
	}
}

// ulps returns how many float32 steps apart a and b are.
func ulps(a, b float32) int64 {
	ia, ib := int64(math.Float32bits(a)), int64(math.Float32bits(b))
	if (ia < 0) != (ib < 0) {
		return math.MaxInt64
	}
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

// TestSoftplusKernelF32 checks the polynomial float32 softplus and sigmoid
// against the correctly rounded values, on a dense grid and at the edges.
func TestSoftplusKernelF32(t *testing.T) {
	var xs []float32
	for x := float32(-130); x < 130; x += 1.0 / 512 {
		xs = append(xs, x)
	}
	for _, x := range rhoGrid {
		xs = append(xs, float32(x), -float32(x))
	}
	xs = append(xs, 0, -1e-30, 1e-30, math.MaxFloat32, -math.MaxFloat32, 1e-45,
		float32(math.Inf(1)), float32(math.Inf(-1)))
	sp, sg := make([]float32, len(xs)), make([]float32, len(xs))
	kernelF32(sp, sg, xs)
	for i, x := range xs {
		want, wantSg := float32(Of(float64(x))), float32(refSigmoid(float64(x)))
		if ulps(sp[i], want) > 1 || ulps(sg[i], wantSg) > 1 {
			t.Errorf("x=%v: softplus %v, sigmoid %v; want %v, %v (within 1 ulp)", x, sp[i], sg[i], want, wantSg)
		}
	}
	nan := []float32{float32(math.NaN())}
	kernelF32(sp[:1], sg[:1], nan)
	if !math.IsNaN(float64(sp[0])) || !math.IsNaN(float64(sg[0])) {
		t.Errorf("softplus(NaN) = %v, sigmoid(NaN) = %v", sp[0], sg[0])
	}
}
