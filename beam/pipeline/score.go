package pipeline

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

func init() {
	register.DoFn3x1[context.Context, Record, func(string), error](&scoreFn{})
	register.Emitter1[string]()
}

// Metric names, in namespace MetricsNamespace.
const (
	MetricsNamespace = "bnn"
	MetricScored     = "records_scored"
	MetricOOD        = "ood_flagged"
)

var (
	scoredCounter = beam.NewCounter(MetricsNamespace, MetricScored)
	oodCounter    = beam.NewCounter(MetricsNamespace, MetricOOD)
)

// scorer is what scoreFn needs of a *scoring.Scorer: the results of rows
// records laid out one after another in x, each depending only on the
// record, and the width of a record.
type scorer interface {
	Score(x []float64, rows int, opts ...scoring.Option) ([]scoring.Result, error)
	InputWidth() int
}

// openScorer opens the scorer of a checkpoint; tests replace it.
var openScorer = openCheckpoint

// openCheckpoint loads the model and network spec of a checkpoint written by
// netspec.Save, from any filesystem Beam knows, and makes its scorer.
func openCheckpoint(ctx context.Context, path string, samples int, seed uint64) (scorer, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	defer fs.Close()
	b, err := filesystem.Read(ctx, fs, path)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	f, err := checkpoint.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	m, spec, err := netspec.Read(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	sc, err := scoring.New(m, spec, scoring.Samples(samples), scoring.Seed(seed))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return sc, nil
}

// scoreFn scores records in batches. It loads its scorer once, in Setup, and
// keeps it for every bundle it processes; a bundle's records are buffered and
// scored Batch at a time, the last ones at the end of the bundle.
type scoreFn struct {
	Checkpoint string
	Samples    int
	Seed       uint64
	Batch      int

	scorer scorer
	keys   []string
	x      []float64
}

func (fn *scoreFn) Setup(ctx context.Context) error {
	s, err := openScorer(ctx, fn.Checkpoint, fn.Samples, fn.Seed)
	if err != nil {
		return err
	}
	fn.scorer = s
	return nil
}

func (fn *scoreFn) ProcessElement(ctx context.Context, r Record, emit func(string)) error {
	if w := fn.scorer.InputWidth(); len(r.X) != w {
		return fmt.Errorf("record %s: %d features, the model takes %d", r.Key, len(r.X), w)
	}
	fn.keys = append(fn.keys, r.Key)
	fn.x = append(fn.x, r.X...)
	if len(fn.keys) >= fn.Batch {
		return fn.flush(ctx, emit)
	}
	return nil
}

func (fn *scoreFn) FinishBundle(ctx context.Context, emit func(string)) error {
	return fn.flush(ctx, emit)
}

// flush scores the buffered records and emits one output line for each.
func (fn *scoreFn) flush(ctx context.Context, emit func(string)) error {
	n := len(fn.keys)
	if n == 0 {
		return nil
	}
	defer func() { fn.keys, fn.x = fn.keys[:0], fn.x[:0] }()
	results, err := fn.scorer.Score(fn.x, n)
	if err != nil {
		return fmt.Errorf("scoring records %s to %s: %w", fn.keys[0], fn.keys[n-1], err)
	}
	if len(results) != n {
		return fmt.Errorf("scoring %d records gave %d results", n, len(results))
	}
	var ood int64
	for i, res := range results {
		line, err := json.Marshal(output{Key: json.RawMessage(fn.keys[i]), Result: res})
		if err != nil {
			return fmt.Errorf("record %s: %w", fn.keys[i], err)
		}
		emit(string(line))
		if res.Classification != nil && res.OOD {
			ood++
		}
	}
	scoredCounter.Inc(ctx, int64(n))
	oodCounter.Inc(ctx, ood)
	return nil
}

// output is one line of the output: the record's key and its figures.
type output struct {
	Key json.RawMessage `json:"key"`
	scoring.Result
}
