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
#define K_ONELESSHALF 200(R8)
#define K_NEXTOCTAVE 208(R8)
#define K_TURN256 216(R8)

// Offsets in splitTables (blocks_amd64.go), logTable's two less 8 times
// 1023<<7: they are indexed by the mantissa's top bits and the exponent's.
#define T_INV -1047552(AX)
#define T_LN -1046520(AX)
#define T_COS 2064(AX)
#define T_SIN 4112(AX)

// TRANSFORM512 is pair (normal.go) on eight lanes, radius words in Z8,
// angle words in Z9, the two normals back in Z8 and Z9; Z4-Z7, Z10-Z15
// and K2, K3, K5 are clobbered, AX is splitTables, R8 pairConsts. Its
// floating-point operations are the scalar code's, in its order, with its
// one fused multiply-add, so the bits are the same; AVX-512 takes fewer
// steps than TRANSFORM to the operands:
//   - u = (1 + n 2^-52) - (1 - 2^-53) is exact, as is the difference of
//     the two doubles nearest each other here.
//   - VGETEXPPD gives u's exponent as a float64 and VGETMANTPD its
//     mantissa in [1, 2) (both exact; u is normal); the next octave's
//     extra 1 is an exact masked add.
//   - The angle's rest d = a - j 2^56 is a's low 56 bits signed, so
//     a << 8 is 2^8 d as an int64, which VCVTQQ2PD rounds as Go's
//     conversion does, and 2^8 d times the turn over 2^8 rounds as d
//     times the turn (scaling by powers of 2 is exact).
#define TRANSFORM512 \
	VPSRLQ $12, Z8, Z10; \
	VPORQ.BCST K_ONE, Z10, Z10; \
	VSUBPD.BCST K_ONELESSHALF, Z10, Z10; \
	VGETEXPPD Z10, Z12; \
	VGETMANTPD $0, Z10, Z13; \
	VPADDQ.BCST K_ROUND44, Z13, Z14; \
	VPSRLQ $45, Z14, Z14; \
	VPCMPUQ.BCST $6, K_NEXTOCTAVE, Z14, K5; \
	VADDPD.BCST K_ONE, Z12, K5, Z12; \
	KXNORW K2, K2, K2; \
	VGATHERQPD T_INV(Z14*8), K2, Z4; \
	KXNORW K3, K3, K3; \
	VGATHERQPD T_LN(Z14*8), K3, Z5; \
	VBROADCASTSD K_MINUS1, Z15; \
	VFMADD213PD Z15, Z4, Z13; \
	VBROADCASTSD K_M16, Z6; \
	VMULPD Z6, Z13, Z6; \
	VBROADCASTSD K_P15, Z7; \
	VADDPD Z7, Z6, Z6; \
	VMULPD Z13, Z6, Z6; \
	VBROADCASTSD K_M14, Z7; \
	VADDPD Z7, Z6, Z6; \
	VMULPD Z13, Z6, Z6; \
	VBROADCASTSD K_P13, Z7; \
	VADDPD Z7, Z6, Z6; \
	VMULPD Z13, Z6, Z6; \
	VBROADCASTSD K_M12, Z7; \
	VADDPD Z7, Z6, Z6; \
	VMULPD Z13, Z6, Z6; \
	VADDPD.BCST K_ONE, Z6, Z6; \
	VMULPD Z13, Z6, Z6; \
	VBROADCASTSD K_LN2LO, Z7; \
	VMULPD Z7, Z12, Z7; \
	VADDPD Z6, Z7, Z7; \
	VADDPD Z7, Z5, Z7; \
	VBROADCASTSD K_LN2HI, Z6; \
	VMULPD Z6, Z12, Z6; \
	VADDPD Z7, Z6, Z6; \
	VBROADCASTSD K_M2, Z7; \
	VMULPD Z7, Z6, Z6; \
	VSQRTPD Z6, Z10; \
	VPADDQ.BCST K_ROUND55, Z9, Z12; \
	VPSRLQ $56, Z12, Z12; \
	VPSLLQ $8, Z9, Z14; \
	VCVTQQ2PD Z14, Z14; \
	VMULPD.BCST K_TURN256, Z14, Z14; \
	VMULPD Z14, Z14, Z13; \
	VBROADCASTSD K_M15040, Z4; \
	VMULPD Z4, Z13, Z4; \
	VBROADCASTSD K_P1120, Z5; \
	VADDPD Z5, Z4, Z4; \
	VMULPD Z13, Z4, Z4; \
	VBROADCASTSD K_M16, Z5; \
	VADDPD Z5, Z4, Z4; \
	VMULPD Z13, Z4, Z4; \
	VBROADCASTSD K_ONE, Z5; \
	VADDPD Z5, Z4, Z4; \
	VMULPD Z14, Z4, Z4; \
	VBROADCASTSD K_M1720, Z5; \
	VMULPD Z5, Z13, Z5; \
	VBROADCASTSD K_P124, Z6; \
	VADDPD Z6, Z5, Z5; \
	VMULPD Z13, Z5, Z5; \
	VBROADCASTSD K_M12, Z6; \
	VADDPD Z6, Z5, Z5; \
	VMULPD Z13, Z5, Z5; \
	KXNORW K2, K2, K2; \
	VGATHERQPD T_COS(Z12*8), K2, Z6; \
	KXNORW K3, K3, K3; \
	VGATHERQPD T_SIN(Z12*8), K3, Z7; \
	VMULPD Z5, Z6, Z13; \
	VMULPD Z4, Z7, Z14; \
	VSUBPD Z14, Z13, Z13; \
	VADDPD Z13, Z6, Z13; \
	VMULPD Z5, Z7, Z14; \
	VMULPD Z4, Z6, Z15; \
	VADDPD Z15, Z14, Z14; \
	VADDPD Z14, Z7, Z14; \
	VMULPD Z13, Z10, Z8; \
	VMULPD Z14, Z10, Z9

