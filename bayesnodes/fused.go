package bayesnodes

// Fused Gorgonia ops for the Gaussian posterior.
//
// Built from Gorgonia's own nodes, a weight sample and its KL are a dozen
// elementwise nodes per tensor, forward and backward, each allocating its
// result and running a per-element function pointer: on the 784-400-400-10
// MLP that was most of a training step once the matrix products ran on
// OpenBLAS. Here they are a few loops, and softplus, the one costly
// function, is evaluated once per weight and run:
//
//	softplusOp   rho                  -> ss = [softplus(rho); sigmoid(rho)], shape [2, ...]
//	sigmaOp      (rho, ss)            -> sigma, a node of its own (Gaussian.Sigma)
//	sampleOp     (mu, rho, eps, ss)   -> w = mu + sigma * eps
//	gaussianKLOp (mu, rho, ss)        -> sum KL(N(mu, sigma^2) || N(M, S^2))
//	logQOp       (rho, eps, ss)       -> sum log N(w | mu, sigma^2) at w = mu + sigma * eps
//
// and for the backward pass
//
//	sigmaGradOp     (ss, g)      -> g * sigmoid(rho)
//	sampleRhoGradOp (ss, eps, g) -> g * eps * sigmoid(rho)          (d/dmu of w is g itself)
//	rhoGradOp       (ss, g)      -> g * (a sigma + b / sigma) * sigmoid(rho)
//	muGradOp        (mu, g)      -> g * (mu - M) / S^2
//
// with sigma = softplus(rho). ss is a helper, not a value to differentiate:
// the ops that read it also take rho (DiffWRT true) and give rho's
// gradient themselves, analytically; DiffWRT is false for ss and eps. Every
// op that needs ss builds it with softplusSigmoid(rho), which Gorgonia's
// hash-consing turns into one node per rho: a posterior's sample, KL and
// log q share it.
//
// Every element is computed in float64, float32 tensors included: the
// conversions are cheap next to exp and log, and math32's float32 functions
// measured no faster than the standard library's float64 ones. For float32,
// softplus uses polynomials accurate enough for float32 (within 1 ulp)
// instead of math.Exp and math.Log; float64 keeps the standard library.
// Sums accumulate in float64.
//
// Gorgonia v0.9.18's TapeMachine hands a preallocated destination
// (UsePreallocDo) only to ops that call external code, so every other op
// allocates its result on every run. These ops write into memory of their
// own instead, made on the first run and reused (under a new tensor header
// each run, see scratch). That is safe because each
// node has its own op value (the constructors make a fresh one; hash-consing
// keeps the first of two equal nodes and drops the other's op), nothing
// reads a node's value across runs but G.Read, which copies, and gradients
// reach the parameters by being added into their dual values.

