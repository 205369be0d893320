package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/google/uuid"
)

func init() {
	register.DoFn2x0[Record, func(int, Record)](&shardFn{})
	register.Function3x0[int, func(*Record) bool, func(Record)](ungroup)
	register.Emitter2[int, Record]()
	register.Iter1[Record]()
	register.Function1x1[fileio.FileMetadata, string](filePath)
}

// Format is the format of the input files.
type Format string

const (
	IDX    Format = "idx"    // IDX image files (MNIST's format), plain or gzipped
	NDJSON Format = "ndjson" // newline-delimited JSON objects, gzipped if named *.gz
)

// Config says what to score with what, and where to write it.
type Config struct {
	Input      string // a file or a glob pattern of files
	Format     Format
	Checkpoint string // a checkpoint written by netspec.Save
	Output     string // the output file, NDJSON

	Samples int    // Monte-Carlo samples per record
	Seed    uint64 // the seed of every record's draws

	// Batch is how many records are scored at once; 0 means 256.
	Batch int
	// Shards, when positive, is how many groups the records are spread over
	// before scoring, by a hash of their keys: the most bundles that can
	// score at once. 0 spreads every record on its own (Beam's Reshuffle)
	// and leaves the parallelism to the runner.
	Shards int

	// KeyField and FeaturesField name the fields of an NDJSON record;
	// "" means "key" and "x".
	KeyField, FeaturesField string

	// Runner is the name of a Beam runner registered in the program; ""
	// means "prism", in-process.
	Runner string
}

// Summary is what a run did, from its Beam metrics.
type Summary struct {
	Scored int64 // records scored and written
	OOD    int64 // of which flagged out of distribution
}

func (c *Config) check() error {
	switch {
	case c.Input == "":
		return errors.New("pipeline: no input")
	case c.Format != IDX && c.Format != NDJSON:
		return fmt.Errorf("pipeline: input format %q: want %q or %q", c.Format, IDX, NDJSON)
	case c.Checkpoint == "":
		return errors.New("pipeline: no checkpoint")
	case c.Output == "":
		return errors.New("pipeline: no output")
	case c.Samples < 1:
		return fmt.Errorf("pipeline: %d samples: want at least 1", c.Samples)
	case c.Batch < 0:
		return fmt.Errorf("pipeline: batch of %d records", c.Batch)
	case c.Shards < 0:
		return fmt.Errorf("pipeline: %d shards", c.Shards)
	}
	if c.Batch == 0 {
		c.Batch = 256
	}
	if c.KeyField == "" {
		c.KeyField = "key"
	}
	if c.FeaturesField == "" {
		c.FeaturesField = "x"
	}
	if c.Runner == "" {
		c.Runner = "prism"
	}
	return nil
}

// Run scores cfg.Input with the model of cfg.Checkpoint and writes
// cfg.Output. Before it starts the pipeline it checks that the input
// matches a file, opens the checkpoint and makes sure the output's staging
// directory can be written, so that those mistakes fail at once; every other
// error (an unreadable input, a record of
// the wrong width) fails the pipeline, and Run returns it. A failed run
// leaves no output file, or the previous one.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	if err := cfg.check(); err != nil {
		return Summary{}, err
	}
	if err := checkInput(ctx, cfg.Input); err != nil {
		return Summary{}, err
	}
	sc, err := openScorer(ctx, cfg.Checkpoint, cfg.Samples, cfg.Seed)
	if err != nil {
		return Summary{}, err
	}
	staging, err := makeStaging(ctx, cfg.Output)
	if err != nil {
		return Summary{}, err
	}
	p, s := beam.NewPipelineWithRoot()
	build(s, cfg, sc.InputWidth(), staging)
	res, err := beam.Run(ctx, cfg.Runner, p)
	if err := finish(ctx, err, staging, cfg.Output); err != nil {
		return Summary{}, fmt.Errorf("pipeline: scoring %s: %w", cfg.Input, err)
	}
	var sum Summary
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Namespace() != MetricsNamespace {
			continue
		}
		switch c.Name() {
		case MetricScored:
			sum.Scored += c.Result()
		case MetricOOD:
			sum.OOD += c.Result()
		}
	}
	return sum, nil
}

