package losses

import "fmt"

// LossKind says which loss an Observation carries.
type LossKind int

const (
	// EpochLoss is the mean training loss of an epoch. A Plateau tracks it
	// by default: a step's loss is too noisy to call a plateau on.
	EpochLoss LossKind = iota
	// StepLoss is the loss of one training step.
	StepLoss
	// ValidationLoss is the mean loss on held-out data after an epoch.
	ValidationLoss
)

func (k LossKind) String() string {
	switch k {
	case EpochLoss:
		return "epoch"
	case StepLoss:
		return "step"
	case ValidationLoss:
		return "validation"
	}
	return fmt.Sprintf("LossKind(%d)", int(k))
}

// Observation is a loss a trainer reports, at the position it was reached:
// after the step at.Step, or after the epoch at.Epoch.
type Observation struct {
	Kind LossKind
	Loss float64
	At   Batch
}

// LossObserver is implemented by what adapts to the losses of training,
// such as a Plateau weighting. The optim.Trainer reports every step's loss,
// every epoch's mean loss and every validation loss to an objective that
// implements it; the ELBO passes them on to its KL weighting, and the
// weightings that wrap another (Annealed, Scaled, Plateau) pass them on to
// it, so a whole chain of schedules sees one stream of losses.
type LossObserver interface {
	ObserveLoss(o Observation)
}

// observe reports o to w if w observes losses.
func observe(w KLWeight, o Observation) {
	if lo, ok := w.(LossObserver); ok {
		lo.ObserveLoss(o)
	}
}
