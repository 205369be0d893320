package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
)

// measurement is one run of one side of a workload.
type measurement struct {
	Value  float64 // the workload's figure, in the workload's unit
	PeakMB float64 // the child's peak resident memory
	Fields map[string]any
}

// runJSON runs cmd, whose last line of output is a JSON object, and
// returns that object with the child's peak resident memory.
func runJSON(cmd *exec.Cmd, log io.Writer) (map[string]any, float64, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var fields map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &fields); err != nil {
		return nil, 0, fmt.Errorf("%s: the last line of output is not a JSON object: %w", cmd.Args[0], err)
	}
	mb, err := peakMB(cmd)
	return fields, mb, err
}

// number returns field name of a child's JSON object, times scale.
func number(fields map[string]any, name string, scale float64) (float64, error) {
	v, ok := fields[name].(float64)
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
