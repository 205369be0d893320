package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Record), error](&readNDJSONFn{})
}

// maxLine is the longest NDJSON line read: a record of a million features
// written with full float64 precision fits.
const maxLine = 32 << 20

// readNDJSONFn reads newline-delimited JSON, one object per line holding a
// key (a string or a number) and an array of features; blank lines are
// skipped. Every error names the file and the line.
type readNDJSONFn struct {
	Width         int    // the model's input width
	KeyField      string // the name of the key field
	FeaturesField string // the name of the features field
}

func (fn *readNDJSONFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(Record)) error {
	path := f.Metadata.Path
	rc, err := f.Open(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(nil, maxLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		r, err := fn.decode(b)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		emit(r)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s after line %d: %w", path, line, err)
	}
	return nil
}

// decode parses one line into a record.
func (fn *readNDJSONFn) decode(b []byte) (Record, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return Record{}, fmt.Errorf("not a JSON object: %w", err)
	}
	key, ok := obj[fn.KeyField]
	if !ok {
		return Record{}, fmt.Errorf("no %q field", fn.KeyField)
	}
	if err := checkKey(key); err != nil {
		return Record{}, fmt.Errorf("field %q: %w", fn.KeyField, err)
	}
	raw, ok := obj[fn.FeaturesField]
	if !ok {
		return Record{}, fmt.Errorf("key %s: no %q field", key, fn.FeaturesField)
	}
	var x []float64
	if err := json.Unmarshal(raw, &x); err != nil {
		return Record{}, fmt.Errorf("key %s: field %q is not an array of numbers: %w", key, fn.FeaturesField, err)
	}
	if len(x) != fn.Width {
		return Record{}, fmt.Errorf("key %s: %d features, the model takes %d", key, len(x), fn.Width)
	}
	return Record{Key: string(key), X: x}, nil
}

// checkKey accepts a JSON string or number, the keys that identify a record
// in the output without ambiguity.
func checkKey(raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	switch v.(type) {
	case string, float64:
		return nil
	}
	return fmt.Errorf("key %s is neither a string nor a number", raw)
}
