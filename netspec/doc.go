// Package netspec describes a dense or convolutional Bayesian network as
// data, so that a checkpoint can record which network its tensors belong
// to and a program that never saw the network's Go code (a server, a batch
// scorer) can rebuild it.
//
// A Spec is JSON: the shape and dtype of one input example, the task
// (regression or classification), a stack of layers (linear, conv1d,
// conv2d, maxpool2d, relu, tanh, sigmoid, flatten), the training options
// that shaped the parameters (estimator, prior, initialisation) and what a
// prediction needs beyond the parameters: the likelihood noise sd of a
// regression, the mutual-information threshold above which a classifier's
// input is called out of distribution, a conformal calibration.
//
// Validate checks a Spec and follows the shapes through its layers, so a
// layer that does not fit its input is named before any graph is built.
// Network and NewModel build it. Save writes a checkpoint with the Spec in
// its metadata; Load reads one back into a new model and refuses a file
// whose tensors do not fit the recorded network.
package netspec
