package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

const width, classes = 6, 4

func classifierSpec() *netspec.Spec {
	s := netspec.MLP(netspec.Classification, width, 16, classes)
	s.OODThreshold = 0.01
	return s
}

// scorer returns a scorer of spec whose parameters come from seed.
func scorer(t testing.TB, spec *netspec.Spec, seed uint64, opts ...scoring.Option) *scoring.Scorer {
	t.Helper()
	m, err := spec.NewModel(graph.Seed(seed))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scoring.New(m, spec, append([]scoring.Option{scoring.Samples(10)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// start serves srv on a loopback socket.
func start(t testing.TB, srv *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts
}

func instances(n int, shift float64) []float64 {
	x := make([]float64, n*width)
	for i := range x {
		x[i] = math.Cos(float64(i)*0.37+shift) * 1.5
	}
	return x
}

func request(x []float64, params string) string {
	b, _ := json.Marshal(x)
	p := ""
	if params != "" {
		p = `"parameters": {` + params + `}, `
	}
	return fmt.Sprintf(`{"id": "r1", %s"inputs": [{"name": "input", "shape": [%d, %d], "datatype": "FP64", "data": %s}]}`, p, len(x)/width, width, b)
}

type response struct {
	ModelName    string         `json:"model_name"`
	ModelVersion string         `json:"model_version"`
	ID           string         `json:"id"`
	Parameters   map[string]any `json:"parameters"`
	Outputs      []struct {
		Name     string          `json:"name"`
		Shape    []int           `json:"shape"`
		Datatype string          `json:"datatype"`
		Data     json.RawMessage `json:"data"`
	} `json:"outputs"`
	Error string `json:"error"`
}

func (r *response) output(t testing.TB, name string, v any) {
	t.Helper()
	for _, o := range r.Outputs {
		if o.Name == name {
			if err := json.Unmarshal(o.Data, v); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no output %q in %+v", name, r)
}

func post(t testing.TB, url, body string) (int, *response) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r response
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("status %d, body not JSON: %v", res.StatusCode, err)
	}
	return res.StatusCode, &r
}

// A client on a real socket gets the figures of Model.Predict's passes for
// the seed and samples it asked.
func TestInferMatchesPredict(t *testing.T) {
	spec := classifierSpec()
	srv, err := New("digits", scorer(t, spec, 3))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)
	x := instances(3, 0)
	status, r := post(t, ts.URL+"/v2/models/digits/infer", request(x, `"samples": 25, "seed": 8`))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, r.Error)
	}
	if r.ModelName != "digits" || r.ModelVersion != "1" || r.ID != "r1" || r.Parameters["samples"] != 25.0 || r.Parameters["seed"] != 8.0 {
		t.Errorf("response header %+v", r)
	}
	var probs, entropy, mi []float64
	var class []int
	var ood []bool
	r.output(t, "probs", &probs)
	r.output(t, "entropy", &entropy)
	r.output(t, "mutual_information", &mi)
	r.output(t, "class", &class)
	r.output(t, "ood", &ood)

	ref, _ := spec.NewModel(graph.Seed(3))
	p, err := ref.Predict(x, 25, graph.PredictSeed(8))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mean := make([]float64, classes)
		expected := 0.0
		for _, out := range p.Samples {
			logits := out[i*classes : (i+1)*classes]
			z := 0.0
			for _, l := range logits {
				z += math.Exp(l)
			}
			for c, l := range logits {
				q := math.Exp(l) / z
				mean[c] += q / 25
				expected -= q * math.Log(q) / 25
			}
		}
		h, best := 0.0, 0
		for c, q := range mean {
			h -= q * math.Log(q)
			if q > mean[best] {
				best = c
			}
			if math.Abs(probs[i*classes+c]-q) > 1e-12 {
				t.Errorf("instance %d class %d: probability %v, Predict gives %v", i, c, probs[i*classes+c], q)
			}
		}
		if class[i] != best || math.Abs(entropy[i]-h) > 1e-12 || math.Abs(mi[i]-(h-expected)) > 1e-12 || ood[i] != (mi[i] > 0.01) {
			t.Errorf("instance %d: class %d entropy %v MI %v OOD %v; Predict gives %d %v %v", i, class[i], entropy[i], mi[i], ood[i], best, h, h-expected)
		}
	}
}

