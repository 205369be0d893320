package samplekl

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

// forEachKernel runs fn with each kernel this CPU has: AVX-512, AVX2, and
// the Go loops alone (the reference).
func forEachKernel(t *testing.T, fn func(t *testing.T)) {
	cpuvec.Each(&vectorLanes, 1, func(name string) { t.Run(name, fn) })
}

// withGo returns fn's results with the Go loops alone.
func withGo[R any](fn func() R) R {
	detected := vectorLanes
	defer func() { vectorLanes = detected }()
	vectorLanes = 0
	return fn()
}

// posterior is n weights: mu, rho (reaching below -20 where wide), sigma
// and sg from rho, noise eps and gradients g and h.
type posterior struct {
	mu, rho, sigma, sg, eps, g, h []float32
}

func newPosterior(n int, seed uint64, wide bool) posterior {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := posterior{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)}
	for i := range n {
		p.mu[i] = float32(0.3 * rng.NormFloat64())
		p.rho[i] = float32(-3 + 0.5*rng.NormFloat64())
		if wide {
			p.rho[i] = float32(-8 + 10*rng.NormFloat64())
		}
		p.eps[i] = float32(rng.NormFloat64())
		p.g[i] = float32(1e-3 * rng.NormFloat64())
		p.h[i] = float32(1e-3 * rng.NormFloat64())
	}
	softplus.WithSigmoid(p.sigma, p.sg, p.rho)
	return p
}

// sentinel fills s's spare capacity beyond its length with a marker, to
// check that a kernel writes nothing past it.
const sentinel = -12345

func padded(n, off int) []float32 {
	buf := make([]float32, off+n+16)
	for i := range buf {
		buf[i] = sentinel
	}
	return buf[off : off+n]
}

func untouched(s []float32) bool {
	for _, x := range s[len(s):cap(s)] {
		if x != sentinel {
			return false
		}
	}
	return true
}

// TestForwardMatchesGo checks each vector kernel against the Go loop, bit
// for bit, for every length up to 70 (every tail) at offsets 0-7 and on a
// long run, for each kind of output.
func TestForwardMatchesGo(t *testing.T) {
	long := newPosterior(5003, 1, true)
	forEachKernel(t, func(t *testing.T) {
		for _, kind := range []struct {
			name  string
			addMu bool
			b     func(p posterior) []float32
		}{
			{"sample", true, func(p posterior) []float32 { return p.eps }},
			{"perturbation", false, func(p posterior) []float32 { return p.eps }},
			{"variance", false, func(p posterior) []float32 { return p.sigma }},
		} {
			check := func(p posterior, off int) {
				out := padded(len(p.mu), off)
				quad := Forward(out, p.sigma, p.mu, kind.b(p), 0.1, kind.addMu)
				want := make([]float32, len(p.mu))
				wantQuad := withGo(func() float64 { return Forward(want, p.sigma, p.mu, kind.b(p), 0.1, kind.addMu) })
				if quad != wantQuad || !slices.Equal(out, want) || !untouched(out) {
					t.Fatalf("%s, n=%d, offset %d: sum %v, Go %v; outputs equal %v; nothing past the end %v",
						kind.name, len(p.mu), off, quad, wantQuad, slices.Equal(out, want), untouched(out))
				}
			}
			for n := range 71 {
				for off := range 8 {
					p := newPosterior(n+off, uint64(n), n%2 == 0)
					check(posterior{mu: p.mu[off:], rho: p.rho[off:], sigma: p.sigma[off:], eps: p.eps[off:]}, off)
				}
			}
			check(long, 3)
		}
	})
}

// TestForwardSum checks Forward's sum against the sum taken one element
// at a time, within its rounding (n 2^-53 relative), and its outputs
// against their definition.
func TestForwardSum(t *testing.T) {
	p := newPosterior(100_003, 2, false)
	out := make([]float32, len(p.mu))
	quad := Forward(out, p.sigma, p.mu, p.eps, 0.1, true)
	var want float64
	for i := range p.mu {
		s, d := float64(p.sigma[i]), float64(p.mu[i])-0.1
		want += s*s + d*d
		if w := float32(float64(p.mu[i]) + s*float64(p.eps[i])); out[i] != w {
			t.Fatalf("out[%d] = %v, want %v", i, out[i], w)
		}
	}
	if d := math.Abs(quad - want); d > float64(len(p.mu))*0x1p-53*want {
		t.Errorf("sum %v, one at a time %v", quad, want)
	}
}

