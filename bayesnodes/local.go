package bayesnodes

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// sampleLocal is the local reparameterisation of a layer whose outputs are
// linear in its weights, y = lin(x, w) + bias: with independent Gaussian
// weights each output is Gaussian with mean lin(x, mu) + b_mu and variance
// lin(x^2, sigma^2) + sigma_b^2, and is sampled from that directly, one
// standard normal per output value. The KL terms are the posteriors' own.
// Where the input is the index form of a one-hot matrix (isOneHot) and
// there is no bias, each output reads one weight, and its standard
// deviation is lin(x, sigma) exactly (zero where the map reads nothing).
// Where the map is DenseProduct and x the graph's data, x^2 is data too:
// its product takes no gradient (see gemmConstA).
func sampleLocal(b *graph.Builder, x *G.Node, weight, bias Posterior, lin func(x, w *G.Node) (*G.Node, error), isOneHot, dense bool) (*G.Node, error) {
	if isOneHot && bias == nil {
		return sampleLocalOneHot(b, x, weight, lin)
	}
	mu, s2, shared, err := meanVariance(b, weight)
	if err != nil {
		return nil, err
	}
	if shared && !dense {
		if mu, err = privateMean(mu); err != nil {
			return nil, err
		}
	}
	mean, err := lin(x, mu)
	if err != nil {
		return nil, err
	}
	x2 := x // a one-hot matrix is its own square
	if !isOneHot {
		if x2, err = G.Square(x); err != nil {
			return nil, err
		}
	}
	var variance *G.Node
	if dense && b.IsX(x) {
		variance, err = gemmConstA(x2, s2, false, true)
	} else {
		variance, err = lin(x2, s2)
	}
	if err != nil {
		return nil, err
	}
	if bias != nil {
		bmu, bs2, _, err := meanVariance(b, bias) // read by addBias only
		if err != nil {
			return nil, err
		}
		if mean, err = addBias(mean, bmu); err != nil {
			return nil, err
		}
		if variance, err = addBias(variance, bs2); err != nil {
			return nil, err
		}
	}
	return addNoise(b, localNoiseName(weight), mean, variance)
}

// meanVariance adds the posterior's mean and variance sigma^2 to the graph,
// and its KL term where the graph wants it: under a Gaussian prior in
// training one fused pass each way (gaussian_sample_kl.go), whose mu is
// then shared: a view of the parameter's memory (see sampleKLMean).
func meanVariance(b *graph.Builder, p Posterior) (mu, variance *G.Node, shared bool, err error) {
	fused, ok, err := fuse(b, p, outVariance)
	if err != nil || ok {
		return fused.mu, fused.out, ok, err
	}
	mu, sigma, err := p.Moments(b)
	if err != nil {
		return nil, nil, false, err
	}
	if err := p.AddKL(b, nil); err != nil {
		return nil, nil, false, err
	}
	variance, err = G.Square(sigma)
	return mu, variance, false, err
}

// sampleLocalOneHot is sampleLocal for a one-hot input and no bias.
func sampleLocalOneHot(b *graph.Builder, x *G.Node, weight Posterior, lin func(x, w *G.Node) (*G.Node, error)) (*G.Node, error) {
	mu, sigma, err := weight.Moments(b)
	if err != nil {
		return nil, err
	}
	if err := weight.AddKL(b, nil); err != nil {
		return nil, err
	}
	mean, err := lin(x, mu)
	if err != nil {
		return nil, err
	}
	sd, err := lin(x, sigma)
	if err != nil {
		return nil, err
	}
	return addScaledNoise(b, localNoiseName(weight), mean, sd)
}

// localMoments are the posterior moments a local reparameterisation
// starts from; the bias's are nil without a bias.
type localMoments struct {
	mu, sigma, biasMu, biasSigma *G.Node
}

// localMomentsOf adds the moments of a layer's weight and bias posteriors
// to the graph, and their KL terms where the graph wants them.
func localMomentsOf(b *graph.Builder, weight, bias Posterior) (localMoments, error) {
	var q localMoments
	var err error
	if q.mu, q.sigma, err = weight.Moments(b); err != nil {
		return q, err
	}
	if err := weight.AddKL(b, nil); err != nil {
		return q, err
	}
	if bias != nil {
		if q.biasMu, q.biasSigma, err = bias.Moments(b); err != nil {
			return q, err
		}
		if err := bias.AddKL(b, nil); err != nil {
			return q, err
		}
	}
	return q, nil
}

// localNoiseName names the noise input of a layer's sampled
// pre-activations after its weight posterior.
func localNoiseName(weight Posterior) string { return weight.Name() + ".output" }

// varianceFloor is added to a sampled pre-activation's variance before its
// square root (see addNoise).
const varianceFloor = 1e-16

// addNoise returns mean + sqrt(variance) * eps with eps a standard normal
// noise input of mean's shape. A tiny floor inside the root keeps its
// gradient finite where the variance is exactly 0 (an all-zero input row
// without bias); there the gradient reaching sigma is 0 regardless.
func addNoise(b *graph.Builder, name string, mean, variance *G.Node) (*G.Node, error) {
	v, err := G.Add(variance, b.Scalar(varianceFloor))
	if err != nil {
		return nil, err
	}
	sd, err := G.Sqrt(v)
	if err != nil {
		return nil, err
	}
	return addScaledNoise(b, name, mean, sd)
}

// addScaledNoise returns mean + sd * eps with eps a standard normal noise
// input of mean's shape.
func addScaledNoise(b *graph.Builder, name string, mean, sd *G.Node) (*G.Node, error) {
	eps, err := b.Noise(name, graph.Gaussian, mean.Shape()...)
	if err != nil {
		return nil, err
	}
	n, err := G.HadamardProd(sd, eps)
	if err != nil {
		return nil, err
	}
	return G.Add(mean, n)
}
