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

// Offsets in pairConsts (fastmath_amd64.go).
#define K_ONE 0(R8)
#define K_HALFULP 8(R8)
#define K_MANT 16(R8)
#define K_BIAS 24(R8)
#define K_ROUND44 32(R8)
#define K_63 40(R8)
#define K_MINUS1 48(R8)
#define K_M16 56(R8)
#define K_P15 64(R8)
#define K_M14 72(R8)
#define K_P13 80(R8)
#define K_M12 88(R8)
#define K_MAGIC 96(R8)
#define K_LN2HI 104(R8)
#define K_LN2LO 112(R8)
#define K_M2 120(R8)
#define K_ROUND55 128(R8)
#define K_2P23 136(R8)
#define K_LOW32 144(R8)
#define K_2P32 152(R8)
#define K_TURN 160(R8)
#define K_M15040 168(R8)
#define K_P1120 176(R8)
#define K_M1720 184(R8)
#define K_P124 192(R8)

// TRANSFORM is pair (normal.go) on four lanes: radius words in Y8, angle
// words in Y9, the two normals back in Y8 and Y9. Every operation is the
// scalar code's, in its order and with its one fused multiply-add, so the
// bits are the same. Y4-Y7 and Y10-Y15 are clobbered; AX is logTable, BX
// turnTable, R8 pairConsts.
#define TRANSFORM \
	VPSRLQ $12, Y8, Y10; \
	VPBROADCASTQ K_ONE, Y11; \
	VPOR Y11, Y10, Y10; \
	VSUBPD Y11, Y10, Y10; \
	VBROADCASTSD K_HALFULP, Y12; \
	VADDPD Y12, Y10, Y10; \
	VPSRLQ $52, Y10, Y12; \
	VPBROADCASTQ K_BIAS, Y13; \
	VPSUBQ Y13, Y12, Y12; \
	VPBROADCASTQ K_MANT, Y13; \
	VPAND Y13, Y10, Y13; \
	VPBROADCASTQ K_ROUND44, Y14; \
	VPADDQ Y14, Y13, Y14; \
	VPSRLQ $45, Y14, Y14; \
	VPBROADCASTQ K_63, Y15; \
	VPADDQ Y15, Y14, Y15; \
	VPSRLQ $7, Y15, Y15; \
	VPADDQ Y15, Y12, Y12; \
	VPOR Y11, Y13, Y13; \
	VPSLLQ $1, Y14, Y14; \
	VPCMPEQQ Y15, Y15, Y15; \
	VGATHERQPD Y15, (AX)(Y14*8), Y4; \
	VPCMPEQQ Y15, Y15, Y15; \
	VGATHERQPD Y15, 8(AX)(Y14*8), Y5; \
	VBROADCASTSD K_MINUS1, Y15; \
	VFMADD213PD Y15, Y4, Y13; \
	VBROADCASTSD K_M16, Y6; \
	VMULPD Y6, Y13, Y6; \
	VBROADCASTSD K_P15, Y7; \
	VADDPD Y7, Y6, Y6; \
	VMULPD Y13, Y6, Y6; \
	VBROADCASTSD K_M14, Y7; \
	VADDPD Y7, Y6, Y6; \
	VMULPD Y13, Y6, Y6; \
	VBROADCASTSD K_P13, Y7; \
	VADDPD Y7, Y6, Y6; \
	VMULPD Y13, Y6, Y6; \
	VBROADCASTSD K_M12, Y7; \
	VADDPD Y7, Y6, Y6; \
	VMULPD Y13, Y6, Y6; \
	VADDPD Y11, Y6, Y6; \
	VMULPD Y13, Y6, Y6; \
	VPBROADCASTQ K_MAGIC, Y7; \
	VPADDQ Y7, Y12, Y12; \
	VSUBPD Y7, Y12, Y12; \
	VBROADCASTSD K_LN2LO, Y7; \
	VMULPD Y7, Y12, Y7; \
	VADDPD Y6, Y7, Y7; \
	VADDPD Y7, Y5, Y7; \
	VBROADCASTSD K_LN2HI, Y6; \
	VMULPD Y6, Y12, Y6; \
	VADDPD Y7, Y6, Y6; \
	VBROADCASTSD K_M2, Y7; \
	VMULPD Y7, Y6, Y6; \
	VSQRTPD Y6, Y10; \
	VPBROADCASTQ K_ROUND55, Y11; \
	VPADDQ Y11, Y9, Y12; \
	VPSRLQ $56, Y12, Y12; \
	VPSLLQ $56, Y12, Y13; \
	VPSUBQ Y13, Y9, Y13; \
	VPADDQ Y11, Y13, Y14; \
	VPSRLQ $32, Y14, Y14; \
	VPBROADCASTQ K_2P23, Y15; \
	VPSUBQ Y15, Y14, Y14; \
	VPBROADCASTQ K_LOW32, Y15; \
	VPAND Y15, Y13, Y13; \
	VPBROADCASTQ K_MAGIC, Y15; \
	VPADDQ Y15, Y14, Y14; \
	VSUBPD Y15, Y14, Y14; \
	VPADDQ Y15, Y13, Y13; \
	VSUBPD Y15, Y13, Y13; \
	VBROADCASTSD K_2P32, Y15; \
	VMULPD Y15, Y14, Y14; \
	VADDPD Y13, Y14, Y14; \
	VBROADCASTSD K_TURN, Y15; \
	VMULPD Y15, Y14, Y14; \
	VMULPD Y14, Y14, Y13; \
	VBROADCASTSD K_M15040, Y4; \
	VMULPD Y4, Y13, Y4; \
	VBROADCASTSD K_P1120, Y5; \
	VADDPD Y5, Y4, Y4; \
	VMULPD Y13, Y4, Y4; \
	VBROADCASTSD K_M16, Y5; \
	VADDPD Y5, Y4, Y4; \
	VMULPD Y13, Y4, Y4; \
	VBROADCASTSD K_ONE, Y5; \
	VADDPD Y5, Y4, Y4; \
	VMULPD Y14, Y4, Y4; \
	VBROADCASTSD K_M1720, Y5; \
	VMULPD Y5, Y13, Y5; \
	VBROADCASTSD K_P124, Y6; \
	VADDPD Y6, Y5, Y5; \
	VMULPD Y13, Y5, Y5; \
	VBROADCASTSD K_M12, Y6; \
	VADDPD Y6, Y5, Y5; \
	VMULPD Y13, Y5, Y5; \
	VPSLLQ $1, Y12, Y12; \
	VPCMPEQQ Y15, Y15, Y15; \
	VGATHERQPD Y15, (BX)(Y12*8), Y6; \
	VPCMPEQQ Y15, Y15, Y15; \
	VGATHERQPD Y15, 8(BX)(Y12*8), Y7; \
	VMULPD Y5, Y6, Y13; \
	VMULPD Y4, Y7, Y14; \
	VSUBPD Y14, Y13, Y13; \
	VADDPD Y13, Y6, Y13; \
	VMULPD Y5, Y7, Y14; \
	VMULPD Y4, Y6, Y15; \
	VADDPD Y15, Y14, Y14; \
	VADDPD Y14, Y7, Y14; \
	VMULPD Y13, Y10, Y8; \
	VMULPD Y14, Y10, Y9

