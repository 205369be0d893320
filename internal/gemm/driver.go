package gemm

import (
	"sync"

	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

type float interface{ float32 | float64 }

// microKernel sets the mr×nr tile at c (rows ldc apart) to
// alpha·Σ_p a_p b_pᵀ + beta·c, summing p = 0..k-1 in order, from a packed
// A panel (k steps of mr values) and a B panel of k steps of nr values,
// ldb apart (nr when packed). beta == 0 (either sign) means c is not read.
type microKernel[T float] func(k int, a, b, c *T, ldb, ldc int, alpha, beta T)

// directPanels is the most micro-panels of A (rows of op(A) over mr) for
// which an untransposed B is read in place by the micro-kernel instead of
// packed. Packing copies B once so that each A micro-panel reads it
// contiguously; with few A panels, as in a convolution's product of a few
// output channels by a wide im2col matrix, the copy costs more than the
// product (the panels read B once, or again from L1).
const directPanels = 4

// plan is how one element type is multiplied: the micro-kernel and its
// tile, the cache blocks and the pool of packing buffers.
type plan[T float] struct {
	kernel microKernel[T]
	dots   dotsKernel[T]           // nil where there is none: see useDots
	axpy   func(alpha T, x, y []T) // y += alpha x over len(x)
	dot    func(x, y []T) T        // x·y over len(x)
	scal   func(alpha T, x, y []T) // y = alpha x over len(x)
	mr, nr int                     // micro-tile of C
	kc     int                     // depth of a packed panel: A and B micro-panels fit in L1
	mc     int                     // rows of A packed at once: the A block stays in L2
	nc     int                     // columns of B packed at once
	// parallelMin is the least m·n·k worth a second goroutine.
	parallelMin int
	buffers     sync.Pool // of *workspace[T]
	calls       sync.Pool // of *split[T]
}

// workspace holds one goroutine's packed A block, packed B block and the
// tile that edge micro-tiles are computed into, and the vectors thin
// products gather strided operands into. Each grows to the largest size
// asked of it, so a steady state allocates nothing.
type workspace[T float] struct {
	a, b, tile []T
	x, y       []T
}

func (p *plan[T]) workspace() *workspace[T] {
	if w, ok := p.buffers.Get().(*workspace[T]); ok {
		return w
	}
	return new(workspace[T])
}

// grow returns s resliced to n elements, reallocated if it is too small.
func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemm sets C = alpha op(A) op(B) + beta C (m, n > 0; arguments checked)
// on up to maxWorkers goroutines. The goroutines own disjoint blocks of C
// whose edges fall on the micro-tile grid, and the k loop is blocked the
// same way whatever their number, so the result is too. The others are
// internal/parallel's workers: gemm must not run inside one of their
// tasks, which would wait on themselves.
func gemm[T float](p *plan[T], aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, maxWorkers int) {
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	if m == 1 || n == 1 || k == 1 {
		p.thin(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if p.useDots(aTrans, bTrans, m, n, k) {
		p.dotProducts(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxWorkers)
		return
	}
	tilesM := (m + p.mr - 1) / p.mr
	tilesN := (n + p.nr - 1) / p.nr
	// Every goroutine packs all of the operand that is not split, so split
	// the dimension that leaves the smaller one to pack twice.
	splitN := n >= m && tilesN > 1 || tilesM == 1
	tiles := tilesM
	if splitN {
		tiles = tilesN
	}
	workers := min(maxWorkers, tiles, max(1, m*n*k/p.parallelMin))
	if workers <= 1 {
		p.serial(aTrans, bTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	c0 := p.call()
	*c0 = split[T]{p: p, run: c0.run, aTrans: aTrans, bTrans: bTrans, splitN: splitN, m: m, n: n, k: k,
		tiles: tiles, workers: workers, alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	parallel.Each(workers, c0.run)
	*c0 = split[T]{run: c0.run} // drop the operands
	p.calls.Put(c0)
}

// split is one product shared among goroutines that own disjoint blocks of
// C, kept in a pool with its method value run, so that sharing it
// allocates nothing.
type split[T float] struct {
	p                      *plan[T]
	run                    func(lo, hi int) // part, bound once
	aTrans, bTrans, splitN bool
	byDots                 bool // by dot products, tiles blocks of B's rows
	m, n, k, tiles         int
	workers                int
	alpha, beta            T
	a, b, c                []T
	lda, ldb, ldc          int
}

func (p *plan[T]) call() *split[T] {
	if c, ok := p.calls.Get().(*split[T]); ok {
		return c
	}
	c := new(split[T])
	c.run = c.part
	return c
}

// part computes the blocks of goroutine w (of s.workers): a contiguous run
// of micro-tile columns (splitN) or rows.
func (s *split[T]) part(w, _ int) {
	if s.byDots {
		s.dotsPart(w)
		return
	}
	p := s.p
	t0, t1 := w*s.tiles/s.workers, (w+1)*s.tiles/s.workers
	if s.splitN {
		j0, j1 := t0*p.nr, min(t1*p.nr, s.n)
		bj := j0
		if s.bTrans {
			bj = j0 * s.ldb
		}
		p.serial(s.aTrans, s.bTrans, s.m, j1-j0, s.k, s.alpha, s.a, s.lda, s.b[bj:], s.ldb, s.beta, s.c[j0:], s.ldc)
		return
	}
	i0, i1 := t0*p.mr, min(t1*p.mr, s.m)
	ai := i0 * s.lda
	if s.aTrans {
		ai = i0
	}
	p.serial(s.aTrans, s.bTrans, i1-i0, s.n, s.k, s.alpha, s.a[ai:], s.lda, s.b, s.ldb, s.beta, s.c[i0*s.ldc:], s.ldc)
}

// scale sets C = beta C, or zero without reading C when beta is zero.
func scale[T float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// serial is the blocked product on the calling goroutine: for each block
// of nc columns and each kc-deep slice of k, pack B once (or, read in
// place, only its partial last micro-panel), then for each block of mc
// rows pack A and sweep the micro-kernel over the tiles. The first slice
// of k applies beta; later ones add to what it left. Reading B in place
// or packed gives the same bits: the kernel sees the same values.
func (p *plan[T]) serial(aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	w := p.workspace()
	defer p.buffers.Put(w)
	direct := !bTrans && m <= directPanels*p.mr
	w.a = grow(w.a, min(p.mc, roundUp(m, p.mr))*min(p.kc, k))
	w.b = grow(w.b, min(p.kc, k)*min(p.nc, roundUp(n, p.nr)))
	w.tile = grow(w.tile, p.mr*p.nr)
	for jc := 0; jc < n; jc += p.nc {
		cols := min(p.nc, n-jc)
		for pc := 0; pc < k; pc += p.kc {
			depth := min(p.kc, k-pc)
			blk := bBlock[T]{packed: w.b}
			if direct {
				full := cols / p.nr * p.nr
				blk = bBlock[T]{packed: w.b, direct: b[pc*ldb+jc:], ldb: ldb, full: full}
				packB(false, b, ldb, pc, jc+full, depth, cols-full, p.nr, w.b)
			} else {
				packB(bTrans, b, ldb, pc, jc, depth, cols, p.nr, w.b)
			}
			betaBlock := beta
			if pc > 0 {
				betaBlock = 1
			}
			for ic := 0; ic < m; ic += p.mc {
				rows := min(p.mc, m-ic)
				packA(aTrans, a, lda, ic, pc, rows, depth, p.mr, w.a)
				p.macro(rows, cols, depth, alpha, w.a, blk, betaBlock, c[ic*ldc+jc:], ldc, w.tile)
			}
		}
	}
}

// bBlock is where the micro-panels of a block of B lie: packed one after
// another, or the first full columns read in place (rows ldb apart) and
// the rest packed.
type bBlock[T float] struct {
	packed, direct []T
	ldb, full      int
}

// panel returns micro-panel j0 (its first column) of a block of depth
// steps and the distance between its steps.
func (b bBlock[T]) panel(j0, depth, nr int) (*T, int) {
	if j0 < b.full {
		return &b.direct[j0], b.ldb
	}
	return &b.packed[(j0-b.full)*depth], nr
}

// macro runs the micro-kernel over the rows×cols block of C from packed
// blocks of depth steps. Partial tiles at the edges are computed into tile
// and only their valid part is written back, with the same arithmetic as
// the kernel's (alpha·t, then + beta·c, each rounded).
func (p *plan[T]) macro(rows, cols, depth int, alpha T, a []T, b bBlock[T], beta T, c []T, ldc int, tile []T) {
	mr, nr := p.mr, p.nr
	for jr := 0; jr < cols; jr += nr {
		w := min(nr, cols-jr)
		bp, ldb := b.panel(jr, depth, nr)
		for ir := 0; ir < rows; ir += mr {
			h := min(mr, rows-ir)
			ap := &a[ir*depth]
			if h == mr && w == nr {
				p.kernel(depth, ap, bp, &c[ir*ldc+jr], ldb, ldc, alpha, beta)
				continue
			}
			p.kernel(depth, ap, bp, &tile[0], ldb, nr, 1, 0)
			for i := range h {
				t := tile[i*nr : i*nr+w]
				row := c[(ir+i)*ldc+jr:][:w]
				if beta == 0 {
					for j, v := range t {
						row[j] = alpha * v
					}
					continue
				}
				for j, v := range t {
					row[j] = T(alpha*v) + T(beta*row[j])
				}
			}
		}
	}
}

// roundUp returns n rounded up to a multiple of step.
func roundUp(n, step int) int {
	return (n + step - 1) / step * step
}