import (
	"fmt"
	"hash"
	"math"
	"strconv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/gvalue"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

type float interface{ ~float32 | ~float64 }

// softplusKernel sets sp = softplus(rho) and sg = sigmoid(rho), from one
// exponential e = exp(-|x|) and u = 1 + e: softplus = max(x, 0) + log1p(e),
// sigmoid = 1/u or e/u. log1p(e) is log(u) e / (u - 1) (Goldberg's form,
// within a few ulps of it), because math.Log is assembly on amd64 and
// math.Log1p is not: here it measured twice as fast. The body is written
// out in the loop: as a function called per element (too large to
// inline), the kernel measured 2.5x slower.
func softplusKernel[T float](sp, sg, rho []T) {
	sp, sg = sp[:len(rho)], sg[:len(rho)]
	for i, r := range rho {
		x := float64(r)
		e := math.Exp(-math.Abs(x))
		u := 1 + e
		l := e // log1p(e) = e where 1 + e rounds to 1
		if u != 1 {
			l = math.Log(u) * e / (u - 1)
		}
		s := e / u
		if x > 0 {
			l += x
			s = 1 / u
		}
		sp[i], sg[i] = T(l), T(s)
	}
}

// softplusKernelF32 is softplusKernel for float32 results, with exp and
// log1p computed from small tables and short polynomials, to a relative
// error below 1e-10: results are within 1 ulp of the correctly rounded
// ones (tested on a dense grid; on a million rho ~ N(-4, 2^2) only 10 are
// not correctly rounded). It measured 1.5x faster than the series it
// replaced and 2.4x faster than the standard library's exp and log;
// softplus is most of what these ops cost. (Timings of this loop swing
// with small changes of its shape, likely code alignment: measure after
// editing it.)
//
// e = exp(t), t = -|x| = (32 m + j) ln 2 / 32 + r with |r| <= ln 2 / 64,
// is 2^m 2^(j/32) times e^r's Taylor polynomial of degree 5 (remainder
// below 3e-15). log1p(e) is its series where e < 1/1024 (remainder below
// e^5/5); otherwise u = 1 + e = 2^ex m with m in [1, 2), and log u = ex ln
// 2 + log c + log1p(m/c - 1), where c is the middle of m's 1/64-wide
// interval, so |m/c - 1| <= 1/128 and five terms of the series leave
// 3e-14. The one division is sigmoid's.
func softplusKernelF32(sp, sg, rho []float32) {
	const (
		scale = expSteps / math.Ln2
		step  = math.Ln2 / expSteps
	)
	sp, sg = sp[:len(rho)], sg[:len(rho)]
	for i, r32 := range rho {
		x := float64(r32)
		t := -math.Abs(x)
		e := 0.0 // below e^-110, far below float32's smallest value
		if t > -110 {
			kf := math.RoundToEven(t * scale)
			k := int64(kf)
			r := t - kf*step
			p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120)))))
			// k = 32 m + j: k>>5 floors, also for k < 0.
			e = math.Float64frombits(uint64(int64(math.Float64bits(exp2Steps[k&(expSteps-1)]*p)) + k>>expStepBits<<52))
		} else if x != x {
			e = x // NaN, which the exponent arithmetic would lose
		}
		u := 1 + e
		var l float64
		if !(e >= 1.0/1024) { // small, or NaN
			l = e * (1 - e*(1.0/2-e*(1.0/3-e*(1.0/4))))
		} else {
			b := math.Float64bits(u)
			c := &logSteps[b>>(52-logStepBits)&(1<<logStepBits-1)]
			y := math.Float64frombits(b&(1<<52-1)|1023<<52)*c.inv - 1
			l = float64(int64(b>>52)-1023)*math.Ln2 + c.log + y*(1-y*(1.0/2-y*(1.0/3-y*(1.0/4-y*(1.0/5)))))
		}
		q := e / u
		if x > 0 {
			l += x
			q = 1 / u
		}
		sp[i], sg[i] = float32(l), float32(q)
	}
}

// exp2Steps holds 2^(j/expSteps), j in [0, expSteps), for
// softplusKernelF32's exponential.
const (
	expStepBits = 5
	expSteps    = 1 << expStepBits
)

var exp2Steps = func() (t [expSteps]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / expSteps)
	}
	return t
}()

// logSteps holds, for each of the 2^logStepBits intervals of a mantissa
// m in [1, 2), its middle c as 1/c and log c, for softplusKernelF32.
const logStepBits = 6

var logSteps = func() (t [1 << logStepBits]struct{ inv, log float64 }) {
	for j := range t {
		c := 1 + (float64(j)+0.5)/(1<<logStepBits)
		t[j].inv, t[j].log = 1/c, math.Log(c)
	}
	return t
}()

