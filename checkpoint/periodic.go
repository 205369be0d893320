package checkpoint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gorgonia-bnn/bnn/optim"
)

// EpochPlaceholder in a Periodic path is replaced by the number of epochs
// completed, so that each checkpoint gets a file of its own.
const EpochPlaceholder = "{epoch}"

// Periodic saves a checkpoint of the trainer's model and progress (Save
// with WithTrainer) every few epochs during a Fit. It is an
// optim.EpochHook: give it to the trainer with optim.OnEpoch. The trainer
// is at an epoch boundary then, so Load of such a file and a new Fit go on
// exactly as the interrupted run would have, except for state a checkpoint
// does not hold: an EarlyStopping's best epoch and a Plateau schedule's
// counts start afresh.
type Periodic struct {
	path  string
	every int
	opts  []Option
	last  string
}

// NewPeriodic returns a hook that saves to path after every `every`
// epochs (counted over the trainer's life, so a resumed run keeps the
// rhythm). A path without EpochPlaceholder is replaced each time (Save is
// atomic: the previous checkpoint stays whole until the new one is in
// place). opts go to Save (e.g. WithMetadata); WithTrainer is added.
func NewPeriodic(path string, every int, opts ...Option) (*Periodic, error) {
	if path == "" {
		return nil, errors.New("checkpoint: NewPeriodic: empty path")
	}
	if every < 1 {
		return nil, fmt.Errorf("checkpoint: NewPeriodic: every is %d, want at least 1 epoch", every)
	}
	return &Periodic{path: path, every: every, opts: opts}, nil
}

// AfterEpoch saves a checkpoint when the trainer's epoch count is a
// multiple of the period.
func (p *Periodic) AfterEpoch(t *optim.Trainer, _ optim.EpochInfo) error {
	n := t.Epochs()
	if n%p.every != 0 {
		return nil
	}
	path := strings.ReplaceAll(p.path, EpochPlaceholder, strconv.Itoa(n))
	opts := append(append([]Option(nil), p.opts...), WithTrainer(t))
	if err := Save(path, t.Model(), opts...); err != nil {
		return fmt.Errorf("checkpoint: periodic save after epoch %d: %w", n, err)
	}
	p.last = path
	return nil
}

// Last returns the path of the last checkpoint saved ("" before the first).
func (p *Periodic) Last() string { return p.last }
