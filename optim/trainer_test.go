package optim_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// tinyModel is a Bayesian 2-3-1 regression network.
func tinyModel(t *testing.T, seed uint64) *graph.Model {
	t.Helper()
	l1, err := bayesnodes.NewLinear(2, 3, bayesnodes.WithRhoInit(-2, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := bayesnodes.NewLinear(3, 1, bayesnodes.WithRhoInit(-2, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := l1.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		return l2.Apply(b, h)
	}
	m, err := graph.NewModel(net, graph.Input(2), graph.Seed(seed))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func tinyData(n int) *datasets.Dataset {
	d := &datasets.Dataset{XShape: []int{2}, YWidth: 1}
	for i := 0; i < n; i++ {
		a, b := float64(i)/float64(n), math.Sin(float64(i))
		d.X = append(d.X, a, b)
		d.Y = append(d.Y, a-2*b)
	}
	return d
}

func sgd(t *testing.T) optim.Solver {
	t.Helper()
	s, err := optim.NewSGD(1)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSamplesAverageGradientsExactly checks that a K-sample step moves the
// parameters by exactly the mean of K single-sample gradients drawn with the
// same noise: SGD with learning rate 1 makes the update the gradient.
func TestSamplesAverageGradientsExactly(t *testing.T) {
	const k = 3
	data := tinyData(6)
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// The trainer's step.
	mt := tinyModel(t, 9)
	tr, err := optim.NewTrainer(mt, elbo, sgd(t), optim.Samples(k), optim.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	// The same model by hand: K runs, gradients summed by the machine.
	mh := tinyModel(t, 9)
	g, err := mh.Build(6, elbo)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX(data.X); err != nil {
		t.Fatal(err)
	}
	at := losses.Batch{DatasetSize: 6, Size: 6, Count: 1}
	if err := elbo.Prepare(g, data.Y, at); err != nil {
		t.Fatal(err)
	}
	lossSum := 0.0
	for i := 0; i < k; i++ {
		if err := g.Run(); err != nil {
			t.Fatal(err)
		}
		lossSum += g.Loss()
	}
	info, err := tr.Step(data.X, data.Y, at)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(info.Loss-lossSum/k) > 1e-12 {
		t.Fatalf("step loss %v, want the mean of %d runs %v", info.Loss, k, lossSum/k)
	}
	for i, vg := range g.Learnables() {
		p := mh.Params()[i]
		gr, err := vg.Grad()
		if err != nil {
			t.Fatal(err)
		}
		sum := gr.Data().([]float64)
		start, after := p.Values(), mt.Params()[i].Values()
		for j := range sum {
			want := start[j] - sum[j]/k
			if math.Abs(after[j]-want) > 1e-12 {
				t.Fatalf("%s[%d] = %v after the step, want %v - %v/%d = %v", p.Name(), j, after[j], start[j], sum[j], k, want)
			}
		}
	}
}

func TestFitKeepsPartialBatchesAndLearns(t *testing.T) {
	data := tinyData(10)
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	adam, err := optim.NewAdam(0.05)
	if err != nil {
		t.Fatal(err)
	}
	var steps []optim.StepInfo
	tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, adam, optim.BatchSize(4), optim.Quiet(),
		optim.OnStep(func(s optim.StepInfo) error { steps = append(steps, s); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	h, err := tr.Fit(context.Background(), data, 60)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Steps) != 180 || len(steps) != 180 || tr.Steps() != 180 {
		t.Fatalf("%d steps recorded, %d called back, %d taken; want 3 per epoch x 60", len(h.Steps), len(steps), tr.Steps())
	}
	for i, s := range h.Steps[:3] {
		if want := []int{4, 4, 2}[i]; s.Size != want || s.Index != i || s.Count != 3 || s.DatasetSize != 10 {
			t.Fatalf("step %d: %+v, want size %d of 3 batches over 10 examples", i, s.Batch, want)
		}
	}
	first, last := h.Epochs[0], h.Epochs[len(h.Epochs)-1]
	if !(last.Fit < first.Fit) {
		t.Fatalf("fit went from %v to %v: not learning", first.Fit, last.Fit)
	}
	if math.Abs(first.Loss-(first.Fit+first.KL/10)) > 1e-9*math.Abs(first.Loss) {
		t.Fatalf("epoch loss %v != fit %v + KL %v / 10", first.Loss, first.Fit, first.KL)
	}
}

func TestProgressOutput(t *testing.T) {
	var buf bytes.Buffer
	elbo, _ := losses.NewELBO(losses.MSE{})
	tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Progress(&buf), optim.ProgressEvery(0), optim.BatchSize(5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), tinyData(10), 2); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "epoch 1/2  batch 1/2  step 1  loss ") {
		t.Fatalf("progress:\n%s\nwant a line per step and a final one", buf.String())
	}
	// Each line gives the rate and the time left: 3 of 4 steps to go after
	// the first, none after the last.
	rate := regexp.MustCompile(`  [0-9.e+]+ steps/s  ETA [0-9.]+(ms|µs|ns|s)$`)
	if !rate.MatchString(lines[0]) || !strings.HasSuffix(lines[3], " steps/s  done") || !strings.HasSuffix(lines[4], " steps/s  done") {
		t.Fatalf("progress:\n%s\nwant a rate and an ETA on each line, done on the last two", buf.String())
	}
	buf.Reset()
	quiet, _ := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet())
	if _, err := quiet.Fit(context.Background(), tinyData(10), 2); err != nil || buf.Len() != 0 {
		t.Fatalf("Quiet wrote %q (err %v)", buf.String(), err)
	}
}

func TestFitStopsOnCancelAndCallbackError(t *testing.T) {
	elbo, _ := losses.NewELBO(losses.MSE{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr, _ := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet())
	if _, err := tr.Fit(ctx, tinyData(4), 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Fit returned %v", err)
	}
	stop := errors.New("enough")
	tr, _ = optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet(), optim.OnStep(func(optim.StepInfo) error { return stop }))
	h, err := tr.Fit(context.Background(), tinyData(4), 3)
	if !errors.Is(err, stop) || len(h.Steps) != 1 {
		t.Fatalf("callback error: Fit returned %v after %d steps", err, len(h.Steps))
	}
}

func TestTrainerBadInput(t *testing.T) {
	elbo, _ := losses.NewELBO(losses.MSE{})
	model := tinyModel(t, 1)
	tr, err := optim.NewTrainer(model, elbo, sgd(t), optim.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	nan := tinyData(4)
	nan.X[3] = math.NaN()
	wide := &datasets.Dataset{X: make([]float64, 12), XShape: []int{3}, Y: make([]float64, 4), YWidth: 1}
	classes := &datasets.Dataset{X: make([]float64, 8), XShape: []int{2}, Labels: []int{0, 1, 2, 1}, Classes: 3}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"nil model", func() error { _, err := optim.NewTrainer(nil, elbo, sgd(t)); return err }, "nil model"},
		{"zero samples", func() error { _, err := optim.NewTrainer(model, elbo, sgd(t), optim.Samples(0)); return err }, "Samples(0)"},
		{"negative batch", func() error { _, err := optim.NewTrainer(model, elbo, sgd(t), optim.BatchSize(-2)); return err }, "BatchSize(-2)"},
		{"zero epochs", func() error { _, err := tr.Fit(context.Background(), tinyData(4), 0); return err }, "epochs is 0"},
		{"NaN in data", func() error { _, err := tr.Fit(context.Background(), nan, 1); return err }, "NaN"},
		{"wrong width", func() error { _, err := tr.Fit(context.Background(), wide, 1); return err }, "examples have shape [3] (3 values), the model's input is [2]"},
		{"classes vs outputs", func() error { _, err := tr.Fit(context.Background(), classes, 1); return err }, "the network outputs 1 per example"},
		{"ragged step", func() error { _, err := tr.Step([]float64{1, 2, 3}, []float64{1}, losses.Batch{}); return err }, "not a whole number of examples"},
		{"mismatched batch", func() error {
			_, err := tr.Step([]float64{1, 2, 3, 4}, []float64{1}, losses.Batch{DatasetSize: 2})
			return err
		}, "1 target values for 2 examples"},
		{"empty data", func() error {
			_, err := tr.Fit(context.Background(), &datasets.Dataset{XShape: []int{2}, YWidth: 1}, 1)
			return err
		}, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
