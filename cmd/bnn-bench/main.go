// Command bnn-bench measures this library against its peers on the shared
// workloads (W1 sine regression, W2 MNIST MLP with weight sampling, Flipout
// and K = 3, W3 LeNet, W4 100 predictive passes, W6 a Bayesian LSTM step)
// by running both in the same sitting: each round runs every chosen
// workload with this library and with each peer in turn, in child
// processes, and the report gives each side's median (and range) over the
// rounds, the ratio, and the peak resident memory. Figures copied from
// another machine are never used: speed is only comparable within one
// sitting.
//
// The peers are the Python libraries BLiTZ, bayesian-torch and plain
// PyTorch, run by the workload scripts in ../shared/bench/peers (see its
// README) with Debian's python3-torch. Install libopenblas0-pthread too:
// without it Debian's torch multiplies matrices with the reference BLAS,
// several times slower, which would flatter the ratios. Where the scripts
// or torch are missing, bnn-bench measures this library alone and says so.
//
//	go run ./cmd/bnn-bench                          # every workload, 3 rounds
//	go run ./cmd/bnn-bench -workloads W2,W4 -rounds 5
//	go run ./cmd/bnn-bench -tags openblas -peers none
//
// It is a tool, not a test: a full run takes about half an hour.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	var c config
	flag.StringVar(&c.names, "workloads", "W1,W2,W2-flipout,W2-K3,W3,W4,W6", "comma-separated workloads to run")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds: each runs every workload once per side, interleaved")
	flag.StringVar(&c.tags, "tags", "", "build tags for this library, e.g. openblas")
	extra := flag.String("args", "", "extra arguments for this library's example runs, e.g. '-epochs 1' for a quick look")
	flag.StringVar(&c.peers, "peers", "", "directory of the peers' workload scripts (default: ../shared/bench/peers beside the module; \"none\": this library alone)")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python interpreter with torch, for the peers")
	flag.BoolVar(&c.json, "json", false, "print one JSON object per workload instead of a table")
	flag.Parse()
	c.extra = strings.Fields(*extra)
	if err := run(os.Stdout, os.Stderr, c); err != nil {
		fmt.Fprintln(os.Stderr, "bnn-bench:", err)
		os.Exit(1)
	}
}

// config is what the flags choose.
type config struct {
	names  string
	rounds int
	tags   string
	extra  []string
	peers  string
	python string
	json   bool
}

func run(stdout, log io.Writer, c config) error {
	chosen, err := choose(c.names)
	if err != nil {
		return err
	}
	if c.rounds < 1 {
		return fmt.Errorf("-rounds is %d, want at least 1", c.rounds)
	}
	work, err := os.MkdirTemp("", "bnn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	us, err := buildOurs(root, work, c.tags, chosen, log)
	if err != nil {
		return err
	}
	them, why := findPeers(root, work, c.peers, c.python, log)
	if them == nil {
		fmt.Fprintf(log, "bnn-bench: no peers (%s): measuring this library alone\n", why)
	}
	reports := make([]*report, len(chosen))
	for i, w := range chosen {
		reports[i] = newReport(w, them != nil)
	}
	if them != nil {
		if err := them.prepare(chosen, work, log); err != nil {
			return err
		}
	}
	for r := range c.rounds {
		for i, w := range chosen {
			// Alternate which side goes first, so that neither always
			// runs on a machine warmed (or heated) by the other.
			sides := []func() error{
				func() error { return reports[i].addOurs(us.run(w, c.extra, log)) },
			}
			if them != nil {
				for j, p := range w.Peers {
					sides = append(sides, func() error {
						m, err := them.run(p, log)
						return reports[i].addPeer(j, m, err)
					})
				}
			}
			if r%2 == 1 {
				for a, b := 0, len(sides)-1; a < b; a, b = a+1, b-1 {
					sides[a], sides[b] = sides[b], sides[a]
				}
			}
			for _, side := range sides {
				if err := side(); err != nil {
					return fmt.Errorf("%s, round %d: %w", w.Name, r+1, err)
				}
			}
		}
	}
	return write(stdout, reports, c)
}
