package bayesnodes

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// forEachSoftplusKernel runs fn with softplusF32 on each kernel this CPU
// has: AVX-512, AVX2, and the Go kernel alone.
func forEachSoftplusKernel(t *testing.T, fn func(t *testing.T)) {
	detected := softplusLanes
	t.Cleanup(func() { softplusLanes = detected })
	for _, lanes := range []int{8, 4, 0} {
		if lanes > detected {
			continue
		}
		softplusLanes = lanes
		t.Run(map[int]string{8: "avx512", 4: "avx2", 0: "go"}[lanes], fn)
	}
	softplusLanes = detected
}

// wantSoftplus32 returns the correctly rounded float32 softplus and
// sigmoid of x.
func wantSoftplus32(x float32) (sp, sg float32) {
	return float32(Softplus(float64(x))), float32(refSigmoid(float64(x)))
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
// rho ~ N(-4, 2^2), through softplusF32, and compares it with
// softplusKernelF32.
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
			softplusF32(sp, sg, set.rho)
			inexact := checkSoftplus32(t, sp, sg, set.rho)
			goSp, goSg := make([]float32, len(set.rho)), make([]float32, len(set.rho))
			softplusKernelF32(goSp, goSg, set.rho)
			differ := 0
			for i, x := range set.rho {
				if x != x {
					continue
				}
				if d := max(ulps(sp[i], goSp[i]), ulps(sg[i], goSg[i])); d > 1 {
					t.Errorf("x=%v: softplusF32 gives %v, %v; softplusKernelF32 %v, %v", x, sp[i], sg[i], goSp[i], goSg[i])
				} else if d == 1 {
					differ++
				}
			}
			t.Logf("%s: %d elements, %d not correctly rounded, %d differ from softplusKernelF32 (by 1 ulp)", set.name, len(set.rho), inexact, differ)
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
				softplusF32(sp, sg, rho)
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
		softplusF32(wantSp, wantSg, rho)
		checkSoftplus32(t, wantSp, wantSg, rho)
		sp, sg := make([]float32, n), make([]float32, n)
		for _, special := range softplusSpecials {
			for pos := range n {
				in := slices.Clone(rho)
				in[pos] = special
				softplusF32(sp, sg, in)
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
		softplusF32(sp, sg, in)
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
