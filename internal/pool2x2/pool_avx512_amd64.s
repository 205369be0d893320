#include "textflag.h"

// MAXPS sets C to max(A, B) lane by lane as Go's max does: a NaN if
// either is one, +0 for -0 and +0. VMAXPS alone returns B for a NaN or
// two zeros; equal lanes take A AND B (+0 from ±0), unordered ones A + B
// (a NaN).
#define MAXPS(A, B, C) \
	VMAXPS B, A, C \
	VCMPPS $0, B, A, K3 \
	VPANDD B, A, K3, C \
	VCMPPS $3, B, A, K4 \
	VADDPS B, A, K4, C

// WINDOWMAX sets Z4 to the maximum of each 2x2 window of the rows in Z0
// and Z1 (eight windows), in both lanes of the window's pair.
#define WINDOWMAX \
	MAXPS(Z0, Z1, Z2) \
	VPERMILPS $0xB1, Z2, Z3 \
	MAXPS(Z2, Z3, Z4)

// func rowMax(n int, r0, r1, y *float32)
TEXT ·rowMax(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ y+24(FP), DI

full:
	CMPQ CX, $8
	JLT tail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	WINDOWMAX
	VPMOVQD Z4, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP full

tail:
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2 // one bit per window
	SHLQ $1, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1 // one bit per input of a row
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	WINDOWMAX
	VPMOVQD Z4, K2, (DI)

done:
	VZEROUPPER
	RET

// func rowGrad(n int, r0, r1, dy, d0, d1 *float32)
TEXT ·rowGrad(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ dy+24(FP), R8
	MOVQ d0+32(FP), DI
	MOVQ d1+40(FP), BX
	MOVL $0xFFFF, AX // inputs of a row in this step
	MOVL $0xFF, R12  // windows in this step
	KMOVW R12, K2

step:
	TESTQ CX, CX
	JZ done
	CMPQ CX, $8
	JGE load
	MOVL $1, R12
	SHLL CX, R12
	DECL R12
	KMOVW R12, K2
	SHLQ $1, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ $8, CX // the last step

load:
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	WINDOWMAX
	// q0, q1: the inputs of each row that are the maximum or a NaN.
	VCMPPS $0, Z4, Z0, K5
	VCMPPS $3, Z0, Z0, K6
	KMOVW K5, R9
	KMOVW K6, R10
	ORL R10, R9
	VCMPPS $0, Z4, Z1, K5
	VCMPPS $3, Z1, Z1, K6
	KMOVW K5, R10
	KMOVW K6, R11
	ORL R11, R10
	// The first of a, b (row 0) and e, f (row 1) of each window: even
	// bits a and e, odd bits b and f.
	MOVL R9, R11
	ANDL $0x5555, R11 // ka
	MOVL R11, R12
	SHLL $1, R12
	NOTL R12
	ANDL R9, R12
	ANDL $0xAAAA, R12 // kb: b, and not a
	MOVL R12, R13
	SHRL $1, R13
	ORL R11, R13      // windows row 0 takes, on even bits
	ORL R12, R11      // row 0's mask
	MOVL R13, R9
	NOTL R9
	ANDL R10, R9
	ANDL $0x5555, R9  // ke: e, and not row 0
	ORL R9, R13
	SHLL $1, R13
	NOTL R13
	ANDL $0xAAAA, R13 // kf: none before
	ORL R13, R9       // row 1's mask
	ANDL AX, R11
	ANDL AX, R9
	KMOVW R11, K5
	KMOVW R9, K6
	// Each window's gradient in both lanes of its pair, kept where masked.
	VPMOVZXDQ.Z (R8), K2, Z7
	VMOVSLDUP Z7, Z7
	VMOVAPS.Z Z7, K5, Z8
	VMOVAPS.Z Z7, K6, Z9
	VMOVUPS Z8, K1, (DI)
	VMOVUPS Z9, K1, (BX)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $32, R8
	ADDQ $64, DI
	ADDQ $64, BX
	SUBQ $8, CX
	JMP step

done:
	VZEROUPPER
	RET
