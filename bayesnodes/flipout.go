package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// sampleFlipout is Flipout (Wen et al. 2018) for a layer whose outputs are
// linear in its weights, y = lin(x, w) + bias, with weights [out, in, ...].
// One weight perturbation delta = sigma * eps is drawn per run, and each
// example sees it with its own random signs, as if it had drawn the weights
// mu + delta * s_out s_in^T:
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
func sampleFlipout(b *graph.Builder, x *G.Node, weight, bias Posterior, lin func(x, w *G.Node) (*G.Node, error)) (*G.Node, error) {
	xs := x.Shape()
	f, err := flipoutIn(b, weight, xs[0], xs[1])
	if err != nil {
		return nil, err
	}
	mu, err := f.privateMu(b, weight)
	if err != nil {
		return nil, err
	}
	mean, err := lin(x, mu)
	if err != nil {
		return nil, err
	}
	if err := f.signOut(b, weight, mean.Shape()[1]); err != nil {
		return nil, err
	}
	y, err := f.perturb(mean, x, lin)
	if err != nil {
		return nil, err
	}
	return addSampledBias(b, y, bias)
}

// flipDraw is a posterior's Flipout draw in one graph: its mean, one
// perturbation and the signs of each example's input and output channels.
// A recurrent layer applies the same draw at every time step (see
// Estimator.drawFor), so each example keeps one set of weights over its
// sequence.
type flipDraw struct {
	mu, delta, sIn, sOut *G.Node
	shared               bool // mu is the fused pass's view of the parameter
}

// privateMu returns f.mu for a map that may write into its input: a copy
// of the parameter's memory where f.mu is a view of it (see
// sampleKLMean), made once per graph.
func (f flipDraw) privateMu(b *graph.Builder, p Posterior) (*G.Node, error) {
	if !f.shared {
		return f.mu, nil
	}
	return b.Once(flipKey{p, "mu copy"}, func() (*G.Node, error) { return privateMean(f.mu) })
}

// flipKey keys a posterior's Flipout nodes in a graph.
type flipKey struct {
	p    Posterior
	part string
}

// flipout returns p's Flipout draw for batch examples with in input and
// out output channels, made (with p's KL) on the first call in b's graph.
func flipout(b *graph.Builder, p Posterior, batch, in, out int) (flipDraw, error) {
	f, err := flipoutIn(b, p, batch, in)
	if err != nil {
		return flipDraw{}, err
	}
	return f, f.signOut(b, p, out)
}

// flipoutIn is flipout without the output signs, for a map whose output
// channels are known once its mean is built: signOut adds them.
func flipoutIn(b *graph.Builder, p Posterior, batch, in int) (flipDraw, error) {
	var d *Draw
	delta, err := b.Once(flipKey{p, "delta"}, func() (*G.Node, error) {
		// Under a Gaussian prior in training, the perturbation, mu and
		// the KL are one fused pass each way (gaussian_sample_kl.go).
		fused, ok, err := fuse(b, p, outPerturbation)
		if err != nil || ok {
			b.Once(flipKey{p, "mu"}, func() (*G.Node, error) { return fused.mu, nil })
			return fused.out, err
		}
		if d, err = p.Draw(b); err != nil {
			return nil, err
		}
		if err := p.AddKL(b, d); err != nil {
			return nil, err
		}
		_, sigma, err := p.Moments(b) // sparse posteriors too
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(sigma, d.Eps)
	})
	if err != nil {
		return flipDraw{}, err
	}
	f := flipDraw{delta: delta}
	if f.mu, err = b.Once(flipKey{p, "mu"}, func() (*G.Node, error) { return b.Param(p.Mean()) }); err != nil {
		return flipDraw{}, err
	}
	f.shared = f.mu.Op() != nil // the fused pass's view, not the parameter node
	if f.sIn, err = flipSigns(b, p, "sign_in", batch, in); err != nil {
		return flipDraw{}, err
	}
	return f, nil
}

// signOut sets f's output signs, for out output channels.
func (f *flipDraw) signOut(b *graph.Builder, p Posterior, out int) (err error) {
	f.sOut, err = flipSigns(b, p, "sign_out", f.sIn.Shape()[0], out)
	return err
}

// flipSigns returns p's Rademacher signs [batch, channels] of one part, made
// on the first call in b's graph.
func flipSigns(b *graph.Builder, p Posterior, part string, batch, channels int) (*G.Node, error) {
	s, err := b.Once(flipKey{p, part}, func() (*G.Node, error) {
		return b.Noise(p.Name()+"."+part, graph.Rademacher, batch, channels)
	})
	if err != nil {
		return nil, err
	}
	if sh := s.Shape(); sh[0] != batch || sh[1] != channels {
		return nil, fmt.Errorf("bayesnodes: %s: Flipout signs drawn for %v, used for a batch of %d with %d channels", p.Name(), sh, batch, channels)
	}
	return s, nil
}

// perturb returns mean + lin(x * s_in, delta) * s_out.
func (f flipDraw) perturb(mean, x *G.Node, lin func(x, w *G.Node) (*G.Node, error)) (*G.Node, error) {
	flipped, err := scaleChannels(x, f.sIn)
	if err != nil {
		return nil, err
	}
	pert, err := lin(flipped, f.delta)
	if err != nil {
		return nil, err
	}
	if pert, err = scaleChannels(pert, f.sOut); err != nil {
		return nil, err
	}
	return G.Add(mean, pert)
}

// scaleChannels multiplies n [batch, C, ...] by s [batch, C], broadcast over
// the axes after the channel axis: Gorgonia's broadcasting stops at four
// axes and would need reshapes, so it is one op of its own (channelScale).
func scaleChannels(n, s *G.Node) (*G.Node, error) {
	if len(n.Shape()) == 2 {
		return G.HadamardProd(n, s)
	}
	m := channelScale[float64]{len(n.Shape())}
	if _, err := m.Shape([]tensor.Shape{n.Shape(), s.Shape()}); err != nil {
		return nil, fmt.Errorf("%v: %w", m, err)
	}
	return opkit.Apply(channelScale[float32](m), m, n, s)
}

// channelScale is (n, s) -> n * s with s [batch, C] broadcast over n's
// axes after the second. s (signs) is not differentiated.
type channelScale[T opkit.Float] struct{ dims int }

func (m channelScale[T]) String() string      { return fmt.Sprintf("bayesnodes.channelScale(%d-D)", m.dims) }
func (m channelScale[T]) Ranks() ([]int, int) { return []int{m.dims, 2}, m.dims }
func (m channelScale[T]) DiffWRT() []bool     { return []bool{true, false} }

func (m channelScale[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	n, s := in[0], in[1]
	if len(n) != m.dims || len(s) != 2 || n[0] != s[0] || n[1] != s[1] {
		return nil, fmt.Errorf("shapes %v and %v, want [batch, C, ...] and [batch, C]", n, s)
	}
	return n.Clone(), nil
}

func (m channelScale[T]) Eval(a *opkit.Args[T]) error {
	scaleKernel(a.Out, a.In[0], a.In[1], planeSize(a.Shapes[0]))
	return nil
}

// scaleKernel sets y[i*inner+j] = n[i*inner+j] * s[i].
func scaleKernel[T opkit.Float](y, n, s []T, inner int) {
	for i, v := range s {
		row, out := n[i*inner:(i+1)*inner], y[i*inner:(i+1)*inner]
		for j, x := range row {
			out[j] = x * v
		}
	}
}

// Grad scales the gradient by the same signs; they get none.
func (m channelScale[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dn, err := opkit.ApplyOf[T](m, grad, in[1])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dn, nil}, nil
}
