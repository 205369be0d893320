package bayesnodes

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/elementwise"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// sampleMarginal is the local reparameterisation of a dense layer fed the
// data in a marginal prediction graph (graph.Builder.Marginal): each
// pre-activation is drawn from N(mean, sd^2), mean = x mu^T + b_mu, sd^2 =
// x^2 (sigma^2)^T + sigma_b^2, as sampleLocal draws it. The data and the
// posterior are the same pass after pass, so a memoised op computes mean
// and sd once and keeps them while its inputs stay bit-identical: a pass
// draws mean + sd * eps and costs no matrix product and no square root.
//
// A layer applied to the data twice gives the same draw both times, as its
// shared weights would. Its posteriors cannot be sampled again in the
// same graph (checkNotMarginal): their weights were never drawn.
func sampleMarginal(b *graph.Builder, x *G.Node, weight, bias Posterior) (*G.Node, error) {
	y, err := b.Once(marginalKey{weight}, func() (*G.Node, error) { return newMarginalOp(b, x, weight, bias) })
	if err != nil || bias == nil {
		return y, err
	}
	return b.Once(marginalKey{bias}, func() (*G.Node, error) { return y, nil })
}

// marginalKey marks, in a graph, a posterior whose layer drew its
// pre-activations with sampleMarginal.
type marginalKey struct{ p Posterior }

// checkNotMarginal returns an error if p's layer drew its pre-activations
// with sampleMarginal in b's graph: its weights were never sampled, so a
// second use of them (tied weights) would lose its correlation with the
// first.
func checkNotMarginal(b *graph.Builder, p Posterior) error {
	if b.Built(marginalKey{p}) {
		return fmt.Errorf("bayesnodes: %s is used again after its layer drew each example's pre-activations (Model.PredictMarginal); a network that shares weights between layers needs Model.Predict", p.Name())
	}
	return nil
}

// newMarginalOp adds sampleMarginal's ops to b's graph.
func newMarginalOp(b *graph.Builder, x *G.Node, weight, bias Posterior) (*G.Node, error) {
	q, err := localMomentsOf(b, weight, bias)
	if err != nil {
		return nil, err
	}
	in := G.Nodes{x, q.mu, q.sigma}
	if bias != nil {
		in = append(in, q.biasMu, q.biasSigma)
	}
	shapes := make([]tensor.Shape, len(in))
	for i, n := range in {
		shapes[i] = n.Shape()
	}
	m := marginalMoments[float64]{bias: bias != nil}
	shape, err := m.Shape(shapes)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %v: %w", weight.Name(), m, err)
	}
	eps, err := b.Noise(localNoiseName(weight), graph.Gaussian, shape[1:]...)
	if err != nil {
		return nil, err
	}
	return marginalSample(in, eps, new(int))
}

// marginalSample adds y = mean + sd * eps, the moments from in = (x, mu,
// sigma[, b_mu, b_sigma]) by a marginalMoments op and the draw by a
// marginalDraw op. recomputed counts the moments' computations (for tests).
func marginalSample(in G.Nodes, eps *G.Node, recomputed *int) (*G.Node, error) {
	m := marginalMoments[float64]{bias: len(in) == 5, recomputed: recomputed, mem: new([]float64)}
	m32 := marginalMoments[float32]{bias: m.bias, recomputed: recomputed, mem: new([]float32)}
	moments, err := opkit.Apply(m32, m, in...)
	if err != nil {
		return nil, err
	}
	return opkit.Apply(newMarginalDraw[float32](), newMarginalDraw[float64](), moments, eps)
}

// marginalMoments is (x, mu, sigma[, b_mu, b_sigma]) -> [mean; sd], [2,
// batch, out], with mean = x mu^T + b_mu and sd = sqrt(x^2 (sigma^2)^T +
// sigma_b^2 + floor), by the matrix products sampleLocal's graph makes. It
// is memoised (opkit.Memoised): the data and the posterior are the same
// pass after pass, and so are the moments. It is not differentiated: only
// prediction graphs have it.
type marginalMoments[T opkit.Float] struct {
	bias       bool
	recomputed *int // how often Eval ran (for tests)
	mem        *[]T // x^2 and sigma^2
}

func (m marginalMoments[T]) String() string {
	return fmt.Sprintf("bayesnodes.marginalMoments(bias %t)", m.bias)
}
func (marginalMoments[T]) Memoised() {}

func (m marginalMoments[T]) Ranks() ([]int, int) {
	if m.bias {
		return []int{2, 2, 2, 1, 1}, 3
	}
	return []int{2, 2, 2}, 3
}

