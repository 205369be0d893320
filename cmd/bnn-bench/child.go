package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"

	"github.com/gorgonia-bnn/bnn/internal/jsonline"
)

// measurement is one run of one side of a workload.
type measurement struct {
	Value  float64 // the workload's figure, in the workload's unit
	PeakMB float64 // the child's peak resident memory
}

// runJSON runs cmd, whose last line of output is a JSON object, and
// returns that object's numbers with the child's peak resident memory.
func runJSON(cmd *exec.Cmd, log io.Writer) (map[string]float64, float64, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	_, fields, err := jsonline.Last(out.Bytes())
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", cmd.Args[0], err)
	}
	mb, err := peakMB(cmd)
	return fields, mb, err
}

// number returns field name of a child's JSON object, times scale.
func number(fields map[string]float64, name string, scale float64) (float64, error) {
	v, ok := fields[name]
	if !ok {
		return 0, fmt.Errorf("the JSON output has no number %q", name)
	}
	return v * scale, nil
}

// peakMB is the peak resident memory of a finished child process.
func peakMB(cmd *exec.Cmd) (float64, error) {
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, errors.New("no resource usage for the child process on this system")
	}
	return float64(ru.Maxrss) / 1024, nil // kilobytes on Linux
}
