package bayesnodes_test

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// The conformance test runs every *.json vector in $BNN_GOLDEN_DIR (default:
// testdata/golden, a copy of the reference vectors computed in float64 by
// BLiTZ, torch.nn.GRU and torch.distributions). New vectors can be dropped in
// without code changes; a layer kind with no runner fails the test unless it
// is listed in notSupported.

// notSupported lists the layer kinds not built yet, with the issue that adds
// them (none today). Each issue that adds a kind removes it here.
var notSupported = map[string]string{}

type goldenTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type goldenCase struct {
	Name         string                  `json:"name"`
	Layer        string                  `json:"layer"`
	Config       map[string]any          `json:"config"`
	Prior        map[string]float64      `json:"prior"`
	Params       map[string]goldenTensor `json:"params"`
	Eps          map[string]goldenTensor `json:"eps"`
	Input        goldenTensor            `json:"input"`
	Output       goldenTensor            `json:"output"`
	FrozenOutput goldenTensor            `json:"frozen_output"`
	LogQ         *float64                `json:"log_q"`
	LogP         *float64                `json:"log_p"`
	KLMC         *float64                `json:"kl_mc"`
	KLClosed     *float64                `json:"kl_closed"`
}

// conformanceRunners maps a layer kind to the check of one case in a dtype.
// A layer family's test file may add its runner in an init function.
var conformanceRunners = map[string]func(t *testing.T, c *goldenCase, dt dtypeTol){
	"linear":     checkLinearCase,
	"linear_lrt": checkLinearLRTCase,
	"conv1d":     checkConv1DCase,
	"conv2d":     checkConv2DCase,
}

type dtypeTol struct {
	name string
	dt   graph.Option
	tol  float64
}

var conformanceDtypes = []dtypeTol{
	{"float64", graph.WithDtype(graph.Float64), 1e-9},
	{"float32", graph.WithDtype(graph.Float32), 1e-4},
}

func goldenDir() string {
	if d := os.Getenv("BNN_GOLDEN_DIR"); d != "" {
		return d
	}
	return filepath.Join("testdata", "golden")
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.json conformance vectors in %s", goldenDir())
	}
	sort.Strings(files)
	ran := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		run, ok := conformanceRunners[c.Layer]
		if !ok {
			if why, listed := notSupported[c.Layer]; listed {
				t.Logf("%s: layer kind %q not supported yet (%s)", filepath.Base(f), c.Layer, why)
				continue
			}
			t.Errorf("%s: unknown layer kind %q: add a runner or list it in notSupported", filepath.Base(f), c.Layer)
			continue
		}
		for _, dt := range conformanceDtypes {
			t.Run(c.Name+"/"+dt.name, func(t *testing.T) { run(t, &c, dt) })
		}
		ran++
	}
	if ran == 0 {
		t.Fatalf("no conformance vector in %s has a supported layer kind", goldenDir())
	}
	for kind := range notSupported {
		if _, ok := conformanceRunners[kind]; ok {
			t.Errorf("layer kind %q has a runner and is still listed in notSupported", kind)
		}
	}
}

// goldenPrior maps the reference {pi, sigma1, sigma2[, mu]} to our prior:
// a single Gaussian N(mu, sigma1^2) when pi is 1 (mu 0 if absent), the
// scale mixture (centred at 0) otherwise.
func goldenPrior(t *testing.T, p map[string]float64) bayesnodes.Prior {
	t.Helper()
	pi, s1, s2 := p["pi"], p["sigma1"], p["sigma2"]
	if s1 == 0 {
		t.Fatalf("prior %v has no sigma1", p)
	}
	if pi == 1 {
		return bayesnodes.Normal{Mu: p["mu"], Sigma: s1}
	}
	if p["mu"] != 0 {
		t.Fatalf("prior %v: a scale mixture is centred at 0", p)
	}
	return bayesnodes.ScaleMixture{Pi: pi, Sigma1: s1, Sigma2: s2}
}

func setParam(t *testing.T, p *graph.Param, g goldenTensor) {
	t.Helper()
	if !equalInts(p.Shape(), g.Shape) {
		t.Fatalf("%s: shape %v, reference %v", p.Name(), p.Shape(), g.Shape)
	}
	if err := p.SetValues(g.Data); err != nil {
		t.Fatal(err)
	}
}

func equalInts(a, b []int) bool {
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

// closeTo reports |got - want| <= tol * max(1, |want|): relative error for
// values above 1, absolute below, so values near zero do not fail on noise.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkValues(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, reference has %d", what, len(got), len(want))
	}
	for i := range want {
		if !closeTo(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.17g, reference %.17g (tol %g)", what, i, got[i], want[i], tol)
			return
		}
	}
}

