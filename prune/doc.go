// Package prune compresses a trained Bayesian network by its posterior:
// weights whose posterior is mostly noise are dropped, and what remains is
// exported as a smaller deterministic network.
//
// A weight is kept or dropped by Keep: for a sparse variational dropout
// posterior (bayesnodes.NewSparsePosterior) it is dropped where log alpha
// exceeds the threshold (bayesnodes.PruneLogAlpha, 3, in Molchanov et al.
// 2017); for a Gaussian posterior where its signal-to-noise ratio |mu| /
// sigma is below the threshold (Blundell et al. 2015). Summarize counts
// kept and total weights per tensor, and Zero writes the pruned means back
// into the model, so the model itself predicts with the pruned weights.
//
// Net is a deterministic network of dense layers (the posterior means,
// pruned weights zero); Compact removes every unit that no longer matters:
// inputs and hidden units whose outgoing weights are all pruned, and hidden
// units whose incoming weights are all pruned, whose constant output
// act(bias) is folded into the next layer's bias. The compact network
// computes the same function with smaller matrices (see BenchmarkForward).
package prune
