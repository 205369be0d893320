package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quick shortens W1 to a few steps.
var quick = []string{"-steps", "20", "-samples", "5"}

// TestOursAlone runs W1, shortened, twice through real child processes with
// the peers disabled, and checks the JSON line.
func TestOursAlone(t *testing.T) {
	var out bytes.Buffer
	c := config{names: "w1", rounds: 2, extra: quick, peers: "none", json: true}
	if err := run(&out, io.Discard, c); err != nil {
		t.Fatal(err)
	}
	var l line
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if l.Workload != "W1" || l.Ours.Rounds != 2 || !(l.Ours.Median > 0) || l.Ours.Min > l.Ours.Median || l.Ours.Median > l.Ours.Max {
		t.Errorf("line %+v: want W1's steps per second over 2 rounds", l)
	}
	if len(l.Peers) != 0 || l.Note != "peers not run" {
		t.Errorf("line %+v: want no peers and a note saying so", l)
	}
	if !(l.Ours.PeakMB > 1) || l.Ours.PeakMB > 4096 {
		t.Errorf("peak RSS %v MB: implausible", l.Ours.PeakMB)
	}
}

// TestPeersInterleaved runs W1 against a fake peer interpreter that checks
// its environment (the unpacked library on PYTHONPATH, the thread
// settings) and reports a known rate, and checks the medians and ratio.
func TestPeersInterleaved(t *testing.T) {
	dir := t.TempDir()
	peersDir := filepath.Join(dir, "peers")
	if err := os.MkdirAll(filepath.Join(peersDir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(peersDir, "common.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	writeTarGz(t, filepath.Join(peersDir, "src", "fakelib.tar.gz"), "fakelib/__init__.py")
	log := filepath.Join(dir, "calls")
	python := filepath.Join(dir, "python")
	script := `#!/bin/sh
[ "$1" = -c ] && exit 0
echo "$*" >> ` + log + `
[ -f "$PYTHONPATH/fakelib/__init__.py" ] || { echo "fakelib not on PYTHONPATH=$PYTHONPATH" >&2; exit 1; }
[ "$OMP_NUM_THREADS" = 1 ] && [ "$OPENBLAS_NUM_THREADS" = 1 ] || { echo "threads $OMP_NUM_THREADS/$OPENBLAS_NUM_THREADS" >&2; exit 1; }
echo 'progress line'
echo '{"steps_per_s": 100}'
`
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := config{names: "W1", rounds: 3, extra: quick, peers: peersDir, python: python, json: true}
	if err := run(&out, io.Discard, c); err != nil {
		t.Fatal(err)
	}
	var l line
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if len(l.Peers) != 1 || l.Peers[0].Library != "BLiTZ" || l.Peers[0].Median != 100 || l.Peers[0].Rounds != 3 {
		t.Fatalf("peers %+v: want BLiTZ at 100 steps/s over 3 rounds", l.Peers)
	}
	if want := l.Ours.Median / 100; l.Peers[0].Ratio != want {
		t.Errorf("ratio %v, want ours/peer = %v for a rate", l.Peers[0].Ratio, want)
	}
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(calls), "w1_sine.py --lib blitz --seed 1 --threads 1"); n != 3 {
		t.Errorf("the peer script ran %d times with BLiTZ's W1 arguments, want 3:\n%s", n, calls)
	}
}

func TestRatioOfTimes(t *testing.T) {
	w := workloads[1] // W2: seconds, lower is better
	r := newReport(w, true)
	for _, v := range []float64{2, 1, 3} {
		r.ours = append(r.ours, measurement{Value: v, PeakMB: 100})
	}
	r.peers[0] = []measurement{{Value: 4, PeakMB: 300}}
	r.peers[1] = []measurement{{Value: 1, PeakMB: 200}}
	l := r.line()
	if l.Ours.Median != 2 || l.Peers[0].Ratio != 2 || l.Peers[1].Ratio != 0.5 || l.Peers[0].MemoryRatio != 3 {
		t.Errorf("line %+v: want median 2, ratios 2 and 0.5, memory ratio 3", l)
	}
}

func TestUnknownWorkload(t *testing.T) {
	err := run(io.Discard, io.Discard, config{names: "W1,W9", rounds: 1, peers: "none"})
	if err == nil || !strings.Contains(err.Error(), `"W9"`) {
		t.Fatalf("error %v, want one naming W9", err)
	}
}

func TestUntarRefusesEscape(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "evil.tar.gz")
	writeTarGz(t, src, "../outside")
	err := untar(src, filepath.Join(dir, "dst"))
	if err == nil || !strings.Contains(err.Error(), "leaves the destination") {
		t.Fatalf("error %v, want one refusing ../outside", err)
	}
}

// writeTarGz writes a gzipped tar archive of empty files with these names.
func writeTarGz(t *testing.T, path string, names ...string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
