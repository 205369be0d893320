package main

// workload is one of the shared workloads (../shared/bench/peers.md): how
// this library runs it, and how each peer does.
type workload struct {
	Name string
	Ours ours
	// Peers run the same workload with the peer scripts of
	// ../shared/bench/peers, at each library's fastest thread setting.
	Peers []peer
	// Higher is true where a higher figure is better (a rate).
	Higher bool
	// Unit names the figures' unit in the table.
	Unit string
}

// ours is this library's side of a workload: an example run with the
// peers' configuration, or a Go benchmark, and the figure read from it.
type ours struct {
	Example string   // a directory under examples/, run with -json
	Args    []string // the peers' configuration
	Figure  string   // the example's JSON field
	// Bench, if set, runs this benchmark of package Package instead of an
	// example and reads its ns/op (converted to Unit).
	Package, Bench string
}

// peer is one peer library's run of a workload.
type peer struct {
	Lib    string   // the scripts' --lib key: blitz, bt_flipout, det, ...
	Label  string   // the name printed in the table
	Script string   // file in the peers directory
	Args   []string // besides --lib
	// OMP and OpenBLAS are the thread counts of torch's pool and of
	// OpenBLAS: the fastest setting on two cores (peers/README.md).
	OMP, OpenBLAS int
	Figure        string  // the script's JSON field
	Scale         float64 // multiplies the figure into Unit (e.g. ms to s)
	// NeedsModel marks W4: the script scores a model that the W2 script
	// saved (--model), trained once before the rounds.
	NeedsModel bool
}

var (
	blitzW2 = peer{Lib: "blitz", Label: "BLiTZ", Script: "w2_mnist_mlp.py", Args: []string{"--samples", "1", "--seed", "1", "--threads", "2"},
		OMP: 2, OpenBLAS: 1, Figure: "sec_per_epoch_median", Scale: 1}
	detW2 = peer{Lib: "det", Label: "deterministic PyTorch", Script: "w2_mnist_mlp.py", Args: []string{"--seed", "1", "--threads", "1"},
		OMP: 1, OpenBLAS: 2, Figure: "sec_per_epoch_median", Scale: 1}
)

// mnistArgs is the peers' W2/W3 configuration for examples/mnist.
func mnistArgs(model string, epochs, batch, samples, evalSamples int, estimator string) []string {
	return []string{"-model", model, "-epochs", itoa(epochs), "-batch", itoa(batch), "-samples", itoa(samples),
		"-eval-samples", itoa(evalSamples), "-estimator", estimator, "-out", ""}
}

// w2Figure is the example's median epoch time: the W2 scripts report the
// median of their epochs (sec_per_epoch_median), so both sides give the
// same statistic. W3's script reports the mean, as the example's
// seconds_per_epoch does.
const w2Figure = "seconds_per_epoch_median"

// The MNIST workloads train by sampling weights, as BLiTZ does;
// W2-flipout compares Flipout with bayesian-torch's.
var workloads = []workload{
	{Name: "W1", Higher: true, Unit: "steps/s",
		Ours: ours{Example: "sine", Args: []string{"-steps", "2000", "-mc", "1", "-lr", "0.01", "-samples", "100", "-out", ""}, Figure: "steps_per_second"},
		Peers: []peer{{Lib: "blitz", Label: "BLiTZ", Script: "w1_sine.py", Args: []string{"--seed", "1", "--threads", "1"},
			OMP: 1, OpenBLAS: 1, Figure: "steps_per_s", Scale: 1}}},
	{Name: "W2", Unit: "s/epoch",
		Ours:  ours{Example: "mnist", Args: mnistArgs("mlp", 5, 128, 1, 10, "reparameterization"), Figure: w2Figure},
		Peers: []peer{blitzW2, detW2}},
	{Name: "W2-flipout", Unit: "s/epoch",
		Ours: ours{Example: "mnist", Args: mnistArgs("mlp", 5, 128, 1, 10, "flipout"), Figure: w2Figure},
		Peers: []peer{{Lib: "bt_flipout", Label: "bayesian-torch Flipout", Script: "w2_mnist_mlp.py", Args: []string{"--samples", "1", "--seed", "1", "--threads", "2"},
			OMP: 2, OpenBLAS: 1, Figure: "sec_per_epoch_median", Scale: 1}}},
	{Name: "W2-K3", Unit: "s/epoch",
		Ours: ours{Example: "mnist", Args: mnistArgs("mlp", 5, 128, 3, 10, "reparameterization"), Figure: w2Figure},
		Peers: []peer{{Lib: "blitz", Label: "BLiTZ", Script: "w2_mnist_mlp.py", Args: []string{"--samples", "3", "--seed", "1", "--threads", "2"},
			OMP: 2, OpenBLAS: 1, Figure: "sec_per_epoch_median", Scale: 1}}},
	{Name: "W3", Unit: "s/epoch",
		Ours: ours{Example: "mnist", Args: mnistArgs("lenet", 2, 64, 1, 10, "reparameterization"), Figure: "seconds_per_epoch"},
		Peers: []peer{{Lib: "blitz", Label: "BLiTZ", Script: "w3_mnist_lenet.py", Args: []string{"--seed", "1", "--threads", "2"},
			OMP: 2, OpenBLAS: 1, Figure: "sec_per_epoch", Scale: 1}}},
	{Name: "W4", Unit: "s",
		Ours: ours{Example: "mnist", Args: mnistArgs("mlp", 5, 128, 1, 100, "reparameterization"), Figure: "predict_seconds"},
		Peers: []peer{{Lib: "blitz", Label: "BLiTZ", Script: "w4_inference.py", Args: []string{"--threads", "2"},
			OMP: 2, OpenBLAS: 1, Figure: "ms_median", Scale: 1e-3, NeedsModel: true}}},
	{Name: "W6", Unit: "ms/step",
		// float32: the peer's dtype (torch's default).
		Ours: ours{Package: "./bayesnodes", Bench: "BenchmarkLSTMStep/features=1/float32"},
		Peers: []peer{{Lib: "blitz", Label: "BLiTZ", Script: "w6_lstm.py", Args: []string{"--seed", "1", "--threads", "1"},
			OMP: 1, OpenBLAS: 1, Figure: "ms_per_step", Scale: 1}}},
}
