package optim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// forEachVectorWidth runs fn with each update kernel this CPU has: AVX-512
// (vectorBytes 64), AVX2 (32) and the Go kernels alone (0).
func forEachVectorWidth(t *testing.T, fn func(t *testing.T)) {
	detected := vectorBytes
	t.Cleanup(func() { vectorBytes = detected })
	for _, w := range []int{64, 32, 0} {
		if w > detected {
			continue
		}
		vectorBytes = w
		t.Run(map[int]string{64: "avx512", 32: "avx2", 0: "go"}[w], fn)
	}
	vectorBytes = detected
}

// kernelValue returns a random value of T: mostly of ordinary sizes,
// sometimes one at the edges of T's range (NaN, infinities, signed zeros,
// the largest and smallest values) or large enough that its square
// overflows.
func kernelValue[T float32 | float64](rng *rand.Rand, scale float64) T {
	if rng.IntN(8) == 0 {
		max, tiny := math.MaxFloat64, math.SmallestNonzeroFloat64
		if _, ok := any(T(0)).(float32); ok {
			max, tiny = math.MaxFloat32, math.SmallestNonzeroFloat32
		}
		specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1),
			max, -max, tiny, -tiny, math.Sqrt(max) * 2, -math.Sqrt(max) * 3}
		return T(specials[rng.IntN(len(specials))])
	}
	return T(rng.NormFloat64() * scale * math.Exp(4*rng.NormFloat64()))
}

// kernelLanes returns lanes of n random elements: values, gradients and
// (non-negative where sq) buffers a and b, with fresh an, bn and old.
func kernelLanes[T float32 | float64](rng *rand.Rand, n int, special bool) lanes[T] {
	fill := func(scale float64, sq bool) []T {
		s := make([]T, n)
		for i := range s {
			if special {
				s[i] = kernelValue[T](rng, scale)
			} else {
				s[i] = T(rng.NormFloat64() * scale)
			}
			if sq {
				s[i] *= s[i]
			}
		}
		return s
	}
	return lanes[T]{w: fill(1, false), g: fill(0.1, false), a: fill(0.01, false), b: fill(0.01, true),
		an: make([]T, n), bn: make([]T, n), old: make([]T, n)}
}

func (l lanes[T]) clone() lanes[T] {
	c := func(s []T) []T { return append([]T(nil), s...) }
	return lanes[T]{c(l.w), c(l.g), c(l.a), c(l.b), c(l.an), c(l.bn), c(l.old)}
}

// sameBits reports whether a and b hold the same bits, or NaN in the same
// places (x86's NaN payloads depend on operand order, and a non-finite
// step is undone).
func sameBits[T float32 | float64](a, b []T) (int, bool) {
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.IsNaN(x) && math.IsNaN(y) {
			continue
		}
		if math.Float64bits(x) != math.Float64bits(y) {
			return i, false
		}
	}
	return 0, len(a) == len(b)
}

// checkLanes compares every buffer of got with want.
func checkLanes[T float32 | float64](t *testing.T, what string, got, want lanes[T]) {
	t.Helper()
	for _, b := range []struct {
		name      string
		got, want []T
	}{{"w", got.w, want.w}, {"g", got.g, want.g}, {"an", got.an, want.an}, {"bn", got.bn, want.bn}, {"old", got.old, want.old}} {
		if i, ok := sameBits(b.got, b.want); !ok {
			t.Fatalf("%s: %s[%d] = %v, the Go kernel's %v", what, b.name, i, b.got[i], b.want[i])
		}
	}
}

// adamKernelConsts are steps' constants: the defaults at steps 1 and 1000,
// decay with a gradient scale and a scaled learning rate, and a learning
// rate that overflows.
var adamKernelConsts = []adamConsts{
	{gs: 1, beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - 0.9), invSqrtBC2: 1 / math.Sqrt(1-0.999), eps: 1e-8, decay: 1},
	{gs: 1, beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - math.Pow(0.9, 1000)), invSqrtBC2: 1 / math.Sqrt(1-math.Pow(0.999, 1000)), eps: 1e-8, decay: 1},
	{gs: 0.37, beta1: 0.8, beta2: 0.99, stepSize: 0.3, invSqrtBC2: 3.3, eps: 1e-6, decay: 1 - 0.03*0.1},
	{gs: 3, beta1: 0.5, beta2: 0.5, stepSize: 1e30, invSqrtBC2: 1, eps: 1e-3, decay: 0.5},
}

// TestAdamKernelsMatchGo runs adamUpdate, with each kernel the CPU has,
// and adamGo on the same random lanes (ordinary values, and values at the
// edges of the dtype), of lengths that leave every tail and starting at
// unaligned offsets, and checks that they write the same bits and agree
// on whether the step is finite.
func TestAdamKernelsMatchGo(t *testing.T) {
	forEachVectorWidth(t, func(t *testing.T) {
		testAdamKernel[float32](t)
		testAdamKernel[float64](t)
	})
}

