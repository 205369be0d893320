package gvalue

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestScalar(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    G.Value
		want float64
		ok   bool
	}{
		{"F64", G.NewF64(2.5), 2.5, true},
		{"F32", G.NewF32(-1.5), -1.5, true},
		{"float64 tensor of one", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{3})), 3, true},
		{"float32 tensor of one", tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float32{4})), 4, true},
		{"float64 tensor of two", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), 0, false},
		{"int tensor", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int{1})), 0, false},
		{"nil", nil, 0, false},
	} {
		got, ok := Scalar(tc.v)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: Scalar = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
