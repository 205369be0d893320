// Package optim trains Bayesian networks: solvers that implement
// gorgonia.Solver over the raw parameter slices without allocating (Adam,
// AdamW, SGD with momentum, global-norm clipping), and a Trainer that runs
// epochs of mini-batches with K Monte-Carlo samples per step.
//
// A step with K samples runs the graph K times with fresh noise; Gorgonia's
// TapeMachine adds the K gradients in the parameters' dual values, and the
// solver steps once on their mean (SetGradScale(1/K)): exactly the gradient
// of the K-sample average of the objective, BLiTZ's sample_elbo with
// sample_nbr = K.
//
// The pieces also serve a hand-written loop: build a graph with
// graph.Model.Build, set its inputs, Run it K times, read the loss parts,
// and Step the solver on graph.Graph.Learnables (see the Example).
package optim
