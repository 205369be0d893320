package datasets

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestBatchesInOrder(t *testing.T) {
	d := regression(10)
	got, err := d.Batches(3, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("Batches(3, nil) = %v, want %v", got, want)
	}
	// Appending to a batch must not overwrite the next one.
	_ = append(got[0], -1)
	if got[1][0] != 3 {
		t.Error("appending to batch 0 overwrote batch 1")
	}
}

func TestBatchesShuffled(t *testing.T) {
	d := regression(103)
	for _, size := range []int{1, 10, 103, 1000} {
		batches, err := d.Batches(size, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if want := (103 + size - 1) / size; len(batches) != want {
			t.Errorf("size %d: %d batches, want %d", size, len(batches), want)
		}
		var all []int
		for i, b := range batches {
			if i < len(batches)-1 && len(b) != size {
				t.Errorf("size %d: batch %d has %d indices", size, i, len(b))
			}
			all = append(all, b...)
		}
		if size < 103 && slices.IsSorted(all) {
			t.Errorf("size %d: indices in order; want them permuted", size)
		}
		slices.Sort(all)
		for i, k := range all {
			if k != i {
				t.Fatalf("size %d: indices %v, want each of 0-102 once", size, all)
			}
		}
	}
	a, _ := d.Batches(8, rand.New(rand.NewPCG(5, 5)))
	b, _ := d.Batches(8, rand.New(rand.NewPCG(5, 5)))
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Error("generators with the same seed gave different batches")
	}
}

func TestBatchesErrors(t *testing.T) {
	tests := []struct {
		name    string
		d       Dataset
		size    int
		wantErr string
	}{
		{"size 0", regression(3), 0, "size 0, want at least 1"},
		{"negative size", regression(3), -2, "size -2"},
		{"empty", Dataset{XShape: []int{1}}, 4, "empty dataset"},
		{"malformed", Dataset{X: seq(0, 4), XShape: []int{1}, Labels: []int{0}}, 4, "len(Labels) = 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.Batches(tt.size, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Batches(%d) error = %v, want one containing %q", tt.size, err, tt.wantErr)
			}
		})
	}
	// A huge size is one batch, not an overflow.
	d := regression(3)
	if b, err := d.Batches(math.MaxInt, nil); err != nil || len(b) != 1 || len(b[0]) != 3 {
		t.Errorf("Batches(MaxInt) = %v, %v; want one batch of 3", b, err)
	}
}
