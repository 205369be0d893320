package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/google/uuid"
)

func init() {
	register.DoFn3x1[context.Context, string, func(string), error](&writeShardFn{})
	register.DoFn3x1[context.Context, []byte, func(*string) bool, error](&commitFn{})
	register.Iter1[string]()
}

// writeShardFn writes the lines of a bundle to a shard of its own in the
// staging directory and emits the shard's name once the shard is closed.
// Shards of failed bundles are never emitted, so a runner's retries leave
// only orphans that the commit removes.
type writeShardFn struct {
	Staging string

	fs    filesystem.Interface
	name  string
	w     io.WriteCloser
	buf   *bufio.Writer
	lines int
}

func (fn *writeShardFn) ProcessElement(ctx context.Context, line string, emit func(string)) error {
	if fn.w == nil {
		if err := fn.open(ctx); err != nil {
			return err
		}
	}
	fn.buf.WriteString(line)
	if err := fn.buf.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing %s: %w", fn.name, err)
	}
	return nil
}

func (fn *writeShardFn) open(ctx context.Context) error {
	fs, err := filesystem.New(ctx, fn.Staging)
	if err != nil {
		return err
	}
	fn.fs = fs
	fn.name = fn.Staging + "/shard-" + uuid.NewString() + ".ndjson"
	w, err := fs.OpenWrite(ctx, fn.name)
	if err != nil {
		fs.Close()
		return fmt.Errorf("writing output shard: %w", err)
	}
	fn.w, fn.buf = w, bufio.NewWriterSize(w, 1<<20)
	return nil
}

func (fn *writeShardFn) FinishBundle(ctx context.Context, emit func(string)) error {
	if fn.w == nil {
		return nil
	}
	err := fn.buf.Flush()
	if cerr := fn.w.Close(); err == nil {
		err = cerr
	}
	fn.fs.Close()
	name := fn.name
	fn.fs, fn.w, fn.buf, fn.name = nil, nil, nil, ""
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	emit(name)
	return nil
}

// commitFn runs once, after every shard is written: it concatenates the
// shards into a temporary file in the staging directory, renames it onto the
// output and removes the staging directory.
type commitFn struct {
	Staging, Output string
}

func (fn *commitFn) ProcessElement(ctx context.Context, _ []byte, shards func(*string) bool) error {
	var names []string
	var s string
	for shards(&s) {
		names = append(names, s)
	}
	slices.Sort(names)
	fs, err := filesystem.New(ctx, fn.Output)
	if err != nil {
		return err
	}
	defer fs.Close()
	tmp := fn.Staging + "/output.ndjson"
	if err := concat(ctx, fs, tmp, names); err != nil {
		return err
	}
	if err := filesystem.Rename(ctx, fs, tmp, fn.Output); err != nil {
		return fmt.Errorf("committing output %s: %w", fn.Output, err)
	}
	return removeStaging(ctx, fs, fn.Staging)
}

// concat writes the shards one after another into dst.
func concat(ctx context.Context, fs filesystem.Interface, dst string, shards []string) error {
	w, err := fs.OpenWrite(ctx, dst)
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	for _, name := range shards {
		r, err := fs.OpenRead(ctx, name)
		if err != nil {
			w.Close()
			return fmt.Errorf("reading output shard: %w", err)
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			w.Close()
			return fmt.Errorf("copying %s into %s: %w", name, dst, err)
		}
	}
	// A local file is synced before the rename, so that a crash cannot
	// leave a committed output whose data never reached the disk.
	if f, ok := w.(interface{ Sync() error }); ok {
		if err := f.Sync(); err != nil {
			w.Close()
			return fmt.Errorf("writing %s: %w", dst, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// removeStaging deletes the staging directory and whatever is in it (shards
// of bundles that a runner retried), where the filesystem can remove files.
func removeStaging(ctx context.Context, fs filesystem.Interface, staging string) error {
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		return nil
	}
	files, err := fs.List(ctx, staging+"/*")
	if err != nil {
		return fmt.Errorf("listing staging directory %s: %w", staging, err)
	}
	for _, f := range files {
		if err := rm.Remove(ctx, f); err != nil {
			return fmt.Errorf("removing %s: %w", f, err)
		}
	}
	// A directory exists only on filesystems that have them.
	rm.Remove(ctx, staging)
	return nil
}