// PHILOXROUND is one Philox round on two sets of eight blocks, one block
// per 64-bit lane, its counter words c0-c3 in the low halves of a0-a3
// (b0-b3): the products come whole from VPMULUDQ, which reads only the
// low halves, so their high halves need no separating: lo(p) is p itself
// (its high half, like every high half here, is never read), hi(p) is
// p >> 32. The round leaves (c0, c1, c2, c3) in (a1, a2, a3, a0): the next
// round takes its registers rotated. The round's key is at k0 and k1 (in
// wideKeys, each the low half of a 64-bit word), the multipliers in Z22
// and Z23; Z14 and Z15 are clobbered.
#define PHILOXROUND(a0, a1, a2, a3, b0, b1, b2, b3, k0, k1) \
	VPMULUDQ Z22, a0, a0; \
	VPMULUDQ Z22, b0, b0; \
	VPMULUDQ Z23, a2, a2; \
	VPMULUDQ Z23, b2, b2; \
	VPSRLQ $32, a2, Z14; \
	VPSRLQ $32, b2, Z15; \
	VPTERNLOGQ.BCST $0x96, k0(SI), Z14, a1; \
	VPTERNLOGQ.BCST $0x96, k0(SI), Z15, b1; \
	VPSRLQ $32, a0, Z14; \
	VPSRLQ $32, b0, Z15; \
	VPTERNLOGQ.BCST $0x96, k1(SI), Z14, a3; \
	VPTERNLOGQ.BCST $0x96, k1(SI), Z15, b3

// PHILOXFIRST2 is the first two Philox rounds on eight blocks whose counter
// words c0 are in ctr, leaving their state in a0-a3 as the two rounds of
// PHILOXROUND would (c0-c3 in a2, a3, a0, a1). The counter's other words
// are the stream's, so half of these rounds' work is the same for every
// block: wideKeys holds its results, broadcast in Z24 (c3 ^ k1 in round
// 1), Z25 and Z17 (the constant words round 2 xors in) and Z18 (round 2's
// constant c3).
#define PHILOXFIRST2(ctr, a0, a1, a2, a3) \
	VPMULUDQ Z22, ctr, a0; \
	VPSRLQ $32, a0, a3; \
	VPXORQ Z24, a3, a3; \
	VPMULUDQ Z23, a3, a3; \
	VPSRLQ $32, a3, a2; \
	VPXORQ Z25, a2, a2; \
	VPXORQ Z17, a0, a0; \
	VMOVDQA64 Z18, a1

