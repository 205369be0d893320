package pipeline

import (
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Record)(nil)).Elem())
}

// A Record is one input example on its way to the scorer.
type Record struct {
	// Key is the record's key as JSON text: the index in its IDX file, or
	// the NDJSON record's key value, copied verbatim into the output.
	Key string
	// X holds the record's features, as many as the model's input width.
	X []float64
}
