package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/gorgonia-bnn/bnn/internal/jsonline"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// parseSeeds reads a list of seeds such as "1-20" or "1,4,9-12".
func parseSeeds(spec string) ([]uint64, error) {
	var seeds []uint64
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seeds %q: %q is not a seed", spec, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil {
				return nil, fmt.Errorf("seeds %q: %q is not a seed", spec, hi)
			}
			if b < a {
				return nil, fmt.Errorf("seeds %q: range %s ends before it starts", spec, part)
			}
		}
		for s := a; s <= b; s++ {
			seeds = append(seeds, s)
		}
	}
	return seeds, nil
}

// run is one seed's figures: numeric fields of the last JSON line, in the
// order the example printed them.
type run struct {
	seed    uint64
	names   []string
	figures map[string]float64
}

// sweep runs command args... -json -seed N for every seed, at most parallel
// at a time, and returns the runs in the order of seeds.
func sweep(ctx context.Context, seeds []uint64, parallel int, progress io.Writer, command string, args ...string) ([]run, error) {
	runs := make([]run, len(seeds))
	errs := make([]error, len(seeds))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, seed := range seeds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			cmd := exec.CommandContext(ctx, command, append(append([]string(nil), args...), "-json", "-seed", strconv.FormatUint(seed, 10))...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				errs[i] = fmt.Errorf("seed %d: %v: %s", seed, err, lastLine(stderr.Bytes()))
				return
			}
			names, values, err := jsonline.Last(out)
			if err != nil {
				errs[i] = fmt.Errorf("seed %d: %v", seed, err)
				return
			}
			runs[i] = run{seed: seed, names: names, figures: values}
			mu.Lock()
			fmt.Fprintf(progress, "seed %d: %s\n", seed, bytes.TrimSpace(lastLineBytes(out)))
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return runs, nil
}

func lastLineBytes(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func lastLine(b []byte) string { return string(lastLineBytes(b)) }

// Stat is one figure over the seeds.
type Stat struct {
	Figure string  `json:"figure"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// summarize returns median, min and max of each figure over the runs, in
// the order the first run printed them; "seed" itself is left out. A figure
// missing from some runs is summarised over the runs that have it.
func summarize(runs []run) ([]Stat, error) {
	var names []string
	seen := map[string]bool{"seed": true}
	for _, r := range runs {
		for _, n := range r.names {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	stats := make([]Stat, 0, len(names))
	for _, name := range names {
		var rows [][]float64
		for _, r := range runs {
			if v, ok := r.figures[name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				rows = append(rows, []float64{v})
			}
		}
		if len(rows) == 0 {
			continue
		}
		q, err := uncertainty.Quantiles(rows, 0.5, 0, 1)
		if err != nil {
			return nil, fmt.Errorf("figure %s: %v", name, err)
		}
		stats = append(stats, Stat{Figure: name, Median: q[0][0], Min: q[1][0], Max: q[2][0], N: len(rows)})
	}
	return stats, nil
}

// writeTable prints the stats as a Markdown table.
func writeTable(w io.Writer, stats []Stat) error {
	var b strings.Builder
	b.WriteString("| figure | median | min | max | N |\n|---|---|---|---|---|\n")
	for _, s := range stats {
		fmt.Fprintf(&b, "| %s | %.4g | %.4g | %.4g | %d |\n", s.Figure, s.Median, s.Min, s.Max, s.N)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
