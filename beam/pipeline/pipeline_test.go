package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// mnistImages is the embedded digits' IDX file in the core module.
var mnistImages = filepath.Join("..", "..", "datasets", "mnist10k", "images-idx3-ubyte.gz")

// The pipeline on Prism gives every one of the 10,000 embedded digits the
// result the library's own predictive pass gives it over all of them at
// once, with the same seed and samples, whatever the parallelism and batch.
func TestMNISTMatchesLibrary(t *testing.T) {
	const samples, seed = 8, 42
	dir := t.TempDir()
	ckpt := saveMLP(t, dir, 0, 784, 32, 10)
	digits, err := mnist10k.All()
	if err != nil {
		t.Fatal(err)
	}
	n := digits.Len()
	reference := func() []scoring.Result {
		m, spec, err := netspec.Load(ckpt)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scoring.New(m, spec, scoring.Samples(samples), scoring.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		res, err := sc.Score(digits.X, n)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Flag about half the digits, so that the OOD flags and their metric
	// are tested: the threshold is the median mutual information.
	mi := make([]float64, n)
	for i, r := range reference() {
		mi[i] = r.MutualInformation
	}
	slices.Sort(mi)
	ckpt = saveMLP(t, dir, mi[n/2], 784, 32, 10)
	want := reference()
	var wantOOD int64
	for _, r := range want {
		if r.OOD {
			wantOOD++
		}
	}
	if wantOOD == 0 || wantOOD == int64(n) {
		t.Fatalf("the library flags %d of %d digits: the threshold tests nothing", wantOOD, n)
	}

	for _, tc := range []struct{ shards, batch int }{{1, 256}, {4, 100}} {
		t.Run(fmt.Sprintf("shards=%d", tc.shards), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "scores.ndjson")
			sum, err := Run(context.Background(), Config{
				Input: mnistImages, Format: IDX, Checkpoint: ckpt, Output: out,
				Samples: samples, Seed: seed, Batch: tc.batch, Shards: tc.shards,
			})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Scored != int64(n) || sum.OOD != wantOOD {
				t.Errorf("metrics: %d scored, %d OOD; want %d, %d", sum.Scored, sum.OOD, n, wantOOD)
			}
			got := readOutput(t, out)
			if len(got) != n {
				t.Fatalf("%d output records, want %d", len(got), n)
			}
			mismatches := 0
			for i, w := range want {
				g, ok := got[strconv.Itoa(i)]
				if !ok {
					t.Fatalf("no output for record %d", i)
				}
				if !slices.Equal(g.Probs, w.Probs) || g.Class != w.Class || g.Entropy != w.Entropy ||
					g.MutualInformation != w.MutualInformation || g.OOD != w.OOD {
					if mismatches++; mismatches <= 3 {
						t.Errorf("record %d: got %+v, want %+v", i, g, *w.Classification)
					}
				}
			}
			if mismatches > 0 {
				t.Errorf("%d of %d records differ from the library's pass", mismatches, n)
			}
		})
	}
}
