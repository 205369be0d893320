package bayesnodes

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// The fused ops against direct loops over the textbook formulas, in both
// dtypes. The graph-level checks (gradients by finite differences, hash
// consing, the ops a layer's graph holds) are in fused_graph_test.go.

// rhoGrid covers both branches of softplus, the rho < -20 branch of log
// sigma, and values where sigma is 1 + tiny or x + tiny.
var rhoGrid = []float64{-700, -300, -87, -40, -20.5, -19.5, -8, -3.2, -3, -1, -1e-9, 0, 1e-9, 0.5, 1, 2.7, 20, 40, 300}

func refSigmoid(x float64) float64 {
	if x > 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// refLogSoftplus is log(softplus(x)), exact where softplus underflows.
func refLogSoftplus(x float64) float64 {
	if x < -30 {
		return x + math.Log1p(-math.Exp(x)/2)
	}
	return math.Log(Softplus(x))
}

// relClose reports |got - want| <= tol max(|want|, floor).
func relClose(got, want, tol, floor float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), floor)
}

func TestSumLogSigma(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	rho := slices.Clone(rhoGrid)
	for range 5000 { // more than 256, to cross renormalisations
		rho = append(rho, -3+2*rng.NormFloat64())
	}
	sigma := make([]float64, len(rho))
	for i, r := range rho {
		sigma[i] = Softplus(r)
	}
	want := 0.0
	for _, r := range rho {
		want += refLogSoftplus(r)
	}
	if got := sumLogSigma(sigma, rho); !relClose(got, want, 1e-13, 1) {
		t.Errorf("sum log sigma = %.17g, want %.17g", got, want)
	}
	// A NaN or infinite sigma must show, not vanish into a mantissa.
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		s := slices.Clone(sigma)
		s[len(s)/2] = bad
		if got := sumLogSigma(s, rho); !math.IsNaN(got) && !math.IsInf(got, 1) {
			t.Errorf("sum log sigma with a %v sigma = %v", bad, got)
		}
	}
}

// opData is one random posterior tensor of a dtype, and the references:
// the formulas evaluated in float64 from the inputs as the op sees them
// (rounded to float32 for float32), sigma and sigmoid rounded as the helper
// ss stores them.
type opData struct {
	mu, rho, eps, g  []float64
	sigma, sg        []float64
	gScalar, m, s    float64
	w, dRhoSample    []float64 // sample and its rho gradient
	kl, logQ         float64
	dMuKL, dRhoKL    []float64
	dRhoLogQ, dSigma []float64
}

func newOpData(dt tensor.Dtype, n int, m, s float64) *opData {
	round := func(x float64) float64 { return x }
	if dt == tensor.Float32 {
		round = func(x float64) float64 { return float64(float32(x)) }
	}
	rng := rand.New(rand.NewPCG(8, 9))
	d := &opData{gScalar: round(0.7), m: m, s: s}
	for i := range n {
		r := -3 + 2*rng.NormFloat64()
		if i < len(rhoGrid) {
			r = rhoGrid[i]
		}
		d.mu = append(d.mu, round(0.3*rng.NormFloat64()))
		d.rho = append(d.rho, round(r))
		d.eps = append(d.eps, round(rng.NormFloat64()))
		d.g = append(d.g, round(rng.NormFloat64()))
	}
	for i := range n {
		sigma, sg := round(Softplus(d.rho[i])), round(refSigmoid(d.rho[i]))
		d.sigma, d.sg = append(d.sigma, sigma), append(d.sg, sg)
		d.w = append(d.w, d.mu[i]+sigma*d.eps[i])
		d.dRhoSample = append(d.dRhoSample, d.g[i]*d.eps[i]*sg)
		logSigma := refLogSoftplus(d.rho[i])
		if dt == tensor.Float32 && d.rho[i] >= -20 {
			logSigma = math.Log(sigma) // of the stored sigma
		}
		d.kl += math.Log(s) - logSigma + (sigma*sigma+(d.mu[i]-m)*(d.mu[i]-m))/(2*s*s) - 0.5
		d.logQ += -logSigma - d.eps[i]*d.eps[i]/2 - halfLog2Pi
		d.dMuKL = append(d.dMuKL, d.gScalar*(d.mu[i]-m)/(s*s))
		ratio := 1.0 // sigmoid / sigma, 1 in the limit
		if sigma > 0 {
			ratio = sg / sigma
		}
		d.dRhoKL = append(d.dRhoKL, d.gScalar*(sigma*sg/(s*s)-ratio))
		d.dRhoLogQ = append(d.dRhoLogQ, -d.gScalar*ratio)
		d.dSigma = append(d.dSigma, d.g[i]*sg)
	}
	return d
}