// sumLogSigma returns sum_i log(sigma_i). Where rho < -20, sigma =
// e^rho (1 - e^rho/2 + ...), so log sigma is rho - sigma/2 to double
// precision and stays finite where sigma underflows. Elsewhere sigma is a
// normal float and its log is split into its binary exponent and the log
// of its mantissa in [1, 2); the mantissas are multiplied together and
// renormalised every 256 factors (their product stays below 2^256), so
// there is one math.Log per 256 weights rather than one each (the KL
// kernel measured 2.5x faster). The product's relative error is at most
// n 2^-53, an absolute error of n 1.1e-16 in the sum. Any other sigma (0,
// subnormal, Inf, NaN: inconsistent inputs) takes math.Log, so NaN and Inf
// propagate.
func sumLogSigma[T float](sigma, rho []T) float64 {
	const mantissa = 1<<52 - 1
	const one = 1023 << 52 // exponent bits of 1.0
	rho = rho[:len(sigma)]
	var other float64 // sum over rho < -20 and odd sigmas
	exp := 0          // sum of binary exponents
	prod := 1.0       // product of mantissas since the last renormalisation
	for i, s := range sigma {
		if rho[i] < -20 {
			other += float64(rho[i]) - float64(s)/2
			continue
		}
		b := math.Float64bits(float64(s))
		if e := b >> 52; e == 0 || e >= 2047 { // 0, subnormal, Inf, NaN, negative
			other += math.Log(float64(s))
			continue
		}
		exp += int(b>>52) - 1023
		prod *= math.Float64frombits(b&mantissa | one)
		if i&255 == 255 {
			b := math.Float64bits(prod)
			exp += int(b>>52) - 1023
			prod = math.Float64frombits(b&mantissa | one)
		}
	}
	return other + float64(exp)*math.Ln2 + math.Log(prod)
}

// sampleKernel sets w = mu + sigma * eps.
func sampleKernel[T float](w, mu, sigma, eps []T) {
	w, mu, sigma = w[:len(eps)], mu[:len(eps)], sigma[:len(eps)]
	for i, e := range eps {
		w[i] = T(float64(mu[i]) + float64(sigma[i])*float64(e))
	}
}

// mulKernel sets d = a * b.
func mulKernel[T float](d, a, b []T) {
	d, a = d[:len(b)], a[:len(b)]
	for i, x := range b {
		d[i] = a[i] * x
	}
}

// sampleRhoGradKernel sets d = g * eps * sigmoid(rho).
func sampleRhoGradKernel[T float](d, sg, eps, g []T) {
	d, sg, eps = d[:len(g)], sg[:len(g)], eps[:len(g)]
	for i, gi := range g {
		d[i] = T(float64(gi) * float64(eps[i]) * float64(sg[i]))
	}
}

// gaussianKLKernel returns sum_i log(S/sigma_i) + (sigma_i^2 + (mu_i -
// M)^2) / (2 S^2) - 1/2.
func gaussianKLKernel[T float](mu, sigma, rho []T, m, s float64) float64 {
	sigma = sigma[:len(mu)]
	var quad float64
	for i, x := range mu {
		sd, d := float64(sigma[i]), float64(x)-m
		quad += sd*sd + d*d
	}
	n := float64(len(mu))
	return quad/(2*s*s) - sumLogSigma(sigma, rho) + n*(math.Log(s)-0.5)
}

// logQKernel returns sum_i log N(w_i | mu_i, sigma_i^2) at w = mu + sigma
// eps: -sum log sigma - sum eps^2 / 2 - n log(2 pi) / 2.
func logQKernel[T float](eps, sigma, rho []T) float64 {
	sigma = sigma[:len(eps)]
	var ss float64
	for _, e := range eps {
		ss += float64(e) * float64(e)
	}
	return -sumLogSigma(sigma, rho) - ss/2 - float64(len(eps))*halfLog2Pi
}

// rhoGradKernel sets d = g (a sigma + b / sigma) sigmoid(rho). sigmoid /
// sigma tends to 1 as rho goes to -inf; it is taken as 1 where sigma
// underflows to 0, rather than 0/0.
func rhoGradKernel[T float](d, sigma, sg []T, g, a, b float64) {
	d, sg = d[:len(sigma)], sg[:len(sigma)]
	for i, s := range sigma {
		sd, sgd := float64(s), float64(sg[i])
		ratio := 1.0
		if sd > 0 {
			ratio = sgd / sd
		}
		d[i] = T(g * (a*sd*sgd + b*ratio))
	}
}

