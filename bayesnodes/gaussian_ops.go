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
//	softplusSS (rho)                -> ss = [softplus(rho); sigmoid(rho)], shape [2, ...]
//	sigma      (rho, ss)            -> sigma, a node of its own (Gaussian.Sigma)
//	sample     (mu, rho, eps, ss)   -> w = mu + sigma * eps
//	gaussianKL (mu, rho, ss)        -> sum KL(N(mu, sigma^2) || N(M, S^2))
//	logQ       (rho, eps, ss)       -> sum log N(w | mu, sigma^2) at w = mu + sigma * eps
//
// and for the backward pass
//
//	sigmaGrad     (ss, g)      -> g * sigmoid(rho)
//	sampleRhoGrad (ss, eps, g) -> g * eps * sigmoid(rho)          (d/dmu of w is g itself)
//	rhoGrad       (ss, g)      -> g * (a sigma + b / sigma) * sigmoid(rho)
//	muGrad        (mu, g)      -> g * (mu - M) / S^2
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
// measured no faster than the standard library's float64 ones. Softplus
// is internal/softplus's vector kernel. Sums accumulate in float64.
//
// They are written on internal/opkit, which holds their memory across
// runs.

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/samplekl"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

type float = opkit.Float

// sumLogSigma returns sum_i log(sigma_i), sigma = softplus(rho), finite
// where sigma underflows (see samplekl.SumLogSigma).
func sumLogSigma[T float](sigma, rho []T) float64 { return samplekl.SumLogSigma(sigma, rho) }

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

// The ops' operands, by their shape: a tensor of the posterior's shape
// (post), the helper ss or h of twice its size, [2, shape...] (pair), or a
// scalar.
const (
	post = 0
	pair = 1
)

// operands returns the ranks of operands laid out as lead says (post,
// pair or opkit.Scalar each) for a posterior of dims axes.
func operands(dims int, lead ...int) []int {
	r := make([]int, len(lead))
	for i, l := range lead {
		r[i] = l
		if l != opkit.Scalar {
			r[i] = dims + l
		}
	}
	return r
}

// posteriorShape checks that every input has the posterior's shape, or
// [2, shape...] where lead[i] is pair (a scalar's rank the kit checks),
// and returns the posterior's shape.
func posteriorShape(in []tensor.Shape, lead ...int) (tensor.Shape, error) {
	var base tensor.Shape
	for i, s := range in {
		switch lead[i] {
		case opkit.Scalar:
			continue
		case pair:
			if len(s) == 0 || s[0] != 2 {
				return nil, fmt.Errorf("input %d has shape %v, want [2, ...]", i, s)
			}
			s = s[1:]
		}
		if base == nil {
			base = s
		} else if !s.Eq(base) {
			return nil, fmt.Errorf("input %d has shape %v, want %v", i, in[i], base)
		}
	}
	return base.Clone(), nil
}