func checkScalar(t *testing.T, what string, got float64, want *float64, tol float64) {
	t.Helper()
	if want == nil {
		return
	}
	if !closeTo(got, *want, tol) {
		t.Errorf("%s = %.17g, reference %.17g (tol %g)", what, got, *want, tol)
	}
}

// posteriorParts maps a reference tensor name (weight, bias, ...) to the
// layer's posterior of it.
type posteriorParts map[string]bayesnodes.Posterior

// setPosteriors loads the reference mu/rho of every posterior.
func (pp posteriorParts) set(t *testing.T, c *goldenCase) {
	t.Helper()
	for name, post := range pp {
		for _, q := range post.Params() { // mu and rho, or theta and log sigma^2
			setParam(t, q, goldenParam(t, c, name+"_"+strings.TrimPrefix(q.Name(), post.Name()+".")))
		}
	}
	if want := 2 * len(pp); len(c.Params) != want {
		t.Fatalf("reference has %d parameter tensors, the layer %d", len(c.Params), want)
	}
}

// goldenParam returns the reference parameter tensor name, failing the
// test when the reference lacks it.
func goldenParam(t *testing.T, c *goldenCase, name string) goldenTensor {
	t.Helper()
	p, ok := c.Params[name]
	if !ok {
		t.Fatalf("reference %s has no parameter %s", c.Name, name)
	}
	return p
}

// goldenEstimatorOptions maps a reference config's estimator and sparse_vd
// to layer options (weight sampling and Gaussian posteriors when absent).
func goldenEstimatorOptions(t *testing.T, c *goldenCase) []bayesnodes.Option {
	t.Helper()
	var opts []bayesnodes.Option
	switch e, _ := c.Config["estimator"].(string); e {
	case "", "reparameterization":
	case "flipout":
		opts = append(opts, bayesnodes.WithEstimator(bayesnodes.Flipout))
	case "local_reparameterization":
		opts = append(opts, bayesnodes.WithEstimator(bayesnodes.LocalReparameterization))
	default:
		t.Fatalf("reference %s: estimator %q has no runner", c.Name, e)
	}
	if sparse, _ := c.Config["sparse_vd"].(bool); sparse {
		// The initial log sigma^2 is overwritten by the reference's.
		opts = append(opts, bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init))
	}
	return opts
}

// drawsNoWeights reports a case whose layer draws no weight with a log q
// of its own: under the local reparameterisation (the pre-activations are
// drawn) or with a sparse posterior (no log q, no Monte-Carlo KL against
// the improper log-uniform prior). Such a case is checked on the layer's
// KL, which must be the reference's kl_closed.
func drawsNoWeights(c *goldenCase) bool {
	sparse, _ := c.Config["sparse_vd"].(bool)
	return sparse || c.Config["estimator"] == "local_reparameterization"
}

