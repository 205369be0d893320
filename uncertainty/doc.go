// Package uncertainty turns the Monte-Carlo predictions of a Bayesian
// network into the summaries and metrics that say how far they can be
// trusted.
//
// A Bayesian network gives a different prediction for every weight sample.
// Given S such samples, this package computes:
//
//   - for regression, the predictive mean and standard deviation per point
//     (Summarize), quantile bands (Quantiles), the share of targets inside
//     mean ± k std (EvaluateRegression, as BLiTZ's evaluate_regression), the
//     total predictive spread including observation noise (TotalStd) and RMSE;
//   - for classification, from S samples of class probabilities
//     (ClassPredictive): the mean prediction, accuracy, negative
//     log-likelihood, predictive entropy, its split into expected entropy
//     (aleatoric) and mutual information (epistemic, the BALD score),
//     calibration with a reliability diagram and the expected calibration
//     error, and how consistently the samples vote for the majority class,
//     with a Wilson confidence interval;
//   - AUROC by the Mann-Whitney rank statistic, and OODAUROC for the usual
//     test of whether an uncertainty score separates in-distribution from
//     out-of-distribution inputs;
//   - calibration on held-out data, for when the posterior is not to be
//     trusted on its own: split-conformal intervals normalised by the
//     predictive sd (CalibrateInterval), temperature scaling
//     (FitTemperature) and adaptive conformal prediction sets
//     (CalibrateSets), whose coverage holds at the nominal level on
//     exchangeable data whatever the model.
//
// Everything takes and returns plain float64 slices and ints, so that it
// can be used from any Go code (and from an interpreter that cannot
// instantiate generics) without depending on Gorgonia. Functions validate
// their arguments and return an error naming the offending argument, index
// and value rather than panicking or silently returning NaN.
//
// Logarithms are natural, so entropies and mutual information are in nats.
package uncertainty
