// Package datasets holds the data side of gorgonia-bnn: a [Dataset] of
// fixed-shape float64 examples with regression targets or class labels,
// and what a training loop needs from it (validation, seeded splits,
// mini-batches and gathering a batch into reusable buffers).
//
// It also makes and reads the data the examples and tests train on:
//
//   - synthetic sets drawn from a seed: [Sine], [Cubic] and [Moons];
//   - files in the IDX format of MNIST and Fashion-MNIST, plain or
//     gzipped: [ReadIDXImages], [ReadIDXLabels], [DecodeIDX], [LoadIDX]
//     and [MNIST] for a directory of them;
//   - Fisher's iris data, embedded: [Iris].
//
// Ten thousand real MNIST digits are embedded in the subpackage
// github.com/gorgonia-bnn/bnn/datasets/mnist10k, so that a program pays
// for their 1.6 MB only when it imports them.
//
// The package depends on the standard library only; in particular it does
// not import Gorgonia, so data can be prepared and checked without a graph.
//
// Randomness always comes from a seed or from a *rand.Rand of math/rand/v2
// that the caller passes in: the same seed gives the same data, split and
// batches on every run.
package datasets
