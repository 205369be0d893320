// Package losses provides the objectives a Bayesian network is trained on:
// likelihoods (MSE, Gaussian negative log-likelihood with a fixed or learned
// noise scale, cross-entropy from logits), the ELBO that adds the weighted
// KL term, and the KL weightings that make minibatch training estimate it.
//
// Scaling. The loss of one step is
//
//	fit + weight * KL
//
// where fit is the likelihood's negative log-likelihood averaged over the
// batch and KL is the sum over every weight of the network's KL terms (or
// their mean per weight, KLMeanPerWeight, as torchbnn reduces it). With the
// default weight 1/N for a data set of N examples, the loss is exactly the
// negative ELBO divided by N, estimated on the batch: the scale on which
// Bayes' rule puts the prior against the data. Peers that write
// "MSE + KL/N" use a likelihood that is not normalised for the data's
// noise: MSE is the Gaussian NLL of a noise sd of 1/sqrt(2) ~ 0.7, and on
// data with small noise the KL then dominates and the fit is poor. Prefer a
// Gaussian NLL with the data's noise scale, or a learned one.
//
// Schedules. Every KL weighting is a KLWeight: a function of the step's
// position (Batch). A beta between fit and KL is Scaled; KL annealing
// (warm-up) is Annealed; a Plateau changes its beta when a tracked loss
// stalls. Weightings wrap one another (Annealed over Scaled, a Plateau over
// either), and the ones that adapt to training are LossObservers: the
// trainer reports step, epoch and validation losses to the objective, which
// passes them down the chain. There is no other way of weighting the KL.
//
// Several samples. A trainer averages the ELBO over its K Monte-Carlo
// samples. Renyi replaces that mean by the variational Renyi bound of order
// alpha, whose gradient weighs the samples by self-normalised importance
// weights; alpha -> 1 gives the ELBO back.
package losses
