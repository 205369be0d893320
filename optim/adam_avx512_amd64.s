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
// storing m', v', w (to old), w' and a zero gradient, and ORing v'-v',
// m'-m' and w'-w' (0 for a finite value, NaN otherwise) into Z9, which
// decides the result. BX walks the byte offset up to CX.
#define ADAM512(BCAST, SIZE, MUL, ADD, SUB, SQRT, DIV) \
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
	SUB Z12, Z12, Z12 \
	SUB Z13, Z13, Z13 \
	SUB Z17, Z17, Z17 \
	VPTERNLOGD $0xfe, Z12, Z13, Z17 \
	VPORD Z17, Z9, Z9 \
	ADDQ $64, BX \
	CMPQ BX, CX \
	JB   loop \
	VPTESTMD Z9, Z9, K1 \
	KORTESTW K1, K1 \
	SETNE ret+72(FP) \
	VZEROUPPER \
	RET

// func adamAVX512F32(w, grad, m, v, mn, vn, old *float32, n int, c *adamK[float32]) bool
TEXT ·adamAVX512F32(SB), NOSPLIT, $0-73
	ADAM512(VBROADCASTSS, 4, VMULPS, VADDPS, VSUBPS, VSQRTPS, VDIVPS)

// func adamAVX512F64(w, grad, m, v, mn, vn, old *float64, n int, c *adamK[float64]) bool
TEXT ·adamAVX512F64(SB), NOSPLIT, $0-73
	ADAM512(VBROADCASTSD, 8, VMULPD, VADDPD, VSUBPD, VSQRTPD, VDIVPD)
