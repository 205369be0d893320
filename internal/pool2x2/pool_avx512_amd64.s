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

// The kernels walk rows pairs of input rows, ld values apart (a pair 2 ld
// apart), a row of n windows from each pair: full steps of eight windows,
// then the tail's under masks.

// func rowsMax(rows, n int, x *float32, ld int, y *float32)
TEXT ·rowsMax(SB), NOSPLIT, $0-40
	MOVQ rows+0(FP), R8
	MOVQ x+16(FP), R11
	MOVQ ld+24(FP), R9
	SHLQ $2, R9
	MOVQ y+32(FP), R12
	MOVQ n+8(FP), R13
	MOVQ R13, CX
	ANDQ $7, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2 // one bit per window of the tail
	SHLQ $1, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1 // one bit per input of a row of the tail
	SHLQ $2, R13 // bytes of a row of y
	TESTQ R8, R8
	JZ done

row:
	MOVQ n+8(FP), CX
	MOVQ R11, SI
	LEAQ (R11)(R9*1), DX
	MOVQ R12, DI

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
	JZ next
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	WINDOWMAX
	VPMOVQD Z4, K2, (DI)

next:
	LEAQ (R11)(R9*2), R11
	ADDQ R13, R12
	DECQ R8
	JNZ row

done:
	VZEROUPPER
	RET

// rowsGrad keeps the next pair's x and dx rows, the next row of dy and the
// pairs left in its frame: the step needs every free register.

// func rowsGrad(rows, n int, x *float32, ld int, dy, dx *float32)
TEXT ·rowsGrad(SB), NOSPLIT, $32-48
	MOVQ rows+0(FP), AX
	TESTQ AX, AX
	JZ done
	MOVQ AX, 24(SP)
	MOVQ x+16(FP), AX
	MOVQ AX, 0(SP)
	MOVQ dx+40(FP), AX
	MOVQ AX, 8(SP)
	MOVQ dy+32(FP), AX
	MOVQ AX, 16(SP)
	MOVQ ld+24(FP), R14
	SHLQ $2, R14

row:
	MOVQ 0(SP), SI
	LEAQ (SI)(R14*1), DX
	MOVQ 8(SP), DI
	LEAQ (DI)(R14*1), BX
	MOVQ 16(SP), R8
	MOVQ n+8(FP), CX
	MOVL $0xFFFF, AX // inputs of a row in this step
	MOVL $0xFF, R12  // windows in this step
	KMOVW R12, K2

step:
	TESTQ CX, CX
	JZ next
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

next:
	MOVQ 0(SP), AX
	LEAQ (AX)(R14*2), AX
	MOVQ AX, 0(SP)
	MOVQ 8(SP), AX
	LEAQ (AX)(R14*2), AX
	MOVQ AX, 8(SP)
	MOVQ n+8(FP), AX
	SHLQ $2, AX
	ADDQ AX, 16(SP)
	DECQ 24(SP)
	JNZ row

done:
	VZEROUPPER
	RET
