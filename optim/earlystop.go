package optim

import (
	"fmt"
	"math"

	"github.com/gorgonia-bnn/bnn/graph"
)

// EarlyStopping stops a Fit when a monitored value (by default
// "val_loss", which needs Validation data; any name EpochInfo.Value knows)
// has not improved for patience epochs in a row. An epoch improves when
// its value beats the best so far by more than the minimum delta.
//
// With StopRestoreBest the parameters of the best epoch are put back when
// the Fit ends, early or not; the solver's moments and the generators are
// not (they go on from where training stopped).
func EarlyStopping(patience int, opts ...StopOption) TrainerOption {
	return func(t *Trainer) error {
		if patience < 1 {
			return fmt.Errorf("optim: EarlyStopping(%d): want a patience of at least 1", patience)
		}
		s := &earlyStopping{patience: patience, monitor: "val_loss"}
		for i, o := range opts {
			if o.apply == nil {
				return fmt.Errorf("optim: EarlyStopping: option %d is the zero StopOption", i)
			}
			o.apply(s)
		}
		if !(s.minDelta >= 0) || math.IsInf(s.minDelta, 0) {
			return fmt.Errorf("optim: EarlyStopping: min delta is %v, want a finite value >= 0", s.minDelta)
		}
		if s.monitor == "" {
			return fmt.Errorf("optim: EarlyStopping: empty name to monitor")
		}
		t.stopping = s
		return nil
	}
}

// StopOption configures EarlyStopping.
type StopOption struct{ apply func(*earlyStopping) }

// StopMonitor sets the value to monitor, which should decrease.
func StopMonitor(name string) StopOption {
	return StopOption{func(s *earlyStopping) { s.monitor, s.maximise = name, false }}
}

// StopMonitorMax sets the value to monitor, which should increase (e.g.
// "val_accuracy").
func StopMonitorMax(name string) StopOption {
	return StopOption{func(s *earlyStopping) { s.monitor, s.maximise = name, true }}
}

// StopMinDelta sets how much an epoch must beat the best by to improve.
func StopMinDelta(d float64) StopOption {
	return StopOption{func(s *earlyStopping) { s.minDelta = d }}
}

// StopRestoreBest puts back the best epoch's parameters when the Fit ends,
// early, at its last epoch or by diverging (ErrNonFiniteLoss,
// ErrNonFiniteStep).
func StopRestoreBest() StopOption { return StopOption{func(s *earlyStopping) { s.restore = true }} }

type earlyStopping struct {
	monitor  string
	maximise bool
	patience int
	minDelta float64
	restore  bool

	best      float64
	bestEpoch int
	bad       int
	params    [][]float64 // best epoch's parameter values, with restore
}

// start begins a Fit: each Fit has its own best.
func (s *earlyStopping) start() {
	s.best, s.bestEpoch, s.bad = math.NaN(), -1, 0
}

// observe records an epoch and reports whether to stop.
func (s *earlyStopping) observe(m *graph.Model, e EpochInfo) (bool, error) {
	v, ok := e.Value(s.monitor)
	if !ok {
		return false, fmt.Errorf("optim: EarlyStopping: epoch %d has no value %q", e.Epoch, s.monitor)
	}
	better := s.bestEpoch < 0 && !math.IsNaN(v)
	if !better && !math.IsNaN(v) {
		if s.maximise {
			better = v > s.best+s.minDelta
		} else {
			better = v < s.best-s.minDelta
		}
	}
	if !better {
		s.bad++
		return s.bad >= s.patience, nil
	}
	s.best, s.bestEpoch, s.bad = v, e.Epoch, 0
	if s.restore {
		ps := m.Params()
		if len(s.params) != len(ps) {
			s.params = make([][]float64, len(ps))
		}
		for i, p := range ps {
			s.params[i] = append(s.params[i][:0], p.Values()...)
		}
	}
	return false, nil
}

// finish records the best epoch in h and restores its parameters if asked.
func (s *earlyStopping) finish(m *graph.Model, h *History) error {
	h.BestEpoch = s.bestEpoch
	if !s.restore || s.bestEpoch < 0 {
		return nil
	}
	ps := m.Params()
	if len(ps) != len(s.params) {
		return fmt.Errorf("optim: EarlyStopping: the model has %d parameters, %d were saved", len(ps), len(s.params))
	}
	for i, p := range ps {
		if err := p.SetValues(s.params[i]); err != nil {
			return fmt.Errorf("optim: EarlyStopping: restoring %s: %w", p.Name(), err)
		}
	}
	return nil
}