func testAdamKernel[T float32 | float64](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	lengths := []int{0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64, 100, 1001}
	for ki, k := range adamKernelConsts {
		for _, special := range []bool{false, true} {
			for _, n := range lengths {
				for _, off := range []int{0, 1, 3} {
					if off > n {
						continue
					}
					l := kernelLanes[T](rng, n, special)
					ref := l.clone()
					c := adamKOf[T](k)
					bad := adamUpdate(l.from(off), k)
					refBad := adamGo(ref.from(off), &c)
					what := fmt.Sprintf("%T consts %d, n %d, offset %d, specials %v", T(0), ki, n, off, special)
					checkLanes(t, what, l, ref)
					if bad != refBad {
						t.Fatalf("%s: the kernel reports non-finite %v, the Go kernel %v", what, bad, refBad)
					}
					if !special && ki < 3 && bad {
						t.Fatalf("%s: an ordinary step reported non-finite", what)
					}
				}
			}
		}
	}
}

// kernelParam is a parameter for Step in this package's tests.
type kernelParam struct{ w, g *tensor.Dense }

func (p kernelParam) Value() G.Value         { return p.w }
func (p kernelParam) Grad() (G.Value, error) { return p.g, nil }

// TestAdamStepUndoneInVectorPart makes an element that the vector kernel
// updates (not the tail) overflow, and checks that Step, with each kernel,
// undoes the whole step: a *StepError naming that element, the values
// and moments as the good step before left them, the gradients zero.
func TestAdamStepUndoneInVectorPart(t *testing.T) {
	forEachVectorWidth(t, func(t *testing.T) {
		testAdamUndone[float32](t, 3e38)
		testAdamUndone[float64](t, 1e300)
	})
}

func testAdamUndone[T float32 | float64](t *testing.T, huge T) {
	const n, badAt = 1000, 517
	rng := rand.New(rand.NewPCG(7, 8))
	l := kernelLanes[T](rng, n, false)
	other := kernelLanes[T](rng, n, false)
	params := []G.ValueGrad{
		kernelParam{tensor.New(tensor.WithShape(n), tensor.WithBacking(other.w)), tensor.New(tensor.WithShape(n), tensor.WithBacking(other.g))},
		kernelParam{tensor.New(tensor.WithShape(n), tensor.WithBacking(l.w)), tensor.New(tensor.WithShape(n), tensor.WithBacking(l.g))},
	}
	a, err := NewAdam(1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Step(params); err != nil {
		t.Fatal(err)
	}
	w, otherW, state := append([]T(nil), l.w...), append([]T(nil), other.w...), a.State()
	for i := range l.g {
		l.g[i], other.g[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
	}
	l.g[badAt] = huge
	err = a.Step(params)
	var se *StepError
	if !errors.As(err, &se) || se.Index != 1 || se.Element != badAt || se.What != "second moment" || se.Step != 2 {
		t.Fatalf("%T: Step returned %v, want a *StepError for parameter 1, second moment [%d], step 2", T(0), err, badAt)
	}
	if i, ok := sameBits(l.w, w); !ok {
		t.Errorf("%T: w[%d] = %v after the undone step, was %v", T(0), i, l.w[i], w[i])
	}
	if i, ok := sameBits(other.w, otherW); !ok {
		t.Errorf("%T: the other parameter's w[%d] = %v after the undone step, was %v", T(0), i, other.w[i], otherW[i])
	}
	got := a.State()
	for p := range got.M {
		if i, ok := sameBits(got.M[p], state.M[p]); !ok {
			t.Errorf("%T: parameter %d's first moment [%d] changed by the undone step", T(0), p, i)
		}
		if i, ok := sameBits(got.V[p], state.V[p]); !ok {
			t.Errorf("%T: parameter %d's second moment [%d] changed by the undone step", T(0), p, i)
		}
	}
	for i := range l.g {
		if l.g[i] != 0 || other.g[i] != 0 {
			t.Fatalf("%T: gradient element %d not zeroed by the undone step", T(0), i)
		}
	}
	if a.Steps() != 1 {
		t.Errorf("%T: %d steps after the undone one, want 1", T(0), a.Steps())
	}
}

// BenchmarkAdamKernel measures the float32 update on one core, in cache
// (4,096 elements) and over a W2 MLP's 956,820 values, in ns per element
// and GB/s of the nine streams it reads or writes (w, g, m, v; m', v',
// old, w, g). The gradient is restored, untimed, before each update.
func BenchmarkAdamKernel(b *testing.B) {
	for _, n := range []int{4096, 956820} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			l := kernelLanes[float32](rand.New(rand.NewPCG(1, 2)), n, false)
			k := adamKernelConsts[1]
			g := append([]float32(nil), l.g...)
			for b.Loop() {
				b.StopTimer()
				copy(l.g, g) // the update zeroes it
				b.StartTimer()
				adamUpdate(l, k)
				l.a, l.an, l.b, l.bn = l.an, l.a, l.bn, l.b
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
			b.ReportMetric(ns, "ns/element")
			b.ReportMetric(9*4/ns, "GB/s")
		})
	}
}
