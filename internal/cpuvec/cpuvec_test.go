package cpuvec

import (
	"slices"
	"testing"
)

// TestEach checks the kernels Each runs for each CPU, and that it puts
// the width back.
func TestEach(t *testing.T) {
	for _, c := range []struct {
		width, unit int
		want        []string
		widths      []int
	}{
		{8, 1, []string{"avx512", "avx2", "go"}, []int{8, 4, 0}},
		{4, 1, []string{"avx2", "go"}, []int{4, 0}},
		{0, 1, []string{"go"}, []int{0}},
		{16, 2, []string{"avx512", "avx2", "go"}, []int{16, 8, 0}},
	} {
		width := c.width
		var names []string
		var widths []int
		Each(&width, c.unit, func(name string) {
			names = append(names, name)
			widths = append(widths, width)
		})
		if !slices.Equal(names, c.want) || !slices.Equal(widths, c.widths) || width != c.width {
			t.Errorf("width %d, unit %d: ran %v at %v, left %d; want %v at %v", c.width, c.unit, names, widths, width, c.want, c.widths)
		}
	}
	if Lanes != 0 && Lanes != 4 && Lanes != 8 {
		t.Errorf("Lanes = %d", Lanes)
	}
}

// TestSplat checks every lane of every constant, and that a count
// mismatch panics rather than leaving lanes zero.
func TestSplat(t *testing.T) {
	var c [3][8]uint64
	Splat("test", c[:], []uint64{1, 2, 3})
	for i := range c {
		for j, x := range c[i] {
			if x != uint64(i+1) {
				t.Errorf("c[%d][%d] = %d, want %d", i, j, x, i+1)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Splat of 2 values into 3 constants did not panic")
		}
	}()
	var d [3][8]float64
	Splat("test", d[:], []float64{1, 2})
}
