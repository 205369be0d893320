#include "textflag.h"
#include "adam_amd64.h"

// Adam's update on ZMM registers (see adamVector and adamGo, which it
// matches bit for bit): per register of elements, with the step's
// constants broadcast in Z0-Z8 (adamK's order: gs, b1, 1-b1, b2, 1-b2,
// isb, eps, ss, decay),
//
//	gi = gs*g;  m' = b1*m + (1-b1)*gi;  v' = b2*v + ((1-b2)*gi)*gi
//	w' = decay*w - (ss*m') / (sqrt(v')*isb + eps)
//
// storing m', v', w (to old), w' and a zero gradient (the stores to mn
// and old come first, so that mn = m, vn = v and old = w update in
// place). It keeps the largest m', the smallest m' and the largest v' of
// each lane in Z18-Z20, stored to mx at the end, and ORs v'-v', m'-m' and
// w'-w' (0 for a finite value, NaN otherwise) into Z9, which decides the
// result. BX walks the byte offset up to CX.
#define ADAM512(BCAST, SIZE, MUL, ADD, SUB, SQRT, DIV, MAX, MIN) \
	ADAM_ARGS(SIZE) \
	BCAST 0*SIZE(AX), Z0 \
	BCAST 1*SIZE(AX), Z1 \
	BCAST 2*SIZE(AX), Z2 \
	BCAST 3*SIZE(AX), Z3 \
	BCAST 4*SIZE(AX), Z4 \
	BCAST 5*SIZE(AX), Z5 \
	BCAST 6*SIZE(AX), Z6 \
	BCAST 7*SIZE(AX), Z7 \
	BCAST 8*SIZE(AX), Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
loop: \
	MUL (SI)(BX*1), Z0, Z11 \
	MUL (R8)(BX*1), Z1, Z12 \
	MUL Z11, Z2, Z13 \
	ADD Z13, Z12, Z12 \
	MUL (R9)(BX*1), Z3, Z13 \
	MUL Z11, Z4, Z14 \
	MUL Z11, Z14, Z14 \
	ADD Z14, Z13, Z13 \
	SQRT Z13, Z14 \
	MUL Z5, Z14, Z14 \
	ADD Z6, Z14, Z14 \
	MUL Z12, Z7, Z15 \
	DIV Z14, Z15, Z15 \
	VMOVDQU64 (DI)(BX*1), Z16 \
	MUL Z16, Z8, Z17 \
	SUB Z15, Z17, Z17 \
	VMOVDQU64 Z12, (R10)(BX*1) \
	VMOVDQU64 Z13, (R11)(BX*1) \
	VMOVDQU64 Z16, (R12)(BX*1) \
	VMOVDQU64 Z17, (DI)(BX*1) \
	VMOVDQU64 Z10, (SI)(BX*1) \
	MAX Z12, Z18, Z18 \
	MIN Z12, Z19, Z19 \
	MAX Z13, Z20, Z20 \
	SUB Z12, Z12, Z12 \
	SUB Z13, Z13, Z13 \
	SUB Z17, Z17, Z17 \
	VPTERNLOGD $0xfe, Z12, Z13, Z17 \
	VPORD Z17, Z9, Z9 \
	ADDQ $64, BX \
	CMPQ BX, CX \
	JB   loop \
	VMOVDQU64 Z18, (DX) \
	VMOVDQU64 Z19, (16*SIZE)(DX) \
	VMOVDQU64 Z20, (32*SIZE)(DX) \
	VPTESTMD Z9, Z9, K1 \
	KORTESTW K1, K1 \
	SETNE ret+80(FP) \
	VZEROUPPER \
	RET

// The scan before an in-place step (see scanVector): the largest |x| and
// |y| of each lane in Z0 and Z1, stored to mx, and x-x | y-y ORed into Z2,
// which is zero only if every element is finite. Z3 clears the sign.
#define SCAN512(SIZE, SUB, MAX, SHIFT) \
	SCAN_ARGS(SIZE) \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPTERNLOGD $0xff, Z3, Z3, Z3 \
	SHIFT $1, Z3, Z3 \
scan: \
	VMOVDQU64 (SI)(BX*1), Z4 \
	VMOVDQU64 (DI)(BX*1), Z5 \
	SUB Z4, Z4, Z6 \
	SUB Z5, Z5, Z7 \
	VPTERNLOGD $0xfe, Z6, Z7, Z2 \
	VPANDD Z3, Z4, Z4 \
	VPANDD Z3, Z5, Z5 \
	MAX Z4, Z0, Z0 \
	MAX Z5, Z1, Z1 \
	ADDQ $64, BX \
	CMPQ BX, CX \
	JB   scan \
	VMOVDQU64 Z0, (DX) \
	VMOVDQU64 Z1, (16*SIZE)(DX) \
	VPTESTMD Z2, Z2, K1 \
	KORTESTW K1, K1 \
	SETEQ ret+32(FP) \
	VZEROUPPER \
	RET

// func adamAVX512F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32], mx *laneMax[float32]) bool
TEXT ·adamAVX512F32(SB), NOSPLIT, $0-81
	ADAM512(VBROADCASTSS, 4, VMULPS, VADDPS, VSUBPS, VSQRTPS, VDIVPS, VMAXPS, VMINPS)

// func adamAVX512F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64], mx *laneMax[float64]) bool
TEXT ·adamAVX512F64(SB), NOSPLIT, $0-81
	ADAM512(VBROADCASTSD, 8, VMULPD, VADDPD, VSUBPD, VSQRTPD, VDIVPD, VMAXPD, VMINPD)

// func scanAVX512F32(x, y *float32, n int, mx *laneMax[float32]) bool
TEXT ·scanAVX512F32(SB), NOSPLIT, $0-33
	SCAN512(4, VSUBPS, VMAXPS, VPSRLD)

// func scanAVX512F64(x, y *float64, n int, mx *laneMax[float64]) bool
TEXT ·scanAVX512F64(SB), NOSPLIT, $0-33
	SCAN512(8, VSUBPD, VMAXPD, VPSRLQ)
