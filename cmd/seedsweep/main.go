// Command seedsweep runs an example over many seeds and prints, for every
// figure of its JSON output, the median, minimum and maximum over the
// seeds: figures that hold on one seed are not evidence, their
// distribution is.
//
//	go run ./cmd/seedsweep -seeds 1-20 ./examples/sine -out ""
//	go run ./cmd/seedsweep -seeds 1-5 -parallel 1 ./examples/mnist -epochs 5
//
// The first argument is a package directory (built once with go build) or
// an executable; the rest are passed to it, followed by -json -seed N. The
// example must print one JSON object on its last line (the examples'
// convention); its numeric fields are summarised. Runs go in parallel, up
// to -parallel at a time (default: the number of CPUs). With -json the
// summary is printed as one JSON array instead of a Markdown table.
//
// Runs share the working directory: give examples that write pictures
// -out "" (or they overwrite one another's).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
)

func main() {
	seedSpec := flag.String("seeds", "1-10", "seeds to run: ranges and lists such as 1-20 or 1,3,5-9")
	parallel := flag.Int("parallel", runtime.NumCPU(), "runs at a time")
	asJSON := flag.Bool("json", false, "print the summary as a JSON array")
	quiet := flag.Bool("q", false, "do not print each seed's figures")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: seedsweep [flags] package-dir|executable [example flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := mainErr(*seedSpec, *parallel, *asJSON, *quiet, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "seedsweep:", err)
		os.Exit(1)
	}
}

func mainErr(seedSpec string, parallel int, asJSON, quiet bool, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no example given")
	}
	if parallel < 1 {
		return fmt.Errorf("-parallel %d, want at least 1", parallel)
	}
	seeds, err := parseSeeds(seedSpec)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	command, cleanup, err := executable(ctx, args[0])
	if err != nil {
		return err
	}
	defer cleanup()
	var progress io.Writer = os.Stderr
	if quiet {
		progress = io.Discard
	}
	runs, err := sweep(ctx, seeds, parallel, progress, command, args[1:]...)
	if err != nil {
		return err
	}
	stats, err := summarize(runs)
	if err != nil {
		return err
	}
	if asJSON {
		b, err := json.Marshal(stats)
		if err != nil {
			return err
		}
		_, err = fmt.Println(string(b))
		return err
	}
	fmt.Printf("%s over seeds %s (N = %d)\n\n", args[0], seedSpec, len(seeds))
	return writeTable(os.Stdout, stats)
}

// executable returns a command to run for target: the target itself if it
// is an executable file, else the binary go build makes of the package
// directory, in a temporary directory that cleanup removes.
func executable(ctx context.Context, target string) (string, func(), error) {
	fi, err := os.Stat(target)
	if err != nil {
		return "", nil, fmt.Errorf("example %s: %v", target, err)
	}
	if !fi.IsDir() {
		if fi.Mode()&0o111 == 0 {
			return "", nil, fmt.Errorf("example %s is neither a package directory nor an executable", target)
		}
		abs, err := filepath.Abs(target)
		return abs, func() {}, err
	}
	dir, err := os.MkdirTemp("", "seedsweep-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "example")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = target
	if out, err := build.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build %s: %v\n%s", target, err, out)
	}
	return bin, cleanup, nil
}