// muGradKernel sets d = g c (mu - m).
func muGradKernel[T float](d, mu []T, g, c, m float64) {
	d = d[:len(mu)]
	gc := g * c
	for i, x := range mu {
		d[i] = T((float64(x) - m) * gc)
	}
}

// opCommon holds what every op here has in common: a dtype, the rank of
// the posterior's tensor, and Gorgonia's memory flags (a fresh result,
// never an input overwritten, pure Go).
type opCommon struct {
	dt   tensor.Dtype
	dims int
}

func (opCommon) ReturnsPtr() bool     { return false }
func (opCommon) CallsExtern() bool    { return false }
func (opCommon) OverwritesInput() int { return -1 }

// tensorType is the Gorgonia type of a tensor of the posterior's rank plus
// extra (1 for ss).
func (c opCommon) tensorType(extra int) hm.Type {
	return G.TensorType{Dims: c.dims + extra, Of: hm.TypeVariable('a')}
}

// values checks that in holds len(lead) tensors of the op's dtype: where
// lead[i] is 0 one of the posterior's shape, where it is 1 the helper ss of
// twice its size. It returns each one's elements, contiguous (a strided view
// is copied), in f64 or f32 by dtype, and the posterior's shape.
func (c opCommon) values(op fmt.Stringer, in []G.Value, lead ...int) (f64 [][]float64, f32 [][]float32, shape tensor.Shape, err error) {
	if len(in) != len(lead) {
		return nil, nil, nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), len(lead))
	}
	ts := make([]*tensor.Dense, len(in))
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return nil, nil, nil, fmt.Errorf("%v: input %d is a %T, want a tensor", op, i, v)
		}
		if t.Dtype() != c.dt {
			return nil, nil, nil, fmt.Errorf("%v: input %d has dtype %v, want %v", op, i, t.Dtype(), c.dt)
		}
		if lead[i] == 0 && shape == nil {
			shape = t.Shape()
		}
		ts[i] = t
	}
	if shape == nil { // ss alone: [2, shape...]
		if s := ts[0].Shape(); len(s) > 1 && s[0] == 2 {
			shape = s[1:]
		} else {
			return nil, nil, nil, fmt.Errorf("%v: input 0 has shape %v, want [2, ...]", op, s)
		}
	}
	n := shape.TotalSize()
	for i, t := range ts {
		size := t.Shape().TotalSize()
		if size != n<<lead[i] {
			return nil, nil, nil, fmt.Errorf("%v: input %d has shape %v, %d elements, want %d", op, i, t.Shape(), size, n<<lead[i])
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		switch c.dt {
		case tensor.Float64:
			f64 = append(f64, t.Float64s()[:size])
		case tensor.Float32:
			f32 = append(f32, t.Float32s()[:size])
		default:
			return nil, nil, nil, fmt.Errorf("%v: dtype %v, want float64 or float32", op, c.dt)
		}
	}
	return f64, f32, shape, nil
}

// scalarOf returns the value of a scalar input: a Gorgonia scalar or a
// tensor of one element.
func scalarOf(op fmt.Stringer, i int, v G.Value) (float64, error) {
	if x, ok := gvalue.Scalar(v); ok {
		return x, nil
	}
	return 0, fmt.Errorf("%v: input %d is a %T, want a scalar", op, i, v)
}

// scalarValue wraps a sum as a scalar of dtype dt.
func scalarValue(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}

