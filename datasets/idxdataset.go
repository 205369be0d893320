package datasets

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// idxClasses is the number of classes of MNIST and Fashion-MNIST.
const idxClasses = 10

// DecodeIDX reads a pair of IDX files, images and their labels, plain or
// gzipped, into a classification Dataset: pixels scaled from 0-255 to
// [0, 1], XShape [1, rows, cols] (one channel), Labels in 0-9, Classes 10.
// It is an error for the files to be malformed (see [ReadIDXImages]), to
// announce more than [MaxIDXDecodedBytes] of data set, to hold no images, to hold a different number of labels and images, or to
// hold a label above 9. Every error about the data is an *[IDXError].
func DecodeIDX(images, labels io.Reader) (Dataset, error) {
	return decodeIDX(images, labels, "", "")
}

// DecodeIDXPixels is [DecodeIDX] keeping the pixels as they are in the
// file, one byte each, in Pixels rather than X: the same features (a
// batch gathered by [Dataset.GatherX] holds the same values, bit for bit)
// in an eighth of the memory.
func DecodeIDXPixels(images, labels io.Reader) (Dataset, error) {
	return decodeIDXAs(images, labels, "", "", 1)
}

// LoadIDX reads the IDX images file imagesPath and the IDX labels file
// labelsPath, plain or gzipped, into a Dataset as [DecodeIDX] does; its
// errors name the file at fault. A file that cannot be opened gives the
// error of [os.Open], wrapped, so that errors.Is(err, fs.ErrNotExist)
// tells a missing file.
func LoadIDX(imagesPath, labelsPath string) (Dataset, error) {
	return loadIDXAs(imagesPath, labelsPath, 8)
}

// LoadIDXPixels is [LoadIDX] keeping the pixels as bytes, as
// [DecodeIDXPixels] does.
func LoadIDXPixels(imagesPath, labelsPath string) (Dataset, error) {
	return loadIDXAs(imagesPath, labelsPath, 1)
}

// loadIDXAs is LoadIDX with the pixels as decodeIDXAs keeps them.
func loadIDXAs(imagesPath, labelsPath string, pixelBytes uint64) (Dataset, error) {
	imgFile, err := os.Open(imagesPath)
	if err != nil {
		return Dataset{}, fmt.Errorf("datasets: %w", err)
	}
	defer imgFile.Close()
	labFile, err := os.Open(labelsPath)
	if err != nil {
		return Dataset{}, fmt.Errorf("datasets: %w", err)
	}
	defer labFile.Close()
	return decodeIDXAs(imgFile, labFile, imagesPath, labelsPath, pixelBytes)
}

// decodeIDX is DecodeIDX, with the names of the files for the errors.
func decodeIDX(images, labels io.Reader, imagesName, labelsName string) (Dataset, error) {
	return decodeIDXAs(images, labels, imagesName, labelsName, 8)
}

// decodeIDXAs decodes the pixels into float64s (pixelBytes 8, X) or keeps
// them as bytes (pixelBytes 1, Pixels).
func decodeIDXAs(images, labels io.Reader, imagesName, labelsName string, pixelBytes uint64) (Dataset, error) {
	// The pixels become float64s or stay bytes and the labels become
	// ints: the limits are on those, checked against the headers before
	// anything is allocated.
	img, err := readIDXImages(images, pixelBytes, MaxIDXDecodedBytes)
	if err != nil {
		return Dataset{}, inFile(err, imagesName)
	}
	used := pixelBytes * uint64(len(img.Pixels))
	lab, err := readIDXLabels(labels, 8, MaxIDXDecodedBytes-used)
	if err != nil {
		return Dataset{}, inFile(err, labelsName)
	}
	labErr := func(msg string) error { return &IDXError{File: labelsName, Kind: "labels", Msg: msg} }
	if img.Count == 0 {
		return Dataset{}, &IDXError{File: imagesName, Kind: "images", Msg: "no images"}
	}
	if len(lab) != img.Count {
		msg := fmt.Sprintf("%d labels for %d images", len(lab), img.Count)
		if imagesName != "" {
			msg += " in " + imagesName
		}
		return Dataset{}, labErr(msg)
	}
	d := Dataset{
		XShape:  []int{1, img.Rows, img.Cols},
		Labels:  make([]int, len(lab)),
		Classes: idxClasses,
	}
	for i, l := range lab {
		if l >= idxClasses {
			return Dataset{}, labErr(fmt.Sprintf("label %d of example %d is outside 0-%d", l, i, idxClasses-1))
		}
		d.Labels[i] = int(l)
	}
	if pixelBytes == 1 {
		d.Pixels = img.Pixels
		return d, nil
	}
	d.X = make([]float64, len(img.Pixels))
	for i, p := range img.Pixels {
		d.X[i] = float64(p) / 255
	}
	return d, nil
}

// inFile sets the file name of an IDXError.
func inFile(err error, name string) error {
	var e *IDXError
	if errors.As(err, &e) {
		e.File = name
	}
	return err
}
