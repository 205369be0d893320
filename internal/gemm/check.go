package gemm

import "gonum.org/v1/gonum/blas"

// gonum's panic messages, so that callers see the same contract whichever
// implementation runs.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// checkArgs panics, in gonum's order and with its messages, on arguments
// that break the gemm contract, and reports whether A and B are
// transposed. Lengths are not checked when C is empty, as in gonum.
func checkArgs(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) (aTrans, bTrans bool) {
	aTrans = isTrans(tA)
	bTrans = isTrans(tB)
	switch {
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	case aTrans && lda < max(1, m), !aTrans && lda < max(1, k):
		panic(badLdA)
	case bTrans && ldb < max(1, k), !bTrans && ldb < max(1, n):
		panic(badLdB)
	case ldc < max(1, n):
		panic(badLdC)
	case m == 0 || n == 0:
		return aTrans, bTrans
	case aTrans && lenA < (k-1)*lda+m, !aTrans && lenA < (m-1)*lda+k:
		panic(shortA)
	case bTrans && lenB < (n-1)*ldb+k, !bTrans && lenB < (k-1)*ldb+n:
		panic(shortB)
	case lenC < (m-1)*ldc+n:
		panic(shortC)
	}
	return aTrans, bTrans
}

func isTrans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic(badTranspose)
}