func TestRegressionOutputs(t *testing.T) {
	spec := netspec.MLP(netspec.Regression, width, 8, 2)
	spec.NoiseStd = 0.2
	srv, err := New("sine", scorer(t, spec, 1, scoring.Quantiles(0.1, 0.9)))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)
	x := instances(2, 1)
	status, r := post(t, ts.URL+"/v2/models/sine/infer", request(x, `"samples": 40`))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, r.Error)
	}
	var mean, std, total, q []float64
	r.output(t, "mean", &mean)
	r.output(t, "std", &std)
	r.output(t, "total_std", &total)
	r.output(t, "quantiles", &q)
	ref, _ := spec.NewModel(graph.Seed(1))
	p, _ := ref.Predict(x, 40, graph.PredictSeed(1))
	for i := range 4 { // 2 instances x 2 outputs
		m, v := 0.0, 0.0
		for _, s := range p.Samples {
			m += s[i] / 40
		}
		for _, s := range p.Samples {
			v += (s[i] - m) * (s[i] - m) / 40
		}
		if math.Abs(mean[i]-m) > 1e-12 || math.Abs(std[i]-math.Sqrt(v)) > 1e-12 || math.Abs(total[i]-math.Sqrt(v+0.04)) > 1e-12 {
			t.Errorf("output %d: mean %v std %v total %v; Predict gives %v %v %v", i, mean[i], std[i], total[i], m, math.Sqrt(v), math.Sqrt(v+0.04))
		}
	}
	for _, o := range r.Outputs {
		if o.Name == "quantiles" && fmt.Sprint(o.Shape) != "[2 2 2]" {
			t.Errorf("quantiles shape %v, want [2 2 2]", o.Shape)
		}
	}
}

// Requests merged into one pass get the answers they get one by one.
func TestBatchingGivesTheSameAnswers(t *testing.T) {
	spec := classifierSpec()
	alone, err := New("m", scorer(t, spec, 2), Batching(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := New("m", scorer(t, spec, 2), Batching(64, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	tsAlone, tsMerged := start(t, alone), start(t, merged)
	const n = 16
	bodies := make([]string, n)
	for i := range bodies {
		params := ""
		if i%3 == 0 {
			params = `"seed": 99` // two seeds: two passes in a batch
		}
		bodies[i] = request(instances(1+i%3, float64(i)), params)
	}
	want := make([]*response, n)
	for i, b := range bodies {
		_, want[i] = post(t, tsAlone.URL+"/v2/models/m/infer", b)
	}
	got := make([]*response, n)
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() { defer wg.Done(); _, got[i] = post(t, tsMerged.URL+"/v2/models/m/infer", b) }()
	}
	wg.Wait()
	for i := range got {
		a, _ := json.Marshal(want[i].Outputs)
		b, _ := json.Marshal(got[i].Outputs)
		if !bytes.Equal(a, b) || got[i].Error != "" {
			t.Errorf("request %d: merged %s, alone %s", i, b, a)
		}
	}
	batches, instances := metricValue(t, tsMerged.URL, "bnn_serve_batch_size_count{"), metricValue(t, tsMerged.URL, "bnn_serve_instances_total{")
	if batches >= n || instances != 31 {
		t.Errorf("%v passes for %v instances of %d requests: want fewer passes than requests", batches, instances, n)
	}
	t.Logf("%d requests in %v passes", n, batches)
}

// metricValue reads the first sample on /metrics whose line starts with
// prefix.
func metricValue(t testing.TB, url, prefix string) float64 {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			var v float64
			fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v)
			return v
		}
	}
	t.Fatalf("no metric %s in\n%s", prefix, b)
	return 0
}

func TestEndpoints(t *testing.T) {
	srv, err := New("digits", scorer(t, classifierSpec(), 1))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)
	for path, want := range map[string]string{
		"/v2":                          `"extensions"`,
		"/v2/health/live":              `{"live":true}`,
		"/v2/health/ready":             `{"ready":true}`,
		"/v2/models/digits/ready":      `"ready":true`,
		"/v2/models/digits/versions/1": `"inputs":[{"name":"input","datatype":"FP64","shape":[-1,6]}]`,
		"/v2/models/digits":            `{"name":"ood","datatype":"BOOL","shape":[-1]}`,
	} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %s; want 200 with %s", path, res.StatusCode, b, want)
		}
	}
	post(t, ts.URL+"/v2/models/digits/infer", request(instances(2, 0), ""))
	if n := metricValue(t, ts.URL, `bnn_serve_samples_total{`); n != 10 {
		t.Errorf("samples drawn %v, want the default 10", n)
	}
	srv.Close()
	if status, r := post(t, ts.URL+"/v2/models/digits/infer", request(instances(1, 0), "")); status != http.StatusServiceUnavailable {
		t.Errorf("after Close: %d %s, want 503", status, r.Error)
	}
	if res, _ := http.Get(ts.URL + "/v2/health/ready"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("ready after Close: %d", res.StatusCode)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	sc := scorer(t, classifierSpec(), 1)
	for _, o := range []Option{MaxSamples(0), MaxInstances(-1), MaxBodyBytes(0), Batching(0, 0), QueueSize(0), Workers(0), Timeout(0)} {
		if _, err := New("m", sc, o); err == nil {
			t.Error("a bad option was accepted")
		}
	}
	if _, err := New("a/b", sc); err == nil {
		t.Error("a name with a slash was accepted")
	}
	if _, err := New("m", sc, MaxSamples(5)); err == nil {
		t.Error("a default of 10 samples over MaxSamples 5 was accepted")
	}
}
