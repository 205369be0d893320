package bayesnodes

// A Gaussian posterior's weights and its closed-form KL under a Gaussian
// prior, fused for training: one pass over the weights forward, one
// backward. What the layer reads from the weights depends on its
// estimator (fusedOut): the sample w = mu + sigma eps (weight sampling),
// the perturbation sigma eps and mu (Flipout), or sigma^2 and mu (local
// reparameterisation).
//
// Forward, for mu, rho and, but for sigma^2, the noise eps of n weights:
//
//	fwd = sampleKL(mu, rho[, eps])    -> [out; sigma; sigmoid(rho)], 3n elements
//	kl  = sampleKL.kl(mu, rho, fwd)   -> KL, the scalar the KL accumulator adds
//	out = sampleKL.out(fwd, kl)       -> a view of fwd's first n elements
//	mu' = sampleKL.mu(mu, kl)         -> a view of mu (Flipout, local)
//
// Backward:
//
//	pair = sampleKLGrad(mu, fwd, gkl[, eps][, gout][, gmu]) -> [dMu; dRho]
//	dMu, dRho = views of pair's halves
//
// with dMu = gmu + gkl (mu - M)/S^2 and dRho = (gout dout/dsigma + gkl
// (sigma/S^2 - 1/sigma)) sigmoid(rho), where gout and gmu are the
// gradients reaching out and mu' (for a sample, gmu is gout) and gkl the
// one reaching the KL.
//
// Why this shape. Gorgonia sums the gradients a node receives from several
// consumers with an Add node each (a pass over the tensor, and another
// tensor), and an op has one output. So mu and rho have one differentiable
// consumer, kl; out and mu' read fwd and mu (not differentiated) and
// depend on kl, so that Gorgonia differentiates them before kl. Their
// gradients record gout and gmu in the link the ops share and hand kl a
// zero scalar (a sum of scalars costs nothing); kl's gradient then has
// them all, and writes dMu and dRho in one pass into one tensor, handed to
// mu and rho as views (opkit.Viewer). (mu' is a view of mu, copied only
// for a map that may write into it: a read and a write of mu, cheaper
// than the gradient sum it saves.) The KL's value and gradient are
// whatever the objective makes of the KL node: gkl is Gorgonia's own.

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/samplekl"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

// sampleKLBlock is the run of weights the forward pass takes at once, a
// multiple of 8 (the kernels' lanes: see internal/samplekl) small
// enough that its streams stay in the first-level cache; the KL's sums are
// taken per block and added in block order, so they do not depend on the
// number of cores.
const sampleKLBlock = 2048

// fusedOut is what the fused forward op hands the layer.
type fusedOut int

const (
	outSample       fusedOut = iota // w = mu + sigma eps
	outPerturbation                 // sigma eps, beside mu (Flipout)
	outVariance                     // sigma^2, beside mu (local reparameterisation)
)

func (o fusedOut) String() string {
	return [...]string{"sample", "perturbation", "variance"}[o]
}

// fusedDraw is what fusedSampleKL adds: the layer's view of the weights
// (out), mu as a node of its own where the layer reads it (nil for a
// sample), and the KL.
type fusedDraw struct {
	out, mu, kl *G.Node
}

