package gemm

// thin computes C = alpha op(A) op(B) + beta C when m, n or k is one
// (outer products, matrix-vector and vector-matrix products, dot
// products) from level-1 kernels over the operands in place: packing them
// into 6-row tiles would cost more than the product, and most of each
// tile would be padding. It runs on the calling goroutine.
func (p *plan[T]) thin(aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if k != 1 || beta != 0 {
		scale(m, n, beta, c, ldc)
	}
	w := p.workspace()
	defer p.buffers.Put(w)
	// Strides between consecutive elements of a row of op(A) and of a
	// column of op(B).
	strideA, strideB := 1, ldb
	if aTrans {
		strideA = lda
	}
	if bTrans {
		strideB = 1
	}
	switch {
	case k == 1: // C += (alpha op(A)[i][0]) op(B)[0]
		bRow := b[:n]
		if bTrans {
			bRow = gather(&w.x, b, ldb, n)
		}
		strideCol := lda // between elements of op(A)'s one column
		if aTrans {
			strideCol = 1
		}
		for i := range m {
			if beta == 0 { // C is not read
				p.scal(alpha*a[i*strideCol], bRow, c[i*ldc:i*ldc+n])
				continue
			}
			p.axpy(alpha*a[i*strideCol], bRow, c[i*ldc:i*ldc+n])
		}
	case m == 1 && n == 1:
		c[0] += alpha * p.dot(gather(&w.x, a, strideA, k), gather(&w.y, b, strideB, k))
	case m == 1 && !bTrans: // C[0] += Σ_q (alpha op(A)[0][q]) B[q]
		for q := range k {
			p.axpy(alpha*a[q*strideA], b[q*ldb:q*ldb+n], c[:n])
		}
	case m == 1: // C[0][j] += alpha op(A)[0]·B[j]
		aRow := gather(&w.x, a, strideA, k)
		for j := range n {
			c[j] += alpha * p.dot(aRow, b[j*ldb:j*ldb+k])
		}
	case !aTrans: // n == 1: C[i][0] += alpha A[i]·op(B)ᵀ[0]
		bCol := gather(&w.x, b, strideB, k)
		for i := range m {
			c[i*ldc] += alpha * p.dot(a[i*lda:i*lda+k], bCol)
		}
	default: // n == 1, A transposed: C[:][0] += Σ_q (alpha op(B)[q][0]) A[q]
		cCol := gather(&w.y, c, ldc, m)
		for q := range k {
			p.axpy(alpha*b[q*strideB], a[q*lda:q*lda+m], cCol)
		}
		if ldc != 1 {
			for i, v := range cCol {
				c[i*ldc] = v
			}
		}
	}
}

// gather returns the n elements of x that are stride apart: x itself when
// they are contiguous, else a copy in *buf, which it grows as needed.
func gather[T float](buf *[]T, x []T, stride, n int) []T {
	if stride == 1 {
		return x[:n]
	}
	*buf = grow(*buf, n)
	v := *buf
	for i := range v {
		v[i] = x[i*stride]
	}
	return v
}
