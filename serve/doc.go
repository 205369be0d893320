// Package serve answers a trained Bayesian network's predictive
// uncertainty over HTTP, on the Open Inference Protocol (KServe v2 /
// Triton REST), so that existing clients and gateways work unchanged.
//
// A Server is an http.Handler for one model. An inference request's one
// input, named "input", holds N instances (shape [N, input...] or
// [N, width], datatype FP32 or FP64); the response holds named output
// tensors with each instance's figures (see package scoring): for a
// classifier "probs", "class", "entropy", "mutual_information" and "ood";
// for a regression "mean", "std", "lower", "upper", and "total_std" and
// "quantiles" where they apply. The request's parameters "samples"
// (bounded by MaxSamples) and "seed" choose the Monte-Carlo passes; the
// response's parameters echo them. Errors are the protocol's
// {"error": "..."} with a 4xx status that names what is wrong.
//
// Concurrent requests are merged into one predictive pass (Batching):
// a bounded queue, up to a maximum batch and a maximum delay, split back
// afterwards. A record's answer does not depend on the records it is
// batched with, so a request gets the same numbers alone or merged.
//
// Swap and Reload replace the model atomically: each request is answered
// wholly by one model, whose version the response's model_version names.
// A model of another network is refused and the old one keeps serving.
// Metrics for Prometheus are at /metrics.
package serve