// setNoise feeds the reference eps of every posterior to g.
func (pp posteriorParts) setNoise(t *testing.T, g *graph.Graph, c *goldenCase) {
	t.Helper()
	for name, post := range pp {
		eps, ok := c.Eps[name]
		if !ok {
			t.Fatalf("reference has no eps for %s", name)
		}
		if err := g.SetNoise(post.Name(), eps.Data); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPosteriorTerms checks log q, log p and both KL estimates of the
// reference draw against the layer's posteriors, summed over them. A field
// the check expects and the reference lacks fails it, rather than being
// skipped: log q, log p and the Monte-Carlo KL always, the closed-form KL
// when the prior is a single Gaussian (pi = 1), which has one.
func (pp posteriorParts) checkTerms(t *testing.T, c *goldenCase, dt dtypeTol) {
	t.Helper()
	expected := map[string]*float64{"log_q": c.LogQ, "log_p": c.LogP, "kl_mc": c.KLMC}
	if c.Prior["pi"] == 1 {
		expected["kl_closed"] = c.KLClosed
	}
	for _, name := range slices.Sorted(maps.Keys(expected)) {
		if expected[name] == nil {
			t.Fatalf("reference %s has no %s, which this layer kind is checked on", c.Name, name)
		}
	}
	names := make([]string, 0, len(pp))
	for n := range pp {
		names = append(names, n)
	}
	sort.Strings(names)
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		var logQ, logP, klMC, klCF []*G.Node
		for _, n := range names {
			post := pp[n].(*bayesnodes.GaussianPosterior)
			d, err := post.Draw(b)
			if err != nil {
				return nil, err
			}
			q, err := post.LogQ(b, d)
			if err != nil {
				return nil, err
			}
			p, err := post.LogPrior(b, d)
			if err != nil {
				return nil, err
			}
			mc, err := post.KLOf(b, d, bayesnodes.KLMonteCarlo)
			if err != nil {
				return nil, err
			}
			logQ, logP, klMC = append(logQ, q), append(logP, p), append(klMC, mc)
			if c.KLClosed != nil {
				cf, err := post.KLOf(b, d, bayesnodes.KLClosedForm)
				if err != nil {
					return nil, err
				}
				klCF = append(klCF, cf)
			}
		}
		for name, terms := range map[string][]*G.Node{"log_q": logQ, "log_p": logP, "kl_mc": klMC, "kl_closed": klCF} {
			if len(terms) == 0 {
				continue
			}
			sum := terms[0]
			for _, s := range terms[1:] {
				var err error
				if sum, err = G.Add(sum, s); err != nil {
					return nil, err
				}
			}
			if err := b.Watch(name, sum); err != nil {
				return nil, err
			}
		}
		return x, nil
	}
	m, err := graph.NewModel(net, graph.Input(1), dt.dt)
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Build(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.SetX([]float64{0}); err != nil {
		t.Fatal(err)
	}
	pp.setNoise(t, g, c)
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]*float64{"log_q": c.LogQ, "log_p": c.LogP, "kl_mc": c.KLMC, "kl_closed": c.KLClosed} {
		if want == nil {
			continue // not expected: checked above
		}
		got, err := g.Value(name)
		if err != nil {
			t.Fatal(err)
		}
		checkScalar(t, name, got, want, dt.tol)
	}
}

// runLayerCase checks a layer's sampled output, frozen output and KL (by the
// layer's own path, Monte Carlo and closed form) against the reference.
func runLayerCase(t *testing.T, c *goldenCase, dt dtypeTol, pp posteriorParts, apply func(*graph.Builder, *G.Node) (*G.Node, error)) {
	t.Helper()
	inShape := c.Input.Shape[1:]
	m, err := graph.NewModel(apply, graph.Input(inShape...), dt.dt)
	if err != nil {
		t.Fatal(err)
	}
	batch := c.Input.Shape[0]
	g, err := m.Build(batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	pp.set(t, c)
	if err := g.SetX(c.Input.Data); err != nil {
		t.Fatal(err)
	}
	// An eps named after a posterior is its weight noise; the others are
	// the estimator's own, named after the weight's posterior (Flipout's
	// sign_in and sign_out, the local reparameterisation's output).
	for _, name := range slices.Sorted(maps.Keys(c.Eps)) {
		var noise string
		if post, posterior := pp[name]; posterior {
			noise = post.Name()
		} else if w := pp["weight"]; w != nil {
			noise = w.Name() + "." + name
		} else {
			t.Fatalf("reference %s: eps %s is no posterior's, and the layer has no weight", c.Name, name)
		}
		if err := g.SetNoise(noise, c.Eps[name].Data); err != nil {
			t.Fatal(err)
		}
	}
	if names := g.NoiseNames(); len(names) != len(c.Eps) {
		t.Fatalf("noise inputs %v, reference eps for %v", names, slices.Sorted(maps.Keys(c.Eps)))
	}
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	if !equalInts(g.OutputShape(), c.Output.Shape) {
		t.Fatalf("output shape %v, reference %v", g.OutputShape(), c.Output.Shape)
	}
	checkValues(t, "output", g.Output(nil), c.Output.Data, dt.tol)
	if drawsNoWeights(c) {
		if c.KLClosed == nil {
			t.Fatalf("reference %s has no kl_closed, which this layer kind is checked on", c.Name)
		}
		checkScalar(t, "layer KL", g.KL(), c.KLClosed, dt.tol)
	}
	m.Freeze()
	if err := g.Run(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "frozen_output", g.Output(nil), c.FrozenOutput.Data, dt.tol)
	if !drawsNoWeights(c) {
		pp.checkTerms(t, c, dt)
	}
}

func checkLinearCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, out := int(c.Config["in_features"].(float64)), int(c.Config["out_features"].(float64))
	opts := append(goldenEstimatorOptions(t, c), bayesnodes.WithPrior(goldenPrior(t, c.Prior)))
	if bias, _ := c.Config["bias"].(bool); !bias {
		opts = append(opts, bayesnodes.WithoutBias())
	}
	l, err := bayesnodes.NewLinear(in, out, opts...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight": l.Weight}
	if l.Bias != nil {
		pp["bias"] = l.Bias
	}
	runLayerCase(t, c, dt, pp, l.Apply)
}
