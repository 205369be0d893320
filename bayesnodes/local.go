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
func sampleLocal(b *graph.Builder, x *G.Node, weight, bias *Posterior, lin func(x, w *G.Node) (*G.Node, error)) (*G.Node, error) {
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
	x2, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	s2, err := G.Square(sigma)
	if err != nil {
		return nil, err
	}
	variance, err := lin(x2, s2)
	if err != nil {
		return nil, err
	}
	if bias != nil {
		bmu, bsigma, err := bias.Moments(b)
		if err != nil {
			return nil, err
		}
		if err := bias.AddKL(b, nil); err != nil {
			return nil, err
		}
		if mean, err = addBias(mean, bmu); err != nil {
			return nil, err
		}
		bs2, err := G.Square(bsigma)
		if err != nil {
			return nil, err
		}
		if variance, err = addBias(variance, bs2); err != nil {
			return nil, err
		}
	}
	return addNoise(b, weight.Name()+".output", mean, variance)
}

// addNoise returns mean + sqrt(variance) * eps with eps a standard normal
// noise input of mean's shape. A tiny floor inside the root keeps its
// gradient finite where the variance is exactly 0 (an all-zero input row
// without bias); there the gradient reaching sigma is 0 regardless.
func addNoise(b *graph.Builder, name string, mean, variance *G.Node) (*G.Node, error) {
	v, err := G.Add(variance, b.Scalar(1e-16))
	if err != nil {
		return nil, err
	}
	sd, err := G.Sqrt(v)
	if err != nil {
		return nil, err
	}
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
