package graph

import (
	"fmt"
	"math/rand/v2"
)

// MaxPredictBatch is the largest batch Predict runs at once; longer inputs
// are cut into chunks of this size.
const MaxPredictBatch = 1024

// Prediction holds the outputs of several forward passes over one input.
type Prediction struct {
	// Samples[s] is pass s's output: N rows of Width values.
	Samples [][]float64
	N       int // examples
	Width   int // output values per example
}

// PredictOption configures one call of Predict or PredictMarginal.
type PredictOption func(*predictConfig)

type predictConfig struct {
	seeded bool
	seed   uint64
}

// PredictSeed draws the call's noise from seed instead of the model's noise
// generator, which the call then leaves where it was. The outputs depend
// only on the seed, the input and the parameters, not on what was predicted
// before or meanwhile, so callers in many goroutines get answers that do
// not depend on the order of their calls. An example's outputs depend on
// its own values and its index in x but not on the other examples: each
// row of a noise input is drawn from a stream of its own, keyed by the
// seed, the pass and the row. Without it a call draws from the model's
// generator, and the model's seed reproduces a sequence of calls.
func PredictSeed(seed uint64) PredictOption {
	return func(c *predictConfig) { c.seeded, c.seed = true, seed }
}

// Predict runs the network samples times over x (rows of the model's input
// width), each pass with freshly drawn weights (or the mean weights while the
// model is frozen), and returns every pass's output. One pass uses one weight
// sample for all of x, however it is cut into batches, so each pass is one
// function drawn from the posterior predictive. Figures taken per example
// alone (predictive mean, sd, entropy, calibration) need no functions:
// PredictMarginal estimates them faster.
//
// It is safe for concurrent use (see Model).
func (m *Model) Predict(x []float64, samples int, opts ...PredictOption) (*Prediction, error) {
	return m.predict("Predict", predicting, x, samples, false, opts)
}

// PredictMean runs the network once with the posterior mean weights. It is
// safe for concurrent use (see Model).
func (m *Model) PredictMean(x []float64) ([]float64, error) {
	p, err := m.predict("PredictMean", predicting, x, 1, true, nil)
	if err != nil {
		return nil, err
	}
	return p.Samples[0], nil
}

// passStream is the PCG stream of a pass's noise; PredictMarginal's chunk
// c draws from stream passStream+c.
const passStream = 0x5eed0003

// seedStream is the PCG stream PredictSeed's pass seeds are drawn from.
const seedStream = 0x5eed0004

// predict runs Predict (kind predicting) or PredictMarginal (marginal):
// samples passes over x, with mean weights if mean is set.
//
// A pass draws its noise from a seed of its own, drawn from the model's
// generator (or from PredictSeed's), so that a pass's noise does not depend
// on how the input is cut into chunks: every chunk of a Predict pass replays
// the pass's stream, so weight noise (whose shape does not depend on the
// batch) is the same; a PredictMarginal chunk draws from a stream of its
// own, so that no two examples of a pass share noise.
func (m *Model) predict(fn string, kind graphKind, x []float64, samples int, mean bool, opts []PredictOption) (*Prediction, error) {
	if err := m.usable(fn); err != nil {
		return nil, err
	}
	var cfg predictConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	n, err := m.checkPredict(fn, x, samples)
	if err != nil {
		return nil, err
	}
	chunks, seeds, frozen, err := m.startPredict(n, kind, samples, mean, cfg)
	if err != nil {
		return nil, err
	}
	defer m.endPredict(chunks)

	d := &noiseDraw{frozen: frozen, pcg: new(rand.PCG)}
	if !cfg.seeded {
		d.rng = rand.New(d.pcg)
	} else {
		d.row = rand.New(d.pcg)
	}
	w := m.InputWidth()
	p := &Prediction{N: n, Samples: make([][]float64, samples)}
	var out []float64 // reused: each chunk's output is copied out once
	// Chunk by chunk, every pass: PredictMarginal's layers compute their
	// moments on a chunk's first pass and reuse them on the others.
	for ci, c := range chunks {
		if err := c.g.SetX(x[c.start*w : (c.start+c.g.batch)*w]); err != nil {
			return nil, err
		}
		stream := uint64(passStream)
		if kind == marginal {
			stream += uint64(ci)
			d.chunk = uint64(ci)
		}
		for s, seed := range seeds {
			if cfg.seeded {
				d.pass = seed
			} else {
				d.pcg.Seed(seed, stream)
			}
			if err := c.g.run(d); err != nil {
				return nil, err
			}
			out = c.g.Output(out)
			if p.Samples[s] == nil {
				p.Width = len(out) / c.g.batch
				p.Samples[s] = make([]float64, n*p.Width)
			}
			copy(p.Samples[s][c.start*p.Width:], out)
		}
	}
	return p, nil
}

