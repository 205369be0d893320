package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/cosmos72/gomacro/fast"
)

// Session is one interpreter, like one Jupyter kernel: cells run in it
// share their variables, functions and imports.
type Session struct {
	ir    *fast.Interp
	log   io.Writer
	count int
}

// NewSession returns a fresh interpreter. The interpreter's own messages
// (warnings about declarations it skips, the go commands it runs to compile
// an imported package as a plugin) go to log, not into the cells' outputs.
func NewSession(log io.Writer) *Session {
	useLocalLibrary()
	ir := fast.New()
	ir.Comp.Stdout = log
	ir.Comp.Stderr = log
	return &Session{ir: ir, log: log}
}

// Result is what running one cell produced.
type Result struct {
	Count   int      // the execution count, from 1
	Stdout  string   // what the cell printed to standard output
	Stderr  string   // and to standard error
	Outputs []Output // display data: pictures and the cell's value
	Err     error    // a compile error or a panic; nil on success
}

// Run runs one cell's source. Like a notebook kernel, it shows the value
// of a final expression: an image.Image as a PNG picture, anything else as
// text. A final call with several results, such as fmt.Println's (n, err),
// shows nothing. Standard output and error are captured while the cell
// runs, so a Session must not run cells from two goroutines at once; the
// interpreter's own "// warning:" lines go to the Session's log.
func (s *Session) Run(src string) Result {
	s.count++
	r := Result{Count: s.count}
	var values []reflect.Value
	r.Stdout, r.Stderr = capture(func() {
		defer func() {
			if p := recover(); p != nil {
				r.Err = asError(p)
			}
		}()
		vs, _ := s.ir.Eval(src)
		for _, v := range vs {
			values = append(values, v.ReflectValue())
		}
	})
	r.Stdout = s.dropChatter(r.Stdout)
	r.Stderr = s.dropChatter(r.Stderr)
	if r.Err != nil || len(values) != 1 {
		return r
	}
	out, err := display(values[0], r.Count)
	if err != nil {
		r.Err = err
	} else if out != nil {
		r.Outputs = append(r.Outputs, *out)
	}
	return r
}

// display turns a cell's value into an output: nothing for no value, a PNG
// picture for an image.Image, its fmt.Sprint text otherwise.
func display(v reflect.Value, count int) (*Output, error) {
	if !v.IsValid() || !v.CanInterface() {
		return nil, nil
	}
	x := v.Interface()
	if img, ok := x.(image.Image); ok && img != nil && !isNilPointer(v) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("encoding the cell's image as PNG: %w", err)
		}
		b := img.Bounds()
		return &Output{OutputType: "display_data", Data: map[string]Source{
			"image/png":  Source(base64.StdEncoding.EncodeToString(buf.Bytes())),
			"text/plain": Source(fmt.Sprintf("<image %d x %d>", b.Dx(), b.Dy())),
		}, Metadata: emptyMetadata()}, nil
	}
	n := count
	return &Output{OutputType: "execute_result", ExecutionCount: &n,
		Data: map[string]Source{"text/plain": Source(fmt.Sprint(x))}, Metadata: emptyMetadata()}, nil
}

func isNilPointer(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	}
	return false
}

func emptyMetadata() *jsonRaw {
	m := jsonRaw("{}")
	return &m
}

// asError turns what a cell panicked with into an error.
func asError(p any) error {
	if err, ok := p.(error); ok {
		return err
	}
	return fmt.Errorf("%v", p)
}

// captureMu serialises the redirection of the process's standard output.
var captureMu sync.Mutex

// capture runs f with os.Stdout and os.Stderr redirected into pipes and
// returns what f wrote to each.
func capture(f func()) (stdout, stderr string) {
	captureMu.Lock()
	defer captureMu.Unlock()
	outR, outW, err := os.Pipe()
	if err != nil {
		f()
		return "", ""
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		f()
		return "", ""
	}
	var outBuf, errBuf strings.Builder
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&outBuf, outR) }()
	go func() { defer wg.Done(); io.Copy(&errBuf, errR) }()
	savedOut, savedErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	defer func() {
		os.Stdout, os.Stderr = savedOut, savedErr
		outW.Close()
		errW.Close()
		wg.Wait()
		outR.Close()
		errR.Close()
		stdout, stderr = outBuf.String(), errBuf.String()
	}()
	f()
	return
}

// interpreterChatter are the starts of the lines the interpreter and the
// go command it runs to build an imported package print while a cell
// runs: its warnings about declarations it skips, its debug lines, and the
// go command's progress. A failing build's error lines start otherwise
// and stay in the cell's output.
var interpreterChatter = []string{
	"// warning: ", "// debug: ",
	"go: added ", "go: downloading ", "go: finding ", "go: found ", "go: upgraded ",
}

// dropChatter moves the interpreter's own messages (interpreterChatter)
// from a cell's output to the Session's log, so that a notebook shows what
// its cells print and nothing else.
func (s *Session) dropChatter(out string) string {
	var kept strings.Builder
	for _, line := range splitLines(out) {
		if slices.ContainsFunc(interpreterChatter, func(p string) bool { return strings.HasPrefix(line, p) }) {
			io.WriteString(s.log, line)
			continue
		}
		kept.WriteString(line)
	}
	return kept.String()
}
