// Package opkit writes the Gorgonia op skeleton once, so that each of the
// library's own ops is its mathematics and nothing else.
//
// An op is a Math[T]: its name and parameters (String), the ranks of its
// inputs and output (Ranks), how its output's shape follows from its
// inputs' (Shape), and how its output's elements follow from theirs
// (Eval), written once for T = float32 and float64. A Math that also has a
// gradient implements Differentiable. New wraps a Math into a Gorgonia
// op, which supplies the rest: arity and type, the checks of arity, dtype
// and shape on every run, contiguous inputs, the hash, the memory flags,
// and the output's memory, made on the first run and reused on every
// later one. Apply chooses the float32 or float64 Math by the inputs'
// dtype and adds the op to their graph.
//
// # Memory
//
// Gorgonia v0.9.18's TapeMachine hands a preallocated destination
// (UsePreallocDo) only to ops that call external code, so any other op
// would allocate its result on every run. An op here writes into memory
// of its own instead, under a tensor header reused while it is intact (see
// Scratch). That is safe because each node has its own op value (New makes
// a fresh one; hash-consing keeps the first of two equal nodes and drops
// the other's op), nothing reads a node's value across runs but G.Read,
// which copies, and gradients reach the parameters by being added into
// their dual values. An op value must not run in two graphs at once.
//
// # Identity
//
// Two nodes whose ops hash alike are merged by Gorgonia's hash-consing. An
// op's hash is its Math's String (which must therefore name every
// parameter exactly: %v prints a float64 in its shortest exact form), its
// dtype and its type.
package opkit
