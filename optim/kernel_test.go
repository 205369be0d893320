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
// unaligned offsets, and checks that they write the same bits, agree on
// whether the step is finite and on the moments' maxima, and that the
// update made in place (an, bn, old being a, b, w) writes the same bits
// too.
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
					ref, in := l.clone(), l.clone()
					in.an, in.bn, in.old = in.a, in.b, in.w
					c := adamKOf[T](k)
					bad, mMax, vMax := adamUpdate(l.from(off), k)
					refBad, refM, refV := adamGo(ref.from(off), &c)
					inBad, inM, inV := adamUpdate(in.from(off), k)
					what := fmt.Sprintf("%T consts %d, n %d, offset %d, specials %v", T(0), ki, n, off, special)
					checkLanes(t, what, l, ref)
					if bad != refBad {
						t.Fatalf("%s: the kernel reports non-finite %v, the Go kernel %v", what, bad, refBad)
					}
					if !special && ki < 3 && bad {
						t.Fatalf("%s: an ordinary step reported non-finite", what)
					}
					if !bad && (mMax != refM || vMax != refV) {
						t.Fatalf("%s: moments' maxima %v, %v; the Go kernel's %v, %v", what, mMax, vMax, refM, refV)
					}
					wantA := append(append([]T(nil), ref.a[:off]...), ref.an[off:]...)
					wantB := append(append([]T(nil), ref.b[:off]...), ref.bn[off:]...)
					for _, b := range []struct {
						name      string
						got, want []T
					}{{"w", in.w, ref.w}, {"g", in.g, ref.g}, {"m", in.a, wantA}, {"v", in.b, wantB}} {
						if i, ok := sameBits(b.got, b.want); !ok {
							t.Fatalf("%s: in place, %s[%d] = %v, not in place %v", what, b.name, i, b.got[i], b.want[i])
						}
					}
					if inBad != bad || !bad && (inM != mMax || inV != vMax) {
						t.Fatalf("%s: in place, non-finite %v and maxima %v, %v; not in place %v, %v, %v", what, inBad, inM, inV, bad, mMax, vMax)
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
// and GB/s of the arrays it reads or writes: nine where the step can be
// undone (w, g, m, v; m', v', old, w, g), four read and written in place,
// and two read by the scan before an in-place step; "go" is the undoable
// update in Go alone, as before the vector kernels. The gradient is
// restored, untimed, before each update (zero gradients would decay the
// moments into subnormals).
func BenchmarkAdamKernel(b *testing.B) {
	detected := vectorBytes
	defer func() { vectorBytes = detected }()
	for _, n := range []int{4096, 956820} {
		for _, mode := range []string{"go", "undoable", "inplace", "scan"} {
			vectorBytes = detected
			if mode == "go" {
				vectorBytes = 0
			}
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				l := kernelLanes[float32](rand.New(rand.NewPCG(1, 2)), n, false)
				streams := 9.0
				if mode == "inplace" {
					l.an, l.bn, l.old = l.a, l.b, l.w
					streams = 8
				}
				k := adamKernelConsts[1]
				g := append([]float32(nil), l.g...)
				for b.Loop() {
					if mode == "scan" {
						scan(l.g, l.w)
						streams = 2
						continue
					}
					b.StopTimer()
					copy(l.g, g)
					b.StartTimer()
					adamUpdate(l, k)
					l.a, l.an, l.b, l.bn = l.an, l.a, l.bn, l.b
				}
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
				b.ReportMetric(ns, "ns/element")
				b.ReportMetric(streams*4/ns, "GB/s")
			})
		}
	}
}

// TestScanMatchesGo checks scan, with each kernel, against the largest
// magnitudes found in Go, over lengths that leave every tail, with a
// non-finite value (which must give +Inf) in the vector part or the tail.
func TestScanMatchesGo(t *testing.T) {
	forEachVectorWidth(t, func(t *testing.T) {
		testScan[float32](t)
		testScan[float64](t)
	})
}