// shapes checks the input shapes: every one the posterior's shape, or [2,
// shape...] where lead[i] is 1, or a scalar where lead[i] is -1. It returns
// the posterior's shape.
func shapes(op fmt.Stringer, in []G.DimSizer, lead ...int) (tensor.Shape, error) {
	if len(in) != len(lead) {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), len(lead))
	}
	var base tensor.Shape
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%v: input %d's shape is a %T", op, i, d)
		}
		switch lead[i] {
		case -1:
			if s.TotalSize() != 1 {
				return nil, fmt.Errorf("%v: input %d has shape %v, want a scalar", op, i, s)
			}
			continue
		case 1:
			if len(s) == 0 || s[0] != 2 {
				return nil, fmt.Errorf("%v: input %d has shape %v, want [2, ...]", op, i, s)
			}
			s = s[1:]
		}
		if base == nil {
			base = s
		} else if !s.Eq(base) {
			return nil, fmt.Errorf("%v: input %d has shape %v, want %v", op, i, d, base)
		}
	}
	return base.Clone(), nil
}

// fmtFloat formats a float exactly (shortest round-trip form), so that two
// priors whose parameters differ in the last bit hash apart.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// softplusOp is the helper ss = [softplus(rho); sigmoid(rho)], shape [2,
// rho's shape...]. It is not differentiable: the ops reading it take rho's
// gradient through rho itself.
type softplusOp struct {
	opCommon
	out *scratch
}

// softplusSigmoid returns the helper node of rho; calls on one rho give one
// node.
func softplusSigmoid(rho *G.Node) (*G.Node, error) {
	return G.ApplyOp(softplusOp{opCommon{rho.Dtype(), rho.Dims()}, new(scratch)}, rho)
}

func (op softplusOp) Arity() int    { return 1 }
func (op softplusOp) Type() hm.Type { return hm.NewFnType(op.tensorType(0), op.tensorType(1)) }
func (op softplusOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapes(op, in, 0)
	if err != nil {
		return nil, err
	}
	return append(tensor.Shape{2}, s...), nil
}

func (op softplusOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 0)
	if err != nil {
		return nil, err
	}
	ss := op.out.get(op.dt, append(tensor.Shape{2}, shape...))
	n := shape.TotalSize()
	// The transcendental functions make this the costliest elementwise
	// op of a step: it runs on every core, and not at all when rho is the
	// one it last ran on (every pass of a prediction).
	var in64 []float64
	var in32 []float32
	if f64 != nil {
		in64 = f64[0]
	} else {
		in32 = f32[0]
	}
	if op.out.sameInput(in64, in32) {
		return ss, nil
	}
	if f64 != nil {
		d, rho := ss.Float64s(), f64[0]
		parallel.For(n, func(lo, hi int) { softplusKernel(d[lo:hi], d[n+lo:n+hi], rho[lo:hi]) })
	} else {
		d, rho := ss.Float32s(), f32[0]
		// Ranges start on a multiple of the vector width, so that the same
		// elements take the vector or the scalar path however many cores.
		parallel.ForBlocks(n, 8, func(lo, hi int) { softplusF32(d[lo:hi], d[n+lo:n+hi], rho[lo:hi]) })
	}
	return ss, nil
}

func (op softplusOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.softplusSigmoid(%v,%d)", op.dt, op.dims)
}
func (op softplusOp) Hashcode() uint32          { return hashOf(op) }
func (op softplusOp) String() string            { return "bayesnodes.softplusSigmoid" }
func (op softplusOp) DiffWRT(inputs int) []bool { return []bool{false} }
func (op softplusOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: the ops reading it differentiate rho", op)
}

// sigmaOp is sigma = softplus(rho), from (rho, ss): a copy of ss's first
// half, so that a graph needing sigma as a node of its own (the local
// reparameterisation, a prior written in graph nodes) still evaluates
// softplus once per weight. It copies rather than returning a view of ss
// because Gorgonia may overwrite an op's result in place downstream, and ss
// is read again by the backward pass.
type sigmaOp struct {
	opCommon
	out *scratch
}

// fusedSigma adds sigma = softplus(rho) to rho's graph.
func fusedSigma(rho *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(sigmaOp{opCommon{rho.Dtype(), rho.Dims()}, new(scratch)}, rho, ss)
}

func (op sigmaOp) Arity() int { return 2 }
func (op sigmaOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, op.tensorType(1), t)
}
func (op sigmaOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 0, 1)
}

