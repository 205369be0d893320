package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Names of the ELBO's inputs and watched values in a graph.
const (
	TargetName   = "y"         // input: the targets, the network output's shape
	KLWeightName = "kl_weight" // input: the KL weight of the step
	FitName      = "fit"       // watched: the likelihood term
	KLTermName   = "kl_term"   // watched: the reduced, unweighted KL term
)

// KLReduction is how the network's KL terms are reduced before weighting.
type KLReduction int

const (
	// KLSum sums the KL over every weight: the ELBO's own scale. Default.
	KLSum KLReduction = iota
	// KLMeanPerWeight divides the sum by the number of weights, as
	// torchbnn's BKLLoss(reduction="mean") does.
	KLMeanPerWeight
)

// ELBO is the objective fit + weight * KL: the negative evidence lower bound
// per example when the weight is 1/N (see the package documentation for the
// scaling, and KLReduction). It implements graph.Objective; a trainer calls
// Prepare before every step to set the step's KL weight.
type ELBO struct {
	Likelihood Likelihood
	Weight     KLWeight
	Reduction  KLReduction
}

// NewELBO returns the ELBO of a likelihood with the PerExample weighting and
// summed KL; change them with the fields or the options.
func NewELBO(lik Likelihood, opts ...ELBOOption) (*ELBO, error) {
	if lik == nil {
		return nil, fmt.Errorf("losses: the ELBO needs a likelihood")
	}
	e := &ELBO{Likelihood: lik, Weight: PerExample{}}
	for _, o := range opts {
		o(e)
	}
	if e.Weight == nil {
		return nil, fmt.Errorf("losses: the ELBO needs a KL weighting")
	}
	if e.Reduction != KLSum && e.Reduction != KLMeanPerWeight {
		return nil, fmt.Errorf("losses: unknown KL reduction %d", int(e.Reduction))
	}
	return e, nil
}

// ELBOOption configures an ELBO.
type ELBOOption func(*ELBO)

// WithKLWeight sets the KL weighting.
func WithKLWeight(w KLWeight) ELBOOption { return func(e *ELBO) { e.Weight = w } }

// WithKLReduction sets how the KL is reduced.
func WithKLReduction(r KLReduction) ELBOOption { return func(e *ELBO) { e.Reduction = r } }

// Attach adds the targets input, the fit and the weighted KL to b.
func (e *ELBO) Attach(b *graph.Builder, out, kl *G.Node) (*G.Node, error) {
	shape := []int(out.Shape())
	if tw, ok := e.Likelihood.(TargetWidther); ok && len(shape) == 2 {
		w, err := tw.TargetWidth(shape[1])
		if err != nil {
			return nil, err
		}
		shape = []int{shape[0], w}
	}
	y, err := b.Input(TargetName, shape...)
	if err != nil {
		return nil, err
	}
	fit, err := e.Likelihood.NLL(b, out, y)
	if err != nil {
		return nil, fmt.Errorf("losses: likelihood: %w", err)
	}
	if err := b.Watch(FitName, fit); err != nil {
		return nil, err
	}
	if kl == nil {
		return fit, nil
	}
	term := kl
	if e.Reduction == KLMeanPerWeight {
		if term, err = G.Mul(kl, b.Scalar(1/float64(b.KLCount()))); err != nil {
			return nil, err
		}
	}
	if err := b.Watch(KLTermName, term); err != nil {
		return nil, err
	}
	w, err := b.Input(KLWeightName)
	if err != nil {
		return nil, err
	}
	weighted, err := G.Mul(w, term)
	if err != nil {
		return nil, err
	}
	return G.Add(fit, weighted)
}

// TargetWidth returns the target values per example for outputWidth
// network outputs: outputWidth, unless the likelihood is a TargetWidther.
func (e *ELBO) TargetWidth(outputWidth int) (int, error) {
	if tw, ok := e.Likelihood.(TargetWidther); ok {
		return tw.TargetWidth(outputWidth)
	}
	return outputWidth, nil
}

// Prepare sets the targets of a step (the output's shape, row-major) and the
// KL weight of its batch position.
func (e *ELBO) Prepare(g *graph.Graph, targets []float64, at Batch) error {
	if err := g.SetInput(TargetName, targets); err != nil {
		return err
	}
	if g.KLCount() == 0 {
		return nil
	}
	if e.Weight == nil {
		return fmt.Errorf("losses: ELBO.Prepare: nil KL weighting")
	}
	w := e.Weight.Weight(at)
	if err := checkWeight(e.Weight, w, at); err != nil {
		return err
	}
	return g.SetInput(KLWeightName, []float64{w})
}

// Parts reads the fit and the reduced KL term of the last run of g.
func (e *ELBO) Parts(g *graph.Graph) (fit, kl float64, err error) {
	if fit, err = g.Value(FitName); err != nil {
		return 0, 0, err
	}
	if g.KLCount() == 0 {
		return fit, 0, nil
	}
	kl, err = g.Value(KLTermName)
	return fit, kl, err
}

// ObserveLoss passes o on to the KL weighting if it observes losses (a
// Plateau, or a weighting wrapping one).
func (e *ELBO) ObserveLoss(o Observation) { observe(e.Weight, o) }
