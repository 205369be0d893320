package losses

import (
	"fmt"
	"math"
)

// Renyi is the variational Renyi bound of Li and Turner (2016) as a loss:
// with the K Monte-Carlo samples w_k of a step and their log-ratios
//
//	r_k = log p(y|w_k) + log p(w_k) - log q(w_k)
//
// the bound is L_alpha = 1/(1-alpha) log mean_k exp((1-alpha) r_k). At
// alpha -> 1 it is the ELBO (the mean of r_k), at alpha = 0 the importance
// weighted bound of Burda et al., and alpha -> -Inf keeps the best sample;
// alpha > 1 gives an upper-bound-like objective (any finite alpha is
// accepted).
//
// Scaling. Each sample's loss in the graph is the ELBO's, l_k = fit_k +
// weight * KL_k (see ELBO), and with the default weight 1/N and the summed
// Monte-Carlo KL, -N l_k is exactly r_k with the data term scaled from the
// batch to the data set (N = Batch.DatasetSize). The loss reported is
// -L_alpha / N, on the ELBO's per-example scale, so alpha = 1 gives the
// mean of l_k. Other weightings act as a beta on the KL inside r_k.
//
// The bound needs the Monte-Carlo KL, log q(w_k) - log p(w_k) at the
// sample: build the layers with bayesnodes.WithKL(bayesnodes.KLMonteCarlo).
// With a closed-form KL, r_k holds the expected KL instead, and the bound
// is a different one; so it is with the local reparameterisation
// estimator, which samples pre-activations and takes its Monte-Carlo KL at
// weights of its own.
//
// Its gradient is not the mean of the samples' gradients but their mean
// weighted by softmax_k((1-alpha) r_k) (self-normalised importance
// weights). Renyi builds the graph as the ELBO does, one sample per run,
// and gives a trainer the weights through LogWeight and the step's loss
// through Combine (optim.Trainer uses them).
type Renyi struct {
	*ELBO
	Alpha float64
}

// NewRenyi returns the Renyi objective of order alpha over a likelihood;
// opts configure the ELBO underneath (weighting, KL reduction).
func NewRenyi(lik Likelihood, alpha float64, opts ...ELBOOption) (*Renyi, error) {
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("losses: NewRenyi: alpha is %v, want a finite value", alpha)
	}
	e, err := NewELBO(lik, opts...)
	if err != nil {
		return nil, err
	}
	return &Renyi{ELBO: e, Alpha: alpha}, nil
}

// LogWeight returns the log of the unnormalised weight of a sample's
// gradient, (1-alpha) r = -(1-alpha) N loss. The weights of a step are the
// softmax of these.
func (r *Renyi) LogWeight(loss float64, at Batch) (float64, error) {
	if at.DatasetSize <= 0 {
		return 0, fmt.Errorf("losses: Renyi: the data set size is %d at %+v, want > 0", at.DatasetSize, at)
	}
	return -(1 - r.Alpha) * float64(at.DatasetSize) * loss, nil
}

// Combine returns the step's loss -L_alpha / N from its samples' losses
// l_k (see Renyi).
func (r *Renyi) Combine(sampleLosses []float64, at Batch) (float64, error) {
	if at.DatasetSize <= 0 {
		return 0, fmt.Errorf("losses: Renyi: the data set size is %d at %+v, want > 0", at.DatasetSize, at)
	}
	return RenyiLoss(sampleLosses, r.Alpha, float64(at.DatasetSize))
}

// RenyiLoss returns -1/((1-alpha) n) log mean_k exp(-(1-alpha) n l_k): the
// Renyi objective of per-sample losses l_k that are log-ratios divided by
// -n. At alpha = 1 it is the mean of l_k, and it tends to it as alpha -> 1.
func RenyiLoss(sampleLosses []float64, alpha, n float64) (float64, error) {
	switch {
	case len(sampleLosses) == 0:
		return 0, fmt.Errorf("losses: RenyiLoss: no samples")
	case math.IsNaN(alpha) || math.IsInf(alpha, 0):
		return 0, fmt.Errorf("losses: RenyiLoss: alpha is %v, want a finite value", alpha)
	case !(n > 0) || math.IsInf(n, 0):
		return 0, fmt.Errorf("losses: RenyiLoss: scale is %v, want a finite value > 0", n)
	}
	mean := 0.0
	for i, l := range sampleLosses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return 0, fmt.Errorf("losses: RenyiLoss: sample %d has loss %v", i, l)
		}
		mean += l
	}
	mean /= float64(len(sampleLosses))
	c := (1 - alpha) * n
	if c == 0 {
		return mean, nil
	}
	// log mean exp(a_k) with a_k = -c l_k, around the mean of a_k. Where
	// the a_k are close (alpha near 1, or samples that agree) the form
	// log1p(mean expm1(d_k)) keeps the digits that log(mean exp) loses.
	near, top := true, math.Inf(-1)
	for _, l := range sampleLosses {
		d := -c * (l - mean)
		near = near && math.Abs(d) < 1
		top = math.Max(top, d)
	}
	var lme float64 // log mean exp(d_k)
	if near {
		s := 0.0
		for _, l := range sampleLosses {
			s += math.Expm1(-c * (l - mean))
		}
		lme = math.Log1p(s / float64(len(sampleLosses)))
	} else {
		s := 0.0
		for _, l := range sampleLosses {
			s += math.Exp(-c*(l-mean) - top)
		}
		lme = top + math.Log(s/float64(len(sampleLosses)))
	}
	return mean - lme/c, nil
}