func (op sigmaOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 0, 1)
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	if f64 != nil {
		copy(d.Float64s(), f64[1])
	} else {
		copy(d.Float32s(), f32[1])
	}
	return d, nil
}

func (op sigmaOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "bayesnodes.sigma(%v,%d)", op.dt, op.dims) }
func (op sigmaOp) Hashcode() uint32      { return hashOf(op) }
func (op sigmaOp) String() string        { return "bayesnodes.sigma" }

// DiffWRT: rho; ss is a helper.
func (op sigmaOp) DiffWRT(inputs int) []bool { return []bool{true, false} }

// SymDiff returns g * sigmoid(rho) for rho, one fused op.
func (op sigmaOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	dRho, err := G.ApplyOp(sigmaGradOp{op.opCommon, new(scratch)}, inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dRho, nil}, nil
}

// sigmaGradOp is sigmaOp's gradient for rho: (ss, g) -> g * sigmoid(rho).
type sigmaGradOp struct {
	opCommon
	out *scratch
}

func (op sigmaGradOp) Arity() int { return 2 }
func (op sigmaGradOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(op.tensorType(1), t, t)
}
func (op sigmaGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 1, 0)
}

func (op sigmaGradOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 1, 0)
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	n := shape.TotalSize()
	if f64 != nil {
		mulKernel(d.Float64s(), f64[0][n:], f64[1])
	} else {
		mulKernel(d.Float32s(), f32[0][n:], f32[1])
	}
	return d, nil
}

func (op sigmaGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.sigmaGrad(%v,%d)", op.dt, op.dims)
}
func (op sigmaGradOp) Hashcode() uint32 { return hashOf(op) }
func (op sigmaGradOp) String() string   { return "bayesnodes.sigmaGrad" }

// sampleOp is w = mu + softplus(rho) * eps.
type sampleOp struct {
	opCommon
	out *scratch
}

// fusedSample adds w = mu + softplus(rho) * eps to mu's graph.
func fusedSample(mu, rho, eps *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(sampleOp{opCommon{mu.Dtype(), mu.Dims()}, new(scratch)}, mu, rho, eps, ss)
}

func (op sampleOp) Arity() int { return 4 }
func (op sampleOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, t, t, op.tensorType(1), t)
}
func (op sampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 0, 0, 0, 1)
}

func (op sampleOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 0, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	w := op.out.get(op.dt, shape)
	if f64 != nil {
		sampleKernel(w.Float64s(), f64[0], f64[3], f64[2])
	} else {
		sampleKernel(w.Float32s(), f32[0], f32[3], f32[2])
	}
	return w, nil
}

func (op sampleOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "bayesnodes.sample(%v,%d)", op.dt, op.dims) }
func (op sampleOp) Hashcode() uint32      { return hashOf(op) }
func (op sampleOp) String() string        { return "bayesnodes.sample" }

// DiffWRT: mu and rho; eps is noise and ss a helper.
func (op sampleOp) DiffWRT(inputs int) []bool { return []bool{true, true, false, false} }

// SymDiff returns g for mu and g * eps * sigmoid(rho) for rho, one fused
// op. Gorgonia never reads the gradient of an input DiffWRT rules out, so
// eps and ss get nil.
func (op sampleOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 4 {
		return nil, fmt.Errorf("%v: %d inputs, want 4", op, len(inputs))
	}
	dRho, err := G.ApplyOp(sampleRhoGradOp{op.opCommon, new(scratch)}, inputs[3], inputs[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, dRho, nil, nil}, nil
}

// sampleRhoGradOp is sampleOp's gradient for rho: (ss, eps, g) -> g * eps *
// sigmoid(rho).
type sampleRhoGradOp struct {
	opCommon
	out *scratch
}

func (op sampleRhoGradOp) Arity() int { return 3 }
func (op sampleRhoGradOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(op.tensorType(1), t, t, t)
}
func (op sampleRhoGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 1, 0, 0)
}

