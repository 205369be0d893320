package scoring

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

// Scorer scores records with a model of the network a Spec describes. It
// is safe for concurrent use, as the model's Predict is; Parallel says how
// many calls run passes at once.
type Scorer struct {
	model *graph.Model
	spec  *netspec.Spec
	width int // input values per record
	out   int // output values per record
	cfg   config
	turns chan struct{} // a token per call allowed to predict at once
}

// New returns a Scorer of m, a model of the network s describes (as
// netspec.Load returns them, or a model of the user's own network with a
// Spec naming it Custom). Calls draw their noise from their seed
// (graph.PredictSeed), never from the model's generator.
func New(m *graph.Model, s *netspec.Spec, opts ...Option) (*Scorer, error) {
	if m == nil {
		return nil, errors.New("scoring: nil model")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	if !slices.Equal(m.InputShape(), s.Input) {
		return nil, fmt.Errorf("scoring: the model takes input %v, the spec %v", m.InputShape(), s.Input)
	}
	cfg, err := config{parallel: 1, samples: DefaultSamples, seed: 1, level: DefaultLevel}.with(opts)
	if err != nil {
		return nil, err
	}
	sc := &Scorer{model: m, spec: s, width: m.InputWidth(), cfg: cfg, turns: make(chan struct{}, cfg.parallel)}
	// One pass over zeros says the output width (and builds the graph of
	// the smallest batch).
	p, err := m.Predict(make([]float64, bucket(1)*sc.width), 1, graph.PredictSeed(cfg.seed))
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	sc.out = p.Width
	if want, err := s.OutputWidth(); err == nil && want != sc.out {
		return nil, fmt.Errorf("scoring: the model gives %d outputs per record, its spec %d", sc.out, want)
	}
	if s.Task == netspec.Classification && sc.out < 2 {
		return nil, fmt.Errorf("scoring: a classifier with %d output: want one logit per class, at least 2", sc.out)
	}
	return sc, nil
}

// Spec returns the spec the Scorer was made with; do not modify it.
func (sc *Scorer) Spec() *netspec.Spec { return sc.spec }

// InputWidth returns the number of values of one record.
func (sc *Scorer) InputWidth() int { return sc.width }

// OutputWidth returns the number of outputs of one record: the number of
// classes of a classifier.
func (sc *Scorer) OutputWidth() int { return sc.out }

// Samples returns the number of Monte-Carlo passes a call draws by default.
func (sc *Scorer) Samples() int { return sc.cfg.samples }

// Seed returns the seed a call draws from by default.
func (sc *Scorer) Seed() uint64 { return sc.cfg.seed }

// Quantiles returns the quantiles a regression's results carry by default.
func (sc *Scorer) Quantiles() []float64 { return append([]float64(nil), sc.cfg.quantiles...) }

// Score returns the results of rows records laid out one after the other
// in x, each of InputWidth values. opts override the Scorer's options for
// this call. Equal seeds and samples give each record the same result
// whatever else x holds.
func (sc *Scorer) Score(x []float64, rows int, opts ...Option) ([]Result, error) {
	c, err := sc.cfg.with(opts)
	if err != nil {
		return nil, err
	}
	if rows < 1 || len(x) != rows*sc.width {
		return nil, fmt.Errorf("scoring: %d values for %d records of %d values (input %v)", len(x), rows, sc.width, sc.spec.Input)
	}
	if i, ok := finite(x); !ok {
		return nil, fmt.Errorf("scoring: record %d, value %d is %v, want a finite number", i/sc.width, i%sc.width, x[i])
	}
	samples, err := sc.predict(x, rows, c)
	if err != nil {
		return nil, err
	}
	if sc.spec.Task == netspec.Classification {
		return classification(sc.spec, samples, rows, sc.out)
	}
	return regression(sc.spec, samples, rows, sc.out, c)
}

// predict returns the model's Monte-Carlo outputs for the rows of x. The
// rows are padded with zeros to a bucket size, so that the model keeps a
// few graphs (one per size) however batch sizes vary; a row's outputs do
// not depend on the others.
func (sc *Scorer) predict(x []float64, rows int, c config) ([][]float64, error) {
	padded := bucket(rows)
	in := x
	if padded > rows {
		in = make([]float64, padded*sc.width)
		copy(in, x)
	}
	sc.turns <- struct{}{}
	p, err := sc.model.Predict(in, c.samples, graph.PredictSeed(c.seed))
	<-sc.turns
	if err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	if p.Width != sc.out {
		return nil, fmt.Errorf("scoring: the model gives %d outputs per record, its spec %d", p.Width, sc.out)
	}
	for s := range p.Samples {
		p.Samples[s] = p.Samples[s][:rows*sc.out]
	}
	return p.Samples, nil
}

// bucket returns the batch size n records are padded to: the next power of
// two up to graph.MaxPredictBatch, then the next multiple of it; and at
// least 2, since a product with one row runs another kernel (a
// matrix-vector one, whose additions are ordered differently) than the
// same row among others.
func bucket(n int) int {
	if n > graph.MaxPredictBatch {
		return (n + graph.MaxPredictBatch - 1) / graph.MaxPredictBatch * graph.MaxPredictBatch
	}
	return min(max(2, 1<<bits.Len(uint(n-1))), graph.MaxPredictBatch)
}
