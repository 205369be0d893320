package optim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
)

// Objective is what a Trainer minimises: a graph objective that takes each
// step's targets and batch position, and reports its parts. *losses.ELBO
// implements it.
type Objective interface {
	graph.Objective
	// Prepare sets a graph's per-step inputs: the batch's targets (the
	// output's shape) and whatever depends on the position, such as the
	// KL weight.
	Prepare(g *graph.Graph, targets []float64, at losses.Batch) error
	// Parts reads the fit and KL terms of the graph's last run.
	Parts(g *graph.Graph) (fit, kl float64, err error)
}

// targetWidth is the targets per example obj wants for outputWidth
// outputs: fewer than the outputs for a likelihood that also predicts its
// noise (losses.Heteroscedastic through the ELBO).
func targetWidth(obj Objective, outputWidth int) (int, error) {
	if tw, ok := obj.(interface{ TargetWidth(int) (int, error) }); ok {
		return tw.TargetWidth(outputWidth)
	}
	return outputWidth, nil
}

// StepInfo reports one training step: the position and the loss and its
// parts, each the mean over the step's Monte-Carlo samples.
type StepInfo struct {
	losses.Batch
	Loss, Fit, KL float64
}

// EpochInfo reports one epoch: the means over its examples of the steps'
// loss and parts, its wall time (validation included) and, with
// Validation data, the loss, its parts and the metrics on that data.
type EpochInfo struct {
	Epoch         int // from 0, over every Fit
	Loss, Fit, KL float64
	Seconds       float64

	Validated              bool // the Val fields and Metrics are set
	ValLoss, ValFit, ValKL float64
	// Metrics holds the validation metrics under "val_" and their names,
	// e.g. "val_accuracy".
	Metrics map[string]float64
}

// History is the record of a Fit.
type History struct {
	Steps  []StepInfo
	Epochs []EpochInfo
	// StoppedEarly is set when EarlyStopping ended the Fit.
	StoppedEarly bool
	// BestEpoch is the epoch (as EpochInfo.Epoch) of this Fit with the
	// best monitored value under EarlyStopping, -1 without it.
	BestEpoch int
}

// Trainer fits a model's parameters by minimising an objective with a
// solver over mini-batches of a data set.
type Trainer struct {
	model    *graph.Model
	obj      Objective
	solver   Solver
	samples  int
	batch    int
	progress io.Writer
	every    time.Duration
	onStep   func(StepInfo) error
	rng      *rand.Rand
	shuffle  *rand.PCG // rng's source, whose position State saves

	graphs map[int]*graph.Graph
	// replicas[size] are extra graphs for Parallel samples
	replicas map[int][]*graph.Graph
	round    []*graph.Graph // the graphs of the current step (samplerGraphs)
	parallel int
	// weighted objectives (SampleWeighter): gradients and losses of a step
	weighted     weightedGrads
	sampleLosses []float64

	val      *validation
	reports  []Reporter
	hooks    []EpochHook
	stopping *earlyStopping
	steps    int // steps taken, over every Fit
	epochs   int // epochs completed, over every Fit
	x, y     []float64
}

// TrainerOption configures a Trainer.
type TrainerOption func(*Trainer) error

// Samples sets K, the Monte-Carlo samples per step (default 1).
func Samples(k int) TrainerOption {
	return func(t *Trainer) error {
		if k <= 0 {
			return fmt.Errorf("optim: Samples(%d): want at least 1", k)
		}
		t.samples = k
		return nil
	}
}

// Parallel runs a step's Monte-Carlo samples on up to n graphs at once, one
// goroutine each (default GOMAXPROCS; 1 runs them one after another). The
// graphs share the model's parameters and draw their noise in the
// sequential order, so the results are the same, bit for bit, whatever n;
// each graph costs its own memory for activations. Measured on 2 cores, a
// K = 3 step of the MNIST MLP takes 0.72x the sequential time with gonum's
// BLAS and the same time with OpenBLAS, which already uses both cores.
func Parallel(n int) TrainerOption {
	return func(t *Trainer) error {
		if n <= 0 {
			return fmt.Errorf("optim: Parallel(%d): want at least 1", n)
		}
		t.parallel = n
		return nil
	}
}

