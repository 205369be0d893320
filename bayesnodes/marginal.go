package bayesnodes

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// sampleMarginal is the local reparameterisation of a dense layer fed the
// data in a marginal prediction graph (graph.Builder.Marginal): each
// pre-activation is drawn from N(mean, sd^2), mean = x mu^T + b_mu, sd^2 =
// x^2 (sigma^2)^T + sigma_b^2, as sampleLocal draws it. The data and the
// posterior are the same pass after pass, so one op computes mean and sd
// once and keeps them while its inputs stay bit-identical: a pass draws
// mean + sd * eps and costs no matrix product and no square root.
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

// newMarginalOp adds sampleMarginal's op to b's graph.
func newMarginalOp(b *graph.Builder, x *G.Node, weight, bias Posterior) (*G.Node, error) {
	q, err := localMomentsOf(b, weight, bias)
	if err != nil {
		return nil, err
	}
	op := marginalOp{dt: x.Dtype(), bias: bias != nil, memo: new(marginalMemo)}
	in := G.Nodes{x, q.mu, q.sigma}
	if bias != nil {
		in = append(in, q.biasMu, q.biasSigma)
	}
	shapes := make([]G.DimSizer, len(in))
	for i, n := range in {
		shapes[i] = n.Shape()
	}
	shape, err := op.InferShape(shapes...)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", weight.Name(), err)
	}
	eps, err := b.Noise(localNoiseName(weight), graph.Gaussian, shape...)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(op, append(in, eps)...)
}

// marginalOp is y = mean + sd * eps from (x, mu, sigma[, b_mu, b_sigma],
// eps), with mean and sd those of sampleMarginal, kept in memo. It is not
// differentiable: only prediction graphs have it.
type marginalOp struct {
	dt   tensor.Dtype
	bias bool
	memo *marginalMemo
}

// marginalMemo is a marginalOp's memory: the moments, the inputs they
// were computed from (compared bit for bit, see scratch.sameInput), and
// the output's memory.
type marginalMemo struct {
	inputs     []scratch // x, mu, sigma[, b_mu, b_sigma]
	f64        []float64 // mean, sd, then room for x^2 and sigma^2
	f32        []float32
	out        scratch
	recomputed int // how often the moments were computed (for tests)
}

func (op marginalOp) Arity() int {
	if op.bias {
		return 6
	}
	return 4
}

func (op marginalOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	matrix, vector := G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}
	ts := []hm.Type{matrix, matrix, matrix}
	if op.bias {
		ts = append(ts, vector, vector)
	}
	return hm.NewFnType(append(ts, matrix, matrix)...)
}

// InferShape checks x [batch, in], mu and sigma [out, in], b_mu and
// b_sigma [out], eps [batch, out] (eps may be left out) and returns [batch,
// out].
func (op marginalOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() && len(in) != op.Arity()-1 {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), op.Arity())
	}
	s := make([]tensor.Shape, len(in))
	for i, d := range in {
		sh, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%v: input %d's shape is a %T", op, i, d)
		}
		s[i] = sh
	}
	if len(s[0]) != 2 || len(s[1]) != 2 {
		return nil, fmt.Errorf("%v: input %v and weights %v, want matrices", op, s[0], s[1])
	}
	batch, out, width := s[0][0], s[1][0], s[0][1]
	want := []tensor.Shape{{batch, width}, {out, width}, {out, width}}
	if op.bias {
		want = append(want, tensor.Shape{out}, tensor.Shape{out})
	}
	want = append(want, tensor.Shape{batch, out})
	for i, sh := range s {
		if !sh.Eq(want[i]) {
			return nil, fmt.Errorf("%v: input %d has shape %v, want %v", op, i, sh, want[i])
		}
	}
	return tensor.Shape{batch, out}, nil
}

