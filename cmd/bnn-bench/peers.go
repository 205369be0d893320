package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// debianBLAS is the alternative that chooses the BLAS Debian's torch uses.
const debianBLAS = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"

// peers runs the peer libraries' workload scripts.
type peers struct {
	dir    string // the scripts
	python string
	path   string // PYTHONPATH: the unpacked peer libraries
	model  string // W4's model, saved by the W2 script in prepare
}

// findPeers returns the peers' runner, or nil and why there is none. dir
// "" looks for ../shared/bench/peers beside the module root; "none"
// disables the peers.
func findPeers(root, work, dir, python string, log io.Writer) (*peers, string) {
	switch dir {
	case "none":
		return nil, "-peers none"
	case "":
		dir = filepath.Join(root, "..", "shared", "bench", "peers")
	}
	if _, err := os.Stat(filepath.Join(dir, "common.py")); err != nil {
		return nil, fmt.Sprintf("no peer scripts in %s", dir)
	}
	probe := exec.Command(python, "-c", "import torch, numpy")
	if out, err := probe.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("%s cannot import torch and numpy (apt-get install python3-torch python3-numpy libopenblas0-pthread): %v %s", python, err, strings.TrimSpace(string(out)))
	}
	archives, _ := filepath.Glob(filepath.Join(dir, "src", "*.tar.gz"))
	if len(archives) == 0 {
		return nil, fmt.Sprintf("no peer sources in %s", filepath.Join(dir, "src"))
	}
	var path []string
	for _, a := range archives {
		dst := filepath.Join(work, "peers", strings.TrimSuffix(filepath.Base(a), ".tar.gz"))
		if err := untar(a, dst); err != nil {
			return nil, fmt.Sprintf("unpacking %s: %v", a, err)
		}
		path = append(path, dst)
	}
	fmt.Fprintf(log, "bnn-bench: peers from %s with %s\n", dir, python)
	if target, err := os.Readlink(debianBLAS); err == nil && strings.Contains(target, "/blas/") {
		fmt.Fprintf(log, "bnn-bench: warning: the system BLAS is the reference one (%s): torch's products run several times slower than with OpenBLAS; apt-get install libopenblas0-pthread\n", target)
	}
	return &peers{dir: dir, python: python, path: strings.Join(path, string(os.PathListSeparator))}, ""
}

// prepare trains the model that W4's peer scores, once, if W4 is chosen.
func (p *peers) prepare(chosen []workload, work string, log io.Writer) error {
	for _, w := range chosen {
		for _, q := range w.Peers {
			if !q.NeedsModel || p.model != "" {
				continue
			}
			p.model = filepath.Join(work, "w4-"+q.Lib+".pt")
			train := peer{Lib: q.Lib, Script: "w2_mnist_mlp.py", OMP: q.OMP, OpenBLAS: q.OpenBLAS,
				Args: []string{"--samples", "1", "--seed", "1", "--threads", strconv.Itoa(q.OMP), "--save", p.model}}
			fmt.Fprintf(log, "%s: training the %s model it scores\n", w.Name, q.Label)
			if _, _, err := runJSON(p.command(train), log); err != nil {
				return fmt.Errorf("%s: training the peer's model: %w", w.Name, err)
			}
		}
	}
	return nil
}

// run runs one peer's side of a workload once.
func (p *peers) run(q peer, log io.Writer) (measurement, error) {
	cmd := p.command(q)
	if q.NeedsModel {
		cmd.Args = append(cmd.Args, "--model", p.model)
	}
	fmt.Fprintf(log, "peer %s: %s\n", q.Label, strings.Join(cmd.Args[1:], " "))
	fields, mb, err := runJSON(cmd, log)
	if err != nil {
		return measurement{}, err
	}
	v, err := number(fields, q.Figure, q.Scale)
	return measurement{Value: v, PeakMB: mb}, err
}

// command is the child process of a peer's script, with its thread
// settings.
func (p *peers) command(q peer) *exec.Cmd {
	args := append([]string{filepath.Join(p.dir, q.Script), "--lib", q.Lib}, q.Args...)
	cmd := exec.Command(p.python, args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(),
		"PYTHONPATH="+p.path,
		"OMP_NUM_THREADS="+strconv.Itoa(q.OMP),
		"OPENBLAS_NUM_THREADS="+strconv.Itoa(q.OpenBLAS))
	return cmd
}

// untar unpacks the gzipped tar archive src into dst, refusing entries
// that would land outside it.
func untar(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		target := filepath.Join(dst, h.Name)
		if !strings.HasPrefix(target, filepath.Clean(dst)+string(os.PathSeparator)) && target != filepath.Clean(dst) {
			return fmt.Errorf("entry %q leaves the destination", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