// PHILOX16 is blocks8 on sixteen counters, Z16 (lanes 0-7) and Z30 (lanes
// 8-15) in the low halves of their 64-bit lanes, with AVX-512: blocks 0-7
// in the 64-bit lanes of Z0-Z3, 8-15 in Z6-Z9 (see PHILOXROUND), it leaves
// their radius and angle words (pair's arguments: words 0 and 1, and 2
// and 3, high word first) in Z8 and Z9 for blocks 0-7 and in Z28 and Z29
// for blocks 8-15, each lane's block in order. SI is wideKeys, 0x5555 (the
// low halves) is in K4; Z0-Z9, Z14 and Z15 are clobbered.
#define PHILOX16 \
	PHILOXFIRST2(Z16, Z0, Z1, Z2, Z3); \
	PHILOXFIRST2(Z30, Z6, Z7, Z8, Z9); \
	PHILOXROUND(Z2, Z3, Z0, Z1, Z8, Z9, Z6, Z7, 32, 40); \
	PHILOXROUND(Z3, Z0, Z1, Z2, Z9, Z6, Z7, Z8, 48, 56); \
	PHILOXROUND(Z0, Z1, Z2, Z3, Z6, Z7, Z8, Z9, 64, 72); \
	PHILOXROUND(Z1, Z2, Z3, Z0, Z7, Z8, Z9, Z6, 80, 88); \
	PHILOXROUND(Z2, Z3, Z0, Z1, Z8, Z9, Z6, Z7, 96, 104); \
	PHILOXROUND(Z3, Z0, Z1, Z2, Z9, Z6, Z7, Z8, 112, 120); \
	PHILOXROUND(Z0, Z1, Z2, Z3, Z6, Z7, Z8, Z9, 128, 136); \
	PHILOXROUND(Z1, Z2, Z3, Z0, Z7, Z8, Z9, Z6, 144, 152); \
	VPSLLQ $32, Z8, Z28; \
	VMOVDQA32 Z9, K4, Z28; \
	VPSLLQ $32, Z6, Z29; \
	VMOVDQA32 Z7, K4, Z29; \
	VPSLLQ $32, Z2, Z8; \
	VMOVDQA32 Z3, K4, Z8; \
	VPSLLQ $32, Z0, Z9; \
	VMOVDQA32 Z1, K4, Z9

// WIDESETUP loads the loop invariants of normalsWide64 and normalsWide32
// (see PHILOX16) from wideKeys at SI and the first block's number in DX.
#define WIDESETUP \
	VPBROADCASTQ DX, Z30; \
	VPADDQ lanes8<>+0(SB), Z30, Z16; \
	VPADDQ lanes8<>+64(SB), Z30, Z30; \
	VPBROADCASTQ 0(SI), Z24; \
	VPBROADCASTQ 8(SI), Z25; \
	VPBROADCASTQ 16(SI), Z17; \
	VPBROADCASTQ 24(SI), Z18; \
	VPBROADCASTD consts<>+0(SB), Z22; \
	VPBROADCASTD consts<>+4(SB), Z23; \
	VMOVDQU64 pairOrder<>+0(SB), Z26; \
	VMOVDQU64 pairOrder<>+64(SB), Z27; \
	VMOVDQU64 pairOrder32<>(SB), Z20; \
	MOVL $0x5555, R9; \
	KMOVW R9, K4; \
	MOVQ $16, R9; \
	VPBROADCASTQ R9, Z19

// PAIRORDER puts TRANSFORM512's normals of eight blocks, r cos in Z8 and
// r sin in Z9, in their order in Z10 and Z11: pair's two of each block,
// block by block.
#define PAIRORDER \
	VMOVDQA64 Z26, Z10; \
	VPERMI2PD Z9, Z8, Z10; \
	VMOVDQA64 Z27, Z11; \
	VPERMI2PD Z9, Z8, Z11

// PAIRORDER32 is PAIRORDER for float32: the normals rounded, then put in
// order in Z10 by one permutation.
#define PAIRORDER32 \
	VCVTPD2PS Z8, Y10; \
	VCVTPD2PS Z9, Y11; \
	VPERMT2PS Z11, Z20, Z10

// func normalsWide64(keys *wideKeys, b uint32, dst *float64, groups int, k *[pairConstCount]uint64, t *splitTables)
//
// dst[0:32*groups] are the normals at positions 2b on of s, 32 (16
// blocks) a group.
TEXT ·normalsWide64(SB), NOSPLIT, $0-48
	MOVQ keys+0(FP), SI
	MOVL b+8(FP), DX
	MOVQ dst+16(FP), DI
	MOVQ groups+24(FP), CX
	MOVQ k+32(FP), R8
	MOVQ t+40(FP), AX
	WIDESETUP
group64:
	PHILOX16
	TRANSFORM512
	PAIRORDER
	VMOVUPD Z10, 0(DI)
	VMOVUPD Z11, 64(DI)
	VMOVDQA64 Z28, Z8
	VMOVDQA64 Z29, Z9
	TRANSFORM512
	PAIRORDER
	VMOVUPD Z10, 128(DI)
	VMOVUPD Z11, 192(DI)
	ADDQ $256, DI
	VPADDQ Z19, Z16, Z16
	VPADDQ Z19, Z30, Z30
	DECQ CX
	JNZ group64
	VZEROUPPER
	RET

// func normalsWide32(keys *wideKeys, b uint32, dst *float32, groups int, k *[pairConstCount]uint64, t *splitTables)
//
// normalsWide64 rounded to float32, as Go's conversion rounds (to
// nearest, ties to even).
TEXT ·normalsWide32(SB), NOSPLIT, $0-48
	MOVQ keys+0(FP), SI
	MOVL b+8(FP), DX
	MOVQ dst+16(FP), DI
	MOVQ groups+24(FP), CX
	MOVQ k+32(FP), R8
	MOVQ t+40(FP), AX
	WIDESETUP
