package checkpoint

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/prune"
)

// Import copies the tensors of another library's checkpoint, such as a
// BLiTZ state dict written by tools/blitz_to_safetensors.py, into the
// parameters that params maps their names to: for BLiTZ,
//
//	"blinear1.weight_mu":  hidden.Weight.Params()[0],
//	"blinear1.weight_rho": hidden.Weight.Params()[1],
//	"blinear1.bias_mu":    hidden.Bias.Params()[0], ...
//
// Every tensor of f must be mapped and every mapped name must be in f, with
// the parameter's shape (no transposition is done: a BLiTZ or PyTorch Linear
// weight is [out, in], as bayesnodes.Linear's). Floating-point tensors of
// any width are converted to the model's dtype. Nothing changes unless
// everything fits; the error lists every difference. Import works before
// the model has built a graph: the values then replace the parameters'
// initialisation.
func Import(f *File, params map[string]*graph.Param) error {
	if f == nil {
		return errors.New("checkpoint: Import: nil file")
	}
	owner := make(map[*graph.Param]string, len(params))
	for _, name := range sortedKeys(params) {
		p := params[name]
		if p == nil {
			return fmt.Errorf("checkpoint: Import: %q maps to a nil parameter", name)
		}
		if other, dup := owner[p]; dup {
			return fmt.Errorf("checkpoint: Import: %q and %q both map to parameter %s", other, name, p.Name())
		}
		owner[p] = name
	}
	var diffs []error
	values := make(map[*graph.Param][]float64, len(params))
	for _, t := range f.Tensors {
		p, ok := params[t.Name]
		if !ok {
			diffs = append(diffs, tensorErr(t.Name, ErrExtraTensor, "the file has it (%s %v), the mapping does not name it", t.Dtype, t.Shape))
			continue
		}
		if !slices.Equal(t.Shape, p.Shape()) {
			hint := ""
			if ps := p.Shape(); len(ps) == 2 && slices.Equal(t.Shape, []int{ps[1], ps[0]}) {
				hint = " (transposed? a Linear weight here is [out, in], as in PyTorch)"
			}
			diffs = append(diffs, tensorErr(t.Name, ErrShapeMismatch, "%v in the file, %v for parameter %s%s", t.Shape, p.Shape(), p.Name(), hint))
			continue
		}
		v, err := t.Float64s()
		if err != nil {
			diffs = append(diffs, err)
			continue
		}
		if err := p.CheckValues(v); err != nil { // finite in the model's dtype
			diffs = append(diffs, &TensorError{Name: t.Name, Err: fmt.Errorf("%w: %v", ErrNonFinite, err)})
			continue
		}
		values[p] = v
	}
	for _, name := range sortedKeys(params) {
		if _, ok := f.Lookup(name); !ok {
			diffs = append(diffs, tensorErr(name, ErrMissingTensor, "the mapping names it (for %s), the file does not have it", params[name].Name()))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("checkpoint: Import: the file does not fit the mapping:\n%w", errors.Join(diffs...))
	}
	for p, v := range values {
		if err := p.SetValues(v); err != nil {
			return fmt.Errorf("checkpoint: Import: %w", err) // checked above: not expected
		}
	}
	return nil
}

// MeanWeights returns the model's deterministic network with every weight
// at its posterior mean, as plain tensors for serving without this library
// (PyTorch's safetensors.torch.load_file reads them): a posterior's pair of
// parameters (bayesnodes.ParamLayouts: NAME.mu and NAME.rho for a Gaussian,
// NAME.theta and NAME.log_sigma2 for sparse variational dropout) becomes
// the tensor NAME holding the mean, so a bayesnodes.Linear named fc1 gives
// fc1.weight [out, in] and fc1.bias [out], the names and layout of
// PyTorch's nn.Linear. Parameters that are not half of such a pair are
// kept under their own names. The metadata records the layout and where
// each tensor came from.
//
// With minSNR > 0 the network is pruned: a weight whose signal-to-noise
// ratio |mean| / sigma is below minSNR is set to zero (Blundell et al.
// 2015, section 5.1; prune.KeepSignalToNoise), sigma as the posterior's
// family defines it. For a sparse posterior that is log alpha above
// -2 log(minSNR).
func MeanWeights(m *graph.Model, minSNR float64) (*File, error) {
	if m == nil {
		return nil, errors.New("checkpoint: MeanWeights: nil model")
	}
	if !(minSNR >= 0) || math.IsInf(minSNR, 0) {
		return nil, fmt.Errorf("checkpoint: MeanWeights: minSNR is %v, want a finite value >= 0", minSNR)
	}
	if err := m.InitParams(); err != nil {
		return nil, fmt.Errorf("checkpoint: MeanWeights: %w", err)
	}
	dt, err := dtypeOf(m.Dtype())
	if err != nil {
		return nil, fmt.Errorf("checkpoint: MeanWeights: %w", err)
	}
	sources := map[string]string{}
	f := &File{}
	pruned, total := 0, 0
	for _, p := range m.Params() {
		name, values := p.Name(), p.Values()
		layout, base, role := posteriorParam(m, name)
		switch role {
		case spreadParam:
			continue // the spread of a posterior whose mean is exported
		case meanParam:
			name = base
			total += len(values)
			if minSNR > 0 {
				spread := m.Param(base + layout.Spread).Values()
				sd := make([]float64, len(spread))
				for i, v := range spread {
					sd[i] = layout.Sigma(v)
				}
				keep, err := prune.KeepSignalToNoise(values, sd, minSNR)
				if err != nil {
					return nil, fmt.Errorf("checkpoint: MeanWeights: %s: %w", base, err)
				}
				for i, k := range keep {
					if !k {
						values[i] = 0
						pruned++
					}
				}
			}
		}
		if _, dup := sources[name]; dup {
			return nil, fmt.Errorf("checkpoint: MeanWeights: two parameters export as %q", name)
		}
		sources[name] = p.Name()
		t, err := NewTensor(name, dt, p.Shape(), values)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: MeanWeights: %w", err)
		}
		f.Tensors = append(f.Tensors, t)
	}
	src, err := marshal(sources)
	if err != nil {
		return nil, err
	}
	input, err := marshal(m.InputShape())
	if err != nil {
		return nil, err
	}
	f.Metadata = map[string]string{
		"bnn.export": "mean-weights",
		"layout": "row-major, little-endian; each posterior NAME.mu/NAME.rho (NAME.theta/NAME.log_sigma2) becomes NAME = its mean; " +
			"a Linear's NAME.weight is [out, in] and NAME.bias [out], y = x W^T + b (PyTorch's nn.Linear)",
		"sources": src,
		"input":   input,
		"pruned":  fmt.Sprintf("%d of %d posterior weights set to 0 (|mean|/sigma < %v)", pruned, total, minSNR),
	}
	return f, nil
}

// paramRole is what a parameter is to MeanWeights.
type paramRole int

const (
	plainParam paramRole = iota
	meanParam
	spreadParam
)

// posteriorParam tells whether the parameter name is the mean or the
// spread of a posterior (its pair exists, of the same shape), and of which
// layout and base name.
func posteriorParam(m *graph.Model, name string) (bayesnodes.ParamLayout, string, paramRole) {
	for _, l := range bayesnodes.ParamLayouts() {
		for _, r := range []struct {
			suffix string
			role   paramRole
		}{{l.Mean, meanParam}, {l.Spread, spreadParam}} {
			base, ok := strings.CutSuffix(name, r.suffix)
			if !ok {
				continue
			}
			mean, spread := m.Param(base+l.Mean), m.Param(base+l.Spread)
			if mean != nil && spread != nil && slices.Equal(mean.Shape(), spread.Shape()) {
				return l, base, r.role
			}
		}
	}
	return bayesnodes.ParamLayout{}, "", plainParam
}