func (op sampleRhoGradOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, shape, err := op.values(op, in, 1, 0, 0)
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	n := shape.TotalSize()
	if f64 != nil {
		sampleRhoGradKernel(d.Float64s(), f64[0][n:], f64[1], f64[2])
	} else {
		sampleRhoGradKernel(d.Float32s(), f32[0][n:], f32[1], f32[2])
	}
	return d, nil
}

func (op sampleRhoGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.sampleRhoGrad(%v,%d)", op.dt, op.dims)
}
func (op sampleRhoGradOp) Hashcode() uint32 { return hashOf(op) }
func (op sampleRhoGradOp) String() string   { return "bayesnodes.sampleRhoGrad" }

// gaussianKLOp is sum_i KL(N(mu_i, sigma_i^2) || N(mean, std^2)), a scalar,
// from (mu, rho, ss). The prior's parameters and the dtype are part of its
// hash: two priors of one posterior must not be merged into one node.
type gaussianKLOp struct {
	opCommon
	mean, std float64
}

// fusedGaussianKL adds the closed-form KL of N(mu, softplus(rho)^2) from
// N(mean, std^2), summed over the elements, to mu's graph.
func fusedGaussianKL(mu, rho *G.Node, mean, std float64) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(gaussianKLOp{opCommon{mu.Dtype(), mu.Dims()}, mean, std}, mu, rho, ss)
}

