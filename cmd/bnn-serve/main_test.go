package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
)

func TestParse(t *testing.T) {
	env := map[string]string{"BNN_CHECKPOINT": "/models/mlp.safetensors", "BNN_MAX_BATCH": "8", "BNN_SAMPLES": "30"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := parse([]string{"-samples", "50", "-max-delay", "5ms"}, lookup, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.checkpoint != "/models/mlp.safetensors" || c.name != "mlp" || c.maxBatch != 8 || c.samples != 50 || c.maxDelay != 5*time.Millisecond {
		t.Errorf("config %+v: want the environment's checkpoint and batch, the flags' samples and delay", c)
	}
	if _, err := parse(nil, func(string) (string, bool) { return "", false }, io.Discard); err == nil || !strings.Contains(err.Error(), "-checkpoint") {
		t.Errorf("no checkpoint: %v", err)
	}
	env["BNN_MAX_BATCH"] = "many"
	if _, err := parse(nil, lookup, io.Discard); err == nil || !strings.Contains(err.Error(), `BNN_MAX_BATCH="many"`) {
		t.Errorf("bad environment value: %v", err)
	}
}

func save(t *testing.T, path string, spec *netspec.Spec, seed uint64) {
	t.Helper()
	m, err := spec.NewModel(graph.Seed(seed))
	if err != nil {
		t.Fatal(err)
	}
	if err := netspec.Save(path, m, spec); err != nil {
		t.Fatal(err)
	}
}

func infer(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	body := `{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [0.5, -1, 2]}]}`
	res, err := http.Post(url+"/v2/models/toy/infer", "application/json", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	var r map[string]any
	json.NewDecoder(res.Body).Decode(&r)
	return res.StatusCode, r
}

// The command serves a checkpoint, reloads it on SIGHUP (refusing another
// network), and finishes a request in flight when told to stop.
func TestServeReloadShutdown(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "toy.safetensors")
	spec := netspec.MLP(netspec.Regression, 3, 8, 1)
	spec.NoiseStd = 0.1
	save(t, path, spec, 1)
	c, err := parse([]string{"-checkpoint", path, "-samples", "20", "-max-delay", "300ms"}, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal)
	var logged strings.Builder
	done := make(chan error, 1)
	go func() { done <- run(ctx, c, ln, hup, log.New(&logged, "", 0)) }()

	status, r := infer(t, url)
	if status != 200 || r["model_version"] != "1" {
		t.Fatalf("infer: %d %v", status, r)
	}
	first := fmt.Sprint(r["outputs"])
	save(t, path, spec, 2)
	hup <- os.Interrupt // any value: a reload
	waitReloads(t, url, "ok")
	status, r = infer(t, url)
	if status != 200 || r["model_version"] != "2" || fmt.Sprint(r["outputs"]) == first {
		t.Errorf("after a reload: %d %v", status, r)
	}
	save(t, path, netspec.MLP(netspec.Regression, 3, 9, 1), 1)
	hup <- os.Interrupt
	waitReloads(t, url, "error")
	if status, r = infer(t, url); status != 200 || r["model_version"] != "2" {
		t.Errorf("after a reload of another network: %d %v", status, r)
	}

	inflight := make(chan int)
	go func() { s, _ := infer(t, url); inflight <- s }()
	time.Sleep(100 * time.Millisecond) // the request waits in the batcher
	cancel()
	if s := <-inflight; s != 200 {
		t.Errorf("the request in flight at shutdown: %d", s)
	}
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	for _, want := range []string{"serving toy (regression, input [3], 3 layers)", "reloaded", "not the network being served", "shutting down"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
}

// waitReloads waits until /metrics counts a reload of the outcome.
func waitReloads(t *testing.T, url, outcome string) {
	t.Helper()
	want := fmt.Sprintf(`bnn_serve_reloads_total{model="toy",outcome=%q} 1`, outcome)
	for range 200 {
		res, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s", want)
}
