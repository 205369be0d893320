package datasets

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestGather(t *testing.T) {
	r := regression(4)
	r.Y, r.YWidth = seq(100, 8), 2
	idx := []int{3, 0, 3}
	if got, want := r.GatherX(idx, nil), []float64{6, 7, 0, 1, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("GatherX = %v, want %v", got, want)
	}
	if got, want := r.GatherY(idx, nil), []float64{106, 107, 100, 101, 106, 107}; !slices.Equal(got, want) {
		t.Errorf("GatherY = %v, want %v", got, want)
	}
	if got := r.GatherOneHot(idx, []float64{5}); len(got) != 0 {
		t.Errorf("GatherOneHot on regression data = %v, want empty", got)
	}

	c := classification(4, 3)
	// A dirty buffer: every value must be overwritten.
	dst := []float64{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	got := c.GatherOneHot([]int{2, 1, 3}, dst)
	if want := []float64{0, 0, 1, 0, 1, 0, 1, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("GatherOneHot = %v, want %v", got, want)
	}
	if got := c.GatherY([]int{0}, nil); len(got) != 0 {
		t.Errorf("GatherY on classification data = %v, want empty", got)
	}
	if got := c.GatherX(nil, nil); len(got) != 0 {
		t.Errorf("GatherX(nil) = %v, want empty", got)
	}
}

func TestGatherReusesBuffer(t *testing.T) {
	d := classification(64, 10)
	idx := []int{5, 9, 63, 0}
	x := make([]float64, 0, 100)
	y := make([]float64, 40)
	if got := d.GatherX(idx, x); &got[0] != &x[:1][0] || len(got) != 12 {
		t.Error("GatherX did not fill the buffer it was given")
	}
	if got := d.GatherOneHot(idx, y); &got[0] != &y[0] || len(got) != 40 {
		t.Error("GatherOneHot did not fill the buffer it was given")
	}
	allocs := testing.AllocsPerRun(100, func() {
		x = d.GatherX(idx, x)
		y = d.GatherOneHot(idx, y)
	})
	if allocs != 0 {
		t.Errorf("gathering into large enough buffers allocates %v times, want 0", allocs)
	}
	small := make([]float64, 2, 5)
	if got := d.GatherX(idx, small); len(got) != 12 || !slices.Equal(got[:3], []float64{15, 16, 17}) {
		t.Errorf("GatherX into a small buffer = %v", got)
	}
}

func TestGatherPanicsOnBadIndex(t *testing.T) {
	r, c, bad := regression(4), classification(4, 2), classification(4, 2)
	bad.Labels[1] = 2
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"GatherX", func() { r.GatherX([]int{0, 7}, nil) }, "GatherX: idx[1] = 7, outside [0, 4)"},
		{"GatherY", func() { r.GatherY([]int{-1}, nil) }, "GatherY: idx[0] = -1"},
		{"GatherOneHot index", func() { c.GatherOneHot([]int{4}, nil) }, "GatherOneHot: idx[0] = 4"},
		{"GatherOneHot label", func() { bad.GatherOneHot([]int{0, 1}, nil) }, "Labels[1] = 2, outside [0, 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg := fmt.Sprint(r); r == nil || !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
}

func BenchmarkGatherXMNISTBatch(b *testing.B) {
	d := Dataset{X: make([]float64, 1000*784), XShape: []int{1, 28, 28}, Labels: make([]int, 1000), Classes: 10}
	batches, err := d.Batches(128, nil)
	if err != nil {
		b.Fatal(err)
	}
	var x []float64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		x = d.GatherX(batches[i%len(batches)], x)
	}
}
