package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// Heteroscedastic is the Gaussian likelihood whose noise scale is an
// output of the network, for data whose noise varies with the input: the
// network outputs 2d values per example, d means then d raw scales, and
// the targets are the d values themselves (one column for a scalar
// target, no padding). Each target is N(mean, sigma^2) with
// sigma = softplus(raw) + Floor; the floor keeps the likelihood from
// rewarding a scale that shrinks onto a fitted point.
type Heteroscedastic struct {
	Floor float64
}

// NewHeteroscedastic returns the likelihood with noise sd floor >= 0.
func NewHeteroscedastic(floor float64) (Heteroscedastic, error) {
	if !(floor >= 0) || math.IsInf(floor, 0) {
		return Heteroscedastic{}, fmt.Errorf("losses: heteroscedastic noise floor is %v, want a finite value >= 0", floor)
	}
	return Heteroscedastic{Floor: floor}, nil
}

// TargetWidth returns d, half the output width, or an error if the
// output width is odd.
func (l Heteroscedastic) TargetWidth(outputWidth int) (int, error) {
	if outputWidth < 2 || outputWidth%2 != 0 {
		return 0, fmt.Errorf("losses: heteroscedastic likelihood wants an even output width (means, then scales), got %d", outputWidth)
	}
	return outputWidth / 2, nil
}

// Sigma returns the noise sd of a raw scale output, softplus(raw) + Floor.
func (l Heteroscedastic) Sigma(raw float64) float64 {
	if raw > 0 {
		return raw + math.Log1p(math.Exp(-raw)) + l.Floor
	}
	return math.Log1p(math.Exp(raw)) + l.Floor
}

// Split separates predictive samples of the network's output into means
// and noise sds: samples[s] holds n rows of 2d outputs, and means[s],
// sds[s] n rows of d values each, sds through Sigma. Give the result to
// uncertainty.SummarizeHeteroscedastic.
func (l Heteroscedastic) Split(samples [][]float64, outputWidth int) (means, sds [][]float64, err error) {
	d, err := l.TargetWidth(outputWidth)
	if err != nil {
		return nil, nil, err
	}
	means, sds = make([][]float64, len(samples)), make([][]float64, len(samples))
	for s, row := range samples {
		if len(row)%outputWidth != 0 {
			return nil, nil, fmt.Errorf("losses: Heteroscedastic.Split: sample %d has %d values, not whole rows of %d", s, len(row), outputWidth)
		}
		n := len(row) / outputWidth
		means[s], sds[s] = make([]float64, 0, n*d), make([]float64, 0, n*d)
		for i := range n {
			r := row[i*outputWidth : (i+1)*outputWidth]
			means[s] = append(means[s], r[:d]...)
			for _, raw := range r[d:] {
				sds[s] = append(sds[s], l.Sigma(raw))
			}
		}
	}
	return means, sds, nil
}

// NLL adds mean over the batch of sum over the d targets of
// (target - mean)^2 / (2 sigma^2) + log sigma + log(2 pi) / 2.
func (l Heteroscedastic) NLL(b *graph.Builder, out, target *G.Node) (*G.Node, error) {
	if !(l.Floor >= 0) {
		return nil, fmt.Errorf("losses: heteroscedastic noise floor is %v, want >= 0", l.Floor)
	}
	if len(out.Shape()) != 2 {
		return nil, fmt.Errorf("losses: heteroscedastic likelihood wants outputs of shape [batch, 2d], got %v", out.Shape())
	}
	d, err := l.TargetWidth(out.Shape()[1])
	if err != nil {
		return nil, err
	}
	if s := target.Shape(); len(s) != 2 || s[1] != d {
		return nil, fmt.Errorf("losses: heteroscedastic likelihood wants targets of shape [batch, %d] for outputs %v, got %v", d, out.Shape(), s)
	}
	mean, err := G.Slice(out, nil, G.S(0, d))
	if err != nil {
		return nil, err
	}
	raw, err := G.Slice(out, nil, G.S(d, 2*d))
	if err != nil {
		return nil, err
	}
	sigma, err := G.Softplus(raw)
	if err != nil {
		return nil, err
	}
	if l.Floor > 0 {
		if sigma, err = G.Add(sigma, b.Scalar(l.Floor)); err != nil {
			return nil, err
		}
	}
	diff, err := G.Sub(target, mean)
	if err != nil {
		return nil, err
	}
	z, err := G.HadamardDiv(diff, sigma)
	if err != nil {
		return nil, err
	}
	z2, err := G.Square(z)
	if err != nil {
		return nil, err
	}
	half, err := G.Mul(z2, b.Scalar(0.5))
	if err != nil {
		return nil, err
	}
	logSigma, err := G.Log(sigma)
	if err != nil {
		return nil, err
	}
	perValue, err := G.Add(half, logSigma)
	if err != nil {
		return nil, err
	}
	m, err := batchMean(b, perValue)
	if err != nil {
		return nil, err
	}
	return G.Add(m, b.Scalar(float64(d)*halfLog2Pi))
}
