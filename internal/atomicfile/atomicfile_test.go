package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// entries returns the names in dir, to check that no temporary file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFileCreates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	want := []byte("hello, \x00 world\n")
	if err := WriteFile(path, want, 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("content = %q, want %q", got, want)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("mode = %v, want %v", fi.Mode().Perm(), os.FileMode(0o640))
		}
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "out.bin" {
		t.Errorf("directory holds %q, want only out.bin", names)
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("a much longer old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "new" {
		t.Errorf("content = %q, want %q", got, "new")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only out.txt", names)
	}
}

func TestWriteFileEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty")
	if err := WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Errorf("size = %d, want 0", fi.Size())
	}
}

func TestWriteStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lines.txt")
	err := Write(path, 0o644, func(w io.Writer) error {
		for i := range 3 {
			if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "line 0\nline 1\nline 2\n"; string(got) != want {
		t.Errorf("content = %q, want %q", got, want)
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.txt")
	old := []byte("old content")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o644, func(w io.Writer) error {
		// Write more than the buffer holds so that part of it reaches
		// the temporary file before the failure.
		if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<16)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want one wrapping %v", err, boom)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, old) {
		t.Errorf("old file changed to %d bytes %.20q..., want %q", len(got), got, old)
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "keep.txt" {
		t.Errorf("directory holds %q, want only keep.txt", names)
	}
}

func TestWritePanicLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.txt")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic in fn was swallowed")
			}
		}()
		Write(path, 0o644, func(w io.Writer) error {
			io.WriteString(w, "partial")
			panic("fn panics")
		})
	}()
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q, want nothing", names)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	ok := func(w io.Writer) error { return nil }
	for _, tc := range []struct {
		name string
		path string
		fn   func(io.Writer) error
	}{
		{"empty path", "", ok},
		{"nil fn", filepath.Join(dir, "x"), nil},
		{"missing directory", filepath.Join(dir, "nope", "x"), ok},
		{"trailing separator", sub + string(filepath.Separator), ok},
		{"target is a directory", sub, ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Write(tc.path, 0o644, tc.fn); err == nil {
				t.Errorf("Write(%q) succeeded, want an error", tc.path)
			}
		})
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "sub" {
		t.Errorf("directory holds %q, want only sub", names)
	}
	if names := entries(t, sub); len(names) != 0 {
		t.Errorf("sub holds %q, want nothing", names)
	}
}

func TestWriteRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := WriteFile("rel.txt", []byte("r"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("rel.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "r" {
		t.Errorf("content = %q, want %q", got, "r")
	}
}

// TestWriteRemovesStaleTemps leaves in the directory what crashed writes
// would have (temporary files of this package before and after it used
// renameio, an hour old), one written just now by a write still in
// progress, and files that only look alike; a write removes the stale ones
// and nothing else.
func TestWriteRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	stale := []string{".model.safetensors8842185237455", ".model.safetensors.tmp-1234567"}
	kept := []string{
		"model.safetensors.bak", ".model.safetensors", ".model.safetensorsX12", ".model.safetensors.tmp-",
		".other.safetensors123", "model.safetensors123", ".model.safetensors.tmp-12a",
	}
	old := time.Now().Add(-time.Hour)
	for _, name := range append(append([]string(nil), stale...), kept...) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("left over"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	var fresh string
	if err := Write(path, 0o644, func(w io.Writer) error {
		// A write in progress elsewhere: its temporary file is newer
		// than this write's start.
		fresh = ".model.safetensors77"
		return os.WriteFile(filepath.Join(dir, fresh), nil, 0o600)
	}); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"model.safetensors", fresh}, kept...)
	slices.Sort(want)
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}
