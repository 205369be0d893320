package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// oursBins are this library's programs, built once before the rounds.
type oursBins struct {
	root string
	bin  map[string]string // example or package -> binary
}

// buildOurs builds the examples and test binaries the chosen workloads run.
func buildOurs(root, dir, tags string, chosen []workload, log io.Writer) (oursBins, error) {
	bins := oursBins{root: root, bin: map[string]string{}}
	for _, w := range chosen {
		key, args := w.Ours.Example, []string{"build"}
		target := "./examples/" + w.Ours.Example
		if w.Ours.Bench != "" {
			key, args, target = w.Ours.Package, []string{"test", "-c"}, w.Ours.Package
		}
		if _, ok := bins.bin[key]; ok {
			continue
		}
		bin := filepath.Join(dir, strings.NewReplacer("/", "_", ".", "_").Replace(key))
		build := exec.Command("go", append(args, "-tags", tags, "-o", bin, target)...)
		build.Dir, build.Stderr = root, log
		if err := build.Run(); err != nil {
			return oursBins{}, fmt.Errorf("building %s: %w", target, err)
		}
		bins.bin[key] = bin
	}
	return bins, nil
}

// run runs this library's side of w once.
func (b oursBins) run(w workload, extra []string, log io.Writer) (measurement, error) {
	if w.Ours.Bench != "" {
		return b.runBench(w, log)
	}
	args := append(append(append([]string(nil), w.Ours.Args...), extra...), "-json")
	fmt.Fprintf(log, "%s ours: %s %s\n", w.Name, w.Ours.Example, strings.Join(args, " "))
	fields, mb, err := runJSON(exec.Command(b.bin[w.Ours.Example], args...), log)
	if err != nil {
		return measurement{}, err
	}
	v, err := number(fields, w.Ours.Figure, 1)
	return measurement{Value: v, PeakMB: mb}, err
}

var nsPerOp = regexp.MustCompile(`\s([0-9.]+) ns/op`)

// runBench runs a Go benchmark in its test binary and reads ns/op,
// reported in milliseconds.
func (b oursBins) runBench(w workload, log io.Writer) (measurement, error) {
	parts := strings.Split(w.Ours.Bench, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(b.bin[w.Ours.Package], "-test.run", "^$", "-test.bench", strings.Join(parts, "/"), "-test.benchtime", "100x")
	cmd.Dir = filepath.Join(b.root, w.Ours.Package) // where its testdata is
	cmd.Stderr = log
	fmt.Fprintf(log, "%s ours: %s\n", w.Name, strings.Join(cmd.Args[1:], " "))
	out, err := cmd.Output()
	if err != nil {
		return measurement{}, fmt.Errorf("%s: %w", w.Ours.Bench, err)
	}
	m := nsPerOp.FindSubmatch(out)
	if m == nil {
		return measurement{}, errors.New("the benchmark printed no ns/op: " + strings.TrimSpace(string(out)))
	}
	ns, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return measurement{}, err
	}
	mb, err := peakMB(cmd)
	return measurement{Value: ns / 1e6, PeakMB: mb}, err
}

// moduleRoot returns the directory of the go.mod in effect.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run bnn-bench from the gorgonia-bnn repository")
	}
	return filepath.Dir(mod), nil
}
