package bayesnodes

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// sampleFlipout is Flipout (Wen et al. 2018) for a layer whose outputs are
// linear in its weights, y = lin(x, w) + bias. One weight perturbation
// delta = sigma * eps is drawn per run, and each example sees it with its
// own random signs, as if it had drawn the weights mu + delta * s_out s_in^T:
//
//	y = lin(x, mu) + lin(x * s_in, delta) * s_out + bias sample
//
// with Rademacher signs s_in [batch, in channels] and s_out [batch, out
// channels], one per example and channel (a convolution's pixels share their
// channel's sign, so each example's weights stay one convolution kernel). The
// perturbations of different examples are nearly independent, which cuts the
// variance of minibatch gradients for twice the matrix products of weight
// sampling. Flipped weights have the posterior's distribution, so the KL
// terms are the posteriors' own; a Monte-Carlo KL is taken at mu + delta.
func sampleFlipout(b *graph.Builder, x *G.Node, weight, bias *Posterior, lin func(x, w *G.Node) (*G.Node, error)) (*G.Node, error) {
	d, err := weight.lazyDraw(b)
	if err != nil {
		return nil, err
	}
	if err := weight.AddKL(b, d); err != nil {
		return nil, err
	}
	sigma, err := d.Sigma()
	if err != nil {
		return nil, err
	}
	delta, err := G.HadamardProd(sigma, d.Eps)
	if err != nil {
		return nil, err
	}
	mean, err := lin(x, d.Mu)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	sIn, err := b.Noise(weight.Name()+".sign_in", graph.Rademacher, xs[0], xs[1])
	if err != nil {
		return nil, err
	}
	flipped, err := scaleChannels(x, sIn)
	if err != nil {
		return nil, err
	}
	pert, err := lin(flipped, delta)
	if err != nil {
		return nil, err
	}
	ms := mean.Shape()
	sOut, err := b.Noise(weight.Name()+".sign_out", graph.Rademacher, ms[0], ms[1])
	if err != nil {
		return nil, err
	}
	if pert, err = scaleChannels(pert, sOut); err != nil {
		return nil, err
	}
	y, err := G.Add(mean, pert)
	if err != nil {
		return nil, err
	}
	if bias == nil {
		return y, nil
	}
	bs, err := bias.Sample(b)
	if err != nil {
		return nil, err
	}
	return addBias(y, bs)
}

// scaleChannels multiplies n [batch, C, ...] by s [batch, C], broadcast over
// the axes after the channel axis.
func scaleChannels(n, s *G.Node) (*G.Node, error) {
	ns := n.Shape()
	if len(ns) == 2 {
		return G.HadamardProd(n, s)
	}
	shape := make([]int, len(ns))
	pattern := make([]byte, 0, len(ns)-2)
	for i := range shape {
		shape[i] = 1
		if i >= 2 {
			pattern = append(pattern, byte(i))
		}
	}
	shape[0], shape[1] = ns[0], ns[1]
	sr, err := G.Reshape(s, shape)
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(n, sr, nil, pattern)
}