// TestSumLogSigmaMatchesGo checks each vector kernel against the Go loop,
// bit for bit, on every length up to 70 at offsets 0-7, a run long enough
// to renormalise the products, and runs holding an odd sigma (which the
// assembly hands back to the Go loop) or NaN in every position of a step.
func TestSumLogSigmaMatchesGo(t *testing.T) {
	long := newPosterior(3*2048+13, 3, true)
	odd := []float32{0, -1, float32(math.Inf(1)), float32(math.NaN())}
	forEachKernel(t, func(t *testing.T) {
		check := func(sigma, rho []float32, what string) {
			got := SumLogSigma(sigma, rho)
			want := withGo(func() float64 { return SumLogSigma(sigma, rho) })
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("%s, n=%d: %v, Go %v", what, len(sigma), got, want)
			}
		}
		for n := range 71 {
			for off := range 8 {
				p := newPosterior(n+off, uint64(n+100), n%2 == 1)
				check(p.sigma[off:], p.rho[off:], "random")
			}
		}
		check(long.sigma, long.rho, "long")
		for _, s := range odd {
			for pos := range 16 {
				p := newPosterior(19, uint64(pos), false)
				p.sigma[pos] = s
				check(p.sigma, p.rho, "odd sigma")
				p.rho[pos] = float32(math.NaN())
				check(p.sigma, p.rho, "NaN rho")
			}
		}
	})
}

// TestSumLogSigma checks the sum against math.Log one weight at a time,
// for rho on both sides of -20: within n 2.2e-16 of the terms' magnitude.
func TestSumLogSigma(t *testing.T) {
	p := newPosterior(50_001, 4, true)
	var want, scale float64
	for i := range p.sigma {
		l := math.Log(float64(p.sigma[i]))
		if p.rho[i] < -20 {
			l = float64(p.rho[i]) - float64(p.sigma[i])/2
		}
		want += l
		scale += math.Abs(l)
	}
	if got := SumLogSigma(p.sigma, p.rho); math.Abs(got-want) > float64(len(p.sigma))*2.2e-16*scale {
		t.Errorf("sum of log sigma %v, one at a time %v", got, want)
	}
	if got := SumLogSigma([]float32{1, 2, 0}, []float32{0.5, 1.8, 0}); !math.IsInf(got, -1) {
		t.Errorf("with a zero sigma: %v, want -Inf", got)
	}
}

// TestGradMatchesGo checks each vector kernel against the Go loop, bit for
// bit, on every length up to 70 at offsets 0-7, with sigma underflowed to
// zero in some weights, for noise (scale 1) and variance (scale 2)
// gradients, and that it writes nothing past dMu and dRho.
func TestGradMatchesGo(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for n := range 71 {
			for off := range 8 {
				p := newPosterior(n+off, uint64(n+200), true)
				if n > 3 {
					p.sigma[off+n/2], p.sg[off+n/2] = 0, 1e-30
				}
				for _, scale := range []float64{1, 2} {
					b := p.eps[off:]
					if scale == 2 {
						b = p.sigma[off:]
					}
					dMu, dRho := padded(n, off), padded(n, 7-off)
					args := func(dMu, dRho []float32) {
						Grad(dMu, dRho, p.mu[off:], p.sigma[off:], p.sg[off:], b, p.g[off:], p.h[off:], scale, 3e-4, 1.5, 0.1)
					}
					args(dMu, dRho)
					wantMu, wantRho := make([]float32, n), make([]float32, n)
					withGo(func() int { args(wantMu, wantRho); return 0 })
					if !slices.Equal(dMu, wantMu) || !slices.Equal(dRho, wantRho) || !untouched(dMu) || !untouched(dRho) {
						t.Fatalf("n=%d, offset %d, scale %v: dMu %v, Go %v; dRho %v, Go %v", n, off, scale, dMu, wantMu, dRho, wantRho)
					}
				}
			}
		}
	})
}

// TestGradDefinition checks Grad against its formula, term by term.
func TestGradDefinition(t *testing.T) {
	p := newPosterior(1001, 5, false)
	n := len(p.mu)
	dMu, dRho := make([]float32, n), make([]float32, n)
	const gkl, c, m = 3e-4, 1.5, 0.1
	Grad(dMu, dRho, p.mu, p.sigma, p.sg, p.eps, p.g, p.h, 1, gkl, c, m)
	for i := range n {
		s, sg := float64(p.sigma[i]), float64(p.sg[i])
		wantMu := float64(p.h[i]) + gkl*c*(float64(p.mu[i])-m)
		wantRho := (float64(p.g[i])*float64(p.eps[i]) + gkl*(c*s-1/s)) * sg
		if math.Abs(float64(dMu[i])-wantMu) > 1e-6*math.Abs(wantMu) || math.Abs(float64(dRho[i])-wantRho) > 1e-6*math.Abs(wantRho) {
			t.Fatalf("element %d: dMu %v, dRho %v; want %v, %v", i, dMu[i], dRho[i], wantMu, wantRho)
		}
	}
}