// sumShape checks the input shapes as posteriorShape does and returns a
// scalar's, the shape of a sum over the weights.
func sumShape(in []tensor.Shape, lead ...int) (tensor.Shape, error) {
	if _, err := posteriorShape(in, lead...); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

// pairShape is the shape of a helper [2, shape...] for the posterior's.
func pairShape(s tensor.Shape) tensor.Shape { return append(tensor.Shape{2}, s...) }

// softplusSS is the helper ss = [softplus(rho); sigmoid(rho)], shape [2,
// rho's shape...]. It is not differentiated: the ops reading it take rho's
// gradient through rho itself. Softplus being the costliest elementwise
// work of a step, it runs on every core, and not at all when rho is the
// one it last ran on (every pass of a prediction).
type softplusSS[T float] struct{ dims int }

// softplusSigmoid returns the helper node of rho; calls on one rho give one
// node.
func softplusSigmoid(rho *G.Node) (*G.Node, error) {
	return opkit.Apply(softplusSS[float32]{rho.Dims()}, softplusSS[float64]{rho.Dims()}, rho)
}

func (softplusSS[T]) String() string        { return "bayesnodes.softplusSigmoid" }
func (m softplusSS[T]) Ranks() ([]int, int) { return operands(m.dims, post), m.dims + 1 }
func (softplusSS[T]) Memoised()             {}
func (softplusSS[T]) DiffWRT() []bool       { return []bool{false} }

func (softplusSS[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return pairShape(in[0]), nil
}

func (softplusSS[T]) Eval(a *opkit.Args[T]) error {
	n := len(a.In[0])
	d, rho := a.Out, a.In[0]
	// Ranges start on a multiple of the vector width, so that the same
	// elements take the vector or the scalar path however many cores.
	parallel.ForBlocks(n, 8, func(lo, hi int) { softplus.WithSigmoid(d[lo:hi], d[n+lo:n+hi], rho[lo:hi]) })
	return nil
}

func (m softplusSS[T]) Grad(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: the ops reading it differentiate rho", m)
}

// sigma is sigma = softplus(rho), from (rho, ss): a copy of ss's first
// half, so that a graph needing sigma as a node of its own (the local
// reparameterisation, a prior written in graph nodes) still evaluates
// softplus once per weight. It copies rather than returning a view of ss
// because Gorgonia may overwrite an op's result in place downstream, and ss
// is read again by the backward pass.
type sigma[T float] struct{ dims int }

// fusedSigma adds sigma = softplus(rho) to rho's graph.
func fusedSigma(rho *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return opkit.Apply(sigma[float32]{rho.Dims()}, sigma[float64]{rho.Dims()}, rho, ss)
}

func (sigma[T]) String() string        { return "bayesnodes.sigma" }
func (m sigma[T]) Ranks() ([]int, int) { return operands(m.dims, post, pair), m.dims }

// DiffWRT: rho; ss is a helper.
func (sigma[T]) DiffWRT() []bool { return []bool{true, false} }

func (sigma[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, post, pair)
}

func (sigma[T]) Eval(a *opkit.Args[T]) error {
	copy(a.Out, a.In[1])
	return nil
}

// Grad returns g * sigmoid(rho) for rho, one fused op.
func (m sigma[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dRho, err := opkit.ApplyOf[T](sigmaGrad[T](m), in[1], grad)
	return G.Nodes{dRho, nil}, err
}

// sigmaGrad is sigma's gradient for rho: (ss, g) -> g * sigmoid(rho).
type sigmaGrad[T float] struct{ dims int }

func (sigmaGrad[T]) String() string        { return "bayesnodes.sigmaGrad" }
func (m sigmaGrad[T]) Ranks() ([]int, int) { return operands(m.dims, pair, post), m.dims }

func (sigmaGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, pair, post)
}

func (sigmaGrad[T]) Eval(a *opkit.Args[T]) error {
	mulKernel(a.Out, a.In[0][len(a.Out):], a.In[1])
	return nil
}

// sample is w = mu + softplus(rho) * eps, from (mu, rho, eps, ss).
type sample[T float] struct{ dims int }

// fusedSample adds w = mu + softplus(rho) * eps to mu's graph.
func fusedSample(mu, rho, eps *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return opkit.Apply(sample[float32]{mu.Dims()}, sample[float64]{mu.Dims()}, mu, rho, eps, ss)
}

func (sample[T]) String() string        { return "bayesnodes.sample" }
func (m sample[T]) Ranks() ([]int, int) { return operands(m.dims, post, post, post, pair), m.dims }

// DiffWRT: mu and rho; eps is noise and ss a helper.
func (sample[T]) DiffWRT() []bool { return []bool{true, true, false, false} }

func (sample[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, post, post, post, pair)
}

func (sample[T]) Eval(a *opkit.Args[T]) error {
	sampleKernel(a.Out, a.In[0], a.In[3], a.In[2])
	return nil
}

// Grad returns g for mu and g * eps * sigmoid(rho) for rho, one fused op.
// Gorgonia never reads the gradient of an input DiffWRT rules out, so eps
// and ss get nil.
func (m sample[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dRho, err := opkit.ApplyOf[T](sampleRhoGrad[T](m), in[3], in[2], grad)
	return G.Nodes{grad, dRho, nil, nil}, err
}

// sampleRhoGrad is sample's gradient for rho: (ss, eps, g) -> g * eps *
// sigmoid(rho).
type sampleRhoGrad[T float] struct{ dims int }

func (sampleRhoGrad[T]) String() string        { return "bayesnodes.sampleRhoGrad" }
func (m sampleRhoGrad[T]) Ranks() ([]int, int) { return operands(m.dims, pair, post, post), m.dims }

func (sampleRhoGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, pair, post, post)
}

func (sampleRhoGrad[T]) Eval(a *opkit.Args[T]) error {
	sampleRhoGradKernel(a.Out, a.In[0][len(a.Out):], a.In[1], a.In[2])
	return nil
}

// gaussianKL is sum_i KL(N(mu_i, sigma_i^2) || N(mean, std^2)), a scalar,
// from (mu, rho, ss). The prior's parameters are part of its String and so
// of its hash: two priors of one posterior must not be merged into one
// node.
type gaussianKL[T float] struct {
	dims      int
	mean, std float64
}

// fusedGaussianKL adds the closed-form KL of N(mu, softplus(rho)^2) from
// N(mean, std^2), summed over the elements, to mu's graph.
func fusedGaussianKL(mu, rho *G.Node, mean, std float64) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	d := mu.Dims()
	return opkit.Apply(gaussianKL[float32]{d, mean, std}, gaussianKL[float64]{d, mean, std}, mu, rho, ss)
}

func (m gaussianKL[T]) String() string {
	return fmt.Sprintf("bayesnodes.gaussianKL(N(%v, %v^2))", m.mean, m.std)
}
func (m gaussianKL[T]) Ranks() ([]int, int) { return operands(m.dims, post, post, pair), opkit.Scalar }

// DiffWRT: mu and rho; ss is a helper.
func (gaussianKL[T]) DiffWRT() []bool { return []bool{true, true, false} }

func (gaussianKL[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return sumShape(in, post, post, pair)
}

func (m gaussianKL[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = T(gaussianKLKernel(a.In[0], a.In[2], a.In[1], m.mean, m.std))
	return nil
}

// Grad returns g (mu - M) / S^2 for mu and g (sigma/S^2 - 1/sigma)
// sigmoid(rho) for rho, each one fused op.
func (m gaussianKL[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	c := 1 / (m.std * m.std)
	dMu, err := opkit.ApplyOf[T](muGrad[T]{m.dims, c, m.mean}, in[0], grad)
	if err != nil {
		return nil, err
	}
	dRho, err := opkit.ApplyOf[T](rhoGrad[T]{m.dims, c, -1}, in[2], grad)
	return G.Nodes{dMu, dRho, nil}, err
}

// logQ is sum_i log N(w_i | mu_i, sigma_i^2) at the sample w = mu + sigma
// eps, from (rho, eps, ss): since (w - mu) / sigma = eps, it is -sum log
// sigma - sum eps^2 / 2 - n log(2 pi) / 2, with no need of w or mu.
type logQ[T float] struct{ dims int }

// fusedLogQ adds sum log q(w) at w = mu + softplus(rho) eps to rho's graph.
func fusedLogQ(rho, eps *G.Node) (*G.Node, error) {
	ss, err := softplusSigmoid(rho)
	if err != nil {
		return nil, err
	}
	return opkit.Apply(logQ[float32]{rho.Dims()}, logQ[float64]{rho.Dims()}, rho, eps, ss)
}

func (logQ[T]) String() string        { return "bayesnodes.logQ" }
func (m logQ[T]) Ranks() ([]int, int) { return operands(m.dims, post, post, pair), opkit.Scalar }

// DiffWRT: rho only; eps is noise and ss a helper.
func (logQ[T]) DiffWRT() []bool { return []bool{true, false, false} }

func (logQ[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return sumShape(in, post, post, pair)
}

func (logQ[T]) Eval(a *opkit.Args[T]) error {
	a.Out[0] = T(logQKernel(a.In[1], a.In[2], a.In[0]))
	return nil
}

// Grad returns -g sigmoid(rho) / sigma for rho.
func (m logQ[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dRho, err := opkit.ApplyOf[T](rhoGrad[T]{m.dims, 0, -1}, in[2], grad)
	return G.Nodes{dRho, nil, nil}, err
}

// rhoGrad is (ss, g) -> g (a sigma + b / sigma) sigmoid(rho), g a scalar:
// the rho gradient of a sum over the weights of a sigma^2 / 2 + b log sigma
// (the KL's and log q's).
type rhoGrad[T float] struct {
	dims int
	a, b float64
}

func (m rhoGrad[T]) String() string      { return fmt.Sprintf("bayesnodes.rhoGrad(%v, %v)", m.a, m.b) }
func (m rhoGrad[T]) Ranks() ([]int, int) { return operands(m.dims, pair, opkit.Scalar), m.dims }

func (rhoGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, pair, opkit.Scalar)
}

func (m rhoGrad[T]) Eval(a *opkit.Args[T]) error {
	n := len(a.Out)
	rhoGradKernel(a.Out, a.In[0][:n], a.In[0][n:], float64(a.In[1][0]), m.a, m.b)
	return nil
}

// muGrad is (mu, g) -> g c (mu - m), g a scalar: the mu gradient of sum c
// (mu - m)^2 / 2 (the Gaussian KL's, c = 1/S^2).
type muGrad[T float] struct {
	dims int
	c, m float64
}

func (m muGrad[T]) String() string      { return fmt.Sprintf("bayesnodes.muGrad(%v, %v)", m.c, m.m) }
func (m muGrad[T]) Ranks() ([]int, int) { return operands(m.dims, post, opkit.Scalar), m.dims }

func (muGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return posteriorShape(in, post, opkit.Scalar)
}

func (m muGrad[T]) Eval(a *opkit.Args[T]) error {
	muGradKernel(a.Out, a.In[0], float64(a.In[1][0]), m.c, m.m)
	return nil
}
