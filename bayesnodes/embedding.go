package bayesnodes

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Embedding is a Bayesian lookup table: each of Num indices has a row of
// Dim weights, and an index tensor of any shape [...] maps to the rows
// [..., Dim] (torch.nn.Embedding with a posterior over the table, as
// BLiTZ's BayesianEmbedding).
//
// Indices are values of the graph's dtype (a model's input is float) that
// must be whole numbers in [0, Num). When the index node is an input of the
// graph (the network's x, or a Builder.Input), its values are checked when
// they are set: Graph.SetX, SetInput and Model.Predict return an error naming
// the first bad index. Indices computed inside the graph are checked when
// the lookup runs, and the run returns the error.
//
// Estimators: Reparameterization (the default) samples the whole table once
// per run, so every occurrence of an index in the run sees the same row.
// LocalReparameterization samples each looked-up row on its own: output
// [..., j] = mu[i, j] + sigma[i, j] * eps with eps drawn per output value.
// Each output has the same distribution as under Reparameterization, but
// two occurrences of one index get independent rows, as the local
// reparameterisation gives independent weights to every example. The
// noise drawn is the output's size rather than the table's, unless the KL is
// a Monte-Carlo estimate, which needs a table draw.
//
// The padding index (PaddingIndex), as in PyTorch, marks a row that always
// reads as zeros and is not learned: it gets no gradient from the data, its
// means start at 0, and it pays no KL, so neither its mu nor its rho ever
// gets a gradient. It is not a random variable of the model: the posterior
// and prior of the other rows are the whole of the KL, whose count
// (Graph.KLCount) is (Num-1)*Dim. Its fields describe the layer; change
// them only through NewEmbedding.
type Embedding struct {
	Num, Dim  int
	Padding   int                // the padding index, or -1 without one
	Weight    *GaussianPosterior // [Num, Dim]
	Estimator Estimator
	name      string
}

// EmbeddingOption configures an embedding. Every Option is an
// EmbeddingOption, so WithName, WithPrior, WithKL, WithMuInit, WithRhoInit
// and WithEstimator mix with PaddingIndex; WithoutBias changes nothing (an
// embedding has no bias).
type EmbeddingOption interface {
	applyEmbedding(*embeddingConfig)
}

func (o Option) applyEmbedding(c *embeddingConfig) { o(&c.config) }

type embeddingOption func(*embeddingConfig)

func (o embeddingOption) applyEmbedding(c *embeddingConfig) { o(c) }

type embeddingConfig struct {
	config
	padding int
}

// PaddingIndex marks row i as padding: it reads as zeros, is not learned
// and pays no KL. It must be in [0, num); PyTorch's negative indices
// counting from the end are not accepted.
func PaddingIndex(i int) EmbeddingOption {
	return embeddingOption(func(c *embeddingConfig) {
		if i < 0 {
			c.errs = append(c.errs, fmt.Errorf("padding index %d, want >= 0", i))
		}
		c.padding = i
	})
}

// NewEmbedding returns a Bayesian embedding of num rows of dim weights. The
// posterior means start from N(0, 1), as PyTorch's nn.Embedding does,
// unless WithMuInit says otherwise.
func NewEmbedding(num, dim int, opts ...EmbeddingOption) (*Embedding, error) {
	c := &embeddingConfig{config: *newConfig("embedding", nil), padding: noPadding}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, fmt.Errorf("nil option"))
			continue
		}
		o.applyEmbedding(c)
	}
	if c.sparse {
		c.errs = append(c.errs, errors.New("WithSparseVD applies to Linear and the convolutions, not to an embedding"))
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if num <= 0 || dim <= 0 {
		return nil, fmt.Errorf("bayesnodes: %s: sizes num=%d, dim=%d, want both > 0", c.name, num, dim)
	}
	if c.padding >= num {
		return nil, fmt.Errorf("bayesnodes: %s: padding index %d, want one in [0, %d)", c.name, c.padding, num)
	}
	muInit := c.muInit
	if muInit == nil {
		muInit = graph.Normal(0, 1)
	}
	if c.padding != noPadding {
		muInit = zeroRow(muInit, c.padding, dim)
	}
	w, err := NewPosterior(c.name+".weight", []int{num, dim}, c.prior, muInit, c.rhoInit, c.kl)
	if err != nil {
		return nil, err
	}
	return &Embedding{Num: num, Dim: dim, Padding: c.padding, Weight: w, Estimator: c.estimator, name: c.name}, nil
}

