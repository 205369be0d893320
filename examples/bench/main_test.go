package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestRunsAWorkload runs W1 shortened to a few steps through a real child
// process and checks the line it prints.
func TestRunsAWorkload(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, io.Discard, "w1", "", []string{"-steps", "20", "-samples", "5"}); err != nil {
		t.Fatal(err)
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if r.Workload != "W1" || r.Figure != "steps_per_second" || !(r.Value > 0) || r.Peer != 356 {
		t.Errorf("result %+v: want W1's steps per second beside BLiTZ's 356", r)
	}
	if want := r.Value / r.Peer; r.Speedup != want {
		t.Errorf("speedup %v, want %v", r.Speedup, want)
	}
	if !(r.PeakRSSMB > 1) || r.PeakRSSMB > 4096 {
		t.Errorf("peak RSS %v MB: implausible", r.PeakRSSMB)
	}
	if steps, _ := r.Example["steps"].(float64); steps != 20 {
		t.Errorf("the example ran %v steps, want the 20 asked for", r.Example["steps"])
	}
}

func TestUnknownWorkload(t *testing.T) {
	err := run(io.Discard, io.Discard, "W1,W9", "", nil)
	if err == nil || !strings.Contains(err.Error(), `"W9"`) {
		t.Fatalf("error %v, want one naming W9", err)
	}
}
