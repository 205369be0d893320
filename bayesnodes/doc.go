// Package bayesnodes provides Bayesian layers as Gorgonia subgraphs: layers
// whose weights are distributions, their priors and their KL terms.
//
// Every layer is built from one interface, Posterior, the variational
// posterior of one parameter tensor, fully factorised and Gaussian; each
// family is a type of its own, in the manner of gonum's stat/distuv:
// GaussianPosterior, q(w) = N(mu, sigma^2) with sigma = softplus(rho) so
// that rho is unconstrained, and SparsePosterior, sparse variational
// dropout's theta and log sigma^2 (WithSparseVD, Molchanov et al. 2017),
// whose log alpha = log sigma^2 - log theta^2 decides pruning (see the
// prune package). A weight sample is the reparameterised w = mean + sigma
// * eps, where eps is a noise input node of the graph that
// graph.Graph.Run fills from the model's seeded generator.
//
// Every KL term goes through Posterior.KLOf, and kl.go holds every pair of
// posterior family and prior: the closed form KL(q || p) where the prior
// provides it for the family (ClosedFormPrior, SparsePrior), and otherwise
// the one-sample Monte-Carlo estimate log q(w) - log p(w) at the sampled
// w. Both are sums over the weights; an objective scales the total (see
// the losses package for the weighting).
//
// Priors follow gonum's stat/distuv in shape: value types with exported
// parameters (Normal, ScaleMixture) and one-method interfaces (Prior,
// ClosedFormPrior), so a user-defined prior is a type with a LogProb method.
// Unlike BLiTZ, the scale-mixture log-density is the exact one (no 1e-6
// added inside the density) and log q has no extra -0.5 per weight.
//
// Layers: Linear, Conv (NewConv1D, NewConv2D, NewConv3D), ConvTranspose,
// LSTM, GRU and Embedding, each trained with the Estimator chosen by
// WithEstimator through Estimator.Apply; MaxPool2D and Flatten connect
// convolutions to Linear. Every convolution runs on one op of this package
// (conv_op.go), not on Gorgonia's Conv2d. Wrap makes chosen
// parameters of a plain network Bayesian without changing its code.
//
// A layer of one's own is a few lines: hold Posteriors, call Sample in the
// layer's Apply (see the Example of a Bayesian scale layer), or, for a
// layer linear in its weights, hand them with its LinearMap to
// Estimator.Apply, which gives it every estimator.
package bayesnodes
