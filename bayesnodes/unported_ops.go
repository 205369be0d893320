package bayesnodes

import (
	"hash"
	"hash/fnv"

	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// scratch and hashOf serve the one op not yet written on internal/opkit,
// the marginal prediction (marginal.go), whose tests count its
// recomputations through its own memo; they go when it moves onto the kit.
// get and sameInput use the kit's memory.
type scratch struct {
	opkit.Scratch
}

func (s *scratch) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense { return s.Get(dt, shape) }

func (s *scratch) sameInput(f64 []float64, f32 []float32) bool {
	if f64 != nil {
		return opkit.SameInput(&s.Scratch, f64)
	}
	return opkit.SameInput(&s.Scratch, f32)
}

// hashOf is Hashcode for ops that write their identity with WriteHash.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
