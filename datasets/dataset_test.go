package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// seq returns the floats start, start+1, ..., start+n-1: features whose
// values tell which example they came from.
func seq(start float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = start + float64(i)
	}
	return v
}

// regression returns n examples of 2 features, X row i = (2i, 2i+1),
// with Y row i = 100+i.
func regression(n int) Dataset {
	return Dataset{X: seq(0, 2*n), XShape: []int{2}, Y: seq(100, n), YWidth: 1}
}

// classification returns n examples of 3 features, X row i = (3i, 3i+1,
// 3i+2), with label i%classes.
func classification(n, classes int) Dataset {
	d := Dataset{X: seq(0, 3*n), XShape: []int{3}, Labels: make([]int, n), Classes: classes}
	for i := range d.Labels {
		d.Labels[i] = i % classes
	}
	return d
}

func TestLenWidth(t *testing.T) {
	tests := []struct {
		name     string
		d        Dataset
		len, wid int
	}{
		{"scalar", Dataset{X: seq(0, 5), XShape: []int{1}}, 5, 1},
		{"image", Dataset{X: make([]float64, 3*2*4*4), XShape: []int{2, 4, 4}}, 3, 32},
		{"no examples", Dataset{XShape: []int{4}}, 0, 4},
		{"empty shape", Dataset{X: seq(0, 5)}, 0, 0},
		{"zero dimension", Dataset{X: seq(0, 5), XShape: []int{0, 3}}, 0, 0},
		{"negative dimension", Dataset{X: seq(0, 5), XShape: []int{-1, -5}}, 0, 0},
		{"overflowing shape", Dataset{X: seq(0, 5), XShape: []int{math.MaxInt / 2, 3}}, 0, 0},
		{"ragged X", Dataset{X: seq(0, 5), XShape: []int{2}}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Len(); got != tt.len {
				t.Errorf("Len() = %d, want %d", got, tt.len)
			}
			if got := tt.d.Width(); got != tt.wid {
				t.Errorf("Width() = %d, want %d", got, tt.wid)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	with := func(d Dataset, f func(*Dataset)) Dataset { f(&d); return d }
	tests := []struct {
		name    string
		d       Dataset
		wantErr string // "" for a valid dataset
	}{
		{"regression", regression(4), ""},
		{"classification", classification(4, 3), ""},
		{"multi-output regression", Dataset{X: seq(0, 4), XShape: []int{1}, Y: seq(0, 8), YWidth: 2}, ""},
		{"one class", classification(2, 1), ""},
		{"empty XShape", with(regression(4), func(d *Dataset) { d.XShape = nil }), "XShape is empty"},
		{"zero dimension", with(regression(4), func(d *Dataset) { d.XShape = []int{2, 0} }), "XShape [2 0]: dimension 1 is 0"},
		{"negative dimension", with(regression(4), func(d *Dataset) { d.XShape = []int{-2} }), "dimension 0 is -2"},
		{"overflowing shape", with(regression(4), func(d *Dataset) { d.XShape = []int{math.MaxInt / 2, 3} }), "too many values"},
		{"ragged X", with(regression(4), func(d *Dataset) { d.X = d.X[:7] }), "len(X) = 7 is not a multiple of Width() = 2"},
		{"empty", Dataset{XShape: []int{2}, Y: []float64{}, YWidth: 1}, "empty dataset"},
		{"both targets", with(regression(4), func(d *Dataset) { d.Labels, d.Classes = make([]int, 4), 2 }), "both Y"},
		{"no targets", with(regression(4), func(d *Dataset) { d.Y = nil }), "neither Y"},
		{"YWidth 0", with(regression(4), func(d *Dataset) { d.YWidth = 0 }), "YWidth is 0"},
		{"short Y", with(regression(4), func(d *Dataset) { d.Y = d.Y[:3] }), "len(Y) = 3, want Len() * YWidth = 4 * 1"},
		{"Y not whole rows", with(regression(4), func(d *Dataset) { d.Y, d.YWidth = seq(0, 9), 2 }), "len(Y) = 9"},
		{"NaN in X", with(regression(4), func(d *Dataset) { d.X[5] = math.NaN() }), "X row 2, column 1 is NaN"},
		{"Inf in Y", with(regression(4), func(d *Dataset) { d.Y[3] = math.Inf(-1) }), "Y row 3, column 0 is -Inf"},
		{"Inf in an image", Dataset{X: append(make([]float64, 12+7), math.Inf(1), 0, 0, 0, 0), XShape: []int{1, 3, 4}, Labels: []int{0, 0}, Classes: 1},
			"X row 1, column 7 (element [0 1 3] of shape [1 3 4]) is +Inf"},
		{"short Labels", with(classification(4, 3), func(d *Dataset) { d.Labels = d.Labels[:3] }), "len(Labels) = 3, want Len() = 4"},
		{"Classes 0", with(classification(4, 3), func(d *Dataset) { d.Classes = 0 }), "Classes is 0"},
		{"negative label", with(classification(4, 3), func(d *Dataset) { d.Labels[2] = -1 }), "Labels[2] = -1, outside [0, 3)"},
		{"label = Classes", with(classification(4, 3), func(d *Dataset) { d.Labels[3] = 3 }), "Labels[3] = 3, outside [0, 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Validate() = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestSubset(t *testing.T) {
	d := regression(5)
	s, err := d.Subset([]int{4, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{8, 9, 2, 3, 2, 3}; !slices.Equal(s.X, want) {
		t.Errorf("X = %v, want %v", s.X, want)
	}
	if want := []float64{104, 101, 101}; !slices.Equal(s.Y, want) {
		t.Errorf("Y = %v, want %v", s.Y, want)
	}
	if s.YWidth != 1 || !slices.Equal(s.XShape, []int{2}) || s.Labels != nil {
		t.Errorf("YWidth %d, XShape %v, Labels %v; want 1, [2], nil", s.YWidth, s.XShape, s.Labels)
	}
	// A copy: changing it leaves d alone.
	s.X[0], s.Y[0], s.XShape[0] = -1, -1, 7
	if d.X[8] != 8 || d.Y[4] != 104 || d.XShape[0] != 2 {
		t.Error("changing the subset changed the original")
	}

	c := classification(6, 3)
	sc, err := c.Subset([]int{5, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sc.Labels, []int{2, 0}) || sc.Classes != 3 || sc.Y != nil {
		t.Errorf("Labels %v, Classes %d, Y %v; want [2 0], 3, nil", sc.Labels, sc.Classes, sc.Y)
	}
	if err := sc.Validate(); err != nil {
		t.Errorf("subset does not validate: %v", err)
	}
}

func TestSubsetErrors(t *testing.T) {
	d := regression(5)
	tests := []struct {
		name    string
		d       Dataset
		idx     []int
		wantErr string
	}{
		{"past the end", d, []int{0, 5}, "Subset: idx[1] = 5, outside [0, 5)"},
		{"negative", d, []int{-1}, "idx[0] = -1"},
		{"malformed", Dataset{X: seq(0, 3), XShape: []int{2}}, []int{0}, "not a multiple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.Subset(tt.idx)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Subset(%v) error = %v, want one containing %q", tt.idx, err, tt.wantErr)
			}
		})
	}
}

func TestSlice(t *testing.T) {
	d := classification(5, 2)
	s, err := d.Slice(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 2 || !slices.Equal(s.X, seq(3, 6)) || !slices.Equal(s.Labels, []int{1, 0}) {
		t.Fatalf("Slice(1, 3) = X %v, Labels %v", s.X, s.Labels)
	}
	// Shares storage, like a Go slice...
	s.X[0] = -1
	if d.X[3] != -1 {
		t.Error("Slice copied X; want it to share d's storage")
	}
	// ...but appending to it cannot overwrite the next example.
	_ = append(s.X, 99)
	_ = append(s.Labels, 99)
	if d.X[9] != 9 || d.Labels[3] != 1 {
		t.Error("appending to a Slice overwrote the example after it")
	}
	if e, err := d.Slice(2, 2); err != nil || e.Len() != 0 {
		t.Errorf("Slice(2, 2) = %d examples, %v; want 0, nil", e.Len(), err)
	}
	for _, r := range [][2]int{{-1, 2}, {0, 6}, {3, 2}} {
		if _, err := d.Slice(r[0], r[1]); err == nil || !strings.Contains(err.Error(), "outside [0, 5]") {
			t.Errorf("Slice(%d, %d) error = %v, want one saying outside [0, 5]", r[0], r[1], err)
		}
	}
}

// TestPixels checks a dataset whose features are grey levels: its length,
// batches converted to features, copies and views that stay compact, and
// the errors of a malformed one.
func TestPixels(t *testing.T) {
	d := Dataset{Pixels: []uint8{0, 255, 51, 102, 1, 2}, XShape: []int{2}, Labels: []int{0, 1, 1}, Classes: 2}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 {
		t.Fatalf("Len %d, want 3", d.Len())
	}
	want := []float64{1.0 / 255, 2.0 / 255, 0, 1}
	if got := d.GatherX([]int{2, 0}, nil); !slices.Equal(got, want) {
		t.Errorf("GatherX %v, want %v", got, want)
	}
	sub, err := d.Subset([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if sub.X != nil || !slices.Equal(sub.Pixels, []uint8{1, 2, 0, 255}) {
		t.Errorf("Subset: X %v, Pixels %v; want no X, pixels [1 2 0 255]", sub.X, sub.Pixels)
	}
	sl, err := d.Slice(1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sl.X != nil || !slices.Equal(sl.Pixels, []uint8{51, 102}) || !slices.Equal(sl.Features(), []float64{0.2, 0.4}) {
		t.Errorf("Slice: X %v, Pixels %v, Features %v", sl.X, sl.Pixels, sl.Features())
	}
	both := d
	both.X = make([]float64, 6)
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "both X and Pixels") {
		t.Errorf("X and Pixels both set: error %v", err)
	}
	short := d
	short.Pixels = d.Pixels[:5]
	if err := short.Validate(); err == nil || !strings.Contains(err.Error(), "len(Pixels) = 5") {
		t.Errorf("5 pixels of width 2: error %v", err)
	}
}
