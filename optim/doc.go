// Package optim trains Bayesian networks: solvers that implement
// gorgonia.Solver over the raw parameter slices without allocating (Adam,
// AdamW, SGD with momentum, global-norm clipping), and a Trainer that runs
// epochs of mini-batches with K Monte-Carlo samples per step.
//
// A step with K samples runs the graph K times with fresh noise; Gorgonia's
// TapeMachine adds the K gradients in the parameters' dual values, and the
// solver steps once on their mean (SetGradScale(1/K)): exactly the gradient
// of the K-sample average of the objective, BLiTZ's sample_elbo with
// sample_nbr = K. An objective that is a SampleWeighter (losses.Renyi)
// instead gets a weighted mean: after each run the trainer moves the
// gradient out of the dual values into one accumulator per parameter,
// weighted by exp(log-weight) with a running maximum for stability, and
// steps on the accumulated gradient divided by the sum of the weights.
// That is the exact gradient of the Monte-Carlo objective for the step's
// noise, at the cost of K runs as before.
//
// After each epoch a Fit can validate on held-out data (Validation, with
// Metrics such as Accuracy and RMSE), report to a chain of Reporters
// (Console, CSV), call EpochHooks (the checkpoint package's Periodic saves
// checkpoints through one) and stop early (EarlyStopping). An objective
// that is a losses.LossObserver hears every step's, epoch's and
// validation's loss, which is how a losses.Plateau schedule is fed.
//
// The pieces also serve a hand-written loop: build a graph with
// graph.Model.Build, set its inputs, Run it K times, read the loss parts,
// and Step the solver on graph.Graph.Learnables (see the Example).
package optim
