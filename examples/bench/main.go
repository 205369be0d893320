// Command bench runs the shared benchmark workloads of ../shared/bench
// (W1 sine regression, W2 MNIST MLP at K = 1 and 3, W3 LeNet, W4 100
// predictive passes over the 2,000 test digits) with the peers'
// configurations, each in a child process of its own, and prints one JSON
// object per workload: the example's figures, the child's peak resident
// memory and the peers' fastest figure for the same workload beside ours.
//
// It builds examples/sine and examples/mnist first, with the given build
// tags (e.g. -tags openblas), from the module it is run in:
//
//	go run ./examples/bench                      # every workload, pure-Go BLAS
//	go run ./examples/bench -tags openblas -workloads W2,W4
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// workload is one of the shared workloads: which example runs it, with
// which arguments, and the figure compared with the peers'.
type workload struct {
	Name    string
	Example string   // sine or mnist
	Args    []string // the peers' configuration
	// Figure names the example's JSON field compared with Peer, the
	// fastest peer's figure in ../shared/bench/peers.md (PeerLib).
	Figure  string
	Peer    float64
	PeerLib string
	Higher  bool // a higher figure is better (rates)
}

// The MNIST workloads train by sampling weights, as BLiTZ does (the mnist
// example's default is Flipout, 1.6x the step time for lower-variance
// gradients); W2-flipout compares Flipout with bayesian-torch's. Their
// evaluation, W4's figure, draws with graph.Model.PredictMarginal: the
// same per-example predictive distribution as weight-sampled passes, with
// the first layer's moments shared by all passes.
var workloads = []workload{
	{Name: "W1", Example: "sine", Args: []string{"-steps", "2000", "-mc", "1", "-lr", "0.01", "-samples", "100", "-out", ""},
		Figure: "steps_per_second", Peer: 356, PeerLib: "BLiTZ", Higher: true},
	{Name: "W2", Example: "mnist", Args: []string{"-model", "mlp", "-epochs", "5", "-batch", "128", "-samples", "1", "-eval-samples", "10", "-estimator", "reparameterization", "-out", ""},
		Figure: "seconds_per_epoch", Peer: 2.11, PeerLib: "BLiTZ"},
	{Name: "W2-flipout", Example: "mnist", Args: []string{"-model", "mlp", "-epochs", "5", "-batch", "128", "-samples", "1", "-eval-samples", "10", "-estimator", "flipout", "-out", ""},
		Figure: "seconds_per_epoch", Peer: 1.89, PeerLib: "bayesian-torch Flipout"},
	{Name: "W2-K3", Example: "mnist", Args: []string{"-model", "mlp", "-epochs", "5", "-batch", "128", "-samples", "3", "-eval-samples", "10", "-estimator", "reparameterization", "-out", ""},
		Figure: "seconds_per_epoch", Peer: 5.51, PeerLib: "BLiTZ"},
	{Name: "W3", Example: "mnist", Args: []string{"-model", "lenet", "-epochs", "2", "-batch", "64", "-samples", "1", "-eval-samples", "10", "-estimator", "reparameterization", "-out", ""},
		Figure: "seconds_per_epoch", Peer: 1.87, PeerLib: "BLiTZ"},
	{Name: "W4", Example: "mnist", Args: []string{"-model", "mlp", "-epochs", "5", "-batch", "128", "-samples", "1", "-eval-samples", "100", "-estimator", "reparameterization", "-out", ""},
		Figure: "predict_seconds", Peer: 4.888, PeerLib: "BLiTZ"},
}

// result is the line printed for one workload.
type result struct {
	Workload  string         `json:"workload"`
	Tags      string         `json:"tags"`
	Figure    string         `json:"figure"`
	Value     float64        `json:"value"`
	Peer      float64        `json:"peer_fastest"`
	PeerLib   string         `json:"peer_library"`
	Speedup   float64        `json:"speedup_over_peer"` // > 1: faster than the peer
	PeakRSSMB float64        `json:"peak_rss_mb"`
	Example   map[string]any `json:"example"` // the example's own JSON
}

func main() {
	names := flag.String("workloads", "W1,W2,W2-flipout,W2-K3,W3,W4", "comma-separated workloads to run")
	tags := flag.String("tags", "", "build tags for the examples, e.g. openblas")
	extra := flag.String("args", "", "extra arguments for every example run, e.g. '-epochs 1' for a quick look")
	flag.Parse()
	if err := run(os.Stdout, os.Stderr, *names, *tags, strings.Fields(*extra)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(stdout, log io.Writer, names, tags string, extra []string) error {
	chosen, err := choose(names)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bnn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	bins := map[string]string{}
	for _, w := range chosen {
		if _, ok := bins[w.Example]; ok {
			continue
		}
		bin := filepath.Join(dir, w.Example)
		build := exec.Command("go", "build", "-tags", tags, "-o", bin, "./examples/"+w.Example)
		build.Dir, build.Stderr = root, log
		if err := build.Run(); err != nil {
			return fmt.Errorf("building examples/%s: %w", w.Example, err)
		}
		bins[w.Example] = bin
	}
	enc := json.NewEncoder(stdout)
	for _, w := range chosen {
		fmt.Fprintf(log, "%s: %s %s\n", w.Name, w.Example, strings.Join(append(w.Args, extra...), " "))
		r, err := runOne(w, bins[w.Example], extra, log)
		if err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
		r.Tags = tags
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// moduleRoot returns the directory of the go.mod in effect.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run bench from the gorgonia-bnn repository")
	}
	return filepath.Dir(mod), nil
}

// choose returns the named workloads in the order given.
func choose(names string) ([]workload, error) {
	var out []workload
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(workloads, func(w workload) bool { return strings.EqualFold(w.Name, n) })
		if i < 0 {
			known := make([]string, len(workloads))
			for j, w := range workloads {
				known[j] = w.Name
			}
			sort.Strings(known)
			return nil, fmt.Errorf("unknown workload %q (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, workloads[i])
	}
	return out, nil
}

// runOne runs a workload's example in a child process and reads its JSON
// (the last line of its output) and peak resident memory.
func runOne(w workload, bin string, extra []string, log io.Writer) (*result, error) {
	cmd := exec.Command(bin, append(append(slices.Clone(w.Args), extra...), "-json")...)
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var fig map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &fig); err != nil {
		return nil, fmt.Errorf("the example's last line is not JSON: %w", err)
	}
	v, ok := fig[w.Figure].(float64)
	if !ok {
		return nil, fmt.Errorf("the example's JSON has no number %q", w.Figure)
	}
	r := &result{Workload: w.Name, Figure: w.Figure, Value: v, Peer: w.Peer, PeerLib: w.PeerLib, Example: fig}
	if w.Higher {
		r.Speedup = v / w.Peer
	} else {
		r.Speedup = w.Peer / v
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return nil, errors.New("no resource usage for the child process on this system")
	}
	r.PeakRSSMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	return r, nil
}
