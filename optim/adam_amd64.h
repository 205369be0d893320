// The arguments of the Adam kernels (adam_avx2_amd64.s,
// adam_avx512_amd64.s), func(w, grad, m, v, mn, vn, old *T, n int,
// c *adamK[T], mx *[3][16]T) bool: the slices in DI, SI, R8-R12, n*SIZE
// (bytes) in CX, the constants in AX, mx in DX; BX, the byte offset,
// starts at 0.
#define ADAM_ARGS(SIZE) \
	MOVQ w+0(FP), DI \
	MOVQ grad+8(FP), SI \
	MOVQ m+16(FP), R8 \
	MOVQ v+24(FP), R9 \
	MOVQ mn+32(FP), R10 \
	MOVQ vn+40(FP), R11 \
	MOVQ old+48(FP), R12 \
	MOVQ n+56(FP), CX \
	MOVQ c+64(FP), AX \
	MOVQ mx+72(FP), DX \
	IMULQ $SIZE, CX \
	XORQ BX, BX

// The arguments of the scan kernels, func(x, y *T, n int, mx *[3][16]T)
// bool: x and y in SI and DI, n*SIZE (bytes) in CX, mx in DX; BX starts
// at 0.
#define SCAN_ARGS(SIZE) \
	MOVQ x+0(FP), SI \
	MOVQ y+8(FP), DI \
	MOVQ n+16(FP), CX \
	MOVQ mx+24(FP), DX \
	IMULQ $SIZE, CX \
	XORQ BX, BX