// BatchSize sets the examples per step; 0 (the default) means the whole data
// set. The last batch of an epoch may be smaller: no example is dropped.
func BatchSize(n int) TrainerOption {
	return func(t *Trainer) error {
		if n < 0 {
			return fmt.Errorf("optim: BatchSize(%d): want >= 0", n)
		}
		t.batch = n
		return nil
	}
}

// Progress sets where progress lines go (default: os.Stderr when it is a
// terminal, none otherwise, so logs and pipes stay quiet); nil silences
// them. A line is written at most once per ProgressEvery, and after the
// last epoch.
func Progress(w io.Writer) TrainerOption {
	return func(t *Trainer) error { t.progress = w; return nil }
}

// Quiet silences progress output.
func Quiet() TrainerOption { return Progress(nil) }

// ProgressEvery sets the least time between progress lines (default 2 s).
func ProgressEvery(d time.Duration) TrainerOption {
	return func(t *Trainer) error {
		if d < 0 {
			return fmt.Errorf("optim: ProgressEvery(%v): want >= 0", d)
		}
		t.every = d
		return nil
	}
}

// OnStep calls fn after every step; an error from fn stops Fit and is
// returned.
func OnStep(fn func(StepInfo) error) TrainerOption {
	return func(t *Trainer) error { t.onStep = fn; return nil }
}

// ShuffleSeed seeds the order of examples in each epoch (default 1).
func ShuffleSeed(seed uint64) TrainerOption {
	return func(t *Trainer) error {
		t.shuffle = rand.NewPCG(seed, 0x5eed0004)
		t.rng = rand.New(t.shuffle)
		return nil
	}
}

