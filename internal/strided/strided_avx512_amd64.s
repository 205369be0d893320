#include "textflag.h"

// The kernel walks a block of rows x width float32 values: for each row,
// full steps of sixteen lanes, then the row's tail under mask K2 (masked
// loads read nothing past the row, masked stores write nothing). SI is the
// source, DI the destination, R8 and R9 their row strides in bytes, CX
// the rows left, DX the full steps of a row, R10 the tail's length.

// func copyBlock(rows, width int, dst *float32, ldd int, src *float32, lds int)
TEXT ·copyBlock(SB), NOSPLIT, $0-48
	MOVQ width+8(FP), R10
	ANDQ $15, R10
	MOVQ R10, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	MOVQ rows+0(FP), CX
	MOVQ width+8(FP), DX
	SHRQ $4, DX
	MOVQ dst+16(FP), DI
	MOVQ ldd+24(FP), R8
	SHLQ $2, R8
	MOVQ src+32(FP), SI
	MOVQ lds+40(FP), R9
	SHLQ $2, R9
	TESTQ CX, CX
	JZ copydone

copyrow:
	XORQ AX, AX
	MOVQ DX, R11
	TESTQ R11, R11
	JZ copytail

copyfull:
	VMOVUPS (SI)(AX*1), Z0
	VMOVUPS Z0, (DI)(AX*1)
	ADDQ $64, AX
	DECQ R11
	JNZ copyfull

copytail:
	TESTQ R10, R10
	JZ copynext
	VMOVUPS.Z (SI)(AX*1), K2, Z0
	VMOVUPS Z0, K2, (DI)(AX*1)

copynext:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ copyrow

copydone:
	VZEROUPPER
	RET