// Shape checks x [batch, in], mu and sigma [out, in], b_mu and b_sigma
// [out], and returns [2, batch, out].
func (m marginalMoments[T]) Shape(s []tensor.Shape) (tensor.Shape, error) {
	if len(s[0]) != 2 || len(s[1]) != 2 {
		return nil, fmt.Errorf("input %v and weights %v, want matrices", s[0], s[1])
	}
	batch, out, width := s[0][0], s[1][0], s[0][1]
	want := []tensor.Shape{{batch, width}, {out, width}, {out, width}}
	if m.bias {
		want = append(want, tensor.Shape{out}, tensor.Shape{out})
	}
	if len(s) != len(want) {
		return nil, fmt.Errorf("%d inputs, want %d", len(s), len(want))
	}
	for i, sh := range s {
		if !sh.Eq(want[i]) {
			return nil, fmt.Errorf("input %d has shape %v, want %v", i, sh, want[i])
		}
	}
	return tensor.Shape{2, batch, out}, nil
}

func (m marginalMoments[T]) Eval(a *opkit.Args[T]) error {
	batch, width, out := a.Shapes[0][0], a.Shapes[0][1], a.Shapes[1][0]
	n := batch * out
	mean, sd := a.Out[:n], a.Out[n:2*n]
	if need := batch*width + out*width; len(*m.mem) < need {
		*m.mem = make([]T, need)
	}
	x2, s2 := (*m.mem)[:batch*width], (*m.mem)[batch*width:batch*width+out*width]
	x, mu, sigma := a.In[0], a.In[1], a.In[2]
	for i, v := range x {
		x2[i] = v * v
	}
	for i, s := range sigma {
		s2[i] = s * s
	}
	blasGemm(blas.NoTrans, blas.Trans, batch, out, width, x, width, mu, width, 0, mean, out)
	blasGemm(blas.NoTrans, blas.Trans, batch, out, width, x2, width, s2, width, 0, sd, out)
	if m.bias {
		bmu, bsigma := a.In[3], a.In[4]
		for r := range batch {
			row, vrow := mean[r*out:(r+1)*out], sd[r*out:(r+1)*out]
			for j := range row {
				row[j] += bmu[j]
				vrow[j] += bsigma[j] * bsigma[j]
			}
		}
	}
	for i, variance := range sd {
		sd[i] = T(math.Sqrt(float64(variance + varianceFloor)))
	}
	if m.recomputed != nil {
		*m.recomputed++
	}
	return nil
}

// marginalDraw is (moments [2, batch, out], eps [batch, out]) -> mean + sd
// * eps, on every core. It is not differentiated: only prediction graphs
// have it.
type marginalDraw[T opkit.Float] struct {
	cores *cores[T]
	fuse  *reluFusion[T]
}

func newMarginalDraw[T opkit.Float]() marginalDraw[T] {
	return marginalDraw[T]{newCores(drawRange[T]), &reluFusion[T]{kernel: drawReLU[T]}}
}

// reluFusion lets a ReLU that is the draw's only reader do the draw in
// the same pass: AddMulReLU on (mean, sd, eps).
func (m marginalDraw[T]) reluFusion() *reluFusion[T] { return m.fuse }

func drawReLU[T opkit.Float](out []T, in [][]T, lo, hi int) {
	n := len(in[1])
	elementwise.AddMulReLU(out[lo:hi], in[0][lo:hi], in[0][n+lo:n+hi], in[1][lo:hi])
}

func (marginalDraw[T]) String() string      { return "bayesnodes.marginalDraw" }
func (marginalDraw[T]) Ranks() ([]int, int) { return []int{3, 2}, 2 }

func (marginalDraw[T]) Shape(s []tensor.Shape) (tensor.Shape, error) {
	if m, eps := s[0], s[1]; m[0] != 2 || !eps.Eq(tensor.Shape(m[1:])) {
		return nil, fmt.Errorf("moments %v and noise %v, want [2, batch, out] and [batch, out]", m, eps)
	}
	return s[1].Clone(), nil
}

func (m marginalDraw[T]) Eval(a *opkit.Args[T]) error {
	if m.fuse.leave(a.In) {
		return nil
	}
	m.cores.each(a)
	return nil
}

// drawRange sets elements [lo, hi) of marginalDraw's output.
func drawRange[T opkit.Float](a *opkit.Args[T], lo, hi int) {
	n := len(a.In[1])
	elementwise.AddMul(a.Out[lo:hi], a.In[0][lo:hi], a.In[0][n+lo:n+hi], a.In[1][lo:hi])
}
