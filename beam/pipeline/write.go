package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/google/uuid"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*shard)(nil)).Elem())
	register.DoFn3x1[context.Context, string, func(shard), error](&writeShardFn{})
	register.Emitter1[shard]()
	register.DoFn5x1[context.Context, []byte, func(*string) bool, func(*fileRead) bool, func(*shard) bool, error](&joinFn{})
	register.Iter1[string]()
	register.Iter1[fileRead]()
	register.Iter1[shard]()
}

// A shard is a file of output lines that a bundle wrote.
type shard struct {
	Name  string
	Lines int
}

// writeShardFn writes the lines of a bundle to a shard of its own in the
// staging directory and emits the shard once it is closed. Shards of failed
// bundles are never emitted, so a runner's retries leave only orphans, which
// the commit removes with the staging directory.
type writeShardFn struct {
	Staging string

	fs  filesystem.Interface
	sh  shard
	w   io.WriteCloser
	buf *bufio.Writer
}

func (fn *writeShardFn) ProcessElement(ctx context.Context, line string, emit func(shard)) (err error) {
	defer func() { err = keep(ctx, fn.Staging, err) }()
	if fn.w == nil {
		if err := fn.open(ctx); err != nil {
			return err
		}
	}
	fn.buf.WriteString(line)
	if err := fn.buf.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing %s: %w", fn.sh.Name, err)
	}
	fn.sh.Lines++
	return nil
}

func (fn *writeShardFn) open(ctx context.Context) error {
	fs, err := filesystem.New(ctx, fn.Staging)
	if err != nil {
		return err
	}
	name := fn.Staging + "/shard-" + uuid.NewString() + ".ndjson"
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		fs.Close()
		return fmt.Errorf("writing output shard: %w", err)
	}
	fn.fs, fn.sh, fn.w, fn.buf = fs, shard{Name: name}, w, bufio.NewWriterSize(w, 1<<20)
	return nil
}

func (fn *writeShardFn) FinishBundle(ctx context.Context, emit func(shard)) (err error) {
	defer func() { err = keep(ctx, fn.Staging, err) }()
	if fn.w == nil {
		return nil
	}
	err = fn.buf.Flush()
	if cerr := fn.w.Close(); err == nil {
		err = cerr
	}
	fn.fs.Close()
	sh := fn.sh
	fn.fs, fn.w, fn.buf, fn.sh = nil, nil, nil, shard{}
	if err != nil {
		return fmt.Errorf("writing %s: %w", sh.Name, err)
	}
	emit(sh)
	return nil
}

// joinFn runs once, after every shard is written. It checks that every
// matched file was read to its end and that the shards hold a line for every
// record read, concatenates the shards into the staging directory's output
// file and then writes the completion marker. Only the driver, once the
// pipeline has succeeded and the marker is there, renames that file onto the
// output (commit): the checks and the marker do not trust the runner's word
// that every bundle succeeded.
type joinFn struct {
	Staging string
}

func (fn *joinFn) ProcessElement(ctx context.Context, _ []byte, matched func(*string) bool, read func(*fileRead) bool, shards func(*shard) bool) (err error) {
	defer func() { err = keep(ctx, fn.Staging, err) }()
	done := map[string]int{}
	var f fileRead
	for read(&f) {
		done[f.Path] = f.Records
	}
	records := 0
	var path string
	for matched(&path) {
		n, ok := done[path]
		if !ok {
			return fmt.Errorf("input %s was not read to its end", path)
		}
		records += n
	}
	var all []shard
	var sh shard
	lines := 0
	for shards(&sh) {
		all = append(all, sh)
		lines += sh.Lines
	}
	if lines != records {
		return fmt.Errorf("%d records read but %d scored and written", records, lines)
	}
	slices.SortFunc(all, func(a, b shard) int { return strings.Compare(a.Name, b.Name) })
	fs, err := filesystem.New(ctx, fn.Staging)
	if err != nil {
		return err
	}
	defer fs.Close()
	if err := concat(ctx, fs, joined(fn.Staging), all); err != nil {
		return err
	}
	return filesystem.Write(ctx, fs, marker(fn.Staging), []byte(strconv.Itoa(lines)+"\n"))
}

// joined is the name of the complete output in the staging directory, and
// marker the file whose presence says it is complete.
func joined(staging string) string { return staging + "/output.ndjson" }
func marker(staging string) string { return staging + "/_COMPLETE" }

// commit moves the complete output from the staging directory onto output
// and removes the staging directory. It refuses an output that the pipeline
// did not mark complete.
func commit(ctx context.Context, staging, output string) error {
	fs, err := filesystem.New(ctx, output)
	if err != nil {
		return err
	}
	defer fs.Close()
	if _, err := fs.Size(ctx, marker(staging)); err != nil {
		return fmt.Errorf("the runner reported success but the output was not completed (%v)", err)
	}
	if err := filesystem.Rename(ctx, fs, joined(staging), output); err != nil {
		return fmt.Errorf("committing output %s: %w", output, err)
	}
	return removeStaging(ctx, fs, staging)
}

// concat writes the shards one after another into dst, checking that each
// holds the lines its bundle wrote.
func concat(ctx context.Context, fs filesystem.Interface, dst string, shards []shard) error {
	w, err := fs.OpenWrite(ctx, dst)
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	for _, sh := range shards {
		if err := appendShard(ctx, fs, w, sh); err != nil {
			w.Close()
			return err
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

// appendShard copies one shard to w.
func appendShard(ctx context.Context, fs filesystem.Interface, w io.Writer, sh shard) error {
	r, err := fs.OpenRead(ctx, sh.Name)
	if err != nil {
		return fmt.Errorf("reading output shard: %w", err)
	}
	defer r.Close()
	lc := &lineCounter{w: w}
	if _, err := io.Copy(lc, r); err != nil {
		return fmt.Errorf("copying %s: %w", sh.Name, err)
	}
	if lc.lines != sh.Lines {
		return fmt.Errorf("output shard %s holds %d lines, its bundle wrote %d", sh.Name, lc.lines, sh.Lines)
	}
	return nil
}

// lineCounter counts the newlines written through it.
type lineCounter struct {
	w     io.Writer
	lines int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	return c.w.Write(p)
}

// keep records a DoFn's error in the staging directory before returning it,
// so that the driver reports it even where a runner loses or buries it.
func keep(ctx context.Context, staging string, err error) error {
	if err == nil {
		return nil
	}
	if fs, ferr := filesystem.New(ctx, staging); ferr == nil {
		filesystem.Write(ctx, fs, staging+"/error-"+uuid.NewString()+".txt", []byte(err.Error()))
		fs.Close()
	}
	return err
}

// keptErrors returns the errors the pipeline's DoFns recorded, joined; nil
// if none.
func keptErrors(ctx context.Context, fs filesystem.Interface, staging string) error {
	names, err := fs.List(ctx, staging+"/error-*.txt")
	if err != nil || len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	var msgs []string
	for _, n := range names {
		if b, err := filesystem.Read(ctx, fs, n); err == nil {
			msgs = append(msgs, string(b))
		}
	}
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	return errors.New(strings.Join(msgs, "; "))
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
