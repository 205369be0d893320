// Package jsonline is the examples' convention for reporting what they
// measured, written once: run with -json, an example prints its figures as
// one JSON object on the last line of its output, and cmd/seedsweep and
// cmd/bnn-bench read that line back.
package jsonline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
)

// Usage is the help text of the examples' -json flag.
const Usage = "print the figures as one JSON object on the last line"

// Progress returns where an example's training progress goes: standard
// error, or nowhere when the figures are printed as JSON, so that scripts
// read one line of output and nothing else.
func Progress(asJSON bool) io.Writer {
	if asJSON {
		return nil
	}
	return os.Stderr
}

// Report prints an example's figures r on standard output: as one line of
// JSON when asJSON, else by calling text. It exits through log.Fatal if r
// cannot be written as JSON.
func Report(asJSON bool, r any, text func()) {
	if !asJSON {
		text()
		return
	}
	if err := Print(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
}

// Print writes v as one line of JSON to w.
func Print(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("jsonline: %w", err)
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// Last parses the last non-empty line of out as a JSON object and returns
// its numeric fields, their names in the order printed; other fields are
// skipped.
func Last(out []byte) (names []string, values map[string]float64, err error) {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			last = append(last[:0], line...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("jsonline: reading the output: %w", err)
	}
	if last == nil {
		return nil, nil, fmt.Errorf("jsonline: no output")
	}
	dec := json.NewDecoder(bytes.NewReader(last))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("jsonline: last line %q is not a JSON object", truncate(last))
	}
	values = map[string]float64{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("jsonline: last line %q: %v", truncate(last), err)
		}
		name := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("jsonline: last line %q: field %s: %v", truncate(last), name, err)
		}
		num, ok := v.(json.Number)
		if !ok {
			continue
		}
		f, err := num.Float64()
		if err != nil {
			return nil, nil, fmt.Errorf("jsonline: field %s = %s: %v", name, num, err)
		}
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = f
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, nil, fmt.Errorf("jsonline: last line %q is not a complete JSON object", truncate(last))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("jsonline: last line %q has more after its JSON object", truncate(last))
	}
	return names, values, nil
}

// truncate shortens a line for an error message.
func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
