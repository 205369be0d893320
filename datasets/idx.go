package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The IDX format, as MNIST and Fashion-MNIST ship it: a big-endian header
// of a 4-byte magic number (two zero bytes, the element type, the number
// of dimensions) and one 4-byte size per dimension, then the elements in
// row-major order. Only unsigned bytes (type 0x08) are read here.
const (
	idxLabelsMagic = 0x00000801 // uint8, 1 dimension: [count]
	idxImagesMagic = 0x00000803 // uint8, 3 dimensions: [count, rows, cols]
	idxUint8       = 0x08
)

// maxIDXBytes bounds the data size that a header may announce to
// ReadIDXImages and ReadIDXLabels (2 GiB; the largest EMNIST file holds
// 547 MB of pixels), which allocate a byte per element. Reading allocates
// as the data arrives, not as the header announces, so a corrupt header on
// a short file fails as truncated after allocating about the file's size.
const maxIDXBytes = math.MaxInt32

// MaxIDXDecodedBytes bounds what DecodeIDX and LoadIDX allocate for a data
// set: 8 bytes (a float64) per pixel and per label. A header announcing
// more is refused before anything is allocated, so a small gzipped file of
// zeros cannot ask for tens of gigabytes. 4 GiB holds 680,000 images of
// 28x28; read larger files with ReadIDXImages (a byte per pixel).
const MaxIDXDecodedBytes = 4 << 30

// IDXImages is the content of an IDX file of uint8 images.
type IDXImages struct {
	Count, Rows, Cols int // the number of images and the size of each
	// Pixels holds Count images of Rows*Cols grey levels each, one image
	// after another, each row-major: pixel (r, c) of image i is
	// Pixels[(i*Rows+r)*Cols+c].
	Pixels []uint8
}

// An IDXError reports IDX data that could not be read: a wrong magic
// number, a header announcing too much data, truncated data, trailing
// data, a broken gzip stream, an I/O error, or (from [DecodeIDX] and
// [LoadIDX]) labels that do not match the images.
type IDXError struct {
	File string // the file's path; "" for data read from an io.Reader
	Kind string // what the data was read as: "images" or "labels"
	Msg  string // what is wrong
	Err  error  // the underlying error (io.ErrUnexpectedEOF, a gzip error, ...), or nil
}

