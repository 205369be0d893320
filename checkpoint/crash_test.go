package checkpoint

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/graph"
)

// crashEnv, when set to a path, makes TestCrashSafety the child that saves
// to that path in a loop until it is killed.
const crashEnv = "BNN_CHECKPOINT_CRASH_CHILD"

// crashModel has one 2048x1024 float64 parameter: 16 MiB, so that a save
// takes long enough to be killed in the middle. It starts from a constant
// rather than random draws so that the child starts fast.
func crashModel(t testing.TB) *graph.Model {
	w, err := graph.NewParam("big.weight", []int{2048, 1024}, graph.Constant(0))
	if err != nil {
		t.Fatal(err)
	}
	net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		wn, err := b.Param(w)
		if err != nil {
			return nil, err
		}
		return G.Mul(x, G.Must(G.Transpose(wn)))
	}
	m, err := graph.NewModel(net, graph.Input(1024))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.InitParams(); err != nil {
		t.Fatal(err)
	}
	return m
}

// generation fills every parameter with values that depend on gen, the
// parameter and the position, so that parts of two checkpoints never pass
// for one. All are exact in float64.
func generation(gen int, j, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(gen) + float64(j)/8 + float64(i)/(1<<30)
	}
	return v
}

// TestCrashSafety starts a child process that saves a 16 MiB checkpoint
// over and over, kills it at a random moment, and checks the file on disk:
// it must load, whole, and be the last checkpoint the child finished or
// the one it was writing, never a mix or a part. It repeats this 30 times
// (8 with -short), or as often as fits in 25 seconds (10).
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(t, path)
		return
	}
	rounds, budget := 30, 25*time.Second
	if testing.Short() {
		rounds, budget = 8, 10*time.Second
	}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	m := crashModel(t)
	// Generation 0 is the "old" checkpoint of the first kill.
	for j, p := range m.Params() {
		if err := p.SetValues(generation(0, j, p.Len())); err != nil {
			t.Fatal(err)
		}
	}
	if err := Save(path, m, WithMetadata("generation", "0")); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	start := time.Now()
	done, midSave, last := 0, 0, 0
	for ; done < rounds && time.Since(start) < budget; done++ {
		lines := runAndKill(t, path, rng)
		state, gen := parseLast(t, lines)
		got := checkFile(t, path, m)
		switch {
		case state == "saved" && got != gen:
			t.Fatalf("round %d: killed after saving generation %d, the file holds %d", done, gen, got)
		case state == "begin" && got != gen && got != gen-1:
			t.Fatalf("round %d: killed while saving generation %d, the file holds %d", done, gen, got)
		case got < last:
			t.Fatalf("round %d: the file went back from generation %d to %d", done, last, got)
		}
		if state == "begin" {
			midSave++
		}
		last = got
	}
	temps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".big.safetensors.tmp-*"))
	t.Logf("%d kills in %.1fs, %d in the middle of a save; generation %d on disk; %d temporary files left by killed saves",
		done, time.Since(start).Seconds(), midSave, last, len(temps))
	// A loaded machine (or -race) gets through fewer rounds: a few still
	// show something, none would not.
	if done < 3 {
		t.Errorf("only %d kills in %v", done, budget)
	}
	if midSave == 0 {
		t.Error("no kill landed in the middle of a save: the test checked nothing")
	}
}

// runAndKill starts the child, lets it begin a save, kills it after a
// random delay and returns every line it printed.
func runAndKill(t *testing.T, path string, rng *rand.Rand) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	var lines []string
	select {
	case l, ok := <-ch:
		if !ok {
			cmd.Wait()
			t.Fatal("the child exited before saving")
		}
		lines = append(lines, l)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child did not start saving within 20s")
	}
	time.Sleep(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for l := range ch {
		lines = append(lines, l)
	}
	cmd.Wait() // killed: the error says so
	return lines
}

// parseLast returns the child's last event: "begin" or "saved", and the
// generation.
func parseLast(t *testing.T, lines []string) (string, int) {
	t.Helper()
	for i := len(lines) - 1; i >= 0; i-- {
		f := strings.Fields(lines[i])
		if len(f) == 2 && (f[0] == "begin" || f[0] == "saved") {
			gen, err := strconv.Atoi(f[1])
			if err == nil {
				return f[0], gen
			}
		}
	}
	t.Fatalf("no event in the child's output %q", lines)
	return "", 0
}

// checkFile loads the checkpoint at path into m and returns its generation
// after checking that every value belongs to it.
func checkFile(t *testing.T, path string, m *graph.Model) int {
	t.Helper()
	f, err := ReadFile(path)
	if err != nil {
		t.Fatalf("the file on disk does not read: %v", err)
	}
	gen, err := strconv.Atoi(f.Metadata["generation"])
	if err != nil {
		t.Fatalf("generation %q: %v", f.Metadata["generation"], err)
	}
	if err := Restore(f, m, WithMetadata("generation", strconv.Itoa(gen))); err != nil {
		t.Fatalf("the file on disk does not load: %v", err)
	}
	for j, p := range m.Params() {
		if !sameBits(p.Values(), generation(gen, j, p.Len())) {
			t.Fatalf("parameter %s does not hold generation %d: a mix of checkpoints", p.Name(), gen)
		}
	}
	return gen
}

// crashChild saves generations after the one on disk until killed,
// printing "begin N" before and "saved N" after each save.
func crashChild(t *testing.T, path string) {
	m := crashModel(t)
	gen := 0
	if f, err := ReadFile(path); err == nil {
		if gen, err = strconv.Atoi(f.Metadata["generation"]); err != nil {
			t.Fatal(err)
		}
	}
	for gen++; ; gen++ {
		for j, p := range m.Params() {
			if err := p.SetValues(generation(gen, j, p.Len())); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println("begin", gen)
		if err := Save(path, m, WithMetadata("generation", strconv.Itoa(gen))); err != nil {
			t.Fatal(err)
		}
		fmt.Println("saved", gen)
	}
}
