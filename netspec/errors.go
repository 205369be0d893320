package netspec

import "errors"

// Errors of a Spec or of a checkpoint that does not fit one. Test for them
// with errors.Is; the messages say which field or layer is wrong.
var (
	// ErrInput: the input shape is missing or has a dimension below 1.
	ErrInput = errors.New("bad input shape")
	// ErrDtype: a dtype other than "float32" or "float64".
	ErrDtype = errors.New("bad dtype")
	// ErrTask: a task other than "regression" or "classification", or a
	// setting that belongs to the other task.
	ErrTask = errors.New("bad task")
	// ErrLayer: an unknown layer kind, a setting out of range or one the
	// kind does not take, a duplicate layer name, no layers.
	ErrLayer = errors.New("bad layer")
	// ErrShape: a layer that does not fit the shape it receives, or an
	// output of the wrong form for the task.
	ErrShape = errors.New("layer does not fit its input")
	// ErrOption: a bad estimator, prior, initialisation, noise sd, OOD
	// threshold or conformal calibration.
	ErrOption = errors.New("bad option")
	// ErrCustom: a Spec of a custom network (Spec.Custom) cannot build it
	// or say its output shape.
	ErrCustom = errors.New("custom network")
	// ErrNoSpec: a checkpoint without a recorded Spec (see Save).
	ErrNoSpec = errors.New("no network spec in the checkpoint")
	// ErrMismatch: a model or a checkpoint whose tensors, dtype or input
	// shape do not fit the Spec. It wraps the checkpoint package's errors
	// (checkpoint.ErrShapeMismatch, ErrMissingTensor, ...) where they apply.
	ErrMismatch = errors.New("does not fit the network spec")
)
