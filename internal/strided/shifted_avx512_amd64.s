#include "textflag.h"

// addShifted keeps one row of dst in Z0 while it adds every block row that
// lands on it, so no load waits on an overlapping store. Block (b, e) row
// y lands on dst row y+b at column e: a load under mask K2 (ow lanes from
// lane e) from e values before the block row puts it in place. DI is the
// dst row, BX its index, R14 the plane's rows; DX the first block row for
// the current b, CX the b left, AX the current e's row, R12 the e left;
// R8 and R9 the steps to the next e and the next b, in bytes.

// func addShifted(dst, taps *float32, ld, oh, ow, kh, kw int)
TEXT ·addShifted(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ taps+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ oh+24(FP), R10
	MOVQ ow+32(FP), R11
	MOVQ kw+48(FP), R13

	// K1: a dst row's iw = ow+kw-1 lanes; K3: a block row's ow lanes.
	LEAQ -1(R11)(R13*1), CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ R11, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3

	// R9 = (kw*ld - ow)*4: from block (b, 0) row y to block (b+1, 0) row y-1.
	MOVQ R13, R9
	IMULQ R8, R9
	SUBQ R11, R9
	SHLQ $2, R9

	// R8 = (ld-1)*4: from block (b, e) row y, shifted, to block (b, e+1).
	DECQ R8
	SHLQ $2, R8

	// R14 = ih = oh + kh - 1.
	MOVQ kh+40(FP), R14
	LEAQ -1(R14)(R10*1), R14
	XORQ BX, BX

row:
	VMOVUPS.Z (DI), K1, Z0

	// b runs over [max(0, iy-oh+1), min(kh, iy+1)).
	MOVQ BX, DX
	SUBQ R10, DX
	INCQ DX
	XORQ CX, CX
	TESTQ DX, DX
	CMOVQLT CX, DX
	MOVQ kh+40(FP), CX
	LEAQ 1(BX), AX
	CMPQ AX, CX
	CMOVQLT AX, CX
	SUBQ DX, CX

	// DX = taps + iy*ow*4 + b*R9: block (b, 0) row iy-b.
	IMULQ R9, DX
	MOVQ BX, AX
	IMULQ R11, AX
	SHLQ $2, AX
	ADDQ SI, AX
	ADDQ AX, DX

blk:
	MOVQ DX, AX
	KMOVW K3, K2
	MOVQ R13, R12

tap:
	VMOVUPS.Z (AX), K2, Z1
	VADDPS Z1, Z0, Z0
	KSHIFTLW $1, K2, K2
	ADDQ R8, AX
	DECQ R12
	JNZ tap

	ADDQ R9, DX
	DECQ CX
	JNZ blk

	VMOVUPS Z0, K1, (DI)
	LEAQ -1(R11)(R13*1), AX
	SHLQ $2, AX
	ADDQ AX, DI
	INCQ BX
	CMPQ BX, R14
	JLT row

	VZEROUPPER
	RET