func denseOf(dt tensor.Dtype, shape tensor.Shape, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(slices.Clone(v)))
}

func scalarIn(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

func floatsOf(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch v := v.(type) {
	case *tensor.Dense:
		switch d := v.Data().(type) {
		case []float64:
			return slices.Clone(d)
		case []float32:
			out := make([]float64, len(d))
			for i, x := range d {
				out[i] = float64(x)
			}
			return out
		}
	case *G.F64:
		return []float64{float64(*v)}
	case *G.F32:
		return []float64{float64(*v)}
	}
	t.Fatalf("value %T", v)
	return nil
}

// opCommon is the dtype and rank of a posterior op under test.
type opCommon struct {
	dt   tensor.Dtype
	dims int
}

// of returns the op of m32 or m64, by c's dtype.
func of[M32 opkit.Math[float32], M64 opkit.Math[float64]](c opCommon, m32 M32, m64 M64) G.Op {
	if c.dt == tensor.Float32 {
		return opkit.New[float32](m32)
	}
	return opkit.New[float64](m64)
}

func do(t *testing.T, op G.Op, in ...G.Value) []float64 {
	t.Helper()
	v, err := op.Do(in...)
	if err != nil {
		t.Fatalf("%v: %v", op, err)
	}
	return floatsOf(t, v)
}

func checkClose(t *testing.T, what string, got, want []float64, tol, floor float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !relClose(got[i], want[i], tol, floor) {
			t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
			return
		}
	}
}

// TestFusedOpsMatchDirectLoops runs every op's Do on one tensor and compares
// with the formulas evaluated directly in float64. float32 inputs are
// rounded, so the float32 references are computed from the rounded values.
func TestFusedOpsMatchDirectLoops(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			shape := tensor.Shape{7, 11}
			d := newOpData(dt, shape.TotalSize(), 0.1, 0.6)
			// float32 results are float64 ones rounded once, so within a half
			// ulp; values near 0 (w = mu + sigma eps can cancel) are compared
			// absolutely.
			tol, floor := 1e-12, 1e-3
			if dt == tensor.Float32 {
				tol, floor = 3e-7, 1 // sigma and sigmoid within 1 ulp, then one rounding
			}
			c := opCommon{dt, len(shape)}
			mu, rho, eps, g := denseOf(dt, shape, d.mu), denseOf(dt, shape, d.rho), denseOf(dt, shape, d.eps), denseOf(dt, shape, d.g)
			ssv, err := of(c, softplusSS[float32]{c.dims}, softplusSS[float64]{c.dims}).Do(rho)
			if err != nil {
				t.Fatal(err)
			}
			ss := floatsOf(t, ssv)
			n := shape.TotalSize()
			checkClose(t, "softplus", ss[:n], d.sigma, tol, floor)
			checkClose(t, "sigmoid", ss[n:], d.sg, tol, floor)
			checkClose(t, "sigma", do(t, of(c, sigma[float32]{c.dims}, sigma[float64]{c.dims}), rho, ssv), d.sigma, tol, floor)
			checkClose(t, "sample", do(t, of(c, sample[float32]{c.dims}, sample[float64]{c.dims}), mu, rho, eps, ssv), d.w, tol, floor)
			checkClose(t, "kl", do(t, of(c, gaussianKL[float32]{c.dims, d.m, d.s}, gaussianKL[float64]{c.dims, d.m, d.s}), mu, rho, ssv), []float64{d.kl}, tol, floor)
			checkClose(t, "logq", do(t, of(c, logQ[float32]{c.dims}, logQ[float64]{c.dims}), rho, eps, ssv), []float64{d.logQ}, tol, floor)
			checkClose(t, "d sample/d rho", do(t, of(c, sampleRhoGrad[float32]{c.dims}, sampleRhoGrad[float64]{c.dims}), ssv, eps, g), d.dRhoSample, tol, floor)
			checkClose(t, "d sigma/d rho", do(t, of(c, sigmaGrad[float32]{c.dims}, sigmaGrad[float64]{c.dims}), ssv, g), d.dSigma, tol, floor)
			gs := scalarIn(dt, d.gScalar)
			checkClose(t, "d kl/d mu", do(t, of(c, muGrad[float32]{c.dims, 1 / (d.s * d.s), d.m}, muGrad[float64]{c.dims, 1 / (d.s * d.s), d.m}), mu, gs), d.dMuKL, tol, floor)
			checkClose(t, "d kl/d rho", do(t, of(c, rhoGrad[float32]{c.dims, 1 / (d.s * d.s), -1}, rhoGrad[float64]{c.dims, 1 / (d.s * d.s), -1}), ssv, gs), d.dRhoKL, tol, floor)
			checkClose(t, "d logq/d rho", do(t, of(c, rhoGrad[float32]{c.dims, 0, -1}, rhoGrad[float64]{c.dims, 0, -1}), ssv, gs), d.dRhoLogQ, tol, floor)
			// A scalar upstream gradient may also come as a one-element tensor.
			checkClose(t, "d kl/d mu, tensor g", do(t, of(c, muGrad[float32]{c.dims, 1 / (d.s * d.s), d.m}, muGrad[float64]{c.dims, 1 / (d.s * d.s), d.m}), mu, denseOf(dt, tensor.Shape{1}, []float64{d.gScalar})), d.dMuKL, tol, floor)
		})
	}
}

