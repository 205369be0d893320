package bayesnodes

// ParamLayout is how a posterior family stores itself in a model's
// parameters: the mean in NAME+Mean, the spread in NAME+Spread, and Sigma
// mapping a spread value to the weight's standard deviation. Code that
// holds only a model's parameters, not its layers (an exporter such as
// checkpoint.MeanWeights), reads posteriors with it.
type ParamLayout struct {
	Mean, Spread string
	Sigma        func(spread float64) float64
}

// ParamLayouts returns the layouts of the posterior families: Gaussian
// (".mu", ".rho", softplus) and sparse variational dropout (".theta",
// ".log_sigma2", exp(v/2)).
func ParamLayouts() []ParamLayout { return []ParamLayout{gaussianLayout, sparseLayout} }
