package checkpoint

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// TestMeanWeightsServe exports a trained 1-16-1 network, reads the file
// back, and runs it with a forward pass written here from nothing but the
// exported tensors: it must agree with the model's mean-weights prediction.
func TestMeanWeightsServe(t *testing.T) {
	r := newTraining(t, 1, "adam")
	r.fit(t, sineData(t), 3)
	f, err := MeanWeights(r.model, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "serve.safetensors")
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	if f, err = ReadFile(path); err != nil {
		t.Fatal(err)
	}
	var names []string
	w := map[string][]float64{}
	for _, tn := range f.Tensors {
		names = append(names, tn.Name)
		if w[tn.Name], err = tn.Float64s(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(names)
	// The learned noise is no posterior: it keeps its name.
	if want := []string{"fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "likelihood.noise.rho"}; !slices.Equal(names, want) {
		t.Fatalf("exported %v, want %v", names, want)
	}
	if fc1, _ := f.Lookup("fc1.weight"); !slices.Equal(fc1.Shape, []int{16, 1}) {
		t.Errorf("fc1.weight has shape %v, want [out, in] = [16 1]", fc1.Shape)
	}
	var sources map[string]string
	if err := json.Unmarshal([]byte(f.Metadata["sources"]), &sources); err != nil || sources["fc2.weight"] != "fc2.weight.mu" {
		t.Errorf("metadata sources %q: want fc2.weight from fc2.weight.mu", f.Metadata["sources"])
	}
	if f.Metadata["bnn.export"] != "mean-weights" || f.Metadata["layout"] == "" || f.Metadata["input"] != "[1]" {
		t.Errorf("metadata %v", f.Metadata)
	}

	x := grid(41)
	want, err := r.model.PredictMean(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, xi := range x {
		y := w["fc2.bias"][0]
		for j := range 16 {
			h := max(0, xi*w["fc1.weight"][j]+w["fc1.bias"][j])
			y += h * w["fc2.weight"][j]
		}
		if math.Abs(y-want[i]) > 1e-12 {
			t.Fatalf("x = %v: served %v, the model's mean weights give %v", xi, y, want[i])
		}
	}
}

// TestMeanWeightsPrune checks that pruning zeroes exactly the weights whose
// signal-to-noise ratio is below the threshold, here the median one.
func TestMeanWeightsPrune(t *testing.T) {
	r := newTraining(t, 1, "adam")
	r.fit(t, sineData(t), 3)
	var snr []float64
	for _, base := range []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"} {
		mu, rho := r.model.Param(base+".mu").Values(), r.model.Param(base+".rho").Values()
		for i := range mu {
			snr = append(snr, math.Abs(mu[i])/bayesnodes.Softplus(rho[i]))
		}
	}
	sorted := slices.Sorted(slices.Values(snr))
	threshold := sorted[len(sorted)/2]
	f, err := MeanWeights(r.model, threshold)
	if err != nil {
		t.Fatal(err)
	}
	zeros, k := 0, 0
	for _, base := range []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"} {
		tn, _ := f.Lookup(base)
		got, err := tn.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		mu := r.model.Param(base + ".mu").Values()
		for i := range got {
			keep := snr[k] >= threshold
			if keep && got[i] != mu[i] || !keep && got[i] != 0 {
				t.Errorf("%s[%d] = %v with SNR %.3g (threshold %.3g), mu %v", base, i, got[i], snr[k], threshold, mu[i])
			}
			if got[i] == 0 {
				zeros++
			}
			k++
		}
	}
	if zeros != len(snr)/2 {
		t.Errorf("%d of %d weights pruned at the median SNR, want %d", zeros, len(snr), len(snr)/2)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := MeanWeights(r.model, bad); err == nil {
			t.Errorf("MeanWeights(minSNR %v) succeeded", bad)
		}
	}
}

// TestMeanWeightsSparse: a sparse variational dropout layer exports NAME =
// theta (its log sigma^2 is not a tensor of the mean network), and pruning
// by signal-to-noise drops exactly the weights whose |theta| /
// exp(log sigma^2 / 2) is below the threshold, i.e. log alpha above
// -2 log(threshold).
func TestMeanWeightsSparse(t *testing.T) {
	l, err := bayesnodes.NewLinear(3, 2, bayesnodes.WithName("fc"), bayesnodes.WithSparseVD(bayesnodes.DefaultLogSigma2Init))
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.NewModel(l.Apply, graph.Input(3), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.InitParams(); err != nil {
		t.Fatal(err)
	}
	theta := []float64{1, -0.5, 0.1, 2, -0.02, 0.3}
	logSigma2 := []float64{0, 0, 0, 0, -10, -4}
	if err := m.Param("fc.weight.theta").SetValues(theta); err != nil {
		t.Fatal(err)
	}
	if err := m.Param("fc.weight.log_sigma2").SetValues(logSigma2); err != nil {
		t.Fatal(err)
	}
	const threshold = 0.4
	f, err := MeanWeights(m, threshold)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Lookup("fc.weight.log_sigma2"); ok {
		t.Error("the mean network holds fc.weight.log_sigma2")
	}
	w, ok := f.Lookup("fc.weight")
	if !ok {
		t.Fatalf("no fc.weight among %d tensors", len(f.Tensors))
	}
	got, err := w.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i, th := range theta {
		want := th
		if math.Abs(th)/math.Exp(logSigma2[i]/2) < threshold {
			want = 0
		}
		if got[i] != want {
			t.Errorf("fc.weight[%d] = %v, want %v (theta %v, log sigma^2 %v)", i, got[i], want, th, logSigma2[i])
		}
	}
}