// TestFusedOpsReuseTheirBuffer checks that an op's second run writes into
// its first result's memory (no allocation) and is still right, and that a
// strided view as input is read correctly.
func TestFusedOpsReuseTheirBuffer(t *testing.T) {
	shape := tensor.Shape{3, 4}
	c := opCommon{tensor.Float64, 2}
	d := newOpData(tensor.Float64, shape.TotalSize(), 0, 1)
	op := of(c, sample[float32]{c.dims}, sample[float64]{c.dims})
	ssOp := of(c, softplusSS[float32]{c.dims}, softplusSS[float64]{c.dims})
	rho := denseOf(tensor.Float64, shape, d.rho)
	ss, err := ssOp.Do(rho)
	if err != nil {
		t.Fatal(err)
	}
	mu, eps := denseOf(tensor.Float64, shape, d.mu), denseOf(tensor.Float64, shape, d.eps)
	w1, err := op.Do(mu, rho, eps, ss)
	if err != nil {
		t.Fatal(err)
	}
	eps2 := denseOf(tensor.Float64, shape, d.g) // other noise
	w2, err := op.Do(mu, rho, eps2, ss)
	if err != nil {
		t.Fatal(err)
	}
	if &w1.(*tensor.Dense).Float64s()[0] != &w2.(*tensor.Dense).Float64s()[0] {
		t.Error("second run allocated new memory for its result")
	}
	// A downstream op may reshape the result in place; the next run must
	// still get the op's shape.
	if err := w2.(*tensor.Dense).Reshape(12); err != nil {
		t.Fatal(err)
	}
	for i, x := range floatsOf(t, w2) {
		if want := d.mu[i] + d.sigma[i]*d.g[i]; !relClose(x, want, 1e-14, 1e-30) {
			t.Fatalf("second run: w[%d] = %v, want %v", i, x, want)
		}
	}
	// eps transposed: a view that needs an iterator.
	epsT := denseOf(tensor.Float64, tensor.Shape{4, 3}, d.eps)
	if err := epsT.T(); err != nil {
		t.Fatal(err)
	}
	w3, err := op.Do(mu, rho, epsT, ss)
	if err != nil {
		t.Fatal(err)
	}
	if s := w3.(*tensor.Dense).Shape(); !s.Eq(shape) {
		t.Fatalf("third run's result has shape %v, want %v", s, shape)
	}
	got := floatsOf(t, w3)
	for i := range 3 {
		for j := range 4 {
			if want := d.mu[i*4+j] + d.sigma[i*4+j]*d.eps[j*3+i]; !relClose(got[i*4+j], want, 1e-14, 1e-30) {
				t.Fatalf("transposed eps: w[%d,%d] = %v, want %v", i, j, got[i*4+j], want)
			}
		}
	}
}