// fusedKL adds p's weights as kind asks and their closed-form KL as the
// fused ops above, and registers the KL with the graph's accumulator. It
// returns ok false, and nothing added, where they do not apply: no KL
// wanted, a Monte-Carlo KL, a prior without a Gaussian closed form, a
// sparse posterior, or a KL already added by another path.
func (p *GaussianPosterior) fusedKL(b *graph.Builder, kind fusedOut) (f fusedDraw, ok bool, err error) {
	prior, ok := normalPrior(p.Prior)
	if !ok || !b.WantsKL() || p.KL == KLMonteCarlo || b.Built(klKey{p}) {
		return fusedDraw{}, false, nil
	}
	var mu, rho, eps *G.Node
	if kind == outVariance {
		q, err := p.Gaussian(b)
		if err != nil {
			return fusedDraw{}, false, err
		}
		mu, rho = q.Mu, q.Rho
	} else {
		d, err := p.Draw(b) // mu, rho and eps, no weights yet
		if err != nil {
			return fusedDraw{}, false, err
		}
		mu, rho, eps = d.Mean, d.Spread, d.Eps
	}
	if f, err = fusedSampleKL(mu, rho, eps, prior.Mu, prior.Sigma, kind); err != nil {
		return fusedDraw{}, false, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	if _, err := b.Once(klKey{p}, func() (*G.Node, error) { return f.kl, b.AddKL(f.kl, p.Mu.Len()) }); err != nil {
		return fusedDraw{}, false, err
	}
	return f, true, nil
}

// normalPrior returns the Gaussian a prior is, if it is one.
func normalPrior(p Prior) (Normal, bool) {
	switch p := p.(type) {
	case Normal:
		return p, true
	case *Normal:
		return *p, p != nil
	case ScaleMixture:
		return p.single()
	case *ScaleMixture:
		if p != nil {
			return p.single()
		}
	}
	return Normal{}, false
}

// fusedSampleKL adds the fused forward ops for mu, rho and eps (nil for
// outVariance) under the prior N(mean, std^2).
func fusedSampleKL(mu, rho, eps *G.Node, mean, std float64, kind fusedOut) (f fusedDraw, err error) {
	d := mu.Dims()
	link := &sampleKLLink{kind: kind, eps: eps}
	in := G.Nodes{mu, rho}
	if kind != outVariance {
		in = append(in, eps)
	}
	fwd, err := opkit.Apply(sampleKL[float32]{d, mean, link}, sampleKL[float64]{d, mean, link}, in...)
	if err != nil {
		return f, err
	}
	if f.kl, err = opkit.Apply(sampleKLValue[float32]{d, mean, std, link}, sampleKLValue[float64]{d, mean, std, link}, mu, rho, fwd); err != nil {
		return f, err
	}
	shape := mu.Shape()
	if f.out, err = opkit.Apply(sampleKLPart[float32]{shape, link}, sampleKLPart[float64]{shape, link}, fwd, f.kl); err != nil {
		return f, err
	}
	if kind != outSample {
		f.mu, err = opkit.Apply(sampleKLMean[float32]{d, link}, sampleKLMean[float64]{d, link}, mu, f.kl)
	}
	return f, err
}

// sampleKLLink is what the ops of one posterior share: what the forward op
// makes, the KL's block sums, the noise, and the gradients reaching out
// and mu', recorded by their Grads for kl's.
type sampleKLLink struct {
	kind           fusedOut
	quad, logSigma []float64 // per block: sum sigma^2 + (mu - M)^2, sum log sigma
	eps            *G.Node
	gout, gmu      *G.Node
}

// sampleKL is (mu, rho[, eps]) -> [out; sigma; sigmoid(rho)] with sigma =
// softplus(rho) and out as link.kind says. The KL's sums it leaves in the
// link, for sampleKLValue. It is not differentiated: its readers are.
type sampleKL[T float] struct {
	dims int
	mean float64
	link *sampleKLLink
}

func (m sampleKL[T]) String() string {
	return fmt.Sprintf("bayesnodes.sampleKL(%v, %v)", m.link.kind, m.mean)
}

func (m sampleKL[T]) Ranks() ([]int, int) {
	if m.link.kind == outVariance {
		return operands(m.dims, post, post), 1
	}
	return operands(m.dims, post, post, post), 1
}

func (m sampleKL[T]) DiffWRT() []bool { return make([]bool, len(m.lead())) }

func (m sampleKL[T]) lead() []int {
	in, _ := m.Ranks()
	lead := make([]int, len(in))
	for i := range lead {
		lead[i] = post
	}
	return lead
}

func (m sampleKL[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := posteriorShape(in, m.lead()...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{3 * s.TotalSize()}, nil
}

func (m sampleKL[T]) Eval(a *opkit.Args[T]) error {
	mu, rho := a.In[0], a.In[1]
	var eps []T
	if m.link.kind != outVariance {
		eps = a.In[2]
	}
	n := len(mu)
	out, sigma, sg := a.Out[:n], a.Out[n:2*n], a.Out[2*n:]
	blocks := (n + sampleKLBlock - 1) / sampleKLBlock
	l := m.link
	if len(l.quad) != blocks {
		l.quad, l.logSigma = make([]float64, blocks), make([]float64, blocks)
	}
	parallel.ForBlocks(n, sampleKLBlock, func(lo, hi int) {
		for b := lo; b < hi; b += sampleKLBlock {
			e := min(b+sampleKLBlock, hi)
			softplus.WithSigmoid(sigma[b:e], sg[b:e], rho[b:e])
			l.quad[b/sampleKLBlock], l.logSigma[b/sampleKLBlock] =
				sampleKLKernel(out[b:e], sigma[b:e], mu[b:e], rho[b:e], sub(eps, b, e), m.mean, l.kind)
		}
	})
	return nil
}

func (m sampleKL[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: its readers differentiate mu and rho", m)
}

// sub returns s[lo:hi], or nil for a nil s.
func sub[T any](s []T, lo, hi int) []T {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// sampleKLKernel sets out as kind says from sigma, mu and eps (w = mu +
// sigma eps, sigma eps or sigma^2) for one block, and returns the block's
// sum of sigma^2 + (mu - m)^2 and of log sigma (internal/samplekl's
// kernels, vector kernels for float32 on amd64). A sample's bits are
// those of sampleKernel.
func sampleKLKernel[T float](out, sigma, mu, rho, eps []T, m float64, kind fusedOut) (quad, logSigma float64) {
	b := eps
	if kind == outVariance {
		b = sigma // sigma sigma
	}
	return samplekl.Forward(out, sigma, mu, b, m, kind == outSample), samplekl.SumLogSigma(sigma, rho)
}

// sampleKLValue is the KL, sum_i KL(N(mu_i, sigma_i^2) || N(mean, std^2)),
// from (mu, rho, fwd): the forward op's sums finished. It is what mu and
// rho are differentiated through (see the file's comment); fwd is read,
// not differentiated.
type sampleKLValue[T float] struct {
	dims      int
	mean, std float64
	link      *sampleKLLink
}

func (m sampleKLValue[T]) String() string {
	return fmt.Sprintf("bayesnodes.sampleKL.kl(N(%v, %v^2))", m.mean, m.std)
}
func (m sampleKLValue[T]) Ranks() ([]int, int) {
	return append(operands(m.dims, post, post), 1), opkit.Scalar
}
func (sampleKLValue[T]) DiffWRT() []bool { return []bool{true, true, false} }

func (sampleKLValue[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := posteriorShape(in[:2], post, post)
	if err != nil {
		return nil, err
	}
	if want := 3 * s.TotalSize(); in[2].TotalSize() != want {
		return nil, fmt.Errorf("input 2 has shape %v, want [%d]", in[2], want)
	}
	return tensor.ScalarShape(), nil
}

func (m sampleKLValue[T]) Eval(a *opkit.Args[T]) error {
	var quad, logSigma float64
	for i := range m.link.quad {
		quad += m.link.quad[i]
		logSigma += m.link.logSigma[i]
	}
	n := float64(len(a.In[0]))
	a.Out[0] = T(quad/(2*m.std*m.std) - logSigma + n*(math.Log(m.std)-0.5))
	return nil
}

// Grad returns views of the one fused gradient of mu and rho, from the
// KL's gradient and those recorded by the layer's views (sampleKLPart.Grad,
// which Gorgonia runs first; nil for a view that reaches no loss).
func (m sampleKLValue[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	l := m.link
	g := sampleKLGrad[T]{dims: m.dims, mean: m.mean, c: 1 / (m.std * m.std), kind: l.kind, out: l.gout != nil, mu: l.gmu != nil}
	args := G.Nodes{in[0], in[2], grad}
	if l.kind != outVariance {
		args = append(args, l.eps)
	}
	if g.out {
		args = append(args, l.gout)
	}
	if g.mu {
		args = append(args, l.gmu)
	}
	pair, err := opkit.ApplyOf[T](g, args...)
	if err != nil {
		return nil, err
	}
	dMu, err := opkit.ApplyOf[T](pairHalf[T]{m.dims, 0}, pair)
	if err != nil {
		return nil, err
	}
	dRho, err := opkit.ApplyOf[T](pairHalf[T]{m.dims, 1}, pair)
	return G.Nodes{dMu, dRho, nil}, err
}

// sampleKLPart is out, a view of the forward op's first n elements, from
// (fwd, kl). kl is an input only so that Gorgonia differentiates out
// before the KL. The backward pass reads fwd's other parts only, so an op
// that writes into its input in place may take out.
type sampleKLPart[T float] struct {
	shape tensor.Shape
	link  *sampleKLLink
}

func (m sampleKLPart[T]) String() string          { return fmt.Sprintf("bayesnodes.sampleKL.out%v", m.shape) }
func (m sampleKLPart[T]) Ranks() ([]int, int)     { return []int{1, opkit.Scalar}, len(m.shape) }
func (sampleKLPart[T]) DiffWRT() []bool           { return []bool{false, true} }
func (sampleKLPart[T]) Offset([]tensor.Shape) int { return 0 }

func (m sampleKLPart[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if want := 3 * m.shape.TotalSize(); in[0].TotalSize() != want {
		return nil, fmt.Errorf("input 0 has shape %v, want [%d]", in[0], want)
	}
	return m.shape.Clone(), nil
}

func (m sampleKLPart[T]) Eval(*opkit.Args[T]) error {
	return fmt.Errorf("%v is a view: it has no Eval", m)
}

// Grad records out's gradient for the KL's Grad (see recordGrad).
func (m sampleKLPart[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	return recordGrad[T](&m.link.gout, len(m.shape), grad)
}

// sampleKLMean is mu', a view of mu, from (mu, kl), for the layers that
// read mu beside out; kl is an input as for sampleKLPart. Its memory is
// the parameter's: a reader must not write into it, so the layers copy it
// (privateMean) before a map that may (a user's LinearMap, which may pass
// it through a Gorgonia op that works in place), and hand it as it is to
// their own products.
type sampleKLMean[T float] struct {
	dims int
	link *sampleKLLink
}

func (m sampleKLMean[T]) String() string          { return "bayesnodes.sampleKL.mu" }
func (m sampleKLMean[T]) Ranks() ([]int, int)     { return []int{m.dims, opkit.Scalar}, m.dims }
func (sampleKLMean[T]) DiffWRT() []bool           { return []bool{false, true} }
func (sampleKLMean[T]) Offset([]tensor.Shape) int { return 0 }

func (sampleKLMean[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }

func (m sampleKLMean[T]) Eval(*opkit.Args[T]) error {
	return fmt.Errorf("%v is a view: it has no Eval", m)
}

// Grad records mu”s gradient for the KL's Grad (see recordGrad).
func (m sampleKLMean[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	return recordGrad[T](&m.link.gmu, m.dims, grad)
}

// privateMean returns a copy of mu' (see sampleKLMean) for a map that
// may write into its input; its gradient is the copy's.
func privateMean(mu *G.Node) (*G.Node, error) {
	return opkit.Apply(meanCopy[float32]{mu.Dims()}, meanCopy[float64]{mu.Dims()}, mu)
}

// meanCopy is (mu') -> a copy.
type meanCopy[T float] struct{ dims int }

func (meanCopy[T]) String() string                                { return "bayesnodes.meanCopy" }
func (m meanCopy[T]) Ranks() ([]int, int)                         { return []int{m.dims}, m.dims }
func (meanCopy[T]) DiffWRT() []bool                               { return []bool{true} }
func (meanCopy[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }

func (meanCopy[T]) Eval(a *opkit.Args[T]) error {
	copy(a.Out, a.In[0])
	return nil
}

func (meanCopy[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) { return G.Nodes{grad}, nil }

// recordGrad keeps a view's incoming gradient in slot, for the KL's Grad,
// and hands the KL a zero: the view's value does not depend on the KL.
func recordGrad[T float](slot **G.Node, dims int, grad *G.Node) (G.Nodes, error) {
	*slot = grad
	zero, err := opkit.ApplyOf[T](zeroOf[T]{dims}, grad)
	return G.Nodes{nil, zero}, err
}

// zeroOf is (g) -> 0, a scalar: the zero gradient a view hands the KL, a
// node of g's graph.
type zeroOf[T float] struct{ dims int }

func (zeroOf[T]) String() string                             { return "bayesnodes.zeroOf" }
func (m zeroOf[T]) Ranks() ([]int, int)                      { return []int{m.dims}, opkit.Scalar }
func (zeroOf[T]) Shape([]tensor.Shape) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

func (zeroOf[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = 0
	return nil
}

// sampleKLGrad is (mu, fwd, gkl[, eps][, gout][, gmu]) -> [dMu; dRho]
// (see the file's comment), c = 1/S^2; eps where out is a sample or a
// perturbation, gout and gmu where they reach a loss.
type sampleKLGrad[T float] struct {
	dims    int
	mean, c float64
	kind    fusedOut
	out, mu bool // gout, gmu given
}

func (m sampleKLGrad[T]) String() string {
	return fmt.Sprintf("bayesnodes.sampleKLGrad(%v, %v, %v, %v, %v)", m.kind, m.mean, m.c, m.out, m.mu)
}

func (m sampleKLGrad[T]) Ranks() ([]int, int) {
	in := []int{m.dims, 1, opkit.Scalar}
	for _, given := range []bool{m.kind != outVariance, m.out, m.mu} {
		if given {
			in = append(in, m.dims)
		}
	}
	return in, m.dims + 1
}

func (m sampleKLGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	posts := append([]tensor.Shape{in[0]}, in[3:]...)
	lead := make([]int, len(posts))
	s, err := posteriorShape(posts, lead...)
	if err != nil {
		return nil, err
	}
	if want := 3 * s.TotalSize(); in[1].TotalSize() != want {
		return nil, fmt.Errorf("the forward op's output has shape %v, want [%d]", in[1], want)
	}
	return pairShape(s), nil
}

func (m sampleKLGrad[T]) Eval(a *opkit.Args[T]) error {
	mu, fwd, gkl := a.In[0], a.In[1], float64(a.In[2][0])
	rest := a.In[3:]
	var eps, gout, gmu []T
	if m.kind != outVariance {
		eps, rest = rest[0], rest[1:]
	}
	if m.out {
		gout, rest = rest[0], rest[1:]
	}
	if m.mu {
		gmu = rest[0]
	}
	if m.kind == outSample {
		gmu = gout // w's gradient is mu's
	}
	n := len(mu)
	sigma, sg := fwd[n:2*n], fwd[2*n:]
	dMu, dRho := a.Out[:n], a.Out[n:]
	parallel.For(n, func(lo, hi int) {
		sampleKLGradKernel(dMu[lo:hi], dRho[lo:hi], mu[lo:hi], sigma[lo:hi], sg[lo:hi],
			sub(eps, lo, hi), sub(gout, lo, hi), sub(gmu, lo, hi), gkl, m.c, m.mean)
	})
	return nil
}

// sampleKLGradKernel sets dMu = gmu + gkl c (mu - m) and dRho = (gout
// dout/dsigma + gkl (c sigma - 1/sigma)) sg, with dout/dsigma eps (eps
// given) or 2 sigma (a variance), taking sg/sigma as 1 where sigma
// underflows (as rhoGradKernel does). A nil gout or gmu is zero. It is
// internal/samplekl's kernel, a vector kernel for float32 on amd64.
func sampleKLGradKernel[T float](dMu, dRho, mu, sigma, sg, eps, gout, gmu []T, gkl, c, m float64) {
	b, scale := eps, 1.0
	if eps == nil {
		b, scale = sigma, 2
	}
	samplekl.Grad(dMu, dRho, mu, sigma, sg, b, gout, gmu, scale, gkl, c, m)
}

// pairHalf is one half of a [2, shape...] tensor, a view: the fused
// gradient's dMu or dRho.
type pairHalf[T float] struct{ dims, half int }

func (m pairHalf[T]) String() string      { return fmt.Sprintf("bayesnodes.pairHalf(%d)", m.half) }
func (m pairHalf[T]) Ranks() ([]int, int) { return operands(m.dims, pair), m.dims }

func (pairHalf[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, pair)
}

func (m pairHalf[T]) Offset(in []tensor.Shape) int { return m.half * in[0][1:].TotalSize() }

func (m pairHalf[T]) Eval(*opkit.Args[T]) error {
	return fmt.Errorf("%v is a view: it has no Eval", m)
}
