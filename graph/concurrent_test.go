package graph_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

// predictions is what one seed gives through every prediction method.
type predictions struct {
	predict, marginal [][]float64
	mean              []float64
}

func predictAll(m *graph.Model, x []float64, seed uint64) (predictions, error) {
	p, err := m.Predict(x, 3, graph.PredictSeed(seed))
	if err != nil {
		return predictions{}, err
	}
	q, err := m.PredictMarginal(x, 3, graph.PredictSeed(seed))
	if err != nil {
		return predictions{}, err
	}
	mean, err := m.PredictMean(x)
	if err != nil {
		return predictions{}, err
	}
	return predictions{p.Samples, q.Samples, mean}, nil
}

func (a predictions) equal(b predictions) bool {
	return sameSamples(a.predict, b.predict) && sameSamples(a.marginal, b.marginal) && slices.Equal(a.mean, b.mean)
}

// TestConcurrentPrediction predicts from 12 goroutines on one model
// through every prediction method, with inputs of one and of two chunks,
// and checks each answer against the serial one for the same seed. Run it
// with -race: a graph run in two goroutines at once, or the noise generator
// or the graph cache shared unguarded, is reported there (and crashed
// Gorgonia's tape machine before the model kept graphs per call).
func TestConcurrentPrediction(t *testing.T) {
	m, small := benchModel(t, 7)
	_, large := benchModel(t, graph.MaxPredictBatch+5)
	inputs := [][]float64{small, large}
	const seeds = 4
	want := make([][]predictions, len(inputs))
	for i, x := range inputs {
		for s := range uint64(seeds) {
			p, err := predictAll(m, x, s)
			if err != nil {
				t.Fatal(err)
			}
			want[i] = append(want[i], p)
		}
	}
	const goroutines = 12
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for gr := range goroutines {
		wg.Go(func() {
			for k := range 6 {
				i, s := (gr+k)%len(inputs), (gr*7+k)%seeds
				if gr%3 == 0 {
					// Unseeded calls draw from the model's generator
					// meanwhile; their answers are not compared.
					if _, err := m.Predict(inputs[i], 2); err != nil {
						errs <- err
						return
					}
				}
				got, err := predictAll(m, inputs[i], uint64(s))
				if err != nil {
					errs <- err
					return
				}
				if !got.equal(want[i][s]) {
					errs <- fmt.Errorf("goroutine %d: input %d, seed %d: concurrent answer differs from the serial one", gr, i, s)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestPredictSeed checks that a seeded call's answer depends on its seed
// only: not on the model's generator (which it leaves alone), nor on the
// other rows of x.
func TestPredictSeed(t *testing.T) {
	m, x := benchModel(t, 6)
	const w = 64
	a, err := predictAll(m, x, 9)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(x, 2); err != nil { // moves the generator
		t.Fatal(err)
	}
	b, err := predictAll(m, x, 9)
	if err != nil {
		t.Fatal(err)
	}
	if !a.equal(b) {
		t.Error("a seeded call depends on the model's generator")
	}
	// PredictMean draws one value, as it always has; the seeded calls
	// draw none.
	if _, err := m.Predict(x, 2, graph.PredictSeed(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.PredictMarginal(x, 2, graph.PredictSeed(1)); err != nil {
		t.Fatal(err)
	}
	after, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(x, 2); err != nil {
		t.Fatal(err)
	}
	moved, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetRNGState(after); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(x, 2, graph.PredictSeed(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.PredictMarginal(x, 2, graph.PredictSeed(1)); err != nil {
		t.Fatal(err)
	}
	still, err := m.RNGState()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(still.Noise, after.Noise) || slices.Equal(after.Noise, moved.Noise) {
		t.Error("a seeded call moved the model's noise generator")
	}
	c, err := predictAll(m, x, 10)
	if err != nil {
		t.Fatal(err)
	}
	if sameSamples(a.predict, c.predict) || sameSamples(a.marginal, c.marginal) {
		t.Error("seeds 9 and 10 give the same samples")
	}

	// Rows 0, 2 and 5 as they were, the others changed: those rows'
	// outputs do not move, the others' do.
	y := slices.Clone(x)
	for _, r := range []int{1, 3, 4} {
		for j := range w {
			y[r*w+j] = -2 * y[r*w+j]
		}
	}
	d, err := predictAll(m, y, 9)
	if err != nil {
		t.Fatal(err)
	}
	width := len(a.mean) / 6
	row := func(v []float64, r int) []float64 { return v[r*width : (r+1)*width] }
	for _, pair := range []struct {
		name string
		a, d [][]float64
	}{{"Predict", a.predict, d.predict}, {"PredictMarginal", a.marginal, d.marginal}, {"PredictMean", [][]float64{a.mean}, [][]float64{d.mean}}} {
		for s := range pair.a {
			for r := range 6 {
				same := slices.Equal(row(pair.a[s], r), row(pair.d[s], r))
				if kept := r == 0 || r == 2 || r == 5; same != kept {
					t.Errorf("%s pass %d row %d: unchanged output is %v, want %v", pair.name, s, r, same, kept)
				}
			}
		}
	}
}