func (op marginalOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), op.Arity())
	}
	ts := make([]*tensor.Dense, len(in))
	shapes := make([]G.DimSizer, len(in))
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok || t.Dtype() != op.dt {
			return nil, fmt.Errorf("%v: input %d is a %T, want a %v tensor", op, i, v, op.dt)
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		ts[i], shapes[i] = t, t.Shape()
	}
	shape, err := op.InferShape(shapes...)
	if err != nil {
		return nil, err
	}
	m := op.memo
	if m.inputs == nil {
		m.inputs = make([]scratch, len(in)-1)
	}
	y := m.out.get(op.dt, shape)
	batch, out, width := shape[0], shape[1], ts[0].Shape()[1]
	if op.dt == tensor.Float32 {
		v := make([][]float32, len(ts))
		for i, t := range ts {
			v[i] = t.Float32s()
		}
		m.f32 = marginalDraw(m, v, batch, out, width, m.f32, y.Float32s())
	} else {
		v := make([][]float64, len(ts))
		for i, t := range ts {
			v[i] = t.Float64s()
		}
		m.f64 = marginalDraw(m, v, batch, out, width, m.f64, y.Float64s())
	}
	return y, nil
}

// marginalDraw sets y = mean + sd * eps, v being the op's inputs, first
// recomputing the moments in mem unless the inputs they came from are
// bit-identical to v's. It returns mem, grown if needed.
func marginalDraw[T float32 | float64](m *marginalMemo, v [][]T, batch, out, width int, mem, y []T) []T {
	same := true
	for i := range m.inputs {
		// Every input is compared (and recorded), not only up to the
		// first that differs: all must be recorded for the next run.
		if !sameInputOf(&m.inputs[i], v[i]) {
			same = false
		}
	}
	n := batch * out
	if !same {
		mem = marginalMoments(v, batch, out, width, mem)
		m.recomputed++
	}
	mean, sd, eps := mem[:n], mem[n:2*n], v[len(v)-1]
	y = y[:n]
	for i, e := range eps[:n] {
		y[i] = mean[i] + sd[i]*e
	}
	return mem
}

// sameInputOf is scratch.sameInput for a slice of either dtype.
func sameInputOf[T float32 | float64](s *scratch, v []T) bool {
	switch v := any(v).(type) {
	case []float64:
		return s.sameInput(v, nil)
	case []float32:
		return s.sameInput(nil, v)
	}
	return false
}

// marginalMoments sets mem's first two blocks of batch*out values to mean
// = x mu^T + b_mu and sd = sqrt(x^2 (sigma^2)^T + sigma_b^2 + floor), by
// the matrix products sampleLocal's graph makes, from v = (x, mu, sigma[,
// b_mu, b_sigma], eps). It returns mem, grown if needed.
func marginalMoments[T float32 | float64](v [][]T, batch, out, width int, mem []T) []T {
	n := batch * out
	need := 2*n + batch*width + out*width
	if len(mem) < need {
		mem = make([]T, need)
	}
	mean, sd := mem[:n], mem[n:2*n]
	x2, s2 := mem[2*n:2*n+batch*width], mem[2*n+batch*width:need]
	x, mu, sigma := v[0][:batch*width], v[1][:out*width], v[2][:out*width]
	for i, a := range x {
		x2[i] = a * a
	}
	for i, s := range sigma {
		s2[i] = s * s
	}
	blasGemm(blas.NoTrans, blas.Trans, batch, out, width, x, width, mu, width, 0, mean, out)
	blasGemm(blas.NoTrans, blas.Trans, batch, out, width, x2, width, s2, width, 0, sd, out)
	if len(v) == 6 {
		bmu, bsigma := v[3][:out], v[4][:out]
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
	return mem
}

func (op marginalOp) ReturnsPtr() bool     { return false }
func (op marginalOp) CallsExtern() bool    { return false }
func (op marginalOp) OverwritesInput() int { return -1 }

func (op marginalOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op marginalOp) Hashcode() uint32      { return hashOf(op) }

func (op marginalOp) String() string {
	return fmt.Sprintf("bayesnodes.marginal(bias %t, %v)", op.bias, op.dt)
}

func (op marginalOp) DiffWRT(inputs int) []bool { return make([]bool, inputs) }

func (op marginalOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v is not differentiated: only prediction graphs have it", op)
}
