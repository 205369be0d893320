#include "textflag.h"

// func blocks8(s *Stream, b uint32, out *[4][8]uint32)
//
// Philox4x32-10 on eight counters at once, b to b+7, one block per 32-bit
// lane: Y0-Y3 hold the counter's words, Y4 and Y5 the round key. A round's
// two 32x32-bit products take two VPMULUDQs each (even lanes, then odd
// lanes shifted down), their high and low halves put back in lane order
// by blends.
TEXT ·blocks8(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), AX
	MOVL b+8(FP), BX
	MOVQ out+16(FP), DI

	VMOVD BX, X0 // VEX forms only: a legacy SSE instruction amid YMM work stalls
	VPBROADCASTD X0, Y0
	VPADDD lanes<>(SB), Y0, Y0 // c0 = b + lane
	VPBROADCASTD 8(AX), Y1     // c1..c3: the stream's counter words
	VPBROADCASTD 12(AX), Y2
	VPBROADCASTD 16(AX), Y3
	VPBROADCASTD 0(AX), Y4     // the key
	VPBROADCASTD 4(AX), Y5
	VPBROADCASTD consts<>+0(SB), Y6  // m0
	VPBROADCASTD consts<>+4(SB), Y7  // m1
	VPBROADCASTD consts<>+8(SB), Y13 // w0
	VPBROADCASTD consts<>+12(SB), Y14 // w1

	MOVQ $10, CX

round:
	// hi0:lo0 = m0 * c0
	VPMULUDQ Y6, Y0, Y8        // even lanes' products
	VPSRLQ   $32, Y0, Y9
	VPMULUDQ Y6, Y9, Y9        // odd lanes' products
	VPSRLQ   $32, Y8, Y10
	VPBLENDD $0xAA, Y9, Y10, Y10 // hi0
	VPSLLQ   $32, Y9, Y9
	VPBLENDD $0xAA, Y9, Y8, Y8   // lo0

	// hi1:lo1 = m1 * c2
	VPMULUDQ Y7, Y2, Y11
	VPSRLQ   $32, Y2, Y12
	VPMULUDQ Y7, Y12, Y12
	VPSRLQ   $32, Y11, Y15
	VPBLENDD $0xAA, Y12, Y15, Y15 // hi1
	VPSLLQ   $32, Y12, Y12
	VPBLENDD $0xAA, Y12, Y11, Y11 // lo1

	// c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
	VPXOR Y1, Y15, Y15
	VPXOR Y4, Y15, Y0
	VMOVDQU Y11, Y1
	VPXOR Y3, Y10, Y10
	VPXOR Y5, Y10, Y2
	VMOVDQU Y8, Y3

	VPADDD Y13, Y4, Y4 // the next round's key
	VPADDD Y14, Y5, Y5
	DECQ CX
	JNZ round

	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VZEROUPPER
	RET

DATA lanes<>+0(SB)/4, $0
DATA lanes<>+4(SB)/4, $1
DATA lanes<>+8(SB)/4, $2
DATA lanes<>+12(SB)/4, $3
DATA lanes<>+16(SB)/4, $4
DATA lanes<>+20(SB)/4, $5
DATA lanes<>+24(SB)/4, $6
DATA lanes<>+28(SB)/4, $7
GLOBL lanes<>(SB), RODATA|NOPTR, $32

DATA consts<>+0(SB)/4, $0xD2511F53
DATA consts<>+4(SB)/4, $0xCD9E8D57
DATA consts<>+8(SB)/4, $0x9E3779B9
DATA consts<>+12(SB)/4, $0xBB67AE85
GLOBL consts<>(SB), RODATA|NOPTR, $16
