package losses

import (
	"fmt"
	"math"
)

// Plateau scales another weighting by a factor beta, which it multiplies
// by a factor whenever a tracked loss has not improved for patience
// observations in a row, keeping it within bounds (PlateauBounds): "reduce
// on plateau" for the KL weight. A factor above 1 hands more weight to the
// prior once the fit has stalled, below 1 lets the data take over.
//
// The losses come from a trainer (see LossObserver); by default the epoch's
// mean training loss is tracked (PlateauTrack). The first observation is
// the reference; a later one improves on the best so far when it is lower
// by more than PlateauMinDelta. After a change of beta the loss changes
// scale (it holds beta * KL), so the next observation becomes the new
// reference, and for PlateauCooldown observations after that no plateau is
// counted. A plateau at a bound changes nothing and its count restarts.
//
// A Plateau is tied to the weighting it scales: its weight is beta times
// the base's, so over an Annealed base it follows the warm-up, and over
// another Plateau it multiplies that one's beta. Observations are passed on
// to the base.
//
// A Plateau holds state: use one per training run, through its pointer.
// Checkpoints do not record it.
type Plateau struct {
	base     KLWeight
	track    LossKind
	factor   float64
	patience int
	cooldown int
	minDelta float64
	min, max float64

	beta    float64
	best    float64
	seen    bool // best holds a reference
	bad     int  // observations without improvement
	cool    int  // observations left in the cooldown
	changes int
}

// PlateauOption configures a Plateau.
type PlateauOption func(*Plateau)

// PlateauStart sets beta before any change (default 1).
func PlateauStart(beta float64) PlateauOption { return func(p *Plateau) { p.beta = beta } }

// PlateauBounds bounds beta to [min, max] (default [0, +Inf)).
func PlateauBounds(min, max float64) PlateauOption {
	return func(p *Plateau) { p.min, p.max = min, max }
}

// PlateauCooldown sets the observations after a change during which no
// plateau is counted (default 0).
func PlateauCooldown(n int) PlateauOption { return func(p *Plateau) { p.cooldown = n } }

// PlateauMinDelta sets how much lower than the best a loss must be to count
// as an improvement (default 0).
func PlateauMinDelta(d float64) PlateauOption { return func(p *Plateau) { p.minDelta = d } }

// PlateauTrack sets the kind of loss tracked (default EpochLoss).
func PlateauTrack(k LossKind) PlateauOption { return func(p *Plateau) { p.track = k } }

// NewPlateau returns a Plateau over base that multiplies beta by factor
// after patience observations without improvement.
func NewPlateau(base KLWeight, factor float64, patience int, opts ...PlateauOption) (*Plateau, error) {
	p := &Plateau{base: base, factor: factor, patience: patience, beta: 1, max: math.Inf(1)}
	for _, o := range opts {
		o(p)
	}
	switch {
	case base == nil:
		return nil, fmt.Errorf("losses: NewPlateau: nil base weighting")
	case !(factor > 0) || factor == 1 || math.IsInf(factor, 0):
		return nil, fmt.Errorf("losses: NewPlateau: factor is %v, want a finite value > 0 other than 1", factor)
	case patience < 1:
		return nil, fmt.Errorf("losses: NewPlateau: patience is %d, want >= 1", patience)
	case p.cooldown < 0:
		return nil, fmt.Errorf("losses: NewPlateau: cooldown is %d, want >= 0", p.cooldown)
	case !(p.minDelta >= 0) || math.IsInf(p.minDelta, 0):
		return nil, fmt.Errorf("losses: NewPlateau: min delta is %v, want a finite value >= 0", p.minDelta)
	case !(p.min >= 0) || !(p.max >= p.min) || math.IsInf(p.min, 0):
		return nil, fmt.Errorf("losses: NewPlateau: bounds [%v, %v], want 0 <= min <= max, min finite", p.min, p.max)
	case !(p.beta >= p.min && p.beta <= p.max) || math.IsInf(p.beta, 0):
		return nil, fmt.Errorf("losses: NewPlateau: start %v is outside the bounds [%v, %v]", p.beta, p.min, p.max)
	case p.track < EpochLoss || p.track > ValidationLoss:
		return nil, fmt.Errorf("losses: NewPlateau: unknown loss kind %d", int(p.track))
	}
	return p, nil
}

// Beta returns the current factor.
func (p *Plateau) Beta() float64 { return p.beta }

// Changes returns how often beta has changed.
func (p *Plateau) Changes() int { return p.changes }

// Weight returns beta times Base's weight.
func (p *Plateau) Weight(at Batch) float64 { return p.beta * p.base.Weight(at) }

// ObserveLoss counts an observation of the tracked kind towards a plateau,
// changing beta after Patience in a row without improvement, and passes
// every observation on to Base.
func (p *Plateau) ObserveLoss(o Observation) {
	observe(p.base, o)
	if o.Kind != p.track {
		return
	}
	if !p.seen {
		// A NaN reference could never be improved on: the first
		// finite loss becomes the reference.
		if !math.IsNaN(o.Loss) {
			p.best, p.seen = o.Loss, true
		}
		return
	}
	if o.Loss < p.best-p.minDelta { // false for NaN: a NaN loss never improves
		p.best, p.bad = o.Loss, 0
	} else {
		p.bad++
	}
	if p.cool > 0 {
		p.cool--
		p.bad = 0
		return
	}
	if p.bad < p.patience {
		return
	}
	p.bad = 0
	beta := math.Min(p.max, math.Max(p.min, p.beta*p.factor))
	if beta == p.beta {
		return // at a bound: nothing changes, the reference stays
	}
	p.beta = beta
	p.changes++
	p.seen = false
	p.cool = p.cooldown
}
