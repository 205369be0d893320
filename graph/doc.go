// Package graph turns a Bayesian network definition into Gorgonia graphs and
// runs them.
//
// A Model owns everything that must outlive one graph: the parameter tensors
// (created and initialised on first use, then shared by every graph built
// from the model, so a solver step through one graph is seen by all), the
// seeded generator that fills noise, and the mode (sampled or mean weights).
//
// A network is a Go function that applies layers to nodes through a Builder.
// Model.Build calls it for one batch size and returns a compiled Graph on
// Gorgonia's TapeMachine. Each Bayesian layer asks the Builder for
//
//   - parameter nodes (Builder.Param), bound to the model's shared tensors;
//   - noise input nodes (Builder.Noise), which Graph.Run fills from the
//     model's seeded generator before every run (zeros with mean weights),
//     so a seed reproduces a run and no two layers ever share noise. The
//     generator is counter-based (Philox4x32-10): a value is a function of
//     the seed, the run, the noise input and its position, so a run's
//     noise is drawn on every core with the same bits as on one;
//   - a KL term (Builder.AddKL); every term is summed into the graph's single
//     KL accumulator node, which an objective adds to its loss.
//
// Shapes are fixed per graph (Gorgonia's shapes are static): build one graph
// per batch size; building is cheap next to training.
//
// Gorgonia panics inside its VM on shape errors, so everything that can be
// checked is checked while building, and reported as an error.
package graph
