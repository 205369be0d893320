package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/gorgonia-bnn/bnn/datasets"
)

func init() {
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Record), error](&readIDXFn{})
	register.Emitter1[Record]()
}

// readIDXFn reads an IDX file of uint8 images, plain or gzipped, into one
// record per image, keyed by its index, with pixels scaled to [0, 1] as the
// datasets package scales them for training.
type readIDXFn struct {
	Width int // the model's input width, which rows*cols must equal
}

func (fn *readIDXFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(Record)) error {
	path := f.Metadata.Path
	rc, err := f.Open(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rc.Close()
	img, err := datasets.ReadIDXImages(rc)
	if err != nil {
		if e := (*datasets.IDXError)(nil); errors.As(err, &e) {
			e.File = path
		}
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if got := img.Rows * img.Cols; got != fn.Width {
		return fmt.Errorf("%s: images of %dx%d = %d values, the model takes %d", path, img.Rows, img.Cols, got, fn.Width)
	}
	for i := range img.Count {
		pix := img.Pixels[i*fn.Width : (i+1)*fn.Width]
		x := make([]float64, fn.Width)
		for j, p := range pix {
			x[j] = float64(p) / 255
		}
		emit(Record{Key: strconv.Itoa(i), X: x})
	}
	return nil
}
