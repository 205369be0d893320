package bayesnodes

// The weight sample and closed-form KL of a Gaussian posterior under a
// Gaussian prior, fused for training: one pass over the weights forward,
// one backward.
//
// Forward, for mu, rho and the noise eps of n weights:
//
//	fwd = sampleKL(mu, rho, eps)       -> [w; sigma; sigmoid(rho); KL], 3n+1 elements
//	kl  = sampleKL.kl(mu, rho, eps, fwd) -> KL, the scalar the KL accumulator adds
//	w   = sampleKL.w(fwd, kl)           -> w, a view of fwd's first n elements
//
// Backward:
//
//	pair = sampleKLGrad(mu, eps, fwd, gw, gkl) -> [dMu; dRho]
//	dMu, dRho                                  = views of pair's halves
//
// with dMu = gw + gkl (mu - M)/S^2 and dRho = (gw eps + gkl (sigma/S^2 -
// 1/sigma)) sigmoid(rho), gw the gradient reaching w and gkl the one
// reaching the KL.
//
// Why this shape. Gorgonia sums the gradients a node receives from several
// consumers with an Add node each (a pass over the tensor, and another
// tensor), and an op has one output. So mu and rho have one differentiable
// consumer, kl; w reads fwd (not differentiated) and depends on kl, so
// that Gorgonia differentiates w before kl. w's gradient records gw in the
// link the three ops share and hands kl a zero scalar (the sum of scalars
// costs nothing); kl's gradient then has gw and gkl both, and writes dMu
// and dRho in one pass into one tensor, handed to mu and rho as views
// (opkit.Viewer). The KL's value and gradient are whatever the objective
// makes of the KL node: gkl is Gorgonia's own.

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

// sampleKLBlock is the run of weights the forward pass takes at once, a
// multiple of 256 (sumLogSigma renormalises every 256 factors) small
// enough that its six streams stay in the first-level cache; the KL's sums
// are taken per block and added in block order, so they do not depend on
// the number of cores.
const sampleKLBlock = 2048

// sampleWithKL adds p's weight sample and closed-form KL as the fused ops
// above, registers the KL with the graph's accumulator, and returns the
// weights. It returns nil, nil where they do not apply: no KL wanted, a
// Monte-Carlo KL, a prior without a Gaussian closed form, a sparse
// posterior, or a KL already added by another path.
func (p *Posterior) sampleWithKL(b *graph.Builder) (*G.Node, error) {
	prior, ok := normalPrior(p.Prior)
	if !ok || p.Rho == nil || p.LogSigma2 != nil || !b.WantsKL() || p.KL == KLMonteCarlo || b.Built(klKey{p}) {
		return nil, nil
	}
	d, err := p.lazyDraw(b) // mu, rho and eps, no weights yet
	if err != nil {
		return nil, err
	}
	w, kl, err := fusedSampleKL(d.Mu, d.Rho, d.Eps, prior.Mu, prior.Sigma)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
	}
	if _, err := b.Once(klKey{p}, func() (*G.Node, error) { return kl, b.AddKL(kl, p.Mu.Len()) }); err != nil {
		return nil, err
	}
	return w, nil
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

// fusedSampleKL adds the fused forward ops for mu, rho and eps under the
// prior N(mean, std^2) and returns the weights and the KL.
func fusedSampleKL(mu, rho, eps *G.Node, mean, std float64) (w, kl *G.Node, err error) {
	d := mu.Dims()
	link := new(sampleKLLink)
	fwd, err := opkit.Apply(sampleKL[float32]{d, mean, link}, sampleKL[float64]{d, mean, link}, mu, rho, eps)
	if err != nil {
		return nil, nil, err
	}
	kl, err = opkit.Apply(sampleKLValue[float32]{d, mean, std, link}, sampleKLValue[float64]{d, mean, std, link}, mu, rho, eps, fwd)
	if err != nil {
		return nil, nil, err
	}
	shape := mu.Shape()
	w, err = opkit.Apply(sampleKLWeights[float32]{shape, link}, sampleKLWeights[float64]{shape, link}, fwd, kl)
	return w, kl, err
}

// sampleKLLink is what the three forward ops of one posterior share: the
// KL's block sums, and the gradient reaching w, recorded by w's Grad for
// kl's.
type sampleKLLink struct {
	quad, logSigma []float64 // per block: sum sigma^2 + (mu - M)^2, sum log sigma
	gw             *G.Node
}

// sampleKL is (mu, rho, eps) -> [w; sigma; sigmoid(rho); KL] with w = mu +
// sigma eps, sigma = softplus(rho). The KL element is finished by
// sampleKLValue's String-named prior; here it is sum sigma^2 + (mu - M)^2
// and sum log sigma, kept in the link. It is not differentiated: its
// readers are.
type sampleKL[T float] struct {
	dims int
	mean float64
	link *sampleKLLink
}

