package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// InputName is the name of the one input tensor a model takes.
const InputName = "input"

// Output tensor names. A classifier answers OutputProbs, OutputClass,
// OutputEntropy, OutputMutualInformation and OutputOOD; a regression
// OutputMean, OutputStd, OutputLower, OutputUpper, OutputTotalStd (with a
// noise sd) and OutputQuantiles (when the server was given quantiles).
const (
	OutputProbs             = "probs"              // FP64 [N, classes]
	OutputClass             = "class"              // INT64 [N]
	OutputEntropy           = "entropy"            // FP64 [N], nats
	OutputMutualInformation = "mutual_information" // FP64 [N], nats
	OutputOOD               = "ood"                // BOOL [N]
	OutputMean              = "mean"               // FP64 [N, outputs]
	OutputStd               = "std"                // FP64 [N, outputs], epistemic
	OutputTotalStd          = "total_std"          // FP64 [N, outputs]
	OutputLower             = "lower"              // FP64 [N, outputs]
	OutputUpper             = "upper"              // FP64 [N, outputs]
	OutputQuantiles         = "quantiles"          // FP64 [N, len(quantiles), outputs]
)

// Request parameters.
const (
	ParamSamples = "samples" // Monte-Carlo passes, 1 to the server's maximum
	ParamSeed    = "seed"    // seed of the passes' weights
)

// inferRequest is the Open Inference Protocol's request body.
type inferRequest struct {
	ID         string                     `json:"id,omitempty"`
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`
	Inputs     []requestInput             `json:"inputs"`
	Outputs    []requestOutput            `json:"outputs,omitempty"`
}

type requestInput struct {
	Name       string                     `json:"name"`
	Shape      []int                      `json:"shape"`
	Datatype   string                     `json:"datatype"`
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`
	Data       json.RawMessage            `json:"data"`
}

