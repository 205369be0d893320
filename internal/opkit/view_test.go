package opkit

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// tail is the last n elements of a vector, as a view.
type tail[T Float] struct{ n, at int }

func (m tail[T]) String() string      { return fmt.Sprintf("test.tail(%d)", m.n) }
func (m tail[T]) Ranks() ([]int, int) { return []int{1}, 2 }
func (m tail[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.Shape{1, m.n}, nil
}
func (m tail[T]) Offset(in []tensor.Shape) int { return m.at }
func (m tail[T]) Eval(*Args[T]) error          { panic("a view's Eval is not called") }

// TestViewer checks that a Viewer's output is its input's memory, under a
// header reused across runs, and that a view beyond the input fails.
func TestViewer(t *testing.T) {
	in := vec[float32](1, 2, 3, 4, 5)
	op := New[float32](tail[float32]{n: 2, at: 3})
	v, err := op.Do(in)
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*tensor.Dense)
	if got := d.Float32s(); !d.Shape().Eq(tensor.Shape{1, 2}) || len(got) != 2 || got[0] != 4 || got[1] != 5 {
		t.Fatalf("view %v %v, want [4 5] of shape (1, 2)", d.Shape(), got)
	}
	d.Float32s()[0] = 40
	if in.Float32s()[3] != 40 {
		t.Errorf("a write to the view did not reach the input: it is a copy")
	}
	again, err := op.Do(in)
	if err != nil {
		t.Fatal(err)
	}
	if again != v {
		t.Errorf("a second run on the same input made a new header")
	}
	if _, err := New[float32](tail[float32]{n: 2, at: 4}).Do(in); err == nil {
		t.Errorf("a view of elements [4, 6) of 5 did not fail")
	}
}