// NewTrainer returns a trainer of model's parameters.
func NewTrainer(model *graph.Model, obj Objective, solver Solver, opts ...TrainerOption) (*Trainer, error) {
	switch {
	case model == nil:
		return nil, fmt.Errorf("optim: NewTrainer: nil model")
	case obj == nil:
		return nil, fmt.Errorf("optim: NewTrainer: nil objective")
	case solver == nil:
		return nil, fmt.Errorf("optim: NewTrainer: nil solver")
	}
	t := &Trainer{model: model, obj: obj, solver: solver, samples: 1, progress: terminal(os.Stderr),
		every: 2 * time.Second, graphs: map[int]*graph.Graph{},
		replicas: map[int][]*graph.Graph{}, parallel: runtime.GOMAXPROCS(0)}
	if err := ShuffleSeed(1)(t); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Steps returns the number of steps taken so far.
func (t *Trainer) Steps() int { return t.steps }

// ErrNonFiniteLoss: a step's loss is NaN or infinite; the step is not
// taken.
var ErrNonFiniteLoss = errors.New("non-finite loss")

// Fit trains for the given number of epochs over data and returns what
// happened. Calling it again continues where it stopped.
//
// A step whose loss is not finite (ErrNonFiniteLoss) or whose update would
// make a parameter or a moment of the solver non-finite (ErrNonFiniteStep,
// in a *StepError naming the parameter and the step) ends the Fit with
// that error and the model on the parameters before the step; with
// EarlyStopping's StopRestoreBest, on the best epoch's.
//
// After every epoch it validates on the Validation data (if any), reports
// the losses to an objective that is a losses.LossObserver (every step's
// loss too), hands the epoch to the Reporters and the EpochHooks in order,
// and stops early if EarlyStopping says so.
func (t *Trainer) Fit(ctx context.Context, data *datasets.Dataset, epochs int) (*History, error) {
	switch {
	case t == nil || t.model == nil:
		return nil, errors.New("optim: Fit: no trainer: a nil *Trainer, or one not made by NewTrainer")
	case ctx == nil:
		return nil, errors.New("optim: Fit: nil context (use context.Background())")
	}
	if epochs <= 0 {
		return nil, fmt.Errorf("optim: Fit: epochs is %d, want > 0", epochs)
	}
	if err := t.checkData(data); err != nil {
		return nil, err
	}
	if err := t.checkEpochOptions(); err != nil {
		return nil, err
	}
	observer, _ := t.obj.(losses.LossObserver)
	n := data.Len()
	size := t.batch
	if size == 0 || size > n {
		size = n
	}
	h := &History{BestEpoch: -1}
	if t.stopping != nil {
		t.stopping.start()
	}
	start := time.Now()
	if err := t.fitEpochs(ctx, data, epochs, size, observer, h, start); err != nil {
		// A diverged Fit still ends on its best epoch's parameters if
		// asked to: they are what the caller would keep.
		if t.stopping != nil && (errors.Is(err, ErrNonFiniteLoss) || errors.Is(err, ErrNonFiniteStep)) {
			if rerr := t.stopping.finish(t.model, h); rerr != nil {
				return h, errors.Join(err, rerr)
			}
		}
		return h, err
	}
	if t.stopping != nil {
		if err := t.stopping.finish(t.model, h); err != nil {
			return h, err
		}
	}
	if t.progress != nil && len(h.Steps) > 0 {
		t.report(h.Steps[len(h.Steps)-1], len(h.Epochs), epochs, len(h.Steps), len(h.Steps), time.Since(start))
	}
	return h, nil
}

// fitEpochs runs Fit's epochs, recording them in h.
func (t *Trainer) fitEpochs(ctx context.Context, data *datasets.Dataset, epochs, size int, observer losses.LossObserver, h *History, start time.Time) error {
	n := data.Len()
	last := start
	for e := 0; e < epochs; e++ {
		epochStart := time.Now()
		var shuffle *rand.Rand
		if size < n {
			shuffle = t.rng
		}
		batches, err := data.Batches(size, shuffle)
		if err != nil {
			return err
		}
		var sum EpochInfo
		for i, idx := range batches {
			if err := ctx.Err(); err != nil {
				return err
			}
			at := losses.Batch{Step: t.steps, Epoch: t.epochs, Index: i, Count: len(batches), Size: len(idx), DatasetSize: n}
			t.x = data.GatherX(idx, t.x)
			if data.Labels != nil {
				t.y = data.GatherOneHot(idx, t.y)
			} else {
				t.y = data.GatherY(idx, t.y)
			}
			info, err := t.Step(t.x, t.y, at)
			if err != nil {
				return err
			}
			h.Steps = append(h.Steps, info)
			w := float64(len(idx)) / float64(n)
			sum.Loss += w * info.Loss
			sum.Fit += w * info.Fit
			sum.KL += w * info.KL
			if observer != nil {
				observer.ObserveLoss(losses.Observation{Kind: losses.StepLoss, Loss: info.Loss, At: at})
			}
			if t.onStep != nil {
				if err := t.onStep(info); err != nil {
					return err
				}
			}
			if t.progress != nil && time.Since(last) >= t.every {
				t.report(info, e+1, epochs, len(h.Steps), epochs*len(batches), time.Since(start))
				last = time.Now()
			}
		}
		sum.Epoch = t.epochs
		stop, err := t.endEpoch(h, &sum, epochStart, len(batches), n, observer)
		if err != nil {
			return err
		}
		if stop {
			h.StoppedEarly = true
			break
		}
	}
	return nil
}

// endEpoch completes an epoch: validation, the record in h, the losses to
// the observer, early stopping, reporters and hooks. It reports whether
// early stopping ends the Fit.
func (t *Trainer) endEpoch(h *History, sum *EpochInfo, start time.Time, batches, n int, observer losses.LossObserver) (bool, error) {
	if t.val != nil {
		if err := t.validate(sum, n); err != nil {
			return false, err
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	h.Epochs = append(h.Epochs, *sum)
	t.epochs++
	if observer != nil {
		at := losses.Batch{Step: t.steps, Epoch: sum.Epoch, Count: batches, DatasetSize: n}
		observer.ObserveLoss(losses.Observation{Kind: losses.EpochLoss, Loss: sum.Loss, At: at})
		if sum.Validated {
			observer.ObserveLoss(losses.Observation{Kind: losses.ValidationLoss, Loss: sum.ValLoss, At: at})
		}
	}
	stop := false
	if t.stopping != nil {
		var err error
		if stop, err = t.stopping.observe(t.model, *sum); err != nil {
			return false, err
		}
	}
	for _, r := range t.reports {
		if err := r.Report(*sum); err != nil {
			return false, fmt.Errorf("optim: reporting epoch %d: %w", sum.Epoch, err)
		}
	}
	for _, hook := range t.hooks {
		if err := hook.AfterEpoch(t, *sum); err != nil {
			return false, fmt.Errorf("optim: after epoch %d: %w", sum.Epoch, err)
		}
	}
	return stop, nil
}

// report writes a progress line: where the Fit is, the step's losses, and
// its rate and expected time left from the done of total steps so far.
func (t *Trainer) report(s StepInfo, epoch, epochs, done, total int, elapsed time.Duration) {
	rate := float64(done) / elapsed.Seconds()
	eta := "done"
	if done < total {
		eta = "ETA " + (time.Duration(float64(total-done) / rate * float64(time.Second))).Round(time.Second/10).String()
	}
	fmt.Fprintf(t.progress, "epoch %d/%d  batch %d/%d  step %d  loss %.5g  fit %.5g  kl %.5g  %.1fs  %.3g steps/s  %s\n",
		epoch, epochs, s.Index+1, s.Count, s.Step+1, s.Loss, s.Fit, s.KL, elapsed.Seconds(), rate, eta)
}

// checkData reports data that does not fit the model, before any graph runs.
func (t *Trainer) checkData(data *datasets.Dataset) error {
	if data == nil {
		return fmt.Errorf("optim: Fit: nil data set")
	}
	if err := data.Validate(); err != nil {
		return fmt.Errorf("optim: Fit: %w", err)
	}
	if data.Width() != t.model.InputWidth() {
		return fmt.Errorf("optim: Fit: examples have shape %v (%d values), the model's input is %v (%d values)",
			data.XShape, data.Width(), t.model.InputShape(), t.model.InputWidth())
	}
	return nil
}

// Step takes one training step on a batch: x holds its inputs (rows of the
// model's input width), y its targets (rows of the output width; one-hot for
// classification). It runs the graph for the batch size K times and steps
// the solver once on the mean gradient, or on the weighted mean for an
// objective that is a SampleWeighter (its loss is then Combine's, and Fit
// and KL stay the samples' means).
func (t *Trainer) Step(x, y []float64, at losses.Batch) (StepInfo, error) {
	if t == nil || t.model == nil {
		return StepInfo{}, errors.New("optim: Step: no trainer: a nil *Trainer, or one not made by NewTrainer")
	}
	w := t.model.InputWidth()
	if len(x) == 0 || len(x)%w != 0 {
		return StepInfo{}, fmt.Errorf("optim: Step: %d input values is not a whole number of examples of width %d", len(x), w)
	}
	size := len(x) / w
	g, err := t.graphFor(size)
	if err != nil {
		return StepInfo{}, err
	}
	width, err := targetWidth(t.obj, g.OutputWidth())
	if err != nil {
		return StepInfo{}, err
	}
	if want := size * width; len(y) != want {
		return StepInfo{}, fmt.Errorf("optim: Step: %d target values for %d examples, the network outputs %d per example and the objective wants %d (%d in all)",
			len(y), size, g.OutputWidth(), width, want)
	}
	gs, err := t.samplerGraphs(g, size)
	if err != nil {
		return StepInfo{}, err
	}
	info, err := t.runStep(gs, x, y, at)
	if err != nil {
		// A failed step contributes nothing: no gradient of its runs may
		// reach a later one. A graph that failed before its first run has
		// no gradients yet, and nothing to clear.
		for _, r := range gs {
			clearGrads(r.Learnables())
		}
	}
	return info, err
}

// runStep is Step on the graphs of its batch size: g = gs[0] takes the
// gathered gradients and the solver step.
func (t *Trainer) runStep(gs []*graph.Graph, x, y []float64, at losses.Batch) (StepInfo, error) {
	g := gs[0]
	var err error
	for _, r := range gs {
		if err := r.SetX(x); err != nil {
			return StepInfo{}, err
		}
		if err := t.obj.Prepare(r, y, at); err != nil {
			return StepInfo{}, err
		}
	}
	info := StepInfo{Batch: at}
	sw, weighted := t.obj.(SampleWeighter)
	if weighted {
		t.weighted.reset()
		t.sampleLosses = t.sampleLosses[:0]
	}
	for done := 0; done < t.samples; done += len(gs) {
		round := gs[:min(len(gs), t.samples-done)]
		if len(round) == 1 {
			err = g.Run()
		} else {
			err = graph.RunParallel(round...)
		}
		if err != nil {
			return info, err
		}
		// In sample order, as sequential runs would: the parts, and the
		// gradients gathered into g (added to what it holds).
		for i, r := range round {
			fit, kl, err := t.obj.Parts(r)
			if err != nil {
				return info, err
			}
			loss := r.Loss()
			info.Loss += loss
			info.Fit += fit
			info.KL += kl
			if weighted {
				lw, err := sw.LogWeight(loss, at)
				if err != nil {
					return info, err
				}
				if err := t.weighted.add(r.Learnables(), lw); err != nil {
					return info, err
				}
				t.sampleLosses = append(t.sampleLosses, loss)
			} else if i > 0 {
				if err := g.AddGradients(r); err != nil {
					return info, err
				}
			}
		}
	}
	inv := 1 / float64(t.samples)
	info.Loss, info.Fit, info.KL = info.Loss*inv, info.Fit*inv, info.KL*inv
	if weighted {
		if info.Loss, err = sw.Combine(t.sampleLosses, at); err != nil {
			return info, err
		}
	}
	if math.IsNaN(info.Loss) || math.IsInf(info.Loss, 0) {
		return info, fmt.Errorf("optim: %w: the loss is %v at step %d (fit %v, KL %v): lower the learning rate or check the data", ErrNonFiniteLoss, info.Loss, at.Step, info.Fit, info.KL)
	}
	scale := inv
	if weighted {
		// The gradients are already the weighted mean.
		if err := t.weighted.store(g.Learnables()); err != nil {
			return info, err
		}
		scale = 1
	}
	if err := t.solver.SetGradScale(scale); err != nil {
		return info, err
	}
	if err := t.solver.Step(g.Learnables()); err != nil {
		return info, fmt.Errorf("optim: solver step %d: %w", at.Step, err)
	}
	t.steps++
	return info, nil
}

// samplerGraphs returns the graphs a step's samples run on: g and, with
// Parallel, up to parallel-1 more of the same batch size, built once.
func (t *Trainer) samplerGraphs(g *graph.Graph, size int) ([]*graph.Graph, error) {
	n := min(t.parallel, t.samples)
	for len(t.replicas[size]) < n-1 {
		r, err := t.model.Build(size, t.obj)
		if err != nil {
			return nil, err
		}
		t.replicas[size] = append(t.replicas[size], r)
	}
	// One slice reused by every step: Step does not run concurrently.
	t.round = append(append(t.round[:0], g), t.replicas[size][:n-1]...)
	return t.round, nil
}

// graphFor returns the training graph for a batch size, building it once.
func (t *Trainer) graphFor(size int) (*graph.Graph, error) {
	if g, ok := t.graphs[size]; ok {
		return g, nil
	}
	g, err := t.model.Build(size, t.obj)
	if err != nil {
		return nil, err
	}
	t.graphs[size] = g
	return g, nil
}

// terminal returns f if it is a terminal (a character device), else nil.
func terminal(f *os.File) io.Writer {
	if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		return f
	}
	return nil
}
