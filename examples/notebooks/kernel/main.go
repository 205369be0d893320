// Command kernel runs Go notebooks that use the bnn library through the
// gomacro interpreter. With notebooks as arguments it runs them without
// Jupyter: it executes every code cell of each notebook in order, as
// Jupyter's "Restart and Run All" does, prints what the cells print, and
// exits with status 1 if a cell fails. With -jupyter it is a Jupyter kernel
// (install-kernel.sh registers it as "bnn-go").
//
//	cd examples/notebooks/kernel
//	go run . ../sine.ipynb ../mnist.ipynb
//	go run . -o /tmp/executed ../sine.ipynb   # also write the executed notebooks
//
// Each notebook runs in a process of its own, like a fresh Jupyter kernel.
// The first import of the library compiles it as a Go plugin, which takes a
// minute or two; the Go build cache makes later runs faster. See
// ../README.md for the set-up.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	outDir := flag.String("o", "", "directory to write the executed notebooks to (empty: none)")
	verbose := flag.Bool("v", false, "show the interpreter's own messages (plugin builds, skipped declarations)")
	jupyter := flag.String("jupyter", "", "serve as a Jupyter kernel for this connection file instead")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: kernel [-o dir] [-v] notebook.ipynb...\n       kernel [-v] -jupyter connection.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *jupyter != "" {
		log := io.Discard
		if *verbose {
			log = os.Stderr
		}
		if err := serveJupyter(*jupyter, log); err != nil {
			fmt.Fprintln(os.Stderr, "kernel:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var err error
	if flag.NArg() == 1 {
		log := io.Discard
		if *verbose {
			log = os.Stderr
		}
		err = runOne(flag.Arg(0), *outDir, log, os.Stdout)
	} else {
		err = runEach(flag.Args(), os.Args[1:len(os.Args)-flag.NArg()])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kernel:", err)
		os.Exit(1)
	}
}

// runEach runs every notebook in a fresh process of this program, with the
// same flags, and reports those that failed.
func runEach(paths, flags []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range paths {
		cmd := exec.Command(self, append(append([]string(nil), flags...), path)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}

// runOne executes a notebook, copies what its cells print to w and writes
// the executed notebook to outDir if it is not empty, also when a cell
// failed, so that the error can be seen in place.
func runOne(path, outDir string, log, w io.Writer) error {
	nb, err := Execute(path, log)
	if nb != nil {
		for _, i := range nb.CodeCells() {
			for _, o := range nb.Cells[i].Outputs {
				if o.OutputType == "stream" {
					fmt.Fprint(w, string(o.Text))
				}
			}
		}
		if outDir != "" {
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			if err := nb.Write(filepath.Join(outDir, filepath.Base(path))); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: all code cells ran\n", path)
	return nil
}
