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

// Predict runs the network samples times over x (rows of the model's input
// width), each pass with freshly drawn weights (or the mean weights while the
// model is frozen), and returns every pass's output. One pass uses one weight
// sample for all of x, however it is cut into batches, so each pass is one
// function drawn from the posterior predictive. Figures taken per example
// alone (predictive mean, sd, entropy, calibration) need no functions:
// PredictMarginal estimates them faster.
func (m *Model) Predict(x []float64, samples int) (*Prediction, error) {
	n, err := m.checkPredict("Predict", x, samples)
	if err != nil {
		return nil, err
	}
	chunks, err := m.predictGraphs(n, predicting)
	if err != nil {
		return nil, err
	}
	w := m.InputWidth()
	p := &Prediction{N: n, Samples: make([][]float64, samples)}
	saved := m.noiseRNG
	defer func() { m.noiseRNG = saved }()
	var chunkOut []float64 // reused: each chunk's output is copied out once
	for s := range p.Samples {
		// Every chunk of pass s replays the same noise stream, so weight
		// noise (whose shape does not depend on the batch) is the same.
		passSeed := saved.Uint64()
		out := make([]float64, 0, len(p.Samples[max(s-1, 0)]))
		for _, c := range chunks {
			m.noiseRNG = rand.New(rand.NewPCG(passSeed, passStream))
			if err := c.g.SetX(x[c.start*w : (c.start+c.g.batch)*w]); err != nil {
				return nil, err
			}
			if err := c.g.Run(); err != nil {
				return nil, err
			}
			chunkOut = c.g.Output(chunkOut)
			out = append(out, chunkOut...)
		}
		p.Samples[s] = out
	}
	p.Width = len(p.Samples[0]) / n
	return p, nil
}

// passStream is the PCG stream of a pass's noise; PredictMarginal's chunk
// c draws from stream passStream+c.
const passStream = 0x5eed0003

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

// PredictMean runs the network once with the posterior mean weights.
func (m *Model) PredictMean(x []float64) ([]float64, error) {
	was := m.frozen
	m.frozen = true
	defer func() { m.frozen = was }()
	p, err := m.Predict(x, 1)
	if err != nil {
		return nil, err
	}
	return p.Samples[0], nil
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

// predictGraphs returns the prediction graphs of a kind covering n
// examples, building and caching one per batch size. They leave the KL
// terms out.
func (m *Model) predictGraphs(n int, kind graphKind) ([]chunk, error) {
	var cs []chunk
	for start := 0; start < n; start += MaxPredictBatch {
		size := min(MaxPredictBatch, n-start)
		key := predictKey{kind, size}
		g, ok := m.inference[key]
		if !ok {
			var err error
			if g, err = m.build(size, nil, kind); err != nil {
				return nil, err
			}
			m.inference[key] = g
		}
		cs = append(cs, chunk{g: g, start: start})
	}
	return cs, nil
}
