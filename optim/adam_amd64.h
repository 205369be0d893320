// The arguments of the Adam kernels (adam_avx2_amd64.s,
// adam_avx512_amd64.s), func(w, grad, m, v, mn, vn, old *T, n int,
// c *adamK[T]) bool: the slices in DI, SI, R8-R12, n*SIZE (bytes) in CX,
// the constants in AX; BX, the byte offset, starts at 0.
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
	IMULQ $SIZE, CX \
	XORQ BX, BX