type requestOutput struct {
	Name       string                     `json:"name"`
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`
}

// inferResponse is the protocol's response body.
type inferResponse struct {
	ModelName    string         `json:"model_name"`
	ModelVersion string         `json:"model_version"`
	ID           string         `json:"id,omitempty"`
	Parameters   map[string]any `json:"parameters,omitempty"`
	Outputs      []tensor       `json:"outputs"`
}

type tensor struct {
	Name     string `json:"name"`
	Shape    []int  `json:"shape"`
	Datatype string `json:"datatype"`
	Data     any    `json:"data"`
}

// metadataTensor describes a tensor in model metadata; -1 is any size.
type metadataTensor struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	Shape    []int  `json:"shape"`
}

// httpError is a request's failure: its status and a message naming the
// problem.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) *httpError {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// limits are what a request may ask, and its defaults.
type limits struct {
	samples    int    // default samples
	seed       uint64 // default seed
	maxSamples int
	instances  int // most instances
}

// decoded is a validated inference request.
type decoded struct {
	id      string
	x       []float64
	rows    int
	samples int
	seed    uint64
	outputs map[string]bool // nil: all
}

// decode validates a request against the model s serves and its limits.
func decode(body []byte, sc *scoring.Scorer, lim limits) (*decoded, error) {
	var req inferRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, jsonError(err, body)
	}
	if dec.More() {
		return nil, badRequest("malformed JSON: data after the request object")
	}
	d := &decoded{id: req.ID, samples: lim.samples, seed: lim.seed}
	if err := d.parameters(req.Parameters, lim); err != nil {
		return nil, err
	}
	if len(req.Inputs) != 1 {
		return nil, badRequest("the request has %d inputs, the model takes one, named %q", len(req.Inputs), InputName)
	}
	in := req.Inputs[0]
	if in.Name != InputName {
		return nil, badRequest("unknown input %q: the model's input is named %q", in.Name, InputName)
	}
	var err error
	if d.rows, err = checkShape(in.Shape, sc.Spec().Input, lim.instances); err != nil {
		return nil, err
	}
	fp32 := false
	switch in.Datatype {
	case "FP32":
		fp32 = true
	case "FP64":
	default:
		return nil, badRequest("input datatype %q: the model takes FP32 or FP64", in.Datatype)
	}
	if d.x, err = flatten(in.Data, d.rows*sc.InputWidth()); err != nil {
		return nil, err
	}
	for i, v := range d.x {
		if fp32 && math.Abs(v) > math.MaxFloat32 {
			return nil, badRequest("input value %d (instance %d) is %v, outside the FP32 range", i, i/sc.InputWidth(), v)
		}
	}
	if len(req.Outputs) > 0 {
		known := outputNames(sc)
		d.outputs = map[string]bool{}
		for _, o := range req.Outputs {
			if !known[o.Name] {
				return nil, badRequest("unknown output %q: the model answers %s", o.Name, strings.Join(sortedNames(known), ", "))
			}
			d.outputs[o.Name] = true
		}
	}
	return d, nil
}

// jsonError names what is wrong with a body that is not a request.
func jsonError(err error, body []byte) *httpError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("empty request body: want a JSON inference request")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends before the request does (truncated?)")
	case errors.As(err, &syntax):
		at := body[max(syntax.Offset-1, 0):]
		for _, lit := range []string{"NaN", "Infinity", "-Infinity", "inf", "-inf"} {
			if bytes.HasPrefix(at, []byte(lit)) {
				return badRequest("malformed JSON at byte %d: %s is not a JSON number; NaN and infinite inputs are refused", syntax.Offset, lit)
			}
		}
		return badRequest("malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		return badRequest("field %q is a JSON %s, want %v", typ.Field, typ.Value, typ.Type)
	}
	return badRequest("malformed request: %v", err)
}

func (d *decoded) parameters(ps map[string]json.RawMessage, lim limits) error {
	for k, raw := range ps {
		switch k {
		case ParamSamples:
			n, err := strconv.Atoi(string(raw))
			if err != nil || n < 1 {
				return badRequest("parameter %q is %s, want an integer >= 1", k, raw)
			}
			if n > lim.maxSamples {
				return badRequest("parameter %q is %d, more than the server's maximum %d", k, n, lim.maxSamples)
			}
			d.samples = n
		case ParamSeed:
			s, err := strconv.ParseUint(string(raw), 10, 64)
			if err != nil {
				return badRequest("parameter %q is %s, want an integer in [0, 2^64)", k, raw)
			}
			d.seed = s
		default:
			return badRequest("unknown parameter %q (the server takes %q and %q)", k, ParamSamples, ParamSeed)
		}
	}
	return nil
}

// checkShape checks a request's input shape, [N, input...] or [N, width],
// and returns N.
func checkShape(shape, input []int, maxInstances int) (int, error) {
	width := 1
	for _, v := range input {
		width *= v
	}
	want := fmt.Sprintf("[N %s] or [N %d]", strings.Trim(fmt.Sprint(input), "[]"), width)
	if len(shape) < 2 {
		return 0, badRequest("input shape %v: want %s", shape, want)
	}
	n := shape[0]
	switch {
	case n == 0:
		return 0, badRequest("input shape %v: empty batch, want at least one instance", shape)
	case n < 0:
		return 0, badRequest("input shape %v: negative batch size", shape)
	case n > maxInstances:
		return 0, badRequest("input shape %v: %d instances, more than the server's maximum %d per request", shape, n, maxInstances)
	}
	flat := len(shape) == 2 && shape[1] == width
	same := len(shape) == len(input)+1
	for i := 1; same && i < len(shape); i++ {
		same = shape[i] == input[i-1]
	}
	if !flat && !same {
		return 0, badRequest("input shape %v: want %s", shape, want)
	}
	return n, nil
}

// flatten decodes a tensor's data, flat or nested row-major arrays of
// numbers, and checks it holds n finite values.
func flatten(raw json.RawMessage, n int) ([]float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, badRequest("input has no data")
	}
	x := make([]float64, 0, n)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" && depth == 0 {
				break
			}
			return nil, badRequest("input data: %v", err)
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '[' {
				depth++
			} else {
				depth--
			}
		case json.Number:
			v, err := t.Float64()
			if err != nil || math.IsInf(v, 0) {
				return nil, badRequest("input value %d is %s, want a finite number", len(x), t)
			}
			if len(x) == n {
				return nil, badRequest("input data has more than the %d values its shape holds", n)
			}
			x = append(x, v)
		case string:
			return nil, badRequest("input value %d is the string %q, want a finite number (NaN and infinities are refused)", len(x), t)
		default:
			return nil, badRequest("input value %d is %v, want a number", len(x), t)
		}
	}
	if len(x) != n {
		return nil, badRequest("input data has %d values, its shape holds %d", len(x), n)
	}
	return x, nil
}

// outputNames returns the outputs a model answers.
func outputNames(sc *scoring.Scorer) map[string]bool {
	names := map[string]bool{}
	for _, t := range outputTensors(sc, 1, nil) {
		names[t.Name] = true
	}
	return names
}

func sortedNames(m map[string]bool) []string {
	var names []string
	for _, t := range []string{OutputProbs, OutputClass, OutputEntropy, OutputMutualInformation, OutputOOD,
		OutputMean, OutputStd, OutputTotalStd, OutputLower, OutputUpper, OutputQuantiles} {
		if m[t] {
			names = append(names, t)
		}
	}
	return names
}

// outputTensors lays out n results (nil: shapes only) as the protocol's
// output tensors.
func outputTensors(sc *scoring.Scorer, n int, rs []scoring.Result) []tensor {
	k := sc.OutputWidth()
	f64 := func(name string, shape []int, get func(r scoring.Result) []float64) tensor {
		t := tensor{Name: name, Shape: append([]int{n}, shape...), Datatype: "FP64"}
		if rs != nil {
			data := make([]float64, 0, n*product(shape))
			for _, r := range rs {
				data = append(data, get(r)...)
			}
			t.Data = data
		}
		return t
	}
	if sc.Spec().Task == netspec.Classification {
		ts := []tensor{
			f64(OutputProbs, []int{k}, func(r scoring.Result) []float64 { return r.Probs }),
			{Name: OutputClass, Shape: []int{n}, Datatype: "INT64"},
			f64(OutputEntropy, nil, func(r scoring.Result) []float64 { return []float64{r.Entropy} }),
			f64(OutputMutualInformation, nil, func(r scoring.Result) []float64 { return []float64{r.MutualInformation} }),
			{Name: OutputOOD, Shape: []int{n}, Datatype: "BOOL"},
		}
		if rs != nil {
			class, ood := make([]int, n), make([]bool, n)
			for i, r := range rs {
				class[i], ood[i] = r.Class, r.OOD
			}
			ts[1].Data, ts[4].Data = class, ood
		}
		return ts
	}
	ts := []tensor{
		f64(OutputMean, []int{k}, func(r scoring.Result) []float64 { return r.Mean }),
		f64(OutputStd, []int{k}, func(r scoring.Result) []float64 { return r.Std }),
		f64(OutputLower, []int{k}, func(r scoring.Result) []float64 { return r.Lower }),
		f64(OutputUpper, []int{k}, func(r scoring.Result) []float64 { return r.Upper }),
	}
	if sc.Spec().NoiseStd > 0 {
		ts = append(ts, f64(OutputTotalStd, []int{k}, func(r scoring.Result) []float64 { return r.TotalStd }))
	}
	if q := len(sc.Quantiles()); q > 0 {
		ts = append(ts, f64(OutputQuantiles, []int{q, k}, func(r scoring.Result) []float64 {
			var v []float64
			for _, qj := range r.Quantiles {
				v = append(v, qj...)
			}
			return v
		}))
	}
	return ts
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
