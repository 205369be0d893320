package optim_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

func fitOrFail(t *testing.T, tr *optim.Trainer, data *datasets.Dataset, epochs int) *optim.History {
	t.Helper()
	h, err := tr.Fit(context.Background(), data, epochs)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func params(m *graph.Model) [][]float64 {
	var v [][]float64
	for _, p := range m.Params() {
		v = append(v, p.Values())
	}
	return v
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func equalParams(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// TestValidationValues checks the validation loss and RMSE against a hand
// computation. The model is frozen (mean weights), so that the validation
// samples are the mean network's, whatever the noise.
func TestValidationValues(t *testing.T) {
	train, val := tinyData(10), tinyData(7)
	for i := range val.X {
		val.X[i] += 0.3
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	m := tinyModel(t, 4)
	m.Freeze()
	s, err := optim.NewSGD(0.01)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(m, elbo, s, optim.Samples(2), optim.BatchSize(4), optim.Quiet(),
		optim.Validation(val, optim.RMSE()))
	if err != nil {
		t.Fatal(err)
	}
	h := fitOrFail(t, tr, train, 1)
	e := h.Epochs[0]
	if !e.Validated {
		t.Fatal("epoch not validated")
	}
	// By hand: the ELBO of the whole validation set in one graph, with the
	// KL weighted 1/N of the training set, at the trained parameters.
	g, err := m.Build(7, elbo)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetX(val.X); err != nil {
		t.Fatal(err)
	}
	if err := elbo.Prepare(g, val.Y, losses.Batch{DatasetSize: 10, Size: 7, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	fit, kl, err := elbo.Parts(g)
	if err != nil {
		t.Fatal(err)
	}
	if !close(e.ValLoss, g.Loss()) || !close(e.ValFit, fit) || !close(e.ValKL, kl) {
		t.Errorf("validation loss %v (fit %v, KL %v), by hand %v (%v, %v)", e.ValLoss, e.ValFit, e.ValKL, g.Loss(), fit, kl)
	}
	mean, err := m.PredictMean(val.X)
	if err != nil {
		t.Fatal(err)
	}
	ss := 0.0
	for i, y := range val.Y {
		ss += (mean[i] - y) * (mean[i] - y)
	}
	if want := math.Sqrt(ss / 7); !close(e.Metrics["val_rmse"], want) {
		t.Errorf("val_rmse %v, want %v", e.Metrics["val_rmse"], want)
	}
	if v, ok := e.Value("val_rmse"); !ok || v != e.Metrics["val_rmse"] {
		t.Errorf("Value(val_rmse) = %v, %v", v, ok)
	}
}

// TestValidationLeavesNoGradient checks that validation runs do not leak
// gradients into the next step: after an epoch with and one without
// validation, the same step with the same noise moves the parameters alike.
func TestValidationLeavesNoGradient(t *testing.T) {
	train := tinyData(8)
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var after [2][][]float64
	for i, opts := range [][]optim.TrainerOption{nil, {optim.Validation(tinyData(5))}} {
		m := tinyModel(t, 5)
		tr, err := optim.NewTrainer(m, elbo, sgd(t), append(opts, optim.Quiet(), optim.Samples(2))...)
		if err != nil {
			t.Fatal(err)
		}
		fitOrFail(t, tr, train, 1)
		m.ReseedNoise(3)
		if _, err := tr.Step(train.X, train.Y, losses.Batch{DatasetSize: 8, Size: 8, Count: 1}); err != nil {
			t.Fatal(err)
		}
		after[i] = params(m)
	}
	if !equalParams(after[0], after[1]) {
		t.Error("a step after validation differs from one without: validation left gradients behind")
	}
}

func TestAccuracy(t *testing.T) {
	data := &datasets.Dataset{X: []float64{0, 0, 0}, XShape: []int{1}, Labels: []int{0, 1, 1}, Classes: 2}
	// Three samples per example. Example 1 shows that the probabilities
	// are averaged, not the logits: two samples give class 1 a
	// probability of 0.993, one gives it 6e-6; the mean probability
	// (0.66) picks class 1, the mean logit (4 against 3.3) class 0.
	// Example 2 is wrong (mean probability of class 1: 0.34).
	p := &optim.Predictions{
		Width: 2, Data: data,
		Outputs: [][]float64{
			{1, 0, 0, 5, 5, 0},
			{0, 1, 0, 5, 0, 1},
			{1, 0, 12, 0, 1, 0},
		},
	}
	got, err := optim.Accuracy().Score(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2.0 / 3; math.Abs(got-want) > 1e-15 {
		t.Errorf("accuracy %v, want %v", got, want)
	}
	if _, err := optim.RMSE().Score(p); err == nil || !strings.Contains(err.Error(), "labels") {
		t.Errorf("RMSE of labelled data: %v", err)
	}
	p.Outputs[1] = p.Outputs[1][:4]
	if _, err := optim.Accuracy().Score(p); err == nil || !strings.Contains(err.Error(), "sample 1") {
		t.Errorf("short sample: %v", err)
	}
}

// scripted is a metric that returns the given values, one per epoch.
func scripted(name string, values ...float64) optim.Metric {
	i := 0
	return optim.MetricFunc(name, func(*optim.Predictions) (float64, error) {
		v := values[i]
		i++
		return v, nil
	})
}

func TestEarlyStopping(t *testing.T) {
	cases := []struct {
		name   string
		values []float64
		opts   []optim.StopOption
		epochs int
		best   int
		early  bool
	}{
		{"minimise", []float64{3, 2, 2.5, 2.4, 2.6, 1}, []optim.StopOption{optim.StopMonitor("val_score")}, 5, 1, true},
		{"maximise", []float64{0.5, 0.8, 0.6, 0.7, 0.9, 0.85, 0.8}, []optim.StopOption{optim.StopMonitorMax("val_score")}, 7, 4, false},
		{"min delta", []float64{3, 2.95, 2.91, 2.9, 2}, []optim.StopOption{optim.StopMonitor("val_score"), optim.StopMinDelta(0.1)}, 4, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := tinyModel(t, 6)
			var snapshots [][][]float64
			hook := optim.EpochHookFunc(func(tr *optim.Trainer, e optim.EpochInfo) error {
				if tr.Epochs() != e.Epoch+1 {
					t.Errorf("hook after epoch %d sees %d epochs done", e.Epoch, tr.Epochs())
				}
				snapshots = append(snapshots, params(m))
				return nil
			})
			elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			tr, err := optim.NewTrainer(m, elbo, sgd(t), optim.Quiet(),
				optim.Validation(tinyData(3), scripted("score", c.values...)),
				optim.EarlyStopping(3, append(c.opts, optim.StopRestoreBest())...), optim.OnEpoch(hook))
			if err != nil {
				t.Fatal(err)
			}
			h := fitOrFail(t, tr, tinyData(6), 7)
			if len(h.Epochs) != c.epochs || h.StoppedEarly != c.early || h.BestEpoch != c.best {
				t.Fatalf("%d epochs, stopped early %v, best %d; want %d, %v, %d", len(h.Epochs), h.StoppedEarly, h.BestEpoch, c.epochs, c.early, c.best)
			}
			if !equalParams(params(m), snapshots[c.best]) {
				t.Error("the parameters are not the best epoch's")
			}
			if equalParams(params(m), snapshots[len(snapshots)-1]) {
				t.Error("the last epoch's parameters equal the best's: the restore is not tested")
			}
		})
	}
}

func TestEarlyStoppingNeedsItsValue(t *testing.T) {
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet(), optim.EarlyStopping(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), tinyData(4), 1); err == nil || !strings.Contains(err.Error(), `"val_loss"`) {
		t.Errorf("early stopping on val_loss without validation data: %v", err)
	}
	if _, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.EarlyStopping(0)); err == nil {
		t.Error("EarlyStopping(0) accepted")
	}
}

func readCSV(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestReporters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.csv")
	csv, err := optim.NewCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := optim.NewTrainer(tinyModel(t, 2), elbo, sgd(t), optim.Quiet(),
		optim.Validation(tinyData(3), optim.RMSE()), optim.Report(optim.Console(&console), csv))
	if err != nil {
		t.Fatal(err)
	}
	h := fitOrFail(t, tr, tinyData(6), 3)
	lines := readCSV(t, path)
	if lines[0] != "epoch,loss,fit,kl,seconds,val_loss,val_fit,val_kl,val_rmse" || len(lines) != 4 {
		t.Fatalf("CSV:\n%s", strings.Join(lines, "\n"))
	}
	for i, e := range h.Epochs {
		f := strings.Split(lines[i+1], ",")
		loss, _ := strconv.ParseFloat(f[1], 64)
		rmse, _ := strconv.ParseFloat(f[8], 64)
		if f[0] != strconv.Itoa(i) || loss != e.Loss || rmse != e.Metrics["val_rmse"] {
			t.Errorf("row %d %q, epoch %+v", i, lines[i+1], e)
		}
	}
	if n := strings.Count(console.String(), "\n"); n != 3 || !strings.Contains(console.String(), "val_rmse") {
		t.Errorf("console output:\n%s", console.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want the CSV alone", len(entries))
	}

	// Appending: a torn last row (a crash while writing) is dropped, the
	// new rows follow the old ones.
	header := "epoch,loss,fit,kl,seconds"
	if err := os.WriteFile(path, []byte(header+"\n0,1,1,0,0.1\n1,0.9,0.8,0.0"), 0o644); err != nil {
		t.Fatal(err)
	}
	app, err := optim.NewCSV(path, optim.CSVAppend())
	if err != nil {
		t.Fatal(err)
	}
	tr, err = optim.NewTrainer(tinyModel(t, 2), elbo, sgd(t), optim.Quiet(), optim.Report(app))
	if err != nil {
		t.Fatal(err)
	}
	fitOrFail(t, tr, tinyData(6), 2)
	lines = readCSV(t, path)
	if len(lines) != 4 || lines[1] != "0,1,1,0,0.1" || !strings.HasPrefix(lines[2], "0,") || !strings.HasPrefix(lines[3], "1,") {
		t.Errorf("appended CSV:\n%s", strings.Join(lines, "\n"))
	}

	// A file of other columns is refused, naming it, and left alone.
	other, err := optim.NewCSV(path, optim.CSVAppend())
	if err != nil {
		t.Fatal(err)
	}
	tr, err = optim.NewTrainer(tinyModel(t, 2), elbo, sgd(t), optim.Quiet(), optim.Validation(tinyData(3)), optim.Report(other))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), tinyData(6), 1); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("appending other columns: %v", err)
	}
	if got := readCSV(t, path); len(got) != 4 {
		t.Errorf("the refused file changed:\n%s", strings.Join(got, "\n"))
	}
}

// TestTrainerFeedsPlateau checks that a Fit reports its epoch and
// validation losses to the objective's schedule: a Plateau inside the
// ELBO ends where a replay of the history's losses leaves a fresh one.
func TestTrainerFeedsPlateau(t *testing.T) {
	for _, kind := range []losses.LossKind{losses.EpochLoss, losses.ValidationLoss} {
		newPlateau := func() *losses.Plateau {
			p, err := losses.NewPlateau(losses.PerExample{}, 2, 1, losses.PlateauTrack(kind), losses.PlateauBounds(0, 1e6))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := newPlateau()
		elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5}, losses.WithKLWeight(p))
		if err != nil {
			t.Fatal(err)
		}
		// A large learning rate on few data: the losses go up and down.
		s, err := optim.NewSGD(0.2)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := optim.NewTrainer(tinyModel(t, 8), elbo, s, optim.Quiet(), optim.BatchSize(2), optim.Validation(tinyData(3)))
		if err != nil {
			t.Fatal(err)
		}
		h := fitOrFail(t, tr, tinyData(6), 12)
		replay := newPlateau()
		for _, e := range h.Epochs {
			l := e.Loss
			if kind == losses.ValidationLoss {
				l = e.ValLoss
			}
			replay.ObserveLoss(losses.Observation{Kind: kind, Loss: l})
		}
		if p.Changes() == 0 || p.Beta() != replay.Beta() || p.Changes() != replay.Changes() {
			t.Errorf("%v: trained plateau at beta %v after %d changes, the replay at %v after %d (want equal, some)", kind, p.Beta(), p.Changes(), replay.Beta(), replay.Changes())
		}
	}
}

func TestEpochOptionsReject(t *testing.T) {
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	wide := &datasets.Dataset{X: []float64{1, 2, 3}, XShape: []int{3}, Y: []float64{1}, YWidth: 1}
	cases := []struct {
		name string
		opt  optim.TrainerOption
		want string
	}{
		{"nil validation data", optim.Validation(nil), "nil data"},
		{"invalid validation data", optim.Validation(&datasets.Dataset{XShape: []int{2}}), "empty"},
		{"validation width", optim.Validation(wide), "shape [3]"},
		{"nil metric", optim.Validation(tinyData(3), nil), "metric 0"},
		{"metric name", optim.Validation(tinyData(3), optim.MetricFunc("a,b", nil)), `"a,b"`},
		{"duplicate metric", optim.Validation(tinyData(3), optim.RMSE(), optim.RMSE()), `"rmse"`},
		{"nil reporter", optim.Report(nil), "reporter 0"},
		{"nil hook", optim.OnEpoch(nil), "hook 0"},
		{"min delta", optim.EarlyStopping(1, optim.StopMinDelta(-1)), "min delta"},
		{"zero stop option", optim.EarlyStopping(1, optim.StopOption{}), "zero StopOption"},
		{"empty monitor", optim.EarlyStopping(1, optim.StopMonitor("")), "empty name"},
	}
	for _, c := range cases {
		if _, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
		}
	}
	if _, err := optim.NewCSV(""); err == nil {
		t.Error("NewCSV accepted an empty path")
	}
	// A metric that fails stops the Fit with an error naming it; so does
	// one that does not fit the data (accuracy of regression targets).
	for _, m := range []optim.Metric{optim.MetricFunc("broken", nil), optim.Accuracy()} {
		tr, err := optim.NewTrainer(tinyModel(t, 1), elbo, sgd(t), optim.Quiet(), optim.Validation(tinyData(3), m))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Fit(context.Background(), tinyData(4), 1); err == nil || !strings.Contains(err.Error(), m.Name()) {
			t.Errorf("metric %s: Fit error %v", m.Name(), err)
		}
	}
}