func TestFusedOpsRejectBadInputs(t *testing.T) {
	c := opCommon{tensor.Float64, 1}
	a := denseOf(tensor.Float64, tensor.Shape{3}, []float64{1, 2, 3})
	b := denseOf(tensor.Float64, tensor.Shape{4}, []float64{1, 2, 3, 4})
	f := denseOf(tensor.Float32, tensor.Shape{3}, []float64{1, 2, 3})
	ss, err := of(c, softplusSS[float32]{c.dims}, softplusSS[float64]{c.dims}).Do(a)
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"shape": func() error {
			_, err := (of(c, sample[float32]{c.dims}, sample[float64]{c.dims})).Do(a, a, b, ss)
			return err
		},
		"dtype": func() error {
			_, err := (of(c, sample[float32]{c.dims}, sample[float64]{c.dims})).Do(a, f, a, ss)
			return err
		},
		"arity": func() error {
			_, err := (of(c, gaussianKL[float32]{c.dims, 0, 1}, gaussianKL[float64]{c.dims, 0, 1})).Do(a, a)
			return err
		},
		"scalar": func() error {
			_, err := (of(c, muGrad[float32]{c.dims, 1, 0}, muGrad[float64]{c.dims, 1, 0})).Do(a, a)
			return err
		},
		"ss size": func() error { _, err := (of(c, sigma[float32]{c.dims}, sigma[float64]{c.dims})).Do(a, a); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (of(c, sample[float32]{c.dims}, sample[float64]{c.dims})).InferShape(tensor.Shape{3}, tensor.Shape{3}, tensor.Shape{4}, tensor.Shape{2, 3}); err == nil {
		t.Error("InferShape accepted mismatched shapes")
	}
	if _, err := (of(c, sample[float32]{c.dims}, sample[float64]{c.dims})).InferShape(tensor.Shape{3}, tensor.Shape{3}, tensor.Shape{3}, tensor.Shape{3}); err == nil {
		t.Error("InferShape accepted an ss without its leading 2")
	}
}

// TestFusedOpsDiffWRT: noise and the softplus helper are never
// differentiated; the parameters always are.
func TestFusedOpsDiffWRT(t *testing.T) {
	c := opCommon{tensor.Float64, 1}
	for _, tc := range []struct {
		op   G.Op
		want []bool
	}{
		{of(c, sample[float32]{c.dims}, sample[float64]{c.dims}), []bool{true, true, false, false}},
		{of(c, gaussianKL[float32]{c.dims, 0, 1}, gaussianKL[float64]{c.dims, 0, 1}), []bool{true, true, false}},
		{of(c, logQ[float32]{c.dims}, logQ[float64]{c.dims}), []bool{true, false, false}},
		{of(c, sigma[float32]{c.dims}, sigma[float64]{c.dims}), []bool{true, false}},
		{of(c, softplusSS[float32]{c.dims}, softplusSS[float64]{c.dims}), []bool{false}},
	} {
		if got := tc.op.(G.SDOp).DiffWRT(tc.op.Arity()); !slices.Equal(got, tc.want) {
			t.Errorf("%v: DiffWRT %v, want %v", tc.op, got, tc.want)
		}
	}
}

// TestFusedOpHashes: ops that compute different things must hash apart, or
// Gorgonia's hash-consing merges their nodes (as it merged Gorgonia's
// Im2Col nodes of two dilations).
func TestFusedOpHashes(t *testing.T) {
	c64, c32, c64r3 := opCommon{tensor.Float64, 2}, opCommon{tensor.Float32, 2}, opCommon{tensor.Float64, 3}
	ops := []G.Op{
		of(c64, gaussianKL[float32]{c64.dims, 0, 1}, gaussianKL[float64]{c64.dims, 0, 1}), of(c64, gaussianKL[float32]{c64.dims, 0, 0.5}, gaussianKL[float64]{c64.dims, 0, 0.5}), of(c64, gaussianKL[float32]{c64.dims, 0.1, 1}, gaussianKL[float64]{c64.dims, 0.1, 1}),
		of(c64, gaussianKL[float32]{c64.dims, 0, math.Nextafter(1, 2)}, gaussianKL[float64]{c64.dims, 0, math.Nextafter(1, 2)}), of(c32, gaussianKL[float32]{c32.dims, 0, 1}, gaussianKL[float64]{c32.dims, 0, 1}), of(c64r3, gaussianKL[float32]{c64r3.dims, 0, 1}, gaussianKL[float64]{c64r3.dims, 0, 1}),
		of(c64, rhoGrad[float32]{c64.dims, 1, -1}, rhoGrad[float64]{c64.dims, 1, -1}), of(c64, rhoGrad[float32]{c64.dims, 0, -1}, rhoGrad[float64]{c64.dims, 0, -1}), of(c64, rhoGrad[float32]{c64.dims, 4, -1}, rhoGrad[float64]{c64.dims, 4, -1}), of(c32, rhoGrad[float32]{c32.dims, 1, -1}, rhoGrad[float64]{c32.dims, 1, -1}),
		of(c64, muGrad[float32]{c64.dims, 1, 0}, muGrad[float64]{c64.dims, 1, 0}), of(c64, muGrad[float32]{c64.dims, 4, 0}, muGrad[float64]{c64.dims, 4, 0}), of(c64, muGrad[float32]{c64.dims, 1, 0.1}, muGrad[float64]{c64.dims, 1, 0.1}),
		of(c64, softplusSS[float32]{c64.dims}, softplusSS[float64]{c64.dims}), of(c32, softplusSS[float32]{c32.dims}, softplusSS[float64]{c32.dims}), of(c64, sample[float32]{c64.dims}, sample[float64]{c64.dims}), of(c32, sample[float32]{c32.dims}, sample[float64]{c32.dims}),
		of(c64, logQ[float32]{c64.dims}, logQ[float64]{c64.dims}), of(c64, sigma[float32]{c64.dims}, sigma[float64]{c64.dims}), of(c64, sigmaGrad[float32]{c64.dims}, sigmaGrad[float64]{c64.dims}), of(c64, sampleRhoGrad[float32]{c64.dims}, sampleRhoGrad[float64]{c64.dims}),
	}
	seen := map[uint32]G.Op{}
	for _, op := range ops {
		if other, ok := seen[op.Hashcode()]; ok {
			t.Errorf("%v and %v hash alike", op, other)
		}
		seen[op.Hashcode()] = op
	}
	// The memory is not part of an op's identity.
	if (of(c64, sample[float32]{c64.dims}, sample[float64]{c64.dims})).Hashcode() != (of(c64, sample[float32]{c64.dims}, sample[float64]{c64.dims})).Hashcode() {
		t.Error("two sample ops differing only in their buffer hash apart")
	}
	if s := (of(c64, gaussianKL[float32]{c64.dims, 0.1, 0.5}, gaussianKL[float64]{c64.dims, 0.1, 0.5})).String(); !strings.Contains(s, "0.1") || !strings.Contains(s, "0.5") {
		t.Errorf("KL op prints as %q, without its prior", s)
	}
}

// TestSoftplusMemo checks the softplus op's memo: the same rho again gives
// the same values, and a rho changed in place, even in one element, is
// recomputed.
func TestSoftplusMemo(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		op := of(opCommon{dt, 1}, softplusSS[float32]{1}, softplusSS[float64]{1})
		vals := []float64{-3, -1, 0, 2, 30}
		rho := denseOf(dt, tensor.Shape{5}, vals)
		want := func() []float64 {
			ref := of(opCommon{dt, 1}, softplusSS[float32]{1}, softplusSS[float64]{1})
			v, err := ref.Do(rho)
			if err != nil {
				t.Fatal(err)
			}
			return floatsOf(t, v)
		}
		first := do(t, op, rho)
		again := do(t, op, rho)
		if !slices.Equal(first, again) || !slices.Equal(again, want()) {
			t.Fatalf("%v: repeated rho gave %v then %v", dt, first, again)
		}
		// Change one element in place, as a solver step does.
		if dt == tensor.Float64 {
			rho.Float64s()[3] = -2
		} else {
			rho.Float32s()[3] = -2
		}
		if got, w := do(t, op, rho), want(); !slices.Equal(got, w) {
			t.Fatalf("%v: after an in-place change got %v, want %v", dt, got, w)
		}
	}
}
