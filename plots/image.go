package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// Image decodes a picture made by this package (or any PNG) into an
// image.Image. A notebook kernel in the gophernotes style shows an
// image.Image value inline, so a notebook cell can end with
//
//	img, err := plots.Image(picture)
//
// and display img, without importing image/png or the gophernotes display
// package. It returns an error if b is not a PNG picture.
func Image(b []byte) (image.Image, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("plots: Image: no PNG bytes")
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("plots: Image: decoding %d bytes as PNG: %w", len(b), err)
	}
	return img, nil
}
