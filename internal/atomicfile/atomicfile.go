// Package atomicfile replaces files atomically: a reader of the path sees
// either the complete old content or the complete new content, never a
// truncated or half-written file, even if the writer crashes.
//
// The new content is written to a temporary file in the same directory as
// the target (so that the final rename never crosses a file system), synced
// to stable storage, renamed over the target and, on Unix, the directory is
// synced so that the rename itself survives a power loss. If anything fails
// before the rename, the temporary file is removed and the old file, if any,
// is left exactly as it was.
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

	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		// Runs on errors and on panics in fn alike.
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()

	if err := f.Chmod(perm.Perm()); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	if err := fn(bw); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("atomicfile: %s written but its directory not synced: %w", path, err)
	}
	return nil
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