group32:
	PHILOX16
	TRANSFORM512
	PAIRORDER32
	VMOVUPS Z10, 0(DI)
	VMOVDQA64 Z28, Z8
	VMOVDQA64 Z29, Z9
	TRANSFORM512
	PAIRORDER32
	VMOVUPS Z10, 64(DI)
	ADDQ $128, DI
	VPADDQ Z19, Z16, Z16
	VPADDQ Z19, Z30, Z30
	DECQ CX
	JNZ group32
	VZEROUPPER
	RET

// func transformWide(w *[2][8]uint64, out *[2][8]float64, k *[pairConstCount]uint64, t *splitTables)
//
// TRANSFORM512 on given words, for the tests: out[0][l] and out[1][l] are
// pair's two normals from radius word w[0][l] and angle word w[1][l].
TEXT ·transformWide(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ k+16(FP), R8
	MOVQ t+24(FP), AX
	VMOVDQU64 0(SI), Z8
	VMOVDQU64 64(SI), Z9
	TRANSFORM512
	VMOVUPD Z8, 0(DI)
	VMOVUPD Z9, 64(DI)
	VZEROUPPER
	RET

// lanes8: the lane numbers 0-15 as 64-bit words, for the two sets of
// eight blocks.
DATA lanes8<>+0(SB)/8, $0
DATA lanes8<>+8(SB)/8, $1
DATA lanes8<>+16(SB)/8, $2
DATA lanes8<>+24(SB)/8, $3
DATA lanes8<>+32(SB)/8, $4
DATA lanes8<>+40(SB)/8, $5
DATA lanes8<>+48(SB)/8, $6
DATA lanes8<>+56(SB)/8, $7
DATA lanes8<>+64(SB)/8, $8
DATA lanes8<>+72(SB)/8, $9
DATA lanes8<>+80(SB)/8, $10
DATA lanes8<>+88(SB)/8, $11
DATA lanes8<>+96(SB)/8, $12
DATA lanes8<>+104(SB)/8, $13
DATA lanes8<>+112(SB)/8, $14
DATA lanes8<>+120(SB)/8, $15
GLOBL lanes8<>(SB), RODATA|NOPTR, $128

// pairOrder: VPERMI2PD's indices that interleave r cos (table 0) and
// r sin (table 1, index 8 up) of blocks 0-3, then of blocks 4-7.
DATA pairOrder<>+0(SB)/8, $0
DATA pairOrder<>+8(SB)/8, $8
DATA pairOrder<>+16(SB)/8, $1
DATA pairOrder<>+24(SB)/8, $9
DATA pairOrder<>+32(SB)/8, $2
DATA pairOrder<>+40(SB)/8, $10
DATA pairOrder<>+48(SB)/8, $3
DATA pairOrder<>+56(SB)/8, $11
DATA pairOrder<>+64(SB)/8, $4
DATA pairOrder<>+72(SB)/8, $12
DATA pairOrder<>+80(SB)/8, $5
DATA pairOrder<>+88(SB)/8, $13
DATA pairOrder<>+96(SB)/8, $6
DATA pairOrder<>+104(SB)/8, $14
DATA pairOrder<>+112(SB)/8, $7
DATA pairOrder<>+120(SB)/8, $15
GLOBL pairOrder<>(SB), RODATA|NOPTR, $128

// pairOrder32: VPERMT2PS's indices that interleave r cos (table 0, low
// half) and r sin (table 1, index 16 up) of blocks 0-7.
DATA pairOrder32<>+0(SB)/4, $0
DATA pairOrder32<>+4(SB)/4, $16
DATA pairOrder32<>+8(SB)/4, $1
DATA pairOrder32<>+12(SB)/4, $17
DATA pairOrder32<>+16(SB)/4, $2
DATA pairOrder32<>+20(SB)/4, $18
DATA pairOrder32<>+24(SB)/4, $3
DATA pairOrder32<>+28(SB)/4, $19
DATA pairOrder32<>+32(SB)/4, $4
DATA pairOrder32<>+36(SB)/4, $20
DATA pairOrder32<>+40(SB)/4, $5
DATA pairOrder32<>+44(SB)/4, $21
DATA pairOrder32<>+48(SB)/4, $6
DATA pairOrder32<>+52(SB)/4, $22
DATA pairOrder32<>+56(SB)/4, $7
DATA pairOrder32<>+60(SB)/4, $23
GLOBL pairOrder32<>(SB), RODATA|NOPTR, $64
