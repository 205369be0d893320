#include "textflag.h"
#include "adam_amd64.h"

// Adam's update on YMM registers: adam_avx512_amd64.s's kernel (which
// explains it) with the sixteen registers AVX2 has, Y0-Y8 holding the
// constants and Y9 the OR of the finiteness tests.
#define ADAM256(BCAST, SIZE, MUL, ADD, SUB, SQRT, DIV) \
	ADAM_ARGS(SIZE) \
	BCAST 0*SIZE(AX), Y0 \
	BCAST 1*SIZE(AX), Y1 \
	BCAST 2*SIZE(AX), Y2 \
	BCAST 3*SIZE(AX), Y3 \
	BCAST 4*SIZE(AX), Y4 \
	BCAST 5*SIZE(AX), Y5 \
	BCAST 6*SIZE(AX), Y6 \
	BCAST 7*SIZE(AX), Y7 \
	BCAST 8*SIZE(AX), Y8 \
	VPXOR Y9, Y9, Y9 \
loop: \
	MUL (SI)(BX*1), Y0, Y10 \
	MUL (R8)(BX*1), Y1, Y11 \
	MUL Y10, Y2, Y12 \
	ADD Y12, Y11, Y11 \
	MUL (R9)(BX*1), Y3, Y12 \
	MUL Y10, Y4, Y13 \
	MUL Y10, Y13, Y13 \
	ADD Y13, Y12, Y12 \
	SQRT Y12, Y13 \
	MUL Y5, Y13, Y13 \
	ADD Y6, Y13, Y13 \
	MUL Y11, Y7, Y14 \
	DIV Y13, Y14, Y14 \
	VMOVDQU (DI)(BX*1), Y15 \
	VMOVDQU Y15, (R12)(BX*1) \
	MUL Y15, Y8, Y15 \
	SUB Y14, Y15, Y15 \
	VMOVDQU Y11, (R10)(BX*1) \
	VMOVDQU Y12, (R11)(BX*1) \
	VMOVDQU Y15, (DI)(BX*1) \
	VPXOR Y10, Y10, Y10 \
	VMOVDQU Y10, (SI)(BX*1) \
	SUB Y11, Y11, Y11 \
	SUB Y12, Y12, Y12 \
	SUB Y15, Y15, Y15 \
	VPOR Y11, Y9, Y9 \
	VPOR Y12, Y9, Y9 \
	VPOR Y15, Y9, Y9 \
	ADDQ $32, BX \
	CMPQ BX, CX \
	JB   loop \
	VPTEST Y9, Y9 \
	SETNE ret+72(FP) \
	VZEROUPPER \
	RET

// func adamAVX2F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32]) bool
TEXT ·adamAVX2F32(SB), NOSPLIT, $0-73
	ADAM256(VBROADCASTSS, 4, VMULPS, VADDPS, VSUBPS, VSQRTPS, VDIVPS)

// func adamAVX2F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64]) bool
TEXT ·adamAVX2F64(SB), NOSPLIT, $0-73
	ADAM256(VBROADCASTSD, 8, VMULPD, VADDPD, VSUBPD, VSQRTPD, VDIVPD)
