package bayesnodes

import (
	"errors"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// LogUniform is the improper log-uniform prior p(|w|) ∝ 1/|w| of sparse
// variational dropout (Molchanov et al. 2017). With a posterior
// N(theta, alpha theta^2) its KL depends on alpha alone, which is what
// drives weights to alpha -> infinity, that is to be pruned. It has no
// normalised density, so no Monte-Carlo KL: only a sparse posterior
// (NewSparsePosterior, WithSparseVD) can use it.
type LogUniform struct{}

// ErrImproperPrior is returned where an improper prior's density is needed.
var ErrImproperPrior = errors.New("the log-uniform prior is improper: it has no log density, only the KL approximation of a sparse posterior")

// LogProb returns ErrImproperPrior: the prior has no normalised density.
func (LogUniform) LogProb(b *graph.Builder, w *G.Node) (*G.Node, error) {
	return nil, ErrImproperPrior
}

// The constants of the log-uniform KL approximation (Molchanov et al.
// 2017), and the range log alpha is clipped to in the KL: below LogAlphaMin
// a weight is as good as deterministic, above LogAlphaMax it is noise (well
// past PruneLogAlpha). The posterior's variance is sigma^2 itself and is
// not clipped (log sigma^2 is the parameter). The reference vectors cover
// [-10, 10] unclipped.
const (
	LogUniformK1 = 0.63576
	LogUniformK2 = 1.87320
	LogUniformK3 = 1.48695

	LogAlphaMin = -10.0
	LogAlphaMax = 10.0
)

// LogUniformKL returns the approximate KL(N(theta, alpha theta^2) ||
// LogUniform) of one weight, -(k1 sigmoid(k2 + k3 logAlpha) - log1p(1/alpha)/2 - k1),
// unclipped. It falls from about 5.64 at log alpha = -10 to 0 as alpha grows.
func LogUniformKL(logAlpha float64) float64 {
	return LogUniformK1 - LogUniformK1*sigmoid(LogUniformK2+LogUniformK3*logAlpha) + Softplus(-logAlpha)/2
}

// logUniformKLDeriv is dKL/dlogAlpha: -k1 k3 s (1 - s) - sigmoid(-logAlpha)/2
// with s = sigmoid(k2 + k3 logAlpha).
func logUniformKLDeriv(logAlpha float64) float64 {
	s := sigmoid(LogUniformK2 + LogUniformK3*logAlpha)
	return -LogUniformK1*LogUniformK3*s*(1-s) - sigmoid(-logAlpha)/2
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
