// Package scoring computes each record's predictive uncertainty from a
// trained Bayesian network: for a regression the predictive mean, its
// epistemic and total standard deviation, quantiles and an interval; for a
// classifier the mean class probabilities, the predicted class, the
// predictive entropy, the mutual information between prediction and
// weights, and an out-of-distribution flag. It is what a server (package
// serve) and a batch pipeline return per record, computed one way.
//
// A record's result depends only on the seed, the record and the
// parameters, never on which other records are scored with it: every
// Monte-Carlo pass samples one set of weights from the seed (Model.Predict
// samples weights under every estimator) and applies it to each record
// alone, so records can be batched, split or reordered freely.
package scoring
