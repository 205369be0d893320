package bayesnodes

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/elementwise"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// biasAdd is z = y + b for y [batch, C] and a bias b [C] added to every
// row. Gorgonia's BroadcastAdd repeats b into a fresh [batch, C] tensor
// (an extern-flagged op, so the TapeMachine allocates for it on every run)
// before adding, and its gradient sums through a reduction that allocates
// again; on the sine network's 500 x 100 hidden layer that was a third of
// the bytes a step allocated. This op and its gradient for b, biasGrad,
// write into memory of their own (see opkit). The results are Gorgonia's
// bit for bit: the same additions in the same order.
// A ReLU that is its only reader adds and rectifies in one pass (see
// reluFusion).
type biasAdd[T float] struct{ fuse *reluFusion[T] }

// fusedBiasAdd adds y + b to the graph, for y [batch, C] and b [C].
func fusedBiasAdd(y, b *G.Node) (*G.Node, error) {
	return opkit.Apply(newBiasAdd[float32](), newBiasAdd[float64](), y, b)
}

func newBiasAdd[T float]() biasAdd[T] { return biasAdd[T]{&reluFusion[T]{kernel: biasAddReLU[T]}} }

func (m biasAdd[T]) reluFusion() *reluFusion[T] { return m.fuse }

func (biasAdd[T]) String() string      { return "bayesnodes.biasAdd" }
func (biasAdd[T]) Ranks() ([]int, int) { return []int{2, 1}, 2 }
func (biasAdd[T]) DiffWRT() []bool     { return []bool{true, true} }

func (biasAdd[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if y, b := in[0], in[1]; b[0] != y[1] {
		return nil, fmt.Errorf("shapes %v and %v, want [batch, C] and [C]", y, b)
	}
	return in[0].Clone(), nil
}

func (m biasAdd[T]) Eval(a *opkit.Args[T]) error {
	if m.fuse.leave(a.In) {
		return nil
	}
	biasAddKernel(a.Out, a.In[0], a.In[1])
	return nil
}

// biasAddReLU sets out[lo:hi] to ReLU of y + b (in = y, b), row segment
// by row segment.
func biasAddReLU[T float](out []T, in [][]T, lo, hi int) {
	y, b := in[0], in[1]
	for i := lo; i < hi; {
		j := i % len(b)
		end := min(hi, i-j+len(b))
		elementwise.AddReLU(out[i:end], y[i:end], b[j:j+end-i])
		i = end
	}
}

// Grad returns g for y and g summed over the batch for b.
func (biasAdd[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	db, err := opkit.ApplyOf[T](biasGrad[T]{}, grad)
	return G.Nodes{grad, db}, err
}

// biasGrad is biasAdd's gradient for the bias: g [batch, C] summed over
// the batch into [C].
type biasGrad[T float] struct{}

func (biasGrad[T]) String() string      { return "bayesnodes.biasGrad" }
func (biasGrad[T]) Ranks() ([]int, int) { return []int{2}, 1 }

func (biasGrad[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.Shape{in[0][1]}, nil
}

func (biasGrad[T]) Eval(a *opkit.Args[T]) error {
	columnSumKernel(a.Out, a.In[0])
	return nil
}

// biasAddKernel sets z[i, j] = y[i, j] + b[j], rows of len(b).
// Rows shorter than a float32 kernel step add in a plain loop, which
// costs less than a call to the vector kernel per row.
func biasAddKernel[T float](z, y, b []T) {
	c := len(b)
	z = z[:len(y)]
	for i := 0; i+c <= len(y); i += c {
		if c >= 32 {
			elementwise.Add(z[i:i+c], y[i:i+c], b)
			continue
		}
		zr, yr := z[i:i+c], y[i:i+c]
		for j, v := range b {
			zr[j] = yr[j] + v
		}
	}
}

// columnSumKernel sets s[j] = sum_i g[i, j], rows of len(s), in
// Gorgonia's order (its Sum along axis 0): the first row, then each next
// row added onto it, in the dtype's own precision. Four rows are added per
// pass over s, left to right, which keeps that order (Go does not
// reassociate floating-point sums) and measured twice as fast as one.
func columnSumKernel[T float](s, g []T) {
	c := len(s)
	copy(s, g[:c])
	i := c
	for ; i+4*c <= len(g); i += 4 * c {
		r0, r1, r2, r3 := g[i:i+c], g[i+c:i+2*c], g[i+2*c:i+3*c], g[i+3*c:i+4*c]
		for j := range s {
			s[j] = s[j] + r0[j] + r1[j] + r2[j] + r3[j]
		}
	}
	for ; i+c <= len(g); i += c {
		r := g[i : i+c]
		for j := range s {
			s[j] += r[j]
		}
	}
}
