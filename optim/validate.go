package optim

import (
	"fmt"
	"strings"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/losses"
)

// Validation evaluates the model on held-out data after every epoch: the
// objective's loss and parts (K Monte-Carlo samples as in training, the KL
// weighted as for the training set) and the given metrics, reported in
// EpochInfo. Validation draws noise from the model's generator, so a run
// with it sees other training noise than one without.
func Validation(data *datasets.Dataset, metrics ...Metric) TrainerOption {
	return func(t *Trainer) error {
		if data == nil {
			return fmt.Errorf("optim: Validation: nil data set")
		}
		if err := data.Validate(); err != nil {
			return fmt.Errorf("optim: Validation: %w", err)
		}
		if data.Width() != t.model.InputWidth() {
			return fmt.Errorf("optim: Validation: examples have shape %v (%d values), the model's input is %v (%d values)",
				data.XShape, data.Width(), t.model.InputShape(), t.model.InputWidth())
		}
		names := map[string]bool{}
		for i, m := range metrics {
			if m == nil {
				return fmt.Errorf("optim: Validation: metric %d is nil", i)
			}
			name := m.Name()
			if name == "" || strings.ContainsAny(name, ",\n\r\"") {
				return fmt.Errorf("optim: Validation: metric %d has the name %q: want a non-empty name without commas, quotes or newlines", i, name)
			}
			if names[name] {
				return fmt.Errorf("optim: Validation: two metrics are named %q", name)
			}
			names[name] = true
		}
		t.val = &validation{data: data, metrics: metrics}
		return nil
	}
}

// validation is a trainer's held-out data and metrics, with buffers.
type validation struct {
	data    *datasets.Dataset
	metrics []Metric
	pred    Predictions
	x, y    []float64
	out     []float64
}

// validate fills the validation fields of e; n is the training set's size.
func (t *Trainer) validate(e *EpochInfo, n int) error {
	v := t.val
	size := v.data.Len()
	if t.batch > 0 && t.batch < size {
		size = t.batch
	}
	batches, err := v.data.Batches(size, nil)
	if err != nil {
		return err
	}
	p := &v.pred
	p.Data = v.data
	if len(p.Outputs) != t.samples {
		p.Outputs = make([][]float64, t.samples)
	}
	for k := range p.Outputs {
		p.Outputs[k] = p.Outputs[k][:0]
	}
	sw, weighted := t.obj.(SampleWeighter)
	sampleLosses := make([]float64, t.samples)
	var loss, fit, kl float64
	for i, idx := range batches {
		at := losses.Batch{Step: t.steps, Epoch: e.Epoch, Index: i, Count: len(batches), Size: len(idx), DatasetSize: n}
		v.x = v.data.GatherX(idx, v.x)
		if v.data.Labels != nil {
			v.y = v.data.GatherOneHot(idx, v.y)
		} else {
			v.y = v.data.GatherY(idx, v.y)
		}
		g, err := t.graphFor(len(idx))
		if err != nil {
			return err
		}
		width, err := targetWidth(t.obj, g.OutputWidth())
		if err != nil {
			return err
		}
		if want := len(idx) * width; len(v.y) != want {
			return fmt.Errorf("optim: Validation: %d target values for %d examples, the network outputs %d per example and the objective wants %d",
				len(v.y), len(idx), g.OutputWidth(), width)
		}
		if err := g.SetX(v.x); err != nil {
			return err
		}
		if err := t.obj.Prepare(g, v.y, at); err != nil {
			return err
		}
		var bl, bf, bk float64
		for k := 0; k < t.samples; k++ {
			if err := g.Run(); err != nil {
				return err
			}
			f, d, err := t.obj.Parts(g)
			if err != nil {
				return err
			}
			sampleLosses[k] = g.Loss()
			bl += g.Loss()
			bf += f
			bk += d
			v.out = g.Output(v.out)
			p.Outputs[k] = append(p.Outputs[k], v.out...)
		}
		// The runs added gradients that no step must see.
		if err := zeroGrads(g.Learnables()); err != nil {
			return err
		}
		inv := 1 / float64(t.samples)
		bl *= inv
		if weighted {
			if bl, err = sw.Combine(sampleLosses, at); err != nil {
				return err
			}
		}
		w := float64(len(idx)) / float64(v.data.Len())
		loss += w * bl
		fit += w * bf * inv
		kl += w * bk * inv
		p.Width = g.OutputWidth()
	}
	e.Validated = true
	e.ValLoss, e.ValFit, e.ValKL = loss, fit, kl
	if len(v.metrics) == 0 {
		return nil
	}
	e.Metrics = make(map[string]float64, len(v.metrics))
	for _, m := range v.metrics {
		s, err := m.Score(p)
		if err != nil {
			return fmt.Errorf("optim: validation metric %s: %w", m.Name(), err)
		}
		e.Metrics["val_"+m.Name()] = s
	}
	return nil
}

// Value returns the epoch's value of a name: "loss", "fit", "kl",
// "seconds", "val_loss", "val_fit", "val_kl", or a metric's "val_" name.
func (e EpochInfo) Value(name string) (float64, bool) {
	switch name {
	case "loss":
		return e.Loss, true
	case "fit":
		return e.Fit, true
	case "kl":
		return e.KL, true
	case "seconds":
		return e.Seconds, true
	}
	if !e.Validated {
		return 0, false
	}
	switch name {
	case "val_loss":
		return e.ValLoss, true
	case "val_fit":
		return e.ValFit, true
	case "val_kl":
		return e.ValKL, true
	}
	v, ok := e.Metrics[name]
	return v, ok
}

// valueNames returns the names EpochInfo.Value knows for this trainer.
func (t *Trainer) valueNames() []string {
	names := []string{"loss", "fit", "kl", "seconds"}
	if t.val != nil {
		names = append(names, "val_loss", "val_fit", "val_kl")
		for _, m := range t.val.metrics {
			names = append(names, "val_"+m.Name())
		}
	}
	return names
}

// checkEpochOptions reports options that cannot work together, before the
// first step.
func (t *Trainer) checkEpochOptions() error {
	if t.stopping == nil {
		return nil
	}
	for _, n := range t.valueNames() {
		if n == t.stopping.monitor {
			return nil
		}
	}
	return fmt.Errorf("optim: EarlyStopping monitors %q, which the trainer does not compute (it has %v; validation values need Validation data)",
		t.stopping.monitor, t.valueNames())
}
