package optim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Solver is a gorgonia.Solver whose gradient scale and learning rate can be
// changed between steps and whose state can be saved and restored. *Adam,
// *SGD and *RMSProp implement it.
type Solver interface {
	G.Solver

	// SetGradScale sets the factor by which every gradient is multiplied
	// before use, e.g. 1/K after K accumulating runs of a TapeMachine.
	SetGradScale(s float64) error
	// GradScale returns the factor set by SetGradScale (1 by default).
	GradScale() float64
	// SetLearnRate changes the learning rate from the next step on.
	SetLearnRate(lr float64) error
	// LearnRate returns the current learning rate.
	LearnRate() float64
	// Steps returns the number of steps taken, counting those of a
	// restored state.
	Steps() int
	// State returns a copy of the step count and the moment buffers.
	State() SolverState
	// SetState restores a state returned by State.
	SetState(SolverState) error
}

var (
	_ Solver = (*Adam)(nil)
	_ Solver = (*SGD)(nil)
)

// Errors reported by Step and GlobalNorm, wrapped in a *ParamError when they
// concern one parameter. Test for them with errors.Is.
var (
	// ErrNoGrad: a parameter has no gradient (or is a nil ValueGrad).
	ErrNoGrad = errors.New("no gradient")
	// ErrUnsupported: a value or gradient is nil or not a contiguous
	// *tensor.Dense of float32 or float64.
	ErrUnsupported = errors.New("unsupported value")
	// ErrDuplicate: two parameters share their value or gradient tensor,
	// which would be updated twice.
	ErrDuplicate = errors.New("parameter listed twice")
	// ErrMismatch: a value and its gradient differ in dtype or shape.
	ErrMismatch = errors.New("value and gradient do not match")
	// ErrParamsChanged: the parameters differ in number, dtype or shape
	// from those the moment buffers were made (or restored) for.
	ErrParamsChanged = errors.New("parameters changed")
	// ErrNonFinite: with ClipNorm, the global gradient norm is NaN or
	// infinite, so no clipped step can be taken.
	ErrNonFinite = errors.New("non-finite gradient norm")
)

// ParamError records an error concerning one parameter of the slice passed
// to Step or GlobalNorm.
type ParamError struct {
	Op    string // the operation, e.g. "Adam.Step"
	Index int    // the parameter's position in the slice
	Name  string // the parameter's name if it implements gorgonia.Namer, else ""
	Err   error  // what went wrong; wraps one of the Err* values above
}

// Error returns "optim: Op: parameter Index ("Name"): Err".
func (e *ParamError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("optim: %s: parameter %d: %v", e.Op, e.Index, e.Err)
	}
	return fmt.Sprintf("optim: %s: parameter %d (%q): %v", e.Op, e.Index, e.Name, e.Err)
}

// Unwrap returns e.Err, so that errors.Is finds the Err* value it wraps.
func (e *ParamError) Unwrap() error { return e.Err }

func paramError(op string, i int, vg G.ValueGrad, format string, args ...any) error {
	e := &ParamError{Op: op, Index: i, Err: fmt.Errorf(format, args...)}
	if n, ok := vg.(G.Namer); ok {
		e.Name = n.Name()
	}
	return e
}

// SolverState is a solver's state, for checkpoints: the number of steps taken
// and copies of the moment buffers, one slice per parameter in the order the
// parameters are passed to Step. For Adam, M holds the first and V the second
// raw moment estimates; for SGD, M holds the momentum buffers (nil without
// momentum) and V is nil. Float32 buffers are widened to float64.
type SolverState struct {
	Steps int
	M, V  [][]float64
}

// Option configures a solver made by NewAdam or NewSGD. The constructors
// validate the options and reject those that do not apply to them.
type Option struct {
	name  string
	only  []string // the solvers the option applies to; nil: all
	apply func(*settings) error
}