func testScan[T float32 | float64](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 5, 8, 15, 16, 17, 33, 1000} {
		for _, bad := range []float64{0, math.NaN(), math.Inf(1), math.Inf(-1)} {
			for _, at := range []int{0, n / 2, n - 1} {
				x, y := make([]T, n), make([]T, n)
				var xMax, yMax float64
				for i := range x {
					x[i], y[i] = T(rng.NormFloat64()*math.Exp(5*rng.NormFloat64())), T(-rng.ExpFloat64())
					xMax, yMax = max(xMax, math.Abs(float64(x[i]))), max(yMax, math.Abs(float64(y[i])))
				}
				if bad != 0 {
					if n == 0 {
						continue
					}
					x[at] = T(bad)
					xMax, yMax = math.Inf(1), math.Inf(1)
				}
				gotX, gotY := scan(x, y)
				if gotX != xMax || gotY != yMax {
					t.Fatalf("%T n %d, %v at %d: scan = %v, %v; want %v, %v", T(0), n, bad, at, gotX, gotY, xMax, yMax)
				}
			}
		}
	}
}

// TestAdamInPlaceMatchesUndoable trains with Adam, in place where
// finiteAhead proves a step finite, beside one that always keeps what it
// needs to undo a step, on random gradients that sometimes hold huge,
// infinite or NaN values, with learning rates, gradient scales and weight
// decays that sometimes overflow, and checks that both return the same
// errors and leave the same values, gradients and moments; and that
// ordinary steps are made in place (no undo buffers are allocated).
func TestAdamInPlaceMatchesUndoable(t *testing.T) {
	forEachVectorWidth(t, func(t *testing.T) {
		testAdamInPlace[float32](t)
		testAdamInPlace[float64](t)
	})
}

func testAdamInPlace[T float32 | float64](t *testing.T) {
	sizes := []int{1000, 37, 5}
	type run struct {
		a      *Adam
		vgs    []G.ValueGrad
		ws, gs [][]T
	}
	newRun := func(wd float64, undoable bool) run {
		rng := rand.New(rand.NewPCG(11, 12))
		a, err := NewAdam(1e-3, WeightDecay(wd))
		if err != nil {
			t.Fatal(err)
		}
		if undoable {
			a.inPlace = nil
		}
		r := run{a: a}
		for _, n := range sizes {
			l := kernelLanes[T](rng, n, false)
			r.vgs = append(r.vgs, kernelParam{tensor.New(tensor.WithShape(n), tensor.WithBacking(l.w)), tensor.New(tensor.WithShape(n), tensor.WithBacking(l.g))})
			r.ws, r.gs = append(r.ws, l.w), append(r.gs, l.g)
		}
		return r
	}
	for _, wd := range []float64{0, 0.1, 1e35} {
		fast, slow := newRun(wd, false), newRun(wd, true)
		rng := rand.New(rand.NewPCG(13, 14))
		for step := range 60 {
			special := step%3 == 2
			lr, scale := 1e-3, 1.0
			switch step % 7 {
			case 3:
				lr = 1e30
			case 5:
				scale = 1e20
			}
			for _, r := range []run{fast, slow} {
				if err := r.a.SetLearnRate(lr); err != nil {
					t.Fatal(err)
				}
				if err := r.a.SetGradScale(scale); err != nil {
					t.Fatal(err)
				}
			}
			for p := range fast.gs {
				for i := range fast.gs[p] {
					g := T(rng.NormFloat64())
					if special && rng.IntN(50) == 0 {
						g = kernelValue[T](rng, 1)
					}
					fast.gs[p][i], slow.gs[p][i] = g, g
				}
			}
			what := fmt.Sprintf("%T, weight decay %v, step %d", T(0), wd, step)
			errFast, errSlow := fast.a.Step(fast.vgs), slow.a.Step(slow.vgs)
			var seFast, seSlow *StepError
			if (errFast == nil) != (errSlow == nil) || errors.As(errFast, &seFast) != errors.As(errSlow, &seSlow) ||
				seFast != nil && (seFast.Index != seSlow.Index || seFast.What != seSlow.What || seFast.Element != seSlow.Element) {
				t.Fatalf("%s: in place %v, undoable %v", what, errFast, errSlow)
			}
			for p := range fast.ws {
				if i, ok := sameBits(fast.ws[p], slow.ws[p]); !ok {
					t.Fatalf("%s: parameter %d, w[%d] = %v in place, %v undoable", what, p, i, fast.ws[p][i], slow.ws[p][i])
				}
				if i, ok := sameBits(fast.gs[p], slow.gs[p]); !ok {
					t.Fatalf("%s: parameter %d, g[%d] = %v in place, %v undoable", what, p, i, fast.gs[p][i], slow.gs[p][i])
				}
			}
			sf, ss := fast.a.State(), slow.a.State()
			for p := range sf.M {
				if i, ok := sameBits(sf.M[p], ss.M[p]); !ok {
					t.Fatalf("%s: parameter %d, first moment [%d] = %v in place, %v undoable", what, p, i, sf.M[p][i], ss.M[p][i])
				}
				if i, ok := sameBits(sf.V[p], ss.V[p]); !ok {
					t.Fatalf("%s: parameter %d, second moment [%d] = %v in place, %v undoable", what, p, i, sf.V[p][i], ss.V[p][i])
				}
			}
			if step == 1 && wd < 1 && (fast.a.params[0].old32 != nil || fast.a.params[0].old64 != nil) {
				t.Fatalf("%s: ordinary steps allocated undo buffers", what)
			}
		}
	}
}

