// Package checkpoint saves and loads Bayesian models in the safetensors
// format, imports peers' checkpoints and exports the mean-weights network.
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of
// JSON naming each tensor's dtype, shape and byte range, and a
// "__metadata__" object of strings, then the raw little-endian data. Parse
// and ReadFile accept only well-formed files: each kind of damage is a named
// error (ErrTruncated, ErrHeaderLength, ErrInvalidHeader, ErrOffsets,
// ErrUnknownDtype, ErrShape), wrapped in a *TensorError when it concerns one
// tensor, never a panic, and no allocation beyond the file's own size. File
// and WriteFile write them, with a SHA-256 digest of the tensor data in the
// metadata (DigestKey) that Parse checks: a byte flipped on disk is
// ErrDigest. Files without a digest, such as a peer's, are read as they are.
//
// # Checkpoints
//
// Save writes everything needed to go on from where a model is: every
// parameter of the model by name (the mu and rho of each posterior, a
// learned likelihood noise), in the model's dtype, and in the metadata the
// dtype, the input shape and the positions of the model's initialisation
// and noise generators. WithTrainer adds the trainer's progress (steps,
// epochs, the shuffle generator, the learning rate) and its solver's step
// count and moment buffers, so that training resumed from the file goes on
// exactly, to the last bit, as if it had not stopped. WithMetadata records
// what the parameters do not say, such as the layer sizes and priors, and
// makes Load refuse a file whose record differs.
//
// Load restores a file into a model, and with WithTrainer a trainer, made
// the same way as the saved ones. Models learn their parameters by building
// their network, so Load builds it first (graph.Model.InitParams, or
// optim.Trainer.InitParams WithTrainer). It compares every tensor with the
// model before changing anything, and reports every difference: a missing
// or extra tensor, a shape ([16 1] in the file, [8 1] in the model), a dtype.
//
// Writes are atomic (github.com/google/renameio/v2): the file is written
// to a temporary file in the same directory, synced and renamed over the
// target, so that a crash during a Save leaves the previous checkpoint
// whole, and the temporary files such crashes leave are removed by the
// next Save to the same path.
//
// # Other libraries
//
// Import loads a peer's tensors, such as a BLiTZ model's state dict written
// by tools/blitz_to_safetensors.py (numpy and torch only), into the
// parameters a mapping names. MeanWeights exports the network with every
// weight at its posterior mean (optionally pruned by signal-to-noise ratio)
// as plain tensors named and laid out as PyTorch's nn.Linear's, for serving
// without this library.
package checkpoint
