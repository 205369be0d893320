package checkpoint

import (
	"errors"
	"fmt"
)

// Errors of a malformed safetensors file, reported by Parse and ReadFile
// (and so by Load). Test for them with errors.Is; those concerning one
// tensor come wrapped in a *TensorError that names it.
var (
	// ErrTruncated: the file is shorter than its 8-byte length prefix, or
	// its data section ends before a tensor does.
	ErrTruncated = errors.New("truncated file")
	// ErrHeaderLength: the header length runs past the end of the file or
	// over MaxHeaderSize.
	ErrHeaderLength = errors.New("header length out of range")
	// ErrInvalidHeader: the header is not UTF-8 JSON of the expected form
	// (an object of tensor entries and an optional string-to-string
	// __metadata__ object, no duplicate names, no unknown fields).
	ErrInvalidHeader = errors.New("invalid header")
	// ErrOffsets: data offsets that are reversed, overlap, leave a gap, or
	// do not cover the whole data section.
	ErrOffsets = errors.New("bad data offsets")
	// ErrUnknownDtype: a dtype the safetensors format does not define.
	ErrUnknownDtype = errors.New("unknown dtype")
	// ErrShape: a shape with a negative dimension, or whose element count
	// does not match the tensor's byte count.
	ErrShape = errors.New("shape does not match the data")
	// ErrDigest: the data section's SHA-256 differs from the one its
	// metadata records under DigestKey: the file was damaged.
	ErrDigest = errors.New("data digest mismatch")
)

// Errors of a well-formed file that does not fit the model it is loaded
// into, reported by Restore, Load and Import. Restore reports every
// difference at once (errors.Is finds each kind).
var (
	// ErrMissingTensor: a parameter of the model has no tensor in the file.
	ErrMissingTensor = errors.New("missing tensor")
	// ErrExtraTensor: a tensor of the file has no parameter in the model.
	ErrExtraTensor = errors.New("unexpected tensor")
	// ErrShapeMismatch: a tensor's shape differs from its parameter's.
	ErrShapeMismatch = errors.New("shape mismatch")
	// ErrDtypeMismatch: the file's dtype is not the model's (Restore), or
	// not a floating-point one (Import).
	ErrDtypeMismatch = errors.New("dtype mismatch")
	// ErrMetadataMismatch: the file's input shape or a metadata value
	// required with WithMetadata differs.
	ErrMetadataMismatch = errors.New("metadata mismatch")
	// ErrNotCheckpoint: the file was not written by Save (a peer's state
	// dict: see Import), or by a newer version of this package.
	ErrNotCheckpoint = errors.New("not a checkpoint of this package")
	// ErrNoTrainer: WithTrainer was given to Restore, but the file was
	// saved without it.
	ErrNoTrainer = errors.New("no trainer state in the file")
	// ErrNonFinite: a value is NaN or infinite, or beyond the range of the
	// model's dtype (Import of 1e39 into a float32 model). Save refuses to
	// write such a value, Load and Import to read it.
	ErrNonFinite = errors.New("non-finite value")
)

// TensorError is an error concerning one tensor of a file.
type TensorError struct {
	Name string // the tensor's name
	Err  error  // what is wrong; wraps one of the Err* values
}

// Error returns `tensor "Name": Err`.
func (e *TensorError) Error() string { return fmt.Sprintf("tensor %q: %v", e.Name, e.Err) }

// Unwrap returns e.Err.
func (e *TensorError) Unwrap() error { return e.Err }

func tensorErr(name string, kind error, format string, args ...any) error {
	return &TensorError{Name: name, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}