func (op gaussianKLOp) Arity() int { return 3 }
func (op gaussianKLOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, t, op.tensorType(1), hm.TypeVariable('a'))
}
func (op gaussianKLOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := shapes(op, in, 0, 0, 1); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (op gaussianKLOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, _, err := op.values(op, in, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	if f64 != nil {
		return scalarValue(op.dt, gaussianKLKernel(f64[0], f64[2], f64[1], op.mean, op.std)), nil
	}
	return scalarValue(op.dt, gaussianKLKernel(f32[0], f32[2], f32[1], op.mean, op.std)), nil
}

func (op gaussianKLOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.gaussianKL(%s,%s,%v,%d)", fmtFloat(op.mean), fmtFloat(op.std), op.dt, op.dims)
}
func (op gaussianKLOp) Hashcode() uint32 { return hashOf(op) }
func (op gaussianKLOp) String() string {
	return fmt.Sprintf("bayesnodes.gaussianKL(N(%v, %v^2))", op.mean, op.std)
}

// DiffWRT: mu and rho; ss is a helper.
func (op gaussianKLOp) DiffWRT(inputs int) []bool { return []bool{true, true, false} }

// SymDiff returns g (mu - M) / S^2 for mu and g (sigma/S^2 - 1/sigma)
// sigmoid(rho) for rho, each one fused op.
func (op gaussianKLOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(inputs))
	}
	c := 1 / (op.std * op.std)
	dMu, err := G.ApplyOp(muGradOp{op.opCommon, c, op.mean, new(scratch)}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	dRho, err := G.ApplyOp(rhoGradOp{op.opCommon, c, -1, new(scratch)}, inputs[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dMu, dRho, nil}, nil
}

// logQOp is sum_i log N(w_i | mu_i, sigma_i^2) at the sample w = mu + sigma
// eps, from (rho, eps, ss): since (w - mu) / sigma = eps, it is -sum log
// sigma - sum eps^2 / 2 - n log(2 pi) / 2, with no need of w or mu.
type logQOp struct {
	opCommon
}

// fusedLogQ adds sum log q(w) at w = mu + softplus(rho) eps to rho's graph.
func fusedLogQ(rho, eps *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(logQOp{opCommon{rho.Dtype(), rho.Dims()}}, rho, eps, ss)
}

func (op logQOp) Arity() int { return 3 }
func (op logQOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, t, op.tensorType(1), hm.TypeVariable('a'))
}
func (op logQOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := shapes(op, in, 0, 0, 1); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

func (op logQOp) Do(in ...G.Value) (G.Value, error) {
	f64, f32, _, err := op.values(op, in, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	if f64 != nil {
		return scalarValue(op.dt, logQKernel(f64[1], f64[2], f64[0])), nil
	}
	return scalarValue(op.dt, logQKernel(f32[1], f32[2], f32[0])), nil
}

func (op logQOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "bayesnodes.logQ(%v,%d)", op.dt, op.dims) }
func (op logQOp) Hashcode() uint32      { return hashOf(op) }
func (op logQOp) String() string        { return "bayesnodes.logQ" }

// DiffWRT: rho only; eps is noise and ss a helper.
func (op logQOp) DiffWRT(inputs int) []bool { return []bool{true, false, false} }

// SymDiff returns -g sigmoid(rho) / sigma for rho.
func (op logQOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("%v: %d inputs, want 3", op, len(inputs))
	}
	dRho, err := G.ApplyOp(rhoGradOp{op.opCommon, 0, -1, new(scratch)}, inputs[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dRho, nil, nil}, nil
}

// rhoGradOp is (ss, g) -> g (a sigma + b / sigma) sigmoid(rho), g a scalar:
// the rho gradient of a sum over the weights of a sigma^2 / 2 + b log sigma
// (the KL's and log q's). a and b are part of its hash.
type rhoGradOp struct {
	opCommon
	a, b float64
	out  *scratch
}

func (op rhoGradOp) Arity() int { return 2 }
func (op rhoGradOp) Type() hm.Type {
	return hm.NewFnType(op.tensorType(1), hm.TypeVariable('a'), op.tensorType(0))
}
func (op rhoGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 1, -1)
}

func (op rhoGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	g, err := scalarOf(op, 1, in[1])
	if err != nil {
		return nil, err
	}
	f64, f32, shape, err := op.values(op, in[:1], 1)
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	n := shape.TotalSize()
	if f64 != nil {
		rhoGradKernel(d.Float64s(), f64[0][:n], f64[0][n:], g, op.a, op.b)
	} else {
		rhoGradKernel(d.Float32s(), f32[0][:n], f32[0][n:], g, op.a, op.b)
	}
	return d, nil
}

func (op rhoGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.rhoGrad(%s,%s,%v,%d)", fmtFloat(op.a), fmtFloat(op.b), op.dt, op.dims)
}
func (op rhoGradOp) Hashcode() uint32 { return hashOf(op) }
func (op rhoGradOp) String() string {
	return fmt.Sprintf("bayesnodes.rhoGrad(%v, %v)", op.a, op.b)
}

// muGradOp is (mu, g) -> g c (mu - m), g a scalar: the mu gradient of sum c
// (mu - m)^2 / 2 (the Gaussian KL's, c = 1/S^2). c and m are part of its
// hash.
type muGradOp struct {
	opCommon
	c, m float64
	out  *scratch
}

func (op muGradOp) Arity() int { return 2 }
func (op muGradOp) Type() hm.Type {
	t := op.tensorType(0)
	return hm.NewFnType(t, hm.TypeVariable('a'), t)
}
func (op muGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return shapes(op, in, 0, -1)
}

func (op muGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(in))
	}
	g, err := scalarOf(op, 1, in[1])
	if err != nil {
		return nil, err
	}
	f64, f32, shape, err := op.values(op, in[:1], 0)
	if err != nil {
		return nil, err
	}
	d := op.out.get(op.dt, shape)
	if f64 != nil {
		muGradKernel(d.Float64s(), f64[0], g, op.c, op.m)
	} else {
		muGradKernel(d.Float32s(), f32[0], g, op.c, op.m)
	}
	return d, nil
}

func (op muGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.muGrad(%s,%s,%v,%d)", fmtFloat(op.c), fmtFloat(op.m), op.dt, op.dims)
}
func (op muGradOp) Hashcode() uint32 { return hashOf(op) }
func (op muGradOp) String() string {
	return fmt.Sprintf("bayesnodes.muGrad(%v, %v)", op.c, op.m)
}