type settings struct {
	beta1, beta2, eps float64
	alpha             float64 // RMSProp's smoothing constant
	weightDecay       float64
	clip              float64
	momentum          float64
	nesterov          bool
	lrScales          []lrScale
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Betas sets Adam's decay rates of the first and second moment estimates
// (defaults 0.9 and 0.999). Each must lie in [0, 1).
func Betas(beta1, beta2 float64) Option {
	return Option{fmt.Sprintf("Betas(%v, %v)", beta1, beta2), []string{"Adam"}, func(s *settings) error {
		if !(beta1 >= 0 && beta1 < 1) {
			return fmt.Errorf("beta1 = %v is outside [0, 1)", beta1)
		}
		if !(beta2 >= 0 && beta2 < 1) {
			return fmt.Errorf("beta2 = %v is outside [0, 1)", beta2)
		}
		s.beta1, s.beta2 = beta1, beta2
		return nil
	}}
}

// Epsilon sets Adam's and RMSProp's epsilon, added to the root of the
// second moment estimate (default 1e-8). It must be positive and finite.
func Epsilon(eps float64) Option {
	return Option{fmt.Sprintf("Epsilon(%v)", eps), []string{"Adam", "RMSProp"}, func(s *settings) error {
		if !(eps > 0) || !finite(eps) {
			return fmt.Errorf("epsilon must be positive and finite")
		}
		s.eps = eps
		return nil
	}}
}

// WeightDecay sets the weight decay wd >= 0 (default 0). For Adam it is
// decoupled from the gradient (AdamW, Loshchilov & Hutter): each step first
// multiplies the parameters by 1 - lr*wd. For SGD and RMSProp it is an L2
// penalty: wd times the parameter is added to the (scaled, clipped)
// gradient.
func WeightDecay(wd float64) Option {
	return Option{fmt.Sprintf("WeightDecay(%v)", wd), nil, func(s *settings) error {
		if !(wd >= 0) || !finite(wd) {
			return fmt.Errorf("weight decay must be non-negative and finite")
		}
		s.weightDecay = wd
		return nil
	}}
}

// ClipNorm rescales the gradients before each step so that their global L2
// norm, taken over all parameters together after the gradient scale, is at
// most max (as torch.nn.utils.clip_grad_norm_, without its 1e-6 guard:
// a clipped norm equals max). max must be positive and finite.
func ClipNorm(max float64) Option {
	return Option{fmt.Sprintf("ClipNorm(%v)", max), nil, func(s *settings) error {
		if !(max > 0) || !finite(max) {
			return fmt.Errorf("the maximum norm must be positive and finite")
		}
		s.clip = max
		return nil
	}}
}

// Momentum sets SGD's or RMSProp's momentum m in [0, 1) (default 0, no
// momentum).
func Momentum(m float64) Option {
	return Option{fmt.Sprintf("Momentum(%v)", m), []string{"SGD", "RMSProp"}, func(s *settings) error {
		if !(m >= 0 && m < 1) {
			return fmt.Errorf("momentum is outside [0, 1)")
		}
		s.momentum = m
		return nil
	}}
}

// Nesterov makes SGD use Nesterov momentum; it needs Momentum(m) with m > 0.
func Nesterov() Option {
	return Option{"Nesterov()", []string{"SGD"}, func(s *settings) error {
		s.nesterov = true
		return nil
	}}
}

// newCore validates the learning rate and options of the solver named kind.
func newCore(kind string, lr float64, s *settings, opts []Option) (core, error) {
	if err := checkLearnRate(lr); err != nil {
		return core{}, fmt.Errorf("optim: New%s: %v", kind, err)
	}
	for i, o := range opts {
		if o.apply == nil {
			return core{}, fmt.Errorf("optim: New%s: option %d is the zero Option", kind, i)
		}
		if o.only != nil && !slices.Contains(o.only, kind) {
			return core{}, fmt.Errorf("optim: New%s: %s applies to %s only", kind, o.name, strings.Join(o.only, " and "))
		}
		if err := o.apply(s); err != nil {
			return core{}, fmt.Errorf("optim: New%s: %s: %v", kind, o.name, err)
		}
	}
	return core{kind: kind, stepOp: kind + ".Step", lr: lr, scale: 1, clip: s.clip, lrScales: s.lrScales, bad: new(atomic.Bool)}, nil
}

func checkLearnRate(lr float64) error {
	if !(lr >= 0) || !finite(lr) {
		return fmt.Errorf("learning rate %v is not a non-negative finite number", lr)
	}
	return nil
}

// core holds what Adam and SGD share: the learning rate, the gradient scale,
// the clipping threshold, the step count and the per-parameter buffers.
type core struct {
	kind   string // "Adam" or "SGD", for messages
	stepOp string // kind + ".Step", made once: Step must not allocate
	nbuf   int    // moment buffers per parameter: 2 for Adam, 1 or 0 for SGD, 1 or 2 for RMSProp
	lr     float64
	scale  float64
	clip   float64
	steps  int

	lrScales []lrScale // from LearnRateScale, resolved per parameter on the first step

	params  []param      // nil until the first step (or a restored state) fixes them
	pending *SolverState // a state set before the parameters were known
	bad     *atomic.Bool // set by a step's update that wrote a non-finite value
	// inPlace, where a solver sets it, reports whether the step about to
	// be applied is certain to be finite, so that it can be made in place
	// with nothing kept to undo it (see apply).
	inPlace func() bool
	// updateAll and scanAll run every parameter's update or scan over
	// elements [lo, hi) of the parameters laid end to end (see
	// forRanges); built once, on first use.
	updateAll, scanAll func(lo, hi int)
}

// forRanges runs each parameter's update (or scan) over its share of
// elements [lo, hi) of the parameters laid end to end: one parallel.For
// over them all splits the work evenly across cores with one hand-over
// per core, where a For per parameter hands over once per large one.
func (c *core) forRanges(lo, hi int, scan bool) {
	off := 0
	for i := range c.params {
		p := &c.params[i]
		if s, e := max(lo, off), min(hi, off+p.size); s < e {
			if scan {
				p.scan(s-off, e-off)
			} else {
				p.update(s-off, e-off)
			}
		}
		off += p.size
	}
}

// size returns the number of elements of all parameters.
func (c *core) size() int {
	n := 0
	for i := range c.params {
		n += c.params[i].size
	}
	return n
}

// param is the bookkeeping of one parameter: its dtype and shape as of the
// first step, its moment buffers (a, b) in its own dtype, the buffers a
// step that may have to be undone writes them to (an, bn) and keeps the
// value in (old) (see lanes; allocated by the first such step), and the
// tensors of the step in progress.
type param struct {
	f32        bool
	shape      []int
	size       int
	a64, b64   []float64
	a32, b32   []float32
	an64, bn64 []float64
	an32, bn32 []float32
	old64      []float64
	old32      []float32
	w, g       *tensor.Dense
	lrFactor   float64 // multiplies the learning rate (LearnRateScale); 1 by default
	// update, where a solver sets it, updates elements [lo, hi); built
	// once, so that splitting a step across cores allocates nothing.
	update func(lo, hi int)
	// inPlace: the step in progress updates a, b and w in place.
	inPlace bool

	// Adam's: mMax and vMax bound |a| and b, as the last kept step or a
	// restored state left them; mNew and vNew collect the step in
	// progress's (see noteMoments), and gMax and wMax the largest |g| and
	// |w| that scan finds, as float64 bits, which order as the
	// non-negative values do.
	mMax, vMax             float64
	mNew, vNew, gMax, wMax atomic.Uint64
	scan                   func(lo, hi int)
}

// SetGradScale sets the factor by which gradients are multiplied before they
// are used (default 1). A trainer that lets a TapeMachine accumulate the
// gradients of K runs sets 1/K. s must be positive and finite.
func (c *core) SetGradScale(s float64) error {
	if !(s > 0) || !finite(s) {
		return fmt.Errorf("optim: %s.SetGradScale: scale %v is not a positive finite number", c.kind, s)
	}
	c.scale = s
	return nil
}

// GradScale returns the factor set by SetGradScale.
func (c *core) GradScale() float64 { return c.scale }

// SetLearnRate sets the learning rate used from the next step on; lr must be
// non-negative and finite.
func (c *core) SetLearnRate(lr float64) error {
	if err := checkLearnRate(lr); err != nil {
		return fmt.Errorf("optim: %s.SetLearnRate: %v", c.kind, err)
	}
	c.lr = lr
	return nil
}

// LearnRate returns the current learning rate.
func (c *core) LearnRate() float64 { return c.lr }

// Steps returns the number of successful steps, counting those of a state
// restored by SetState.
func (c *core) Steps() int { return c.steps }

// State returns a copy of the solver's step count and moment buffers. Before
// the first step the buffers are nil (or those given to SetState).
func (c *core) State() SolverState {
	if c.pending != nil {
		return cloneState(*c.pending)
	}
	st := SolverState{Steps: c.steps}
	if c.params == nil || c.nbuf == 0 {
		return st
	}
	st.M = make([][]float64, len(c.params))
	if c.nbuf == 2 {
		st.V = make([][]float64, len(c.params))
	}
	for i := range c.params {
		p := &c.params[i]
		if p.f32 {
			st.M[i] = widen(p.a32)
			if c.nbuf == 2 {
				st.V[i] = widen(p.b32)
			}
		} else {
			st.M[i] = append([]float64(nil), p.a64...)
			if c.nbuf == 2 {
				st.V[i] = append([]float64(nil), p.b64...)
			}
		}
	}
	return st
}

// SetState restores a state returned by State of a solver of the same kind
// and configuration. If the solver has already stepped, the state must have
// as many buffers of the same sizes; otherwise it is checked against the
// parameters of the next Step. The state is copied: st may be reused.
// A zero SolverState resets the solver to its freshly made condition.
func (c *core) SetState(st SolverState) error {
	op := c.kind + ".SetState"
	if st.Steps < 0 {
		return fmt.Errorf("optim: %s: negative step count %d", op, st.Steps)
	}
	if st.Steps == 0 && len(st.M) == 0 && len(st.V) == 0 {
		c.steps, c.params, c.pending = 0, nil, nil
		return nil
	}
	switch c.nbuf {
	case 0:
		if st.M != nil || st.V != nil {
			return fmt.Errorf("optim: %s: state has moment buffers but this solver keeps none (was it saved from another kind of solver?)", op)
		}
		c.steps = st.Steps
		return nil
	case 1:
		if st.V != nil {
			return fmt.Errorf("optim: %s: state has second moments but this solver keeps only momentum (was it saved from Adam?)", op)
		}
		if len(st.M) == 0 {
			return fmt.Errorf("optim: %s: state of a stepped solver has no momentum buffers", op)
		}
	case 2:
		if len(st.M) == 0 || len(st.V) != len(st.M) {
			return fmt.Errorf("optim: %s: state has %d first and %d second moment buffers; Adam needs as many of each, at least one", op, len(st.M), len(st.V))
		}
	}
	for i, m := range st.M {
		if c.nbuf == 2 && len(st.V[i]) != len(m) {
			return fmt.Errorf("optim: %s: buffer %d: %d first but %d second moments", op, i, len(m), len(st.V[i]))
		}
		for j, x := range m {
			if !finite(x) {
				return fmt.Errorf("optim: %s: M[%d][%d] = %v is not finite", op, i, j, x)
			}
		}
		if c.nbuf == 2 {
			for j, x := range st.V[i] {
				if !(x >= 0) || !finite(x) {
					return fmt.Errorf("optim: %s: V[%d][%d] = %v is not a non-negative finite number", op, i, j, x)
				}
			}
		}
	}
	if c.params == nil {
		cp := cloneState(st)
		c.pending, c.steps = &cp, st.Steps
		return nil
	}
	if len(st.M) != len(c.params) {
		return fmt.Errorf("optim: %s: %w: state has %d parameters, the solver has %d", op, ErrParamsChanged, len(st.M), len(c.params))
	}
	for i := range c.params {
		if n := c.params[i].size; len(st.M[i]) != n {
			return fmt.Errorf("optim: %s: %w: buffer %d has %d elements, parameter %d has %d", op, ErrParamsChanged, i, len(st.M[i]), i, n)
		}
		if !c.params[i].f32 {
			continue
		}
		for _, buf := range [][][]float64{st.M, st.V} {
			if buf == nil {
				continue
			}
			for j, x := range buf[i] {
				if math.IsInf(float64(float32(x)), 0) {
					return fmt.Errorf("optim: %s: buffer %d, element %d: %v is beyond float32's range, the parameter's dtype", op, i, j, x)
				}
			}
		}
	}
	for i := range c.params {
		c.params[i].load(st, i, c.nbuf)
	}
	c.steps = st.Steps
	return nil
}

// load copies buffer i of st into p's buffers.
func (p *param) load(st SolverState, i, nbuf int) {
	if p.f32 {
		narrow(p.a32, st.M[i])
		if nbuf == 2 {
			narrow(p.b32, st.V[i])
		}
		p.mMax, p.vMax = maxAbs(p.a32), maxAbs(p.b32)
		return
	}
	copy(p.a64, st.M[i])
	if nbuf == 2 {
		copy(p.b64, st.V[i])
	}
	p.mMax, p.vMax = maxAbs(p.a64), maxAbs(p.b64)
}

// maxAbs returns the largest |x| of s, 0 for none.
func maxAbs[T float32 | float64](s []T) float64 {
	var m float64
	for _, x := range s {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

func cloneState(st SolverState) SolverState {
	cp := SolverState{Steps: st.Steps}
	if st.M != nil {
		cp.M = make([][]float64, len(st.M))
		for i, m := range st.M {
			cp.M[i] = append([]float64(nil), m...)
		}
	}
	if st.V != nil {
		cp.V = make([][]float64, len(st.V))
		for i, v := range st.V {
			cp.V[i] = append([]float64(nil), v...)
		}
	}
	return cp
}

func widen(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, x := range s {
		d[i] = float64(x)
	}
	return d
}

func narrow(dst []float32, src []float64) {
	for i, x := range src {
		dst[i] = float32(x)
	}
}

// denseOf returns the value and gradient of vg as contiguous float tensors of
// one dtype and shape, or a *ParamError.
func denseOf(op string, i int, vg G.ValueGrad) (w, g *tensor.Dense, err error) {
	if vg == nil {
		return nil, nil, &ParamError{Op: op, Index: i, Err: fmt.Errorf("%w: the ValueGrad is nil", ErrNoGrad)}
	}
	v := vg.Value()
	if v == nil {
		return nil, nil, paramError(op, i, vg, "%w: the value is nil", ErrUnsupported)
	}
	gv, gerr := vg.Grad()
	if gerr != nil {
		return nil, nil, paramError(op, i, vg, "%w: %v", ErrNoGrad, gerr)
	}
	if gv == nil {
		return nil, nil, paramError(op, i, vg, "%w: the gradient is nil", ErrNoGrad)
	}
	var ok bool
	if w, ok = v.(*tensor.Dense); !ok {
		return nil, nil, paramError(op, i, vg, "%w: the value is a %T, not a *tensor.Dense", ErrUnsupported, v)
	}
	if g, ok = gv.(*tensor.Dense); !ok {
		return nil, nil, paramError(op, i, vg, "%w: the gradient is a %T, not a *tensor.Dense", ErrUnsupported, gv)
	}
	if w == nil {
		return nil, nil, paramError(op, i, vg, "%w: the value is a nil *tensor.Dense", ErrUnsupported)
	}
	if g == nil {
		return nil, nil, paramError(op, i, vg, "%w: the gradient is a nil *tensor.Dense", ErrNoGrad)
	}
	wt, gt := w.Dtype(), g.Dtype()
	if wt != tensor.Float64 && wt != tensor.Float32 {
		return nil, nil, paramError(op, i, vg, "%w: the value's dtype is %v, not float32 or float64", ErrUnsupported, wt)
	}
	if gt != wt {
		return nil, nil, paramError(op, i, vg, "%w: the value is %v but the gradient is %v", ErrMismatch, wt, gt)
	}
	if !sameShape(w.Shape(), g.Shape()) {
		return nil, nil, paramError(op, i, vg, "%w: the value has shape %v but the gradient %v", ErrMismatch, w.Shape(), g.Shape())
	}
	if w.IsView() || w.RequiresIterator() || g.IsView() || g.RequiresIterator() {
		return nil, nil, paramError(op, i, vg, "%w: the value or gradient is a view, transposed or masked; pass a materialised tensor", ErrUnsupported)
	}
	if w == g {
		return nil, nil, paramError(op, i, vg, "%w: the value and the gradient are the same tensor", ErrMismatch)
	}
	return w, g, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func dataLen(t *tensor.Dense) int {
	if t.Dtype() == tensor.Float32 {
		return len(t.Float32s())
	}
	return len(t.Float64s())
}

// prepare validates vgs against the parameters of earlier steps (fixing them
// and allocating the moment buffers on the first step), applies a pending
// state, and returns the factor by which the gradients must be multiplied:
// the gradient scale times the clipping coefficient. On error nothing has
// changed. On success every c.params[i] holds this step's tensors; the caller
// must call release when done.
func (c *core) prepare(vgs []G.ValueGrad) (float64, error) {
	op := c.stepOp
	if len(vgs) == 0 {
		return 0, fmt.Errorf("optim: %s: no parameters", op)
	}
	first := c.params == nil
	if !first && len(vgs) != len(c.params) {
		return 0, fmt.Errorf("optim: %s: %w: got %d parameters, the moment buffers are for %d", op, ErrParamsChanged, len(vgs), len(c.params))
	}
	if c.pending != nil && len(c.pending.M) != len(vgs) {
		return 0, fmt.Errorf("optim: %s: %w: got %d parameters, the restored state has %d", op, ErrParamsChanged, len(vgs), len(c.pending.M))
	}
	if first {
		c.params = make([]param, len(vgs))
	}
	fail := func(err error) (float64, error) {
		if first {
			c.params = nil
		} else {
			c.release()
		}
		return 0, err
	}
	for i, vg := range vgs {
		w, g, err := denseOf(op, i, vg)
		if err != nil {
			return fail(err)
		}
		p := &c.params[i]
		f32, n := w.Dtype() == tensor.Float32, dataLen(w)
		if first {
			p.f32, p.shape, p.size = f32, append([]int(nil), w.Shape()...), n
			p.lrFactor = lrFactor(c.lrScales, vg)
			if c.pending != nil && len(c.pending.M[i]) != n {
				return fail(paramError(op, i, vg, "%w: the restored state has %d elements for this parameter, it has %d", ErrParamsChanged, len(c.pending.M[i]), n))
			}
		} else if f32 != p.f32 || !sameShape(w.Shape(), p.shape) || n != p.size {
			return fail(paramError(op, i, vg, "%w: it is %v %v, it was %v %v", ErrParamsChanged, w.Dtype(), w.Shape(), dtypeOf(p.f32), tensor.Shape(p.shape)))
		}
		for j := range i {
			if q := &c.params[j]; q.w == w || q.g == g {
				return fail(paramError(op, i, vg, "%w: it shares its value or gradient with parameter %d", ErrDuplicate, j))
			}
		}
		p.w, p.g = w, g
	}

	coef := c.scale
	if c.clip > 0 {
		norm := math.Sqrt(c.sumSquares()) * c.scale
		if !finite(norm) {
			return fail(c.nonFinite(vgs, norm))
		}
		if norm > c.clip {
			coef *= c.clip / norm
		}
	}

	if first {
		for i := range c.params {
			c.params[i].alloc(c.nbuf)
		}
		if c.pending != nil {
			for i := range c.params {
				c.params[i].load(*c.pending, i, c.nbuf)
			}
			c.pending = nil
		}
	}
	return coef, nil
}

func dtypeOf(f32 bool) tensor.Dtype {
	if f32 {
		return tensor.Float32
	}
	return tensor.Float64
}

// alloc makes the nbuf moment buffers, zero.
func (p *param) alloc(nbuf int) {
	p.a32, p.a64 = bufs(p, nbuf >= 1)
	p.b32, p.b64 = bufs(p, nbuf == 2)
	p.mMax, p.vMax = 0, 0
}

// allocUndo makes the buffers of a step that may have to be undone, once.
func (p *param) allocUndo(nbuf int) {
	if p.old32 != nil || p.old64 != nil {
		return
	}
	p.old32, p.old64 = bufs(p, true)
	p.an32, p.an64 = bufs(p, nbuf >= 1)
	p.bn32, p.bn64 = bufs(p, nbuf == 2)
}

// bufs returns a buffer for p's elements in its dtype, if need.
func bufs(p *param, need bool) ([]float32, []float64) {
	switch {
	case !need:
		return nil, nil
	case p.f32:
		return make([]float32, p.size), nil
	}
	return nil, make([]float64, p.size)
}

// noteMoments records that the step in progress wrote moments of at most
// m in magnitude and v; safe for concurrent use.
func (p *param) noteMoments(m, v float64) {
	atomicMax(&p.mNew, m)
	atomicMax(&p.vNew, v)
}

// scanner returns the scan of p's elements [lo, hi) for Adam.finiteAhead.
func (p *param) scanner() func(lo, hi int) {
	if p.f32 {
		return func(lo, hi int) {
			g, w := scan(p.g.Float32s()[lo:hi], p.w.Float32s()[lo:hi])
			atomicMax(&p.gMax, g)
			atomicMax(&p.wMax, w)
		}
	}
	return func(lo, hi int) {
		g, w := scan(p.g.Float64s()[lo:hi], p.w.Float64s()[lo:hi])
		atomicMax(&p.gMax, g)
		atomicMax(&p.wMax, w)
	}
}

// atomicMax raises the non-negative float64 whose bits u holds to x.
func atomicMax(u *atomic.Uint64, x float64) {
	for {
		old := u.Load()
		if !(x > math.Float64frombits(old)) || u.CompareAndSwap(old, math.Float64bits(x)) {
			return
		}
	}
}

// sumSquares returns the sum of the squared gradients held by c.params.
func (c *core) sumSquares() float64 {
	var s float64
	for i := range c.params {
		p := &c.params[i]
		if p.f32 {
			s += sumSquares(p.g.Float32s())
		} else {
			s += sumSquares(p.g.Float64s())
		}
	}
	return s
}

// nonFinite returns the error for a non-finite global norm, naming the first
// parameter whose own gradient norm is not finite, if any.
func (c *core) nonFinite(vgs []G.ValueGrad, norm float64) error {
	for i := range c.params {
		p := &c.params[i]
		var s float64
		if p.f32 {
			s = sumSquares(p.g.Float32s())
		} else {
			s = sumSquares(p.g.Float64s())
		}
		if !finite(s) {
			return paramError(c.stepOp, i, vgs[i], "%w: its gradient's squared norm is %v", ErrNonFinite, s)
		}
	}
	return fmt.Errorf("optim: %s: %w: %v", c.stepOp, ErrNonFinite, norm)
}

// release drops the references to this step's tensors.
func (c *core) release() {
	for i := range c.params {
		c.params[i].w, c.params[i].g = nil, nil
	}
}
