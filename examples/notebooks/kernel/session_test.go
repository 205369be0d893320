package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestSessionSharesStateAcrossCells(t *testing.T) {
	s := NewSession(io.Discard)
	if r := s.Run("import \"fmt\"\nx := 40\nfunc twice(n int) int { return 2 * n }"); r.Err != nil {
		t.Fatal(r.Err)
	}
	r := s.Run("fmt.Println(\"x is\", x)\ntwice(x + 1)")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Count != 2 || r.Stdout != "x is 40\n" {
		t.Errorf("count %d, stdout %q; want 2, \"x is 40\\n\"", r.Count, r.Stdout)
	}
	if len(r.Outputs) != 1 || r.Outputs[0].OutputType != "execute_result" || r.Outputs[0].Data["text/plain"] != "82" {
		t.Errorf("outputs %+v, want one execute_result 82", r.Outputs)
	}
}

func TestSessionShowsImagesAndHidesMultipleResults(t *testing.T) {
	s := NewSession(io.Discard)
	r := s.Run("import (\n\t\"fmt\"\n\t\"image\"\n)\nfmt.Println(\"hi\")")
	if r.Err != nil || len(r.Outputs) != 0 {
		t.Fatalf("fmt.Println's two results: outputs %+v, err %v; want none", r.Outputs, r.Err)
	}
	r = s.Run("img := image.NewGray(image.Rect(0, 0, 3, 2))\nimg")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if len(r.Outputs) != 1 || r.Outputs[0].OutputType != "display_data" {
		t.Fatalf("outputs %+v, want one display_data", r.Outputs)
	}
	d := r.Outputs[0].Data
	if !strings.HasPrefix(string(d["image/png"]), "iVBORw0KGgo") || d["text/plain"] != "<image 3 x 2>" {
		t.Errorf("image output %v, want a base64 PNG and <image 3 x 2>", d)
	}
}

func TestSessionReportsErrors(t *testing.T) {
	s := NewSession(io.Discard)
	for src, want := range map[string]string{
		"undefinedName + 1":                 "undefinedName",
		"panic(\"boom\")":                   "boom",
		"var xs []int\n_ = xs[3]":           "index out of range",
		"import \"no/such/package/really\"": "no/such/package/really",
	} {
		r := s.Run(src)
		if r.Err == nil || !strings.Contains(r.Err.Error(), want) {
			t.Errorf("%q: err = %v, want one mentioning %q", src, r.Err, want)
		}
	}
	if r := s.Run("1 + 1"); r.Err != nil {
		t.Errorf("the session does not recover after errors: %v", r.Err)
	}
}

func TestSourceReadsBothForms(t *testing.T) {
	for in, want := range map[string]string{
		`"a\nb"`:       "a\nb",
		`["a\n", "b"]`: "a\nb",
		`[]`:           "",
	} {
		var s Source
		if err := json.Unmarshal([]byte(in), &s); err != nil || string(s) != want {
			t.Errorf("%s: got %q, %v; want %q", in, s, err, want)
		}
	}
	var s Source
	if err := json.Unmarshal([]byte(`42`), &s); err == nil {
		t.Error("a number as cell source: no error")
	}
	b, err := json.Marshal(Source("x := 1\ny := 2\n"))
	if err != nil || string(b) != `["x := 1\n","y := 2\n"]` {
		t.Errorf("marshal: %s, %v", b, err)
	}
}

func TestCellMarshalsAsNBFormatWants(t *testing.T) {
	one := 1
	for _, c := range []struct {
		cell Cell
		want string
	}{
		{Cell{CellType: "markdown", Metadata: jsonRaw("{}"), Source: "# hi"}, `{"cell_type":"markdown","metadata":{},"source":["# hi"]}`},
		{Cell{CellType: "code", Metadata: jsonRaw("{}"), Source: "x"}, `{"cell_type":"code","metadata":{},"source":["x"],"execution_count":null,"outputs":[]}`},
		{Cell{CellType: "code", Metadata: jsonRaw("{}"), Source: "x", ExecutionCount: &one,
			Outputs: []Output{{OutputType: "stream", Name: "stdout", Text: "1\n"}}},
			`{"cell_type":"code","metadata":{},"source":["x"],"execution_count":1,"outputs":[{"output_type":"stream","name":"stdout","text":["1\n"]}]}`},
	} {
		b, err := json.Marshal(c.cell)
		if err != nil || string(b) != c.want {
			t.Errorf("got %s (%v), want %s", b, err, c.want)
		}
	}
}

// TestSessionMovesChatterToTheLog: the interpreter's and the go command's
// lines leave the cell's output for the log; the cell's own lines and a
// failing build's error stay.
func TestSessionMovesChatterToTheLog(t *testing.T) {
	var log strings.Builder
	s := NewSession(&log)
	r := s.Run(`import "fmt"
fmt.Println("// debug: running \"go get\" ...")
fmt.Println("go: added gonum.org/v1/gonum v0.15.1")
fmt.Println("go: downloading golang.org/x/image v0.21.0")
fmt.Println("kept")
fmt.Println("go: example.com/m: no such module")`)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if want := "kept\ngo: example.com/m: no such module\n"; r.Stdout != want {
		t.Errorf("cell output %q, want %q", r.Stdout, want)
	}
	for _, line := range []string{"// debug: running", "go: added gonum.org", "go: downloading golang.org"} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("log %q lacks %q", log.String(), line)
		}
	}
}
