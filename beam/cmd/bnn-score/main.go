// Command bnn-score scores a large dataset with a Bayesian network's
// predictive uncertainty on Apache Beam, and writes one NDJSON line per input
// record: its key and the figures of package scoring (mean, sd and interval of
// a regression; probabilities, class, entropy, mutual information and the
// out-of-distribution flag of a classifier).
//
// It runs on Beam's Prism runner in-process by default, with nothing
// installed:
//
//	bnn-score -checkpoint model.safetensors -input t10k-images-idx3-ubyte.gz -output scores.ndjson
//
// Beam's own flags select another runner through its portable job API, e.g.
// a Flink or Spark job server (the workers must reach the input, checkpoint
// and output paths: a shared filesystem, or gs:// paths on Dataflow):
//
//	bnn-score -runner=flink -endpoint=localhost:8099 -environment_type=LOOPBACK ...
//	bnn-score -runner=spark -endpoint=localhost:8099 -environment_type=LOOPBACK ...
//	bnn-score -runner=dataflow -project=P -region=R -staging_location=gs://B/staging ...
//
// At the end it prints the run's Beam metrics: records scored and records
// flagged out of distribution.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx" // registers every runner and filesystem
	"github.com/gorgonia-bnn/bnn/beam/pipeline"
)

func main() {
	flag.Parse()
	beam.Init() // the binary is also Beam's worker
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bnn-score:", err)
		os.Exit(1)
	}
}

// The flags.
var (
	cfg     pipeline.Config
	format  string
	asJSON  = flag.Bool("json", false, "print the figures as one JSON object on the last line")
	verbose = flag.Bool("v", false, "show the runner's and Beam's logs")
)

func init() {
	flag.StringVar(&cfg.Input, "input", "", "input file or glob pattern (IDX images, or NDJSON records)")
	flag.StringVar(&format, "format", "", `"idx" or "ndjson"; by default "ndjson" for names ending in .ndjson, .jsonl or .json (optionally .gz), else "idx"`)
	flag.StringVar(&cfg.Checkpoint, "checkpoint", "", "checkpoint written by netspec.Save")
	flag.StringVar(&cfg.Output, "output", "", "output NDJSON file")
	flag.IntVar(&cfg.Samples, "samples", 100, "Monte-Carlo samples per record")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "seed of every record's draws")
	flag.IntVar(&cfg.Batch, "batch", 256, "records scored at once")
	flag.IntVar(&cfg.Shards, "shards", 0, "groups records are spread over before scoring (the most bundles scoring at once); 0 leaves it to the runner")
	flag.StringVar(&cfg.KeyField, "key-field", "key", "NDJSON field holding a record's key")
	flag.StringVar(&cfg.FeaturesField, "features-field", "x", "NDJSON field holding a record's features")
}

// run scores as the flags say and prints the figures to stdout.
func run(ctx context.Context, stdout io.Writer) error {
	if !*verbose {
		quiet()
	}
	cfg.Format = pipeline.Format(format)
	if format == "" {
		cfg.Format = guessFormat(cfg.Input)
	}
	cfg.Runner = *runners.Runner

	start := time.Now()
	sum, err := pipeline.Run(ctx, cfg)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "scored %d records (%d flagged out of distribution) in %.1f s, %.0f records/s; wrote %s\n",
		sum.Scored, sum.OOD, secs, float64(sum.Scored)/secs, cfg.Output)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"records_scored": sum.Scored, "ood_flagged": sum.OOD,
			"seconds": secs, "records_per_second": float64(sum.Scored) / secs,
		})
	}
	return nil
}

// guessFormat tells NDJSON from IDX by the input's name.
func guessFormat(input string) pipeline.Format {
	name := strings.TrimSuffix(input, ".gz")
	for _, ext := range []string{".ndjson", ".jsonl", ".json"} {
		if strings.HasSuffix(name, ext) {
			return pipeline.NDJSON
		}
	}
	return pipeline.IDX
}

// quiet keeps the runner's and Beam's logs to warnings and errors: the
// pipeline's own errors are returned by Run and printed once.
func quiet() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1})))
	beamlog.SetLogger(dropLogger{})
}

type dropLogger struct{}

func (dropLogger) Log(context.Context, beamlog.Severity, int, string) {}
