package gemm

import "github.com/gorgonia-bnn/bnn/internal/parallel"

// Products C = alpha A Bᵀ + beta C whose operands both run along k (A
// untransposed, B transposed) with few rows of A and a long k, such as a
// convolution's weight gradient (output channels by taps, summed over
// every output position of a batch), are computed as dot products: the
// packed scheme would transpose all of B into micro-panels, a copy that
// costs more than such a product, while dot products read both operands
// as they lie.

// dotsKernel adds to acc, sixteen vectors of sixteen lanes (vector 4i+j
// for row i of a and row j of b, rows lda and ldb elements apart), n steps
// of lane-wise products: lane l of vector 4i+j gains a_i[16s+l]·b_j[16s+l]
// at step s, in order.
type dotsKernel[T float] func(n int, a *T, lda int, b *T, ldb int, acc *T)

const (
	dotsBlock = 4  // rows of A, and of B, per kernel call
	dotsLanes = 16 // lanes per vector
	// dotsChunk is how many elements of k a pass over all blocks covers:
	// each pass reads a chunk of B's rows once per block of A's, from L2.
	dotsChunk = 1024
	// dotsMinK is the least k for which dot products beat packing.
	dotsMinK = 256
)

// useDots reports whether gemm computes the product by dotProducts.
func (p *plan[T]) useDots(aTrans, bTrans bool, m, n, k int) bool {
	return p.dots != nil && !aTrans && bTrans && m >= dotsBlock && n >= dotsBlock &&
		m <= directPanels*p.mr && k >= dotsMinK
}

// dotProducts sets C = alpha A Bᵀ + beta C for A m×k and B n×k (m, n >=
// dotsBlock) on up to maxWorkers goroutines, each owning whole blocks of
// B's rows. Element (i, j) sums its k products in sixteen lanes, lane l
// taking products l, l+16, ... in order; then the lanes are added pairwise
// in a fixed order, then the last k mod 16 products one by one: its bits
// depend on the operands only. Blocks of 4 rows at the bottom and right
// edges overlap their neighbours instead of reading past A or B; each
// element is written once.
func (p *plan[T]) dotProducts(m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, maxWorkers int) {
	bn := (n + dotsBlock - 1) / dotsBlock
	workers := min(maxWorkers, bn, max(1, m*n*k/p.parallelMin))
	d := p.call()
	*d = split[T]{p: p, run: d.run, byDots: true, m: m, n: n, k: k, tiles: bn, workers: workers,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	if workers <= 1 {
		d.dotsPart(0)
	} else {
		parallel.Each(workers, d.run)
	}
	*d = split[T]{run: d.run} // drop the operands
	p.calls.Put(d)
}

// dotsPart computes the blocks of B's rows of goroutine w (of d.workers),
// d.tiles blocks in all.
func (d *split[T]) dotsPart(w int) {
	p, m, n, k, lda, ldb := d.p, d.m, d.n, d.k, d.lda, d.ldb
	ws := p.workspace()
	defer p.buffers.Put(ws)
	const vectors = dotsBlock * dotsBlock * dotsLanes
	bm := (m + dotsBlock - 1) / dotsBlock
	bj0, bj1 := w*d.tiles/d.workers, (w+1)*d.tiles/d.workers
	ws.x = grow(ws.x, bm*(bj1-bj0)*vectors)
	acc := ws.x
	clear(acc)
	steps := k / dotsLanes
	for s0 := 0; s0 < steps; s0 += dotsChunk / dotsLanes {
		ns, off := min(dotsChunk/dotsLanes, steps-s0), s0*dotsLanes
		for bi := range bm {
			ai := min(bi*dotsBlock, m-dotsBlock)*lda + off
			for bj := bj0; bj < bj1; bj++ {
				bk := min(bj*dotsBlock, n-dotsBlock)*ldb + off
				p.dots(ns, &d.a[ai], lda, &d.b[bk], ldb, &acc[(bi*(bj1-bj0)+bj-bj0)*vectors])
			}
		}
	}
	for bi := range bm {
		i0 := min(bi*dotsBlock, m-dotsBlock)
		for bj := bj0; bj < bj1; bj++ {
			j0 := min(bj*dotsBlock, n-dotsBlock)
			block := acc[(bi*(bj1-bj0)+bj-bj0)*vectors:][:vectors]
			for r := max(0, bi*dotsBlock-i0); r < dotsBlock; r++ {
				i := i0 + r
				aRow := d.a[i*lda : i*lda+k]
				for q := max(0, bj*dotsBlock-j0); q < dotsBlock; q++ {
					j := j0 + q
					s := sumLanes(block[(r*dotsBlock+q)*dotsLanes:][:dotsLanes])
					bRow := d.b[j*ldb : j*ldb+k]
					for l := steps * dotsLanes; l < k; l++ {
						s += aRow[l] * bRow[l]
					}
					cij := &d.c[i*d.ldc+j]
					if d.beta == 0 {
						*cij = d.alpha * s
						continue
					}
					*cij = T(d.alpha*s) + T(d.beta**cij)
				}
			}
		}
	}
}

// sumLanes adds sixteen lanes pairwise, halves folded onto each other.
func sumLanes[T float](v []T) T {
	var h [dotsLanes]T
	copy(h[:], v)
	for width := dotsLanes / 2; width >= 1; width /= 2 {
		for l := range width {
			h[l] += h[l+width]
		}
	}
	return h[0]
}
