// Package plots draws the pictures that show a Bayesian network's
// uncertainty: predictive bands for regression, reliability diagrams,
// overlaid entropy histograms for in- and out-of-distribution inputs, and
// grids of digit images.
//
// Every function returns the picture as PNG bytes, ready to be displayed
// by a notebook or served over HTTP, and has a Save twin that writes the
// same bytes to a file atomically (a reader never sees a half-written
// picture). Pictures are 6 × 4 inches at 96 dots per inch, 576 × 384
// pixels, except for Digits, whose size follows its grid.
//
// Inputs are plain float64 slices, validated before anything is drawn: a
// wrong length, a NaN or an infinity is reported as an error naming the
// field and the index.
package plots
