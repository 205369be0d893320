package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/softplus"
)

const halfLog2Pi = 0.91893853320467274178032973640561763986139747363778 // log(2 pi) / 2

// GaussianNLL is the negative log-likelihood of targets under N(out, Sigma^2)
// with a fixed noise scale Sigma, summed over output values and averaged over
// the batch.
type GaussianNLL struct {
	Sigma float64
}

// NewGaussianNLL returns the Gaussian likelihood with noise sd sigma.
func NewGaussianNLL(sigma float64) (GaussianNLL, error) {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return GaussianNLL{}, fmt.Errorf("losses: Gaussian noise sigma is %v, want a finite value > 0", sigma)
	}
	return GaussianNLL{Sigma: sigma}, nil
}

// NLL adds mean over the batch of sum (out - target)^2 / (2 Sigma^2) +
// log Sigma + log(2 pi) / 2.
func (l GaussianNLL) NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	if !(l.Sigma > 0) {
		return nil, fmt.Errorf("losses: Gaussian noise sigma is %v, want > 0", l.Sigma)
	}
	ss, err := squaredError(b, out, target)
	if err != nil {
		return nil, err
	}
	quad, err := G.Mul(ss, b.Scalar(1/(2*l.Sigma*l.Sigma)))
	if err != nil {
		return nil, err
	}
	perExample := float64(out.Shape().TotalSize() / b.Batch())
	return G.Add(quad, b.Scalar(perExample*(math.Log(l.Sigma)+halfLog2Pi)))
}

// squaredError returns sum((out - target)^2) / batch, the sum one fused
// op (see sumSqDiffOp).
func squaredError(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	ss, err := sumSquaredDiff(out, target)
	if err != nil {
		return nil, err
	}
	return G.Mul(ss, b.Scalar(1/float64(b.Batch())))
}

// LearnedGaussianNLL is the Gaussian likelihood with one noise scale
// learnt with the network: sigma = softplus(rho) + Floor, where rho is a
// model parameter the solver updates. The floor keeps the likelihood from
// collapsing onto a perfectly fitted batch.
type LearnedGaussianNLL struct {
	Rho   *graph.Param
	Floor float64
}

// NewLearnedGaussianNLL returns a Gaussian likelihood whose noise sd starts
// at init and is learnt; floor (>= 0) bounds it from below.
func NewLearnedGaussianNLL(init, floor float64) (*LearnedGaussianNLL, error) {
	if !(floor >= 0) || math.IsInf(floor, 0) {
		return nil, fmt.Errorf("losses: noise floor is %v, want a finite value >= 0", floor)
	}
	if !(init > floor) || math.IsInf(init, 0) {
		return nil, fmt.Errorf("losses: initial noise sigma is %v, want a finite value > the floor %v", init, floor)
	}
	s := init - floor
	rho := softplus.Inverse(s)
	p, err := graph.NewParam("likelihood.noise.rho", []int{1}, graph.Constant(rho))
	if err != nil {
		return nil, err
	}
	// Values to read before a model allocates the parameter: Sigma is
	// the initial sd until then.
	if err := p.SetValues([]float64{rho}); err != nil {
		return nil, err
	}
	return &LearnedGaussianNLL{Rho: p, Floor: floor}, nil
}

// Sigma returns the current noise sd (the initial one before training).
func (l *LearnedGaussianNLL) Sigma() float64 {
	return softplus.Of(l.Rho.Values()[0]) + l.Floor
}

// NLL adds mean over the batch of sum (out - target)^2 / (2 sigma^2) +
// log sigma + log(2 pi) / 2, with sigma learnt.
func (l *LearnedGaussianNLL) NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	rho, err := b.Param(l.Rho)
	if err != nil {
		return nil, err
	}
	sp, err := G.Softplus(rho)
	if err != nil {
		return nil, err
	}
	if l.Floor > 0 {
		if sp, err = G.Add(sp, b.Scalar(l.Floor)); err != nil {
			return nil, err
		}
	}
	sigma, err := G.Sum(sp) // the [1] parameter as a scalar
	if err != nil {
		return nil, err
	}
	ss, err := squaredError(b, out, target)
	if err != nil {
		return nil, err
	}
	v, err := G.Square(sigma)
	if err != nil {
		return nil, err
	}
	twoV, err := G.Mul(v, b.Scalar(2))
	if err != nil {
		return nil, err
	}
	quad, err := G.Div(ss, twoV)
	if err != nil {
		return nil, err
	}
	logSigma, err := G.Log(sigma)
	if err != nil {
		return nil, err
	}
	perExample := float64(out.Shape().TotalSize() / b.Batch())
	norm, err := G.Add(logSigma, b.Scalar(halfLog2Pi))
	if err != nil {
		return nil, err
	}
	if norm, err = G.Mul(norm, b.Scalar(perExample)); err != nil {
		return nil, err
	}
	return G.Add(quad, norm)
}

// Gaussian is a Gaussian likelihood with one noise sd for every output,
// fixed (GaussianNLL) or learnt (LearnedGaussianNLL). NoiseStd is the sd a
// predictive interval adds to the epistemic one.
type Gaussian interface {
	Likelihood
	NoiseStd() float64
}

// Default start and floor of the noise sd that NewGaussian learns.
const (
	DefaultLearnedNoiseInit  = 0.5
	DefaultLearnedNoiseFloor = 1e-3
)

// NewGaussian returns the Gaussian likelihood of noise sd sigma, or for
// sigma 0 one whose noise sd is learnt with the network, starting at
// DefaultLearnedNoiseInit, with floor DefaultLearnedNoiseFloor.
func NewGaussian(sigma float64) (Gaussian, error) {
	if sigma == 0 {
		learned, err := NewLearnedGaussianNLL(DefaultLearnedNoiseInit, DefaultLearnedNoiseFloor)
		if err != nil {
			return nil, err
		}
		return learned, nil
	}
	fixed, err := NewGaussianNLL(sigma)
	if err != nil {
		return nil, err
	}
	return fixed, nil
}

// NoiseStd returns Sigma.
func (l GaussianNLL) NoiseStd() float64 { return l.Sigma }

// NoiseStd returns the current noise sd, Sigma().
func (l *LearnedGaussianNLL) NoiseStd() float64 { return l.Sigma() }
