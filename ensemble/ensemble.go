// Package ensemble trains several independently seeded models of one
// network and combines their predictions: a deep ensemble (Lakshminarayanan
// et al. 2017), the strongest simple baseline for predictive uncertainty
// and a companion to a Bayesian network (an ensemble of Bayesian networks
// samples several modes of the posterior, where one network samples
// around one).
//
// The members' predictions are pooled into one graph.Prediction, so
// everything in package uncertainty (Summarize, FromLogits and what hangs
// off a ClassPredictive) applies to an ensemble as to one model: each
// member contributes the same number of passes, one pass for a
// deterministic (frozen) member, several for a Bayesian one, so the pooled
// samples are the equal-weight mixture of the members' predictives.
package ensemble

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TrainFunc builds a model from seed and trains it. Members must not
// share parameters: the function is called from several goroutines at
// once, and each call must build its own model.
type TrainFunc func(ctx context.Context, seed uint64) (*graph.Model, error)

// Ensemble is a set of trained models of the same inputs and outputs.
type Ensemble struct {
	Models []*graph.Model
	Seeds  []uint64
}

// Option configures Train.
type Option func(*options) error

type options struct{ parallel int }

// Parallel trains up to n members at a time (default: GOMAXPROCS). A
// member's training can use several cores itself; on a small machine,
// Parallel(1) trains one member at a time.
func Parallel(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("ensemble: Parallel(%d): want at least 1", n)
		}
		o.parallel = n
		return nil
	}
}

// Train trains one member per seed with train, up to Parallel at a time,
// and returns them in the order of seeds. The seeds must differ: members
// that share a seed are the same model. The first error cancels the
// members still training and is returned, naming its seed.
func Train(ctx context.Context, seeds []uint64, train TrainFunc, opts ...Option) (*Ensemble, error) {
	o := options{parallel: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if train == nil {
		return nil, fmt.Errorf("ensemble: Train: nil TrainFunc")
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("ensemble: Train: no seeds")
	}
	seen := map[uint64]bool{}
	for _, s := range seeds {
		if seen[s] {
			return nil, fmt.Errorf("ensemble: Train: seed %d given twice; members must be seeded independently", s)
		}
		seen[s] = true
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e := &Ensemble{Models: make([]*graph.Model, len(seeds)), Seeds: append([]uint64(nil), seeds...)}
	errs := make([]error, len(seeds))
	sem := make(chan struct{}, o.parallel)
	var wg sync.WaitGroup
	for i, seed := range seeds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			m, err := train(ctx, seed)
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("ensemble: member with seed %d: %w", seed, err)
				cancel()
			case m == nil:
				errs[i] = fmt.Errorf("ensemble: member with seed %d: TrainFunc returned no model", seed)
				cancel()
			}
			e.Models[i] = m
		})
	}
	wg.Wait()
	// The first member's own error, not the cancellation it caused.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// PredictMarginal pools samplesPerMember passes of every member over x
// (see graph.Model.PredictMarginal): the result has len(Models) *
// samplesPerMember samples, member by member. Use 1 for deterministic
// members. Options (graph.PredictSeed) apply to every member.
func (e *Ensemble) PredictMarginal(x []float64, samplesPerMember int, opts ...graph.PredictOption) (*graph.Prediction, error) {
	return e.pool(x, samplesPerMember, opts, (*graph.Model).PredictMarginal)
}

// Predict is PredictMarginal with graph.Model.Predict: every pass is one
// function drawn from a member's posterior.
func (e *Ensemble) Predict(x []float64, samplesPerMember int, opts ...graph.PredictOption) (*graph.Prediction, error) {
	return e.pool(x, samplesPerMember, opts, (*graph.Model).Predict)
}

type predictFunc func(*graph.Model, []float64, int, ...graph.PredictOption) (*graph.Prediction, error)

func (e *Ensemble) pool(x []float64, samples int, opts []graph.PredictOption, predict predictFunc) (*graph.Prediction, error) {
	if len(e.Models) == 0 {
		return nil, fmt.Errorf("ensemble: no members")
	}
	var out *graph.Prediction
	for i, m := range e.Models {
		p, err := predict(m, x, samples, opts...)
		if err != nil {
			return nil, fmt.Errorf("ensemble: member %d: %w", i, err)
		}
		if out == nil {
			out = &graph.Prediction{N: p.N, Width: p.Width}
		} else if p.Width != out.Width {
			return nil, fmt.Errorf("ensemble: member %d outputs %d values per example, member 0 %d", i, p.Width, out.Width)
		}
		out.Samples = append(out.Samples, p.Samples...)
	}
	return out, nil
}
