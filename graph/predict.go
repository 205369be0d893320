package graph

import "fmt"

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
// noise value is a function of the seed, the pass, the chunk (for
// PredictMarginal), the noise input and the value's position in it. Pass s
// is the same in calls of any number of passes. Without PredictSeed a call
// draws from the model's generator, and the model's seed reproduces a
// sequence of calls.
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

// predict runs Predict (kind predicting) or PredictMarginal (marginal):
// samples passes over x, with mean weights if mean is set.
//
// A pass's noise does not depend on how the input is cut into chunks:
// every chunk of a Predict pass replays the pass's run, so weight noise
// (whose shape does not depend on the batch) is the same; a
// PredictMarginal chunk draws a run of its own, so that no two examples of
// a pass share noise. Without PredictSeed, Predict's pass s is the model's
// run first+s and PredictMarginal's chunk c of pass s its run
// first+c*samples+s.
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
	chunks, d, err := m.startPredict(n, kind, samples, mean, cfg)
	if err != nil {
		return nil, err
	}
	defer m.endPredict(chunks)
	first := d.run

	w := m.InputWidth()
	p := &Prediction{N: n, Samples: make([][]float64, samples)}
	var out []float64 // reused: each chunk's output is copied out once
	// Chunk by chunk, every pass: PredictMarginal's layers compute their
	// moments on a chunk's first pass and reuse them on the others.
	for ci, c := range chunks {
		if err := c.g.SetX(x[c.start*w : (c.start+c.g.batch)*w]); err != nil {
			return nil, err
		}
		// The chunk's passes see the same data and parameters (steady.go).
		c.g.steadyEpoch().Advance()
		cn := uint64(0) // the chunk's number, for PredictMarginal
		if kind == marginal {
			cn = uint64(ci)
		}
		for s := range samples {
			if cfg.seeded {
				d.run = uint64(s)<<32 | cn
			} else {
				d.run = first + cn*uint64(samples) + uint64(s)
			}
			if err := c.g.run(&d); err != nil {
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
// so no graph runs in two calls at once) and its noise: zeros, a
// PredictSeed key, or the model's runs from the returned run on, which it
// takes from the counter (one per pass, or per pass and chunk for
// PredictMarginal).
func (m *Model) startPredict(n int, kind graphKind, samples int, mean bool, cfg predictConfig) ([]chunk, noiseDraw, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chunks, err := m.takeGraphs(n, kind)
	if err != nil {
		return nil, noiseDraw{}, err
	}
	d := noiseDraw{frozen: m.frozen || mean}
	switch {
	case d.frozen:
	case cfg.seeded:
		d.key, d.seeded = cfg.seed, true
	default:
		runs := uint64(samples)
		if kind == marginal {
			runs *= uint64(len(chunks))
		}
		d.key, d.run = m.noiseSeed, m.noiseRun
		m.noiseRun += runs
	}
	return chunks, d, nil
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