func (m sampleKL[T]) String() string      { return fmt.Sprintf("bayesnodes.sampleKL(%v)", m.mean) }
func (m sampleKL[T]) Ranks() ([]int, int) { return operands(m.dims, post, post, post), 1 }
func (sampleKL[T]) DiffWRT() []bool       { return []bool{false, false, false} }

func (sampleKL[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := posteriorShape(in, post, post, post)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{3*s.TotalSize() + 1}, nil
}

func (m sampleKL[T]) Eval(a *opkit.Args[T]) error {
	mu, rho, eps := a.In[0], a.In[1], a.In[2]
	n := len(mu)
	w, sigma, sg := a.Out[:n], a.Out[n:2*n], a.Out[2*n:3*n]
	blocks := (n + sampleKLBlock - 1) / sampleKLBlock
	l := m.link
	if len(l.quad) != blocks {
		l.quad, l.logSigma = make([]float64, blocks), make([]float64, blocks)
	}
	parallel.ForBlocks(n, sampleKLBlock, func(lo, hi int) {
		for b := lo; b < hi; b += sampleKLBlock {
			e := min(b+sampleKLBlock, hi)
			l.quad[b/sampleKLBlock], l.logSigma[b/sampleKLBlock] =
				sampleKLKernel(w[b:e], sigma[b:e], sg[b:e], mu[b:e], rho[b:e], eps[b:e], m.mean)
		}
	})
	a.Out[3*n] = 0 // sampleKLValue finishes the KL from the link's sums
	return nil
}

func (m sampleKL[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: its readers differentiate mu and rho", m)
}

// sampleKLKernel sets sigma = softplus(rho), sg = sigmoid(rho) and w = mu +
// sigma eps for one block, and returns the block's sum of sigma^2 + (mu -
// m)^2 and of log sigma. w's bits are those of sampleKernel.
func sampleKLKernel[T float](w, sigma, sg, mu, rho, eps []T, m float64) (quad, logSigma float64) {
	softplus.WithSigmoid(sigma, sg, rho)
	w, sigma, eps = w[:len(mu)], sigma[:len(mu)], eps[:len(mu)]
	for i, x := range mu {
		sd, xd := float64(sigma[i]), float64(x)
		w[i] = T(xd + sd*float64(eps[i]))
		d := xd - m
		quad += sd*sd + d*d
	}
	return quad, sumLogSigma(sigma, rho)
}

// sampleKLValue is the KL, sum_i KL(N(mu_i, sigma_i^2) || N(mean, std^2)),
// from (mu, rho, eps, fwd): the forward op's sums finished. It is what mu
// and rho are differentiated through (see the file's comment); eps and fwd
// are read, not differentiated.
type sampleKLValue[T float] struct {
	dims      int
	mean, std float64
	link      *sampleKLLink
}

func (m sampleKLValue[T]) String() string {
	return fmt.Sprintf("bayesnodes.sampleKL.kl(N(%v, %v^2))", m.mean, m.std)
}
func (m sampleKLValue[T]) Ranks() ([]int, int) {
	return append(operands(m.dims, post, post, post), 1), opkit.Scalar
}
func (sampleKLValue[T]) DiffWRT() []bool { return []bool{true, true, false, false} }

func (sampleKLValue[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	s, err := posteriorShape(in[:3], post, post, post)
	if err != nil {
		return nil, err
	}
	if want := 3*s.TotalSize() + 1; in[3].TotalSize() != want {
		return nil, fmt.Errorf("input 3 has shape %v, want [%d]", in[3], want)
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
// KL's gradient and the weights' (recorded by sampleKLWeights.Grad, which
// Gorgonia runs first; nil if the weights reach no loss).
func (m sampleKLValue[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := sampleKLGrad[T]{m.dims, m.mean, 1 / (m.std * m.std), m.link.gw != nil}
	args := G.Nodes{in[0], in[2], in[3], grad}
	if g.withW {
		args = append(args, m.link.gw)
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
	return G.Nodes{dMu, dRho, nil, nil}, err
}

// sampleKLWeights is w, a view of the forward op's first n elements, from
// (fwd, kl). kl is an input only so that Gorgonia differentiates w first.
type sampleKLWeights[T float] struct {
	shape tensor.Shape
	link  *sampleKLLink
}

func (m sampleKLWeights[T]) String() string      { return fmt.Sprintf("bayesnodes.sampleKL.w%v", m.shape) }
func (m sampleKLWeights[T]) Ranks() ([]int, int) { return []int{1, opkit.Scalar}, len(m.shape) }
func (sampleKLWeights[T]) DiffWRT() []bool       { return []bool{false, true} }
func (sampleKLWeights[T]) Offset([]tensor.Shape) int {
	return 0
}

func (m sampleKLWeights[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if want := 3*m.shape.TotalSize() + 1; in[0].TotalSize() != want {
		return nil, fmt.Errorf("input 0 has shape %v, want [%d]", in[0], want)
	}
	return m.shape.Clone(), nil
}

func (m sampleKLWeights[T]) Eval(*opkit.Args[T]) error {
	return fmt.Errorf("%v is a view: it has no Eval", m)
}

// Grad records the weights' gradient for the KL's Grad and hands the KL a
// zero: w's value does not depend on the KL.
func (m sampleKLWeights[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	m.link.gw = grad
	zero, err := opkit.ApplyOf[T](zeroOf[T]{len(m.shape)}, grad)
	return G.Nodes{nil, zero}, err
}

// zeroOf is (g) -> 0, a scalar: the zero gradient sampleKLWeights hands
// the KL, a node of g's graph.
type zeroOf[T float] struct{ dims int }

func (zeroOf[T]) String() string                             { return "bayesnodes.zeroOf" }
func (m zeroOf[T]) Ranks() ([]int, int)                      { return []int{m.dims}, opkit.Scalar }
func (zeroOf[T]) Shape([]tensor.Shape) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

func (zeroOf[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = 0
	return nil
}

// sampleKLGrad is (mu, eps, fwd, gkl[, gw]) -> [dMu; dRho] (see the
// file's comment), c = 1/S^2; without gw (withW false) the KL's part
// alone.
type sampleKLGrad[T float] struct {
	dims    int
	mean, c float64
	withW   bool
}

func (m sampleKLGrad[T]) String() string {
	return fmt.Sprintf("bayesnodes.sampleKLGrad(%v, %v, %v)", m.mean, m.c, m.withW)
}

func (m sampleKLGrad[T]) Ranks() ([]int, int) {
	in := append(operands(m.dims, post, post), 1, opkit.Scalar)
	if m.withW {
		in = append(in, m.dims)
	}
	return in, m.dims + 1
}

func (m sampleKLGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	posts := []tensor.Shape{in[0], in[1]}
	if m.withW {
		posts = append(posts, in[4])
	}
	s, err := posteriorShape(posts, post, post, post)
	if err != nil {
		return nil, err
	}
	if want := 3*s.TotalSize() + 1; in[2].TotalSize() != want {
		return nil, fmt.Errorf("the forward op's output has shape %v, want [%d]", in[2], want)
	}
	return pairShape(s), nil
}

func (m sampleKLGrad[T]) Eval(a *opkit.Args[T]) error {
	mu, eps, fwd, gkl := a.In[0], a.In[1], a.In[2], float64(a.In[3][0])
	n := len(mu)
	sigma, sg := fwd[n:2*n], fwd[2*n:3*n]
	dMu, dRho := a.Out[:n], a.Out[n:]
	if !m.withW {
		sampleKLGradKernelKL(dMu, dRho, mu, sigma, sg, gkl, m.c, m.mean)
		return nil
	}
	gw := a.In[4]
	parallel.For(n, func(lo, hi int) {
		sampleKLGradKernel(dMu[lo:hi], dRho[lo:hi], mu[lo:hi], eps[lo:hi], sigma[lo:hi], sg[lo:hi], gw[lo:hi], gkl, m.c, m.mean)
	})
	return nil
}

// sampleKLGradKernel sets dMu = gw + gkl c (mu - m) and dRho = (gw eps +
// gkl (c sigma - 1/sigma)) sg, taking sg/sigma as 1 where sigma underflows
// (as rhoGradKernel does).
func sampleKLGradKernel[T float](dMu, dRho, mu, eps, sigma, sg, gw []T, gkl, c, m float64) {
	n := len(dMu)
	dRho, mu, eps, sigma, sg, gw = dRho[:n], mu[:n], eps[:n], sigma[:n], sg[:n], gw[:n]
	gc := gkl * c
	for i := range dMu {
		g, sd, sgd := float64(gw[i]), float64(sigma[i]), float64(sg[i])
		ratio := 1.0
		if sd > 0 {
			ratio = sgd / sd
		}
		dMu[i] = T(g + gc*(float64(mu[i])-m))
		dRho[i] = T(g*float64(eps[i])*sgd + gc*sd*sgd - gkl*ratio)
	}
}

// sampleKLGradKernelKL is sampleKLGradKernel with gw = 0.
func sampleKLGradKernelKL[T float](dMu, dRho, mu, sigma, sg []T, gkl, c, m float64) {
	dRho, mu, sigma, sg = dRho[:len(dMu)], mu[:len(dMu)], sigma[:len(dMu)], sg[:len(dMu)]
	gc := gkl * c
	for i := range dMu {
		sd, sgd := float64(sigma[i]), float64(sg[i])
		ratio := 1.0
		if sd > 0 {
			ratio = sgd / sd
		}
		dMu[i] = T(gc * (float64(mu[i]) - m))
		dRho[i] = T(gc*sd*sgd - gkl*ratio)
	}
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
