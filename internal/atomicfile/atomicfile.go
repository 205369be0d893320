// Package atomicfile replaces files atomically: a reader of the path sees
// either the complete old content or the complete new content, never a
// truncated or half-written file, even if the writer crashes.
//
// It is github.com/google/renameio/v2 (a temporary file in the target's
// directory, synced, then renamed over the target) with what this project
// needs on top: the directory is synced after the rename on Unix, so that
// the rename itself survives a power loss; permissions are exactly those
// asked for (the umask does not apply); a writer callback gets a buffered
// writer, and its error or panic removes the temporary file and leaves the
// old file as it was; and every successful write removes the temporary
// files that earlier writes to the same path left behind when the process
// died before it could remove them.
//
// A symbolic link at the target path is replaced by a regular file; the file
// it pointed to is not touched.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/renameio/v2"
)

// WriteFile atomically replaces the file at path with data.
//
// Unlike os.WriteFile, the file always ends up with exactly the permission
// bits perm (the process umask does not apply), whether or not it existed
// before.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write atomically replaces the file at path with whatever fn writes to w.
// The writer is buffered; fn need not buffer its own writes.
//
// If fn returns an error (or panics) the temporary file is removed, the file
// at path is left untouched and the error is returned wrapped, so that
// errors.Is and errors.As see fn's error. Permissions are as for WriteFile.
//
// After the rename, the temporary files of earlier writes to path that
// crashed are removed (those last modified before this write began). Two
// writes to one path at once are not supported: one of them may fail.
func Write(path string, perm os.FileMode, fn func(w io.Writer) error) error {
	if path == "" {
		return errors.New("atomicfile: empty path")
	}
	if fn == nil {
		return fmt.Errorf("atomicfile: writing %s: nil write function", path)
	}
	dir, base := filepath.Split(path)
	if base == "" {
		return fmt.Errorf("atomicfile: path %q names a directory, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	start := time.Now()
	// The temporary file goes beside the target, never in $TMPDIR, so that
	// one a crash leaves behind is found, and removed, by the next write.
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir), renameio.WithStaticPermissions(perm.Perm()))
	if err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	defer f.Cleanup() // after CloseAtomicallyReplace, a no-op
	bw := bufio.NewWriter(f)
	if err := fn(bw); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("atomicfile: %s written but its directory not synced: %w", path, err)
	}
	removeStale(dir, base, start)
	return nil
}

// isTemp reports whether name (a base name) is that of a temporary file of
// a write to target (a base name): renameio's "."+target+digits, or
// ".target.tmp-"+digits, which this package made before it used renameio.
func isTemp(name, target string) bool {
	rest, ok := strings.CutPrefix(name, "."+target)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, ".tmp-")
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// removeStale removes the temporary files of writes to dir/target last
// modified before start: a write in progress keeps its file fresh, so these
// are what crashed writes left. It is best effort: a file it cannot remove
// is left for the next write.
func removeStale(dir, target string, start time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTemp(e.Name(), target) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(start) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// syncDir makes a rename inside dir durable. Windows cannot sync a
// directory and does not need to: there it is a no-op.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