// zeroRow returns init followed by zeroing row r of a [*, dim] tensor.
func zeroRow(init graph.Initializer, r, dim int) graph.Initializer {
	return func(dst []float64, rng *rand.Rand) {
		init(dst, rng)
		clear(dst[r*dim : (r+1)*dim])
	}
}

// Apply adds the lookup of the indices x (any shape) to b's graph; the
// output has shape [x's shape..., Dim]. The lookup is linear in the table
// (the product of x's one-hot matrix with it), so Estimator.Apply applies
// the estimator.
func (e *Embedding) Apply(b *graph.Builder, x *G.Node) (*G.Node, error) {
	if err := e.validate(b, x); err != nil {
		return nil, err
	}
	num := e.Num
	b.CheckInput(x, func(v []float64) error { return checkIndices(v, num) })
	return e.Estimator.Apply(b, x, e.table(), nil, e.lookup())
}

// table is the posterior Estimator.Apply draws: the weight's own, or with
// a padding row one whose KL leaves that row out.
func (e *Embedding) table() Posterior {
	if e.Padding == noPadding {
		return e.Weight
	}
	return paddedTable{e.Weight, rows{e.Num, e.Dim, e.Padding, 0}}
}

// lookup is the embedding's LinearMap.
func (e *Embedding) lookup() rowLookup { return rowLookup{e.Num, e.Dim, e.Padding, e.name} }

// rowLookup is the LinearMap of an embedding: the rows of a table [num,
// dim] at the indices x, the index form of a one-hot matrix, which is its
// own square.
type rowLookup struct {
	num, dim, padding int
	name              string
}

func (m rowLookup) Map(_ *graph.Builder, x, table *G.Node) (*G.Node, error) {
	y, err := gatherRows(table, x, m.num, m.dim, m.padding)
	if err != nil {
		return nil, fmt.Errorf("bayesnodes: %s: %w", m.name, err)
	}
	return y, nil
}

func (rowLookup) oneHot() {}

// Accepts refuses Flipout, whose signs flip input channels: the lookup's
// input holds indices, not channels.
func (rowLookup) Accepts(e Estimator) error {
	if e != Reparameterization && e != LocalReparameterization {
		return fmt.Errorf("estimator %v is not supported by Embedding: %w", e, ErrEstimator)
	}
	return nil
}

// validate checks the layer (its fields are exported) and the index node.
func (e *Embedding) validate(b *graph.Builder, x *G.Node) error {
	switch {
	case x == nil:
		return fmt.Errorf("bayesnodes: %s: nil input node", e.name)
	case e.Weight == nil:
		return fmt.Errorf("bayesnodes: %s: nil weight posterior", e.name)
	case !slices.Equal(e.Weight.Mu.Shape(), []int{e.Num, e.Dim}):
		return fmt.Errorf("bayesnodes: %s: weight has shape %v, want [%d %d]", e.name, e.Weight.Mu.Shape(), e.Num, e.Dim)
	case e.Padding < noPadding || e.Padding >= e.Num:
		return fmt.Errorf("bayesnodes: %s: padding index %d, want one in [0, %d) or -1 for none", e.name, e.Padding, e.Num)
	case e.Estimator.Accepts(e.lookup()) != nil:
		return fmt.Errorf("bayesnodes: %s: %w", e.name, e.Estimator.Accepts(e.lookup()))
	case x.Dims() < 1:
		return fmt.Errorf("bayesnodes: %s: input has shape %v, want indices with at least one axis", e.name, x.Shape())
	case x.Dtype() != b.Dtype():
		return fmt.Errorf("bayesnodes: %s: input has dtype %v, the model computes in %v", e.name, x.Dtype(), b.Dtype())
	case x.Dtype() == tensor.Float32 && e.Num > 1<<24:
		// float32 holds every whole number only up to 2^24.
		return fmt.Errorf("bayesnodes: %s: %d rows cannot be indexed exactly in float32 (at most %d); use float64", e.name, e.Num, 1<<24)
	}
	return nil
}