// checkPredict validates Predict's and PredictMarginal's arguments and
// returns the number of examples in x.
func (m *Model) checkPredict(fn string, x []float64, samples int) (int, error) {
	if samples <= 0 {
		return 0, fmt.Errorf("graph: %s: samples is %d, want > 0", fn, samples)
	}
	w := m.InputWidth()
	if len(x) == 0 || len(x)%w != 0 {
		return 0, fmt.Errorf("graph: %s: %d input values is not a whole number of examples of width %d (input shape %v)", fn, len(x), w, m.input)
	}
	return len(x) / w, nil
}

type chunk struct {
	g     *Graph
	start int
}

// predictKey keys a model's cached prediction graphs.
type predictKey struct {
	kind  graphKind
	batch int
}

// startPredict takes, under the model's lock, what one prediction call
// needs from the model: a graph for each chunk of n examples (of its own,
// so no graph runs in two calls at once), the seeds of its passes, and
// whether noise is zero.
func (m *Model) startPredict(n int, kind graphKind, samples int, mean bool, cfg predictConfig) ([]chunk, []uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chunks, err := m.takeGraphs(n, kind)
	if err != nil {
		return nil, nil, false, err
	}
	seeds := make([]uint64, samples)
	rng := m.noiseRNG
	if cfg.seeded {
		rng = rand.New(rand.NewPCG(cfg.seed, seedStream))
	}
	for s := range seeds {
		seeds[s] = rng.Uint64()
	}
	return chunks, seeds, m.frozen || mean, nil
}

// endPredict returns a call's graphs to the model.
func (m *Model) endPredict(chunks []chunk) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.release(chunks)
}

// release returns graphs to the model's free graphs (the caller holds m.mu).
func (m *Model) release(chunks []chunk) {
	for i, c := range chunks {
		if i > 0 && c.g == chunks[i-1].g {
			continue
		}
		key := predictKey{c.g.kind, c.g.batch}
		if c.g.revision != m.revision {
			c.g.Close() // built before Replace: never used again
			continue
		}
		m.inference[key] = append(m.inference[key], c.g)
	}
}

// takeGraphs returns prediction graphs of a kind covering n examples,
// taken from the model's free graphs or built (the caller holds m.mu).
// Chunks of one size share a graph: they run one after another. They
// leave the KL terms out.
func (m *Model) takeGraphs(n int, kind graphKind) ([]chunk, error) {
	var cs []chunk
	for start := 0; start < n; start += MaxPredictBatch {
		size := min(MaxPredictBatch, n-start)
		if len(cs) > 0 && cs[len(cs)-1].g.batch == size {
			cs = append(cs, chunk{g: cs[len(cs)-1].g, start: start})
			continue
		}
		key := predictKey{kind, size}
		var g *Graph
		if free := m.inference[key]; len(free) > 0 {
			g = free[len(free)-1]
			m.inference[key] = free[:len(free)-1]
		} else {
			var err error
			if g, err = m.build(size, nil, kind); err != nil {
				m.release(cs)
				return nil, err
			}
		}
		cs = append(cs, chunk{g: g, start: start})
	}
	return cs, nil
}
