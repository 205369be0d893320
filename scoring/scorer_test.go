package scoring

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func newScorer(t *testing.T, s *netspec.Spec, opts ...Option) *Scorer {
	t.Helper()
	m, err := s.NewModel(graph.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := New(m, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func records(rows, width int, shift float64) []float64 {
	x := make([]float64, rows*width)
	for i := range x {
		x[i] = math.Sin(float64(i)*0.7+shift) * 2
	}
	return x
}

func classifier() *netspec.Spec {
	s := netspec.MLP(netspec.Classification, 6, 16, 4)
	s.Estimator = "flipout" // predictions sample weights whatever the estimator
	return s
}

// A record's result is the same alone, in a batch, at another position and
// beside other records.
func TestBatchIndependence(t *testing.T) {
	reg := netspec.MLP(netspec.Regression, 6, 16, 2)
	reg.Estimator = "local-reparameterization"
	reg.NoiseStd = 0.1
	lenet := netspec.LeNet()
	lenet.Input = []int{1, 28, 28}
	for _, s := range []*netspec.Spec{classifier(), reg, lenet} {
		sc := newScorer(t, s, Samples(20), Seed(9), Quantiles(0.1, 0.5))
		w := sc.InputWidth()
		x := records(13, w, 0)
		batch, err := sc.Score(x, 13)
		if err != nil {
			t.Fatal(err)
		}
		other := records(4, w, 1)
		for i := range 13 {
			alone, err := sc.Score(x[i*w:(i+1)*w], 1)
			if err != nil {
				t.Fatal(err)
			}
			mixed, err := sc.Score(append(append(append([]float64(nil), other...), x[i*w:(i+1)*w]...), other[:w]...), 6)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(alone[0], batch[i]) || !reflect.DeepEqual(mixed[4], batch[i]) {
				t.Fatalf("%s record %d: alone %s, among others %s, in the batch %s", s.Task, i, js(alone[0]), js(mixed[4]), js(batch[i]))
			}
		}
		again, _ := sc.Score(x, 13, Seed(10))
		if reflect.DeepEqual(again, batch) {
			t.Errorf("%s: another seed gave the same results", s.Task)
		}
	}
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// The figures are those of Model.Predict's passes, summarised here by hand.
func TestAgainstPredict(t *testing.T) {
	s := classifier()
	s.OODThreshold = 0.05
	sc := newScorer(t, s, Samples(30), Seed(4))
	x := records(5, 6, 2)
	got, err := sc.Score(x, 5)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := s.NewModel(graph.Seed(3)) // the same parameters: same seed
	p, err := ref.Predict(x, 30, graph.PredictSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for i, r := range got {
		mean := make([]float64, 4)
		expected := 0.0
		for _, out := range p.Samples {
			l := out[i*4 : i*4+4]
			mx := math.Max(math.Max(l[0], l[1]), math.Max(l[2], l[3]))
			z := 0.0
			for _, v := range l {
				z += math.Exp(v - mx)
			}
			for c, v := range l {
				q := math.Exp(v-mx) / z
				mean[c] += q / 30
				expected -= q * math.Log(q) / 30
			}
		}
		entropy, best := 0.0, 0
		for c, q := range mean {
			entropy -= q * math.Log(q)
			if q > mean[best] {
				best = c
			}
			if math.Abs(q-r.Probs[c]) > 1e-12 {
				t.Errorf("record %d class %d: probability %v, want %v", i, c, r.Probs[c], q)
			}
		}
		if r.Class != best || math.Abs(r.Entropy-entropy) > 1e-12 || math.Abs(r.MutualInformation-(entropy-expected)) > 1e-12 {
			t.Errorf("record %d: class %d entropy %v MI %v, want %d %v %v", i, r.Class, r.Entropy, r.MutualInformation, best, entropy, entropy-expected)
		}
		if r.OOD != (r.MutualInformation > 0.05) {
			t.Errorf("record %d: OOD %v with MI %v", i, r.OOD, r.MutualInformation)
		}
		if r.OOD {
			flagged++
		}
		if r.Regression != nil {
			t.Error("a classifier's result has a regression part")
		}
	}
	t.Logf("%d of 5 flagged", flagged)
}

func TestRegressionIntervals(t *testing.T) {
	s := netspec.MLP(netspec.Regression, 6, 16, 1)
	x := records(3, 6, 0)
	level := DefaultLevel // a variable, so that (1-level)/2 rounds as at run time
	plain, err := newScorer(t, s, Samples(50), Quantiles((1-level)/2, (1+level)/2)).Score(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	noisy := *s
	noisy.NoiseStd = 0.5
	gauss, err := newScorer(t, &noisy, Samples(50), Level(0.95)).Score(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	calibrated := noisy
	calibrated.Conformal = &uncertainty.ConformalInterval{Level: 0.8, Scale: 1.5}
	conf, err := newScorer(t, &calibrated, Samples(50)).Score(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p, g, c := plain[i], gauss[i], conf[i]
		// Without noise the 90% interval is the 5% and 95% quantiles.
		if p.Lower[0] != p.Quantiles[0][0] || p.Upper[0] != p.Quantiles[1][0] || p.TotalStd != nil || p.Level != 0.9 {
			t.Errorf("record %d without noise: %s", i, js(p))
		}
		total := math.Hypot(g.Std[0], 0.5)
		if g.Mean[0] != p.Mean[0] || math.Abs(g.TotalStd[0]-total) > 1e-15 ||
			math.Abs(g.Upper[0]-g.Mean[0]-1.959963984540054*total) > 1e-9 || g.Level != 0.95 {
			t.Errorf("record %d with noise: %s", i, js(g))
		}
		if math.Abs(c.Lower[0]-(c.Mean[0]-1.5*total)) > 1e-12 || !c.Conformal || c.Level != 0.8 {
			t.Errorf("record %d conformal: %s", i, js(c))
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	sc := newScorer(t, classifier(), Samples(5), Parallel(3))
	x := records(8, 6, 0)
	want, err := sc.Score(x, 8)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := sc.Score(x[g*6:(g+1)*6], 1)
			if err != nil || !reflect.DeepEqual(got[0], want[g]) {
				t.Errorf("goroutine %d: %v, %v", g, js(got), err)
			}
		}()
	}
	wg.Wait()
}

func TestBadInput(t *testing.T) {
	sc := newScorer(t, classifier())
	x := records(2, 6, 0)
	nan := append([]float64(nil), x...)
	nan[8] = math.NaN()
	for _, tc := range []struct {
		x    []float64
		rows int
		opts []Option
		want string
	}{
		{x[:11], 2, nil, "11 values for 2 records"},
		{nil, 0, nil, "0 records"},
		{nan, 2, nil, "record 1, value 2 is NaN"},
		{x, 2, []Option{Samples(0)}, "Samples(0)"},
		{x, 2, []Option{Level(1)}, "Level(1)"},
		{x, 2, []Option{Quantiles(-0.1)}, "-0.1"},
	} {
		if _, err := sc.Score(tc.x, tc.rows, tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v; want an error naming %q", err, tc.want)
		}
	}
	if _, err := New(sc.model, sc.spec, Parallel(0)); err == nil || !strings.Contains(err.Error(), "Parallel(0)") {
		t.Errorf("Parallel(0): %v", err)
	}
	m, _ := netspec.MLP(netspec.Classification, 5, 3).NewModel()
	if _, err := New(m, classifier()); err == nil || !strings.Contains(err.Error(), "[5]") {
		t.Errorf("a model of another input: %v", err)
	}
}

func TestBucket(t *testing.T) {
	for n, want := range map[int]int{1: 2, 2: 2, 3: 4, 64: 64, 65: 128, 1024: 1024, 1025: 2048, 3000: 3072} {
		if got := bucket(n); got != want {
			t.Errorf("bucket(%d) = %d, want %d", n, got, want)
		}
	}
}

// A network of the user's own Go code, described by a custom Spec.
func TestCustomNetwork(t *testing.T) {
	mlp := netspec.MLP(netspec.Classification, 6, 3)
	net, err := mlp.Network()
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(net, graph.Input(6))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := New(m, &netspec.Spec{Input: []int{6}, Task: netspec.Classification, Custom: "mine"}, Samples(4))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := sc.Score(records(2, 6, 0), 2)
	if err != nil || sc.OutputWidth() != 3 || len(rs[1].Probs) != 3 {
		t.Fatalf("%v, %v", js(rs), err)
	}
	one, _ := graph.NewModel(net, graph.Input(6)) // shares the layers
	if _, err := New(one, &netspec.Spec{Input: []int{6}, Task: netspec.Regression, Layers: []netspec.Layer{{Kind: netspec.Linear, Out: 2}}}); err == nil || !strings.Contains(err.Error(), "3 outputs per record, its spec 2") {
		t.Errorf("a spec that does not describe the model: %v", err)
	}
}
