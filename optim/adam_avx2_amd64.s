#include "textflag.h"
#include "adam_amd64.h"

// Adam's update on YMM registers: adam_avx512_amd64.s's kernel (which
// explains it) with the sixteen registers AVX2 has: Y0-Y4 hold gs, b1,
// 1-b1, b2 and 1-b2, the other constants are broadcast where used, Y5
// holds the OR of the finiteness tests and Y6-Y8 the lanes' largest m',
// smallest m' and largest v'.
#define ADAM256(BCAST, SIZE, MUL, ADD, SUB, SQRT, DIV, MAX, MIN) \
	ADAM_ARGS(SIZE) \
	BCAST 0*SIZE(AX), Y0 \
	BCAST 1*SIZE(AX), Y1 \
	BCAST 2*SIZE(AX), Y2 \
	BCAST 3*SIZE(AX), Y3 \
	BCAST 4*SIZE(AX), Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7 \
	VPXOR Y8, Y8, Y8 \
loop: \
	MUL (SI)(BX*1), Y0, Y9 \
	MUL (R8)(BX*1), Y1, Y10 \
	MUL Y9, Y2, Y11 \
	ADD Y11, Y10, Y10 \
	MUL (R9)(BX*1), Y3, Y11 \
	MUL Y9, Y4, Y12 \
	MUL Y9, Y12, Y12 \
	ADD Y12, Y11, Y11 \
	SQRT Y11, Y12 \
	BCAST 5*SIZE(AX), Y13 \
	MUL Y13, Y12, Y12 \
	BCAST 6*SIZE(AX), Y13 \
	ADD Y13, Y12, Y12 \
	BCAST 7*SIZE(AX), Y13 \
	MUL Y10, Y13, Y13 \
	DIV Y12, Y13, Y13 \
	VMOVDQU (DI)(BX*1), Y14 \
	BCAST 8*SIZE(AX), Y15 \
	MUL Y14, Y15, Y15 \
	SUB Y13, Y15, Y15 \
	VMOVDQU Y10, (R10)(BX*1) \
	VMOVDQU Y11, (R11)(BX*1) \
	VMOVDQU Y14, (R12)(BX*1) \
	VMOVDQU Y15, (DI)(BX*1) \
	VPXOR Y9, Y9, Y9 \
	VMOVDQU Y9, (SI)(BX*1) \
	MAX Y10, Y6, Y6 \
	MIN Y10, Y7, Y7 \
	MAX Y11, Y8, Y8 \
	SUB Y10, Y10, Y10 \
	SUB Y11, Y11, Y11 \
	SUB Y15, Y15, Y15 \
	VPOR Y10, Y5, Y5 \
	VPOR Y11, Y5, Y5 \
	VPOR Y15, Y5, Y5 \
	ADDQ $32, BX \
	CMPQ BX, CX \
	JB   loop \
	VMOVDQU Y6, (DX) \
	VMOVDQU Y7, (16*SIZE)(DX) \
	VMOVDQU Y8, (32*SIZE)(DX) \
	VPTEST Y5, Y5 \
	SETNE ret+80(FP) \
	VZEROUPPER \
	RET

// The scan of adam_avx512_amd64.s on YMM registers.
#define SCAN256(SIZE, SUB, MAX, SHIFT) \
	SCAN_ARGS(SIZE) \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPCMPEQD Y3, Y3, Y3 \
	SHIFT $1, Y3, Y3 \
scan: \
	VMOVDQU (SI)(BX*1), Y4 \
	VMOVDQU (DI)(BX*1), Y5 \
	SUB Y4, Y4, Y6 \
	SUB Y5, Y5, Y7 \
	VPOR Y6, Y2, Y2 \
	VPOR Y7, Y2, Y2 \
	VPAND Y3, Y4, Y4 \
	VPAND Y3, Y5, Y5 \
	MAX Y4, Y0, Y0 \
	MAX Y5, Y1, Y1 \
	ADDQ $32, BX \
	CMPQ BX, CX \
	JB   scan \
	VMOVDQU Y0, (DX) \
	VMOVDQU Y1, (16*SIZE)(DX) \
	VPTEST Y2, Y2 \
	SETEQ ret+32(FP) \
	VZEROUPPER \
	RET

// func adamAVX2F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32], mx *laneMax[float32]) bool
TEXT ·adamAVX2F32(SB), NOSPLIT, $0-81
	ADAM256(VBROADCASTSS, 4, VMULPS, VADDPS, VSUBPS, VSQRTPS, VDIVPS, VMAXPS, VMINPS)

// func adamAVX2F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64], mx *laneMax[float64]) bool
TEXT ·adamAVX2F64(SB), NOSPLIT, $0-81
	ADAM256(VBROADCASTSD, 8, VMULPD, VADDPD, VSUBPD, VSQRTPD, VDIVPD, VMAXPD, VMINPD)

// func scanAVX2F32(x, y *float32, n int, mx *laneMax[float32]) bool
TEXT ·scanAVX2F32(SB), NOSPLIT, $0-33
	SCAN256(4, VSUBPS, VMAXPS, VPSRLD)

// func scanAVX2F64(x, y *float64, n int, mx *laneMax[float64]) bool
TEXT ·scanAVX2F64(SB), NOSPLIT, $0-33
	SCAN256(8, VSUBPD, VMAXPD, VPSRLQ)