// TestAdamFiniteIsSound draws step constants and bounds over the whole
// range of the dtype and, wherever adamFinite says the step is finite,
// updates elements at the corners of the bounds (|g|, |w|, |m| at their
// bounds or zero, v at its bound or zero), where the update is largest,
// and checks that every result is finite.
func TestAdamFiniteIsSound(t *testing.T) {
	testAdamFinite[float32](t)
	testAdamFinite[float64](t)
}

func testAdamFinite[T float32 | float64](t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	logU := func(lo, hi float64) float64 { return math.Pow(10, lo+(hi-lo)*rng.Float64()) }
	top := 38.0
	if _, ok := any(T(0)).(float64); ok {
		top = 308
	}
	proved := 0
	for range 20000 {
		b1 := []float64{0, 0.5, 0.9, 0.999999}[rng.IntN(4)]
		b2 := []float64{0, 0.5, 0.999, 0.999999}[rng.IntN(4)]
		step := []float64{1, 10, 1e4}[rng.IntN(3)]
		lr, wd := logU(-10, top), []float64{0, 1e-2, 1e3, 1e30}[rng.IntN(4)]
		k := adamConsts{gs: logU(-5, top/2), beta1: b1, beta2: b2, stepSize: lr / (1 - math.Pow(b1, step)),
			invSqrtBC2: 1 / math.Sqrt(1-math.Pow(b2, step)), eps: logU(-top-7, 0), decay: 1 - lr*wd}
		g, w, m, v := logU(-3, top), logU(-3, top), logU(-3, top), logU(-3, top)
		c := adamKOf[T](k)
		if !adamFinite(&c, g, w, m, v) {
			continue
		}
		proved++
		var l lanes[T]
		for _, gi := range []float64{g, -g, 0} {
			for _, wi := range []float64{w, -w, 0} {
				for _, mi := range []float64{m, -m, 0} {
					for _, vi := range []float64{v, 0} {
						l.w, l.g, l.a, l.b = append(l.w, T(wi)), append(l.g, T(gi)), append(l.a, T(mi)), append(l.b, T(vi))
					}
				}
			}
		}
		l.an, l.bn, l.old = make([]T, len(l.w)), make([]T, len(l.w)), make([]T, len(l.w))
		if bad, _, _ := adamGo(l, &c); bad {
			t.Fatalf("%T: adamFinite proved %+v finite for |g| <= %v, |w| <= %v, |m| <= %v, v <= %v, but the update is not", T(0), k, g, w, m, v)
		}
	}
	if proved < 100 {
		t.Errorf("%T: adamFinite proved only %d of 20,000 random steps finite", T(0), proved)
	}
}