// func pairs8(w *[4][8]uint32, out *[16]float64, k *[pairConstCount]uint64, logT *[129]logEntry, turnT *[256]turnEntry)
//
// out[2l] and out[2l+1] are pair's two normals from block l of w (word w
// of block l in w[w][l]).
TEXT ·pairs8(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ k+16(FP), R8
	MOVQ logT+24(FP), AX
	MOVQ turnT+32(FP), BX

	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	// Words 0:1 and 2:3 of blocks 0, 1, 4, 5 (the low dwords of each
	// 128-bit half), then of blocks 2, 3, 6, 7.
	VPUNPCKLDQ Y0, Y1, Y8
	VPUNPCKLDQ Y2, Y3, Y9
	VPUNPCKHDQ Y0, Y1, Y0
	VPUNPCKHDQ Y2, Y3, Y1
	TRANSFORM
	VMOVDQU Y8, Y2
	VMOVDQU Y9, Y3
	VMOVDQU Y0, Y8
	VMOVDQU Y1, Y9
	TRANSFORM

	// Pairs in block order: Y2/Y3 hold blocks 0, 1, 4, 5, Y8/Y9 blocks
	// 2, 3, 6, 7.
	VUNPCKLPD Y3, Y2, Y4 // blocks 0 and 4
	VUNPCKHPD Y3, Y2, Y5 // 1 and 5
	VUNPCKLPD Y9, Y8, Y6 // 2 and 6
	VUNPCKHPD Y9, Y8, Y7 // 3 and 7
	VPERM2F128 $0x20, Y5, Y4, Y10
	VPERM2F128 $0x20, Y7, Y6, Y11
	VPERM2F128 $0x31, Y5, Y4, Y12
	VPERM2F128 $0x31, Y7, Y6, Y13
	VMOVUPD Y10, 0(DI)
	VMOVUPD Y11, 32(DI)
	VMOVUPD Y12, 64(DI)
	VMOVUPD Y13, 96(DI)
	VZEROUPPER
	RET