func (e *IDXError) Error() string {
	s := "datasets: "
	if e.File != "" {
		s += e.File + ": "
	}
	s += "IDX " + e.Kind + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error, so that errors.Is(err,
// io.ErrUnexpectedEOF) tells truncated data.
func (e *IDXError) Unwrap() error { return e.Err }

// ReadIDXImages reads an IDX file of uint8 images (magic 0x00000803,
// dimensions [count, rows, cols]) from r, plain or gzipped: gzip is
// recognised by its first two bytes, 0x1f 0x8b, not by a file name. r must
// hold exactly one such file; it is read to its end, which for gzip
// verifies the checksum. Every error is an *[IDXError].
func ReadIDXImages(r io.Reader) (IDXImages, error) {
	return readIDXImages(r, 1, maxIDXBytes)
}

// readIDXImages is ReadIDXImages for a caller that will allocate
// elemBytes per pixel, at most limit bytes in all.
func readIDXImages(r io.Reader, elemBytes, limit uint64) (IDXImages, error) {
	const kind = "images"
	src, err := newIDXSource(r, kind)
	if err != nil {
		return IDXImages{}, err
	}
	var h [16]byte
	if err := src.header(h[:], idxImagesMagic); err != nil {
		return IDXImages{}, err
	}
	count := binary.BigEndian.Uint32(h[4:])
	rows := binary.BigEndian.Uint32(h[8:])
	cols := binary.BigEndian.Uint32(h[12:])
	what := fmt.Sprintf("%d images of %dx%d", count, rows, cols)
	if rows == 0 || cols == 0 {
		return IDXImages{}, src.fail(fmt.Sprintf("header announces %s; images need at least 1x1 pixels", what), nil)
	}
	if err := src.fits(what, []uint32{count, rows, cols}, elemBytes, limit); err != nil {
		return IDXImages{}, err
	}
	pixels, err := src.payload(int(count)*int(rows)*int(cols), what)
	if err != nil {
		return IDXImages{}, err
	}
	return IDXImages{Count: int(count), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

// fits checks, before anything is allocated, that the elements the header
// announces (what; the product of dims) at elemBytes each fit in limit
// bytes, and in the limit on the file's own bytes.
func (s *idxSource) fits(what string, dims []uint32, elemBytes, limit uint64) error {
	n := uint64(1)
	for _, d := range dims {
		if d != 0 && n > maxIDXBytes/uint64(d) {
			n = maxIDXBytes + 1 // beyond every limit, without overflow
			break
		}
		n *= uint64(d)
	}
	if n > maxIDXBytes {
		return s.fail(fmt.Sprintf("header announces %s, more than the limit of %d bytes", what, maxIDXBytes), nil)
	}
	if n*elemBytes > limit {
		return s.fail(fmt.Sprintf("header announces %s, which would take %d bytes decoded (8 per element), more than the limit of %d bytes (MaxIDXDecodedBytes)", what, n*elemBytes, limit), nil)
	}
	return nil
}

// ReadIDXLabels reads an IDX file of uint8 labels (magic 0x00000801,
// dimensions [count]) from r, plain or gzipped, as [ReadIDXImages] reads
// images. It does not check the labels' range. Every error is an
// *[IDXError].
func ReadIDXLabels(r io.Reader) ([]uint8, error) {
	return readIDXLabels(r, 1, maxIDXBytes)
}

// readIDXLabels is ReadIDXLabels for a caller that will allocate elemBytes
// per label, at most limit bytes in all.
func readIDXLabels(r io.Reader, elemBytes, limit uint64) ([]uint8, error) {
	const kind = "labels"
	src, err := newIDXSource(r, kind)
	if err != nil {
		return nil, err
	}
	var h [8]byte
	if err := src.header(h[:], idxLabelsMagic); err != nil {
		return nil, err
	}
	count := binary.BigEndian.Uint32(h[4:])
	what := fmt.Sprintf("%d labels", count)
	if err := src.fits(what, []uint32{count}, elemBytes, limit); err != nil {
		return nil, err
	}
	return src.payload(int(count), what)
}

// idxSource reads one IDX file of the given kind, decompressed if need be.
type idxSource struct {
	r       io.Reader
	kind    string
	gzipped bool
}

// newIDXSource looks at the first bytes of r and puts a gzip reader in
// front of it when they are gzip's magic number.
func newIDXSource(r io.Reader, kind string) (*idxSource, error) {
	br := bufio.NewReader(r)
	src := &idxSource{r: br, kind: kind}
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, src.fail("reading", err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, src.fail("bad gzip header", err)
		}
		src.r, src.gzipped = zr, true
	}
	return src, nil
}

// fail returns an IDXError about the source.
func (s *idxSource) fail(msg string, err error) *IDXError {
	return &IDXError{Kind: s.kind, Msg: msg, Err: err}
}

// readErr turns an error met while reading into an IDXError; truncated
// is the message for an early end of the data.
func (s *idxSource) readErr(err error, truncated string) *IDXError {
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return s.fail(truncated, io.ErrUnexpectedEOF)
	case s.gzipped:
		return s.fail("corrupt gzip stream", err)
	}
	return s.fail("reading", err)
}

// header reads the header into h, checking its magic number as soon as
// it is there, so that a short file of the wrong kind is called that.
func (s *idxSource) header(h []byte, want uint32) error {
	truncated := func(n int) string { return fmt.Sprintf("truncated header: %d of its %d bytes are there", n, len(h)) }
	if n, err := io.ReadFull(s.r, h[:4]); err != nil {
		return s.readErr(err, truncated(n))
	}
	if got := binary.BigEndian.Uint32(h); got != want {
		return s.fail(describeMagic(got, want), nil)
	}
	if n, err := io.ReadFull(s.r, h[4:]); err != nil {
		return s.readErr(err, truncated(4+n))
	}
	return nil
}

// payload reads the n bytes of data that the header announced (what
// describes them), then checks that the data ends there.
func (s *idxSource) payload(n int, what string) ([]byte, error) {
	buf, err := readFull(s.r, n)
	if err != nil {
		return nil, s.readErr(err, fmt.Sprintf("truncated: the header announces %s (%d bytes), the data ends after %d", what, n, len(buf)))
	}
	var one [1]byte
	switch m, err := io.ReadFull(s.r, one[:]); {
	case m > 0:
		return nil, s.fail(fmt.Sprintf("trailing data after the %s that the header announces", what), nil)
	case !errors.Is(err, io.EOF):
		return nil, s.readErr(err, fmt.Sprintf("truncated after the %s: the gzip stream ends before its checksum", what))
	}
	return buf, nil
}

// readFull reads exactly n bytes from r. It allocates as the data arrives
// (doubling from 1 MiB), so that a header announcing more data than r
// holds costs about what r holds. On error it returns the bytes read.
func readFull(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// describeMagic says what is wrong with the magic number got.
func describeMagic(got, want uint32) string {
	wantName := map[uint32]string{idxImagesMagic: "uint8 images", idxLabelsMagic: "uint8 labels"}
	w := fmt.Sprintf("want 0x%08x (%s)", want, wantName[want])
	if name, ok := wantName[got]; ok {
		return fmt.Sprintf("magic number 0x%08x is that of %s, %s", got, name, w)
	}
	if got>>16 != 0 {
		return fmt.Sprintf("magic number 0x%08x: not an IDX file, %s", got, w)
	}
	if typ := got >> 8 & 0xff; typ != idxUint8 {
		types := map[uint32]string{0x09: "int8", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64"}
		name, ok := types[typ]
		if !ok {
			name = "unknown"
		}
		return fmt.Sprintf("magic number 0x%08x: element type 0x%02x (%s) is not supported, %s", got, typ, name, w)
	}
	return fmt.Sprintf("magic number 0x%08x: %d dimensions, %s", got, got&0xff, w)
}
