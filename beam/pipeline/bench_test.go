package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// BenchmarkScore scores the 10,000 embedded digits with 100 samples through
// a 784-64-10 network, on Prism and with the library's own pass in this
// process, and reports records per second. Run it with -benchtime=1x.
func BenchmarkScore(b *testing.B) {
	const samples = 100
	dir := b.TempDir()
	ckpt := saveMLP(b, dir, 0, 784, 64, 10)
	digits, err := mnist10k.All()
	if err != nil {
		b.Fatal(err)
	}
	n := digits.Len()
	b.Run("library", func(b *testing.B) {
		m, spec, err := netspec.Load(ckpt)
		if err != nil {
			b.Fatal(err)
		}
		sc, err := scoring.New(m, spec, scoring.Samples(samples))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := sc.Score(digits.X, n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	})
	for _, shards := range []int{1, 2, 0} {
		b.Run(fmt.Sprintf("prism/shards=%d", shards), func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "scores.ndjson")
			for b.Loop() {
				if _, err := Run(context.Background(), Config{
					Input: mnistImages, Format: IDX, Checkpoint: ckpt, Output: out,
					Samples: samples, Seed: 1, Shards: shards,
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