// finish commits the output of a run that the runner reports as successful
// and in which no DoFn recorded an error; otherwise it removes the staging
// directory and returns the error, a DoFn's own in preference to the
// runner's account of it.
func finish(ctx context.Context, runErr error, staging, output string) error {
	fs, err := filesystem.New(ctx, staging)
	if err != nil {
		return err
	}
	defer fs.Close()
	err = keptErrors(ctx, fs, staging)
	if err == nil {
		err = runErr
	}
	if err == nil {
		err = commit(ctx, staging, output)
	}
	if err != nil {
		removeStaging(ctx, fs, staging)
	}
	return err
}

// checkInput fails unless pattern matches a file.
func checkInput(ctx context.Context, pattern string) error {
	fs, err := filesystem.New(ctx, pattern)
	if err != nil {
		return fmt.Errorf("pipeline: input %s: %w", pattern, err)
	}
	defer fs.Close()
	files, err := fs.List(ctx, pattern)
	if err != nil {
		return fmt.Errorf("pipeline: input %s: %w", pattern, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("pipeline: input %s: no such file", pattern)
	}
	return nil
}

// makeStaging creates the staging directory beside output, named uniquely
// for this run, and returns its name. Creating it is the test that the
// output's place can be written.
func makeStaging(ctx context.Context, output string) (string, error) {
	if fi, err := os.Stat(output); err == nil && fi.IsDir() {
		return "", fmt.Errorf("pipeline: output %s is a directory", output)
	}
	staging := output + ".staging-" + uuid.NewString()
	fs, err := filesystem.New(ctx, staging)
	if err != nil {
		return "", fmt.Errorf("pipeline: output %s: %w", output, err)
	}
	defer fs.Close()
	probe := staging + "/.probe"
	if err := filesystem.Write(ctx, fs, probe, nil); err != nil {
		return "", fmt.Errorf("pipeline: output %s cannot be written: %w", output, err)
	}
	if rm, ok := fs.(filesystem.Remover); ok {
		rm.Remove(ctx, probe)
	}
	return staging, nil
}

// build adds the pipeline's transforms to s.
func build(s beam.Scope, cfg Config, width int, staging string) {
	files := fileio.MatchFiles(s, cfg.Input, fileio.MatchEmptyDisallow())
	var records, read beam.PCollection
	switch cfg.Format {
	case IDX:
		// datasets recognises gzip by its magic bytes, whatever the name.
		f := fileio.ReadMatches(s, files, fileio.ReadUncompressed())
		records, read = beam.ParDo2(s, &readIDXFn{Width: width, Staging: staging}, f)
	case NDJSON:
		f := fileio.ReadMatches(s, files, fileio.ReadAutoCompression())
		records, read = beam.ParDo2(s, &readNDJSONFn{Width: width, KeyField: cfg.KeyField, FeaturesField: cfg.FeaturesField, Staging: staging}, f)
	}
	records = spread(s, records, cfg.Shards)
	lines := beam.ParDo(s, &scoreFn{Checkpoint: cfg.Checkpoint, Samples: cfg.Samples, Seed: cfg.Seed, Batch: cfg.Batch, Staging: staging}, records)
	shards := beam.ParDo(s, &writeShardFn{Staging: staging}, lines)
	beam.ParDo0(s, &joinFn{Staging: staging}, beam.Impulse(s),
		beam.SideInput{Input: beam.ParDo(s, filePath, files)},
		beam.SideInput{Input: read},
		beam.SideInput{Input: shards})
}

// spread redistributes records so that the scoring does not run where they
// were read (one file is read in one bundle): over n groups by key, or each
// record on its own when n is 0.
func spread(s beam.Scope, records beam.PCollection, n int) beam.PCollection {
	if n == 0 {
		return beam.Reshuffle(s, records)
	}
	keyed := beam.ParDo(s, &shardFn{Shards: n}, records)
	return beam.ParDo(s, ungroup, beam.GroupByKey(s, keyed))
}

// shardFn keys a record by its shard, a hash of its key.
type shardFn struct{ Shards int }

func (fn *shardFn) ProcessElement(r Record, emit func(int, Record)) {
	h := fnv.New32a()
	h.Write([]byte(r.Key))
	emit(int(h.Sum32()%uint32(fn.Shards)), r)
}

// ungroup emits the records of a shard.
func ungroup(_ int, records func(*Record) bool, emit func(Record)) {
	var r Record
	for records(&r) {
		emit(r)
	}
}

// filePath is the path of a matched file.
func filePath(f fileio.FileMetadata) string { return f.Path }
