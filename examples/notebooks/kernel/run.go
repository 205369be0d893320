package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CellError reports the first cell of a notebook that failed.
type CellError struct {
	Notebook string
	Cell     int // index among all the notebook's cells, from 0
	Count    int // execution count, from 1
	Source   string
	Err      error
}

func (e *CellError) Error() string {
	first, _, _ := strings.Cut(strings.TrimSpace(e.Source), "\n")
	return fmt.Sprintf("%s: cell %d (code cell %d, %q...): %v", e.Notebook, e.Cell, e.Count, first, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// Execute runs the notebook's code cells in order in a fresh Session, as
// Jupyter's "Restart and Run All" does, and fills in their outputs and
// execution counts. It stops at the first cell that fails and returns a
// *CellError naming it; the failing cell's output holds the error, as in
// Jupyter. The kernel's working directory is the notebook's, so that
// relative imports and files resolve as they do in Jupyter; Execute
// changes the process's working directory while it runs.
func Execute(path string, log io.Writer) (*Notebook, error) {
	nb, err := ReadNotebook(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(filepath.Dir(abs)); err != nil {
		return nil, err
	}
	defer os.Chdir(wd)

	s := NewSession(log)
	for _, i := range nb.CodeCells() {
		c := &nb.Cells[i]
		r := s.Run(string(c.Source))
		count := r.Count
		c.ExecutionCount = &count
		c.Outputs = nil
		if r.Stdout != "" {
			c.Outputs = append(c.Outputs, Output{OutputType: "stream", Name: "stdout", Text: Source(r.Stdout)})
		}
		if r.Stderr != "" {
			c.Outputs = append(c.Outputs, Output{OutputType: "stream", Name: "stderr", Text: Source(r.Stderr)})
		}
		c.Outputs = append(c.Outputs, r.Outputs...)
		if r.Err != nil {
			c.Outputs = append(c.Outputs, Output{OutputType: "error", EName: "error", EValue: r.Err.Error(),
				Traceback: []string{r.Err.Error()}})
			return nb, &CellError{Notebook: path, Cell: i, Count: count, Source: string(c.Source), Err: r.Err}
		}
		fmt.Fprintf(log, "%s: code cell %d done\n", filepath.Base(path), count)
	}
	return nb, nil
}