// paddedTable is the posterior of an embedding table with a padding row:
// the weight's own, but for its KL, which is that of the other rows only.
// It is a value, so every Apply in a graph finds the same draw.
type paddedTable struct {
	*GaussianPosterior
	rows rows
}

// Sample draws the table once per graph and adds the rows' KL.
func (p paddedTable) Sample(b *graph.Builder) (*G.Node, error) { return samplePosterior(b, p) }

// fusedKL declines the fused sample and KL (see fuser): it would pay the
// padding row's KL.
func (paddedTable) fusedKL(*graph.Builder, fusedOut) (fusedDraw, bool, error) {
	return fusedDraw{}, false, nil
}

// AddKL adds the rows' KL once per graph, taken at the draw d (nil: the
// estimator drew no table).
func (p paddedTable) AddKL(b *graph.Builder, d *Draw) error {
	if !b.WantsKL() || p.rows.num == 1 { // nothing but the padding row
		return nil
	}
	_, err := b.Once(klKey{p}, func() (*G.Node, error) {
		kl, err := p.KLOf(b, d, p.KL)
		if err != nil {
			return nil, err
		}
		return kl, b.AddKL(kl, (p.rows.num-1)*p.rows.dim)
	})
	return err
}

// KLOf is the KL of every row but the padding row. With no draw
// (LocalReparameterization), the closed form is tried on the rows'
// parameters first, and a table is drawn only for a Monte-Carlo estimate.
func (p paddedTable) KLOf(b *graph.Builder, d *Draw, method KLMethod) (*G.Node, error) {
	if d == nil {
		if _, ok := p.Prior.(ClosedFormPrior); ok && method != KLMonteCarlo {
			q, err := p.Gaussian(b)
			if err != nil {
				return nil, err
			}
			rows, err := p.withoutPadding(&Draw{Mean: q.Mu, Spread: q.Rho})
			if err != nil {
				return nil, err
			}
			kl, err := p.GaussianPosterior.KLOf(b, rows, KLClosedForm)
			if err == nil || method == KLClosedForm || !errors.Is(err, ErrNoClosedForm) {
				return kl, err
			}
		}
		var err error
		if d, err = p.Draw(b); err != nil {
			return nil, err
		}
		if _, err := d.Weights(); err != nil {
			return nil, err
		}
	}
	rows, err := p.withoutPadding(d)
	if err != nil {
		return nil, err
	}
	return p.GaussianPosterior.KLOf(b, rows, method)
}

// withoutPadding returns the draw d without its padding row (nodes d
// lacks stay nil). Its weights are d's without the row, sliced only if a
// Monte-Carlo KL reads them.
func (p paddedTable) withoutPadding(d *Draw) (*Draw, error) {
	out := Draw{weightsOf: func(_, _, _ *G.Node) (*G.Node, error) {
		w, err := d.Weights()
		if err != nil {
			return nil, err
		}
		return withoutRow(w, p.rows.padding)
	}}
	for _, f := range []struct{ dst, src **G.Node }{
		{&out.Mean, &d.Mean}, {&out.Spread, &d.Spread}, {&out.Eps, &d.Eps},
	} {
		if *f.src == nil {
			continue
		}
		n, err := withoutRow(*f.src, p.rows.padding)
		if err != nil {
			return nil, fmt.Errorf("bayesnodes: %s: %w", p.Name(), err)
		}
		*f.dst = n
	}
	return &out, nil
}
