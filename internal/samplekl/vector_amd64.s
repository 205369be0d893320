#include "textflag.h"

// The kernels of vector_amd64.go: the bulk of Forward, SumLogSigma and
// Grad (samplekl.go explains the arithmetic), float32 in memory and
// float64 in the registers. The AVX-512 kernels take 8 elements a step,
// with opmasks for the comparisons; the AVX2 kernels 4, or 8 in two
// halves where a sum keeps eight lanes (Y11 lanes 0-3, Y12 lanes 4-7),
// with blends for the masks.

// func forwardAVX512(out, sigma, mu, b *float32, n, addMu int, m float64, acc *[lanes]float64)
TEXT ·forwardAVX512(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ sigma+8(FP), SI
	MOVQ mu+16(FP), DX
	MOVQ b+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ addMu+40(FP), R9
	MOVQ acc+56(FP), R8
	VBROADCASTSD m+48(FP), Z10
	VMOVUPD (R8), Z11
	SHRQ $3, CX
	JZ   fwd512done

fwd512loop:
	VCVTPS2PD (SI), Z0 // sigma
	VCVTPS2PD (DX), Z1 // mu
	VCVTPS2PD (BX), Z2 // b
	VMULPD    Z2, Z0, Z3 // sigma b, exact
	TESTQ     R9, R9
	JZ        fwd512store
	VADDPD    Z1, Z3, Z3

fwd512store:
	VCVTPD2PS Z3, Y3
	VMOVUPS   Y3, (DI)

	// acc += sigma^2 + (mu - m)^2
	VMULPD Z0, Z0, Z4
	VSUBPD Z10, Z1, Z5
	VMULPD Z5, Z5, Z5
	VADDPD Z5, Z4, Z4
	VADDPD Z4, Z11, Z11

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  fwd512loop

fwd512done:
	VMOVUPD Z11, (R8)
	VZEROUPPER
	RET

// FWDHALF is one half of an AVX2 forward step: off is the half's byte
// offset, acc its lanes' sums.
#define FWDHALF(off, acc) \
	VCVTPS2PD off(SI), Y0 \
	VCVTPS2PD off(DX), Y1 \
	VCVTPS2PD off(BX), Y2 \
	VMULPD    Y2, Y0, Y3  \
	VADDPD    Y1, Y3, Y6  \
	VBLENDVPD Y9, Y6, Y3, Y3 \
	VCVTPD2PSY Y3, X3     \
	VMOVUPS   X3, off(DI) \
	VMULPD    Y0, Y0, Y4  \
	VSUBPD    Y10, Y1, Y5 \
	VMULPD    Y5, Y5, Y5  \
	VADDPD    Y5, Y4, Y4  \
	VADDPD    Y4, acc, acc

// func forwardAVX2(out, sigma, mu, b *float32, n, addMu int, m float64, acc *[lanes]float64)
TEXT ·forwardAVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ sigma+8(FP), SI
	MOVQ mu+16(FP), DX
	MOVQ b+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ acc+56(FP), R8
	VBROADCASTSD m+48(FP), Y10
	// Y9: all ones where mu is added (a blend picks mu + sigma b)
	VPXOR  Y9, Y9, Y9
	CMPQ   addMu+40(FP), $0
	JEQ    fwd2mask
	VPCMPEQQ Y9, Y9, Y9

fwd2mask:
	VMOVUPD (R8), Y11
	VMOVUPD 32(R8), Y12
	SHRQ $3, CX
	JZ   fwd2done

fwd2loop:
	FWDHALF(0, Y11)
	FWDHALF(16, Y12)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  fwd2loop

fwd2done:
	VMOVUPD Y11, (R8)
	VMOVUPD Y12, 32(R8)
	VZEROUPPER
	RET

// Offsets of the constants in logConsts, one 64-byte row each.
#define MINRHO 0(R8)
#define HALF 64(R8)
#define MANT 128(R8)
#define ONEBITS 192(R8)
#define EXPBITS 256(R8)
#define EXPBIAS 320(R8)
#define MINNORM 384(R8)
#define MAXF 448(R8)

// func logSigmaAVX512(sigma, rho *float32, n int, st *logState, c *[logConstCount][8]uint64) bool
TEXT ·logSigmaAVX512(SB), NOSPLIT, $0-41
	MOVQ sigma+0(FP), SI
	MOVQ rho+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ st+24(FP), DI
	MOVQ c+32(FP), R8
	VMOVUPD (DI), Z20    // exponents
	VMOVUPD 64(DI), Z21  // mantissa products
	VMOVUPD 128(DI), Z22 // other terms
	MOVQ $256, R9
	SHRQ $3, CX
	JZ   log512ok

log512loop:
	VCVTPS2PD (SI), Z0 // s
	VCVTPS2PD (DX), Z1 // r

	// K1: r < -20, where other += r - s/2
	VCMPPD $1, MINRHO, Z1, K1
	VMULPD HALF, Z0, Z2
	VSUBPD Z2, Z1, Z2
	VADDPD Z2, Z22, K1, Z22

	// K2: s a positive normal float64; any lane neither: odd, give up
	VCMPPD $0x1d, MINNORM, Z0, K2
	VCMPPD $0x12, MAXF, Z0, K3
	KANDW  K3, K2, K2
	KORW   K2, K1, K5
	KMOVW  K5, AX
	CMPB   AL, $0xff
	JNE    log512odd

	// K6 = K2 and not K1: exponent and mantissa
	KANDNW K2, K1, K6
	VPSRLQ $52, Z0, Z3
	VPORQ  EXPBITS, Z3, Z3
	VSUBPD EXPBIAS, Z3, Z3
	VADDPD Z3, Z20, K6, Z20
	VPANDQ MANT, Z0, Z4
	VPORQ  ONEBITS, Z4, Z4
	VMULPD Z4, Z21, K6, Z21

	DECQ R9
	JNZ  log512next
	MOVQ $256, R9
	VPSRLQ $52, Z21, Z3
	VPORQ  EXPBITS, Z3, Z3
	VSUBPD EXPBIAS, Z3, Z3
	VADDPD Z3, Z20, Z20
	VPANDQ MANT, Z21, Z21
	VPORQ  ONEBITS, Z21, Z21

log512next:
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  log512loop

log512ok:
	VMOVUPD Z20, (DI)
	VMOVUPD Z21, 64(DI)
	VMOVUPD Z22, 128(DI)
	VZEROUPPER
	MOVB $1, ret+40(FP)
	RET

log512odd:
	VZEROUPPER
	MOVB $0, ret+40(FP)
	RET

// LOGHALF is one half of an AVX2 log-sigma step, lanes exp, prod and
// other; it jumps to log2odd on an odd sigma. Y15 is zero, Y14 one.
#define LOGHALF(off, exp, prod, other) \
	VCVTPS2PD off(SI), Y0 \
	VCVTPS2PD off(DX), Y1 \
	VCMPPD $1, MINRHO, Y1, Y6 \
	VMULPD HALF, Y0, Y2 \
	VSUBPD Y2, Y1, Y2 \
	VBLENDVPD Y6, Y2, Y15, Y2 \
	VADDPD Y2, other, other \
	VCMPPD $0x1d, MINNORM, Y0, Y7 \
	VCMPPD $0x12, MAXF, Y0, Y8 \
	VANDPD Y8, Y7, Y7 \
	VORPD Y7, Y6, Y8 \
	VMOVMSKPD Y8, AX \
	CMPQ AX, $15 \
	JNE log2odd \
	VANDNPD Y7, Y6, Y7 \
	VPSRLQ $52, Y0, Y3 \
	VPOR EXPBITS, Y3, Y3 \
	VSUBPD EXPBIAS, Y3, Y3 \
	VBLENDVPD Y7, Y3, Y15, Y3 \
	VADDPD Y3, exp, exp \
	VPAND MANT, Y0, Y4 \
	VPOR ONEBITS, Y4, Y4 \
	VBLENDVPD Y7, Y4, Y14, Y4 \
	VMULPD Y4, prod, prod

// RENORM moves the exponents of prod into exp.
#define RENORM(exp, prod) \
	VPSRLQ $52, prod, Y3 \
	VPOR EXPBITS, Y3, Y3 \
	VSUBPD EXPBIAS, Y3, Y3 \
	VADDPD Y3, exp, exp \
	VPAND MANT, prod, prod \
	VPOR ONEBITS, prod, prod

// func logSigmaAVX2(sigma, rho *float32, n int, st *logState, c *[logConstCount][8]uint64) bool
TEXT ·logSigmaAVX2(SB), NOSPLIT, $0-41
	MOVQ sigma+0(FP), SI
	MOVQ rho+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ st+24(FP), DI
	MOVQ c+32(FP), R8
	VMOVUPD (DI), Y9     // exponents, lanes 0-3
	VMOVUPD 32(DI), Y10  // lanes 4-7
	VMOVUPD 64(DI), Y11  // mantissa products
	VMOVUPD 96(DI), Y12
	VMOVUPD 128(DI), Y13 // other terms
	VMOVUPD 160(DI), Y5
	VXORPD Y15, Y15, Y15
	VMOVUPD ONEBITS, Y14 // 1.0
	MOVQ $256, R9
	SHRQ $3, CX
	JZ   log2ok

log2loop:
	LOGHALF(0, Y9, Y11, Y13)
	LOGHALF(16, Y10, Y12, Y5)
	DECQ R9
	JNZ  log2next
	MOVQ $256, R9
	RENORM(Y9, Y11)
	RENORM(Y10, Y12)

log2next:
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  log2loop

log2ok:
	VMOVUPD Y9, (DI)
	VMOVUPD Y10, 32(DI)
	VMOVUPD Y11, 64(DI)
	VMOVUPD Y12, 96(DI)
	VMOVUPD Y13, 128(DI)
	VMOVUPD Y5, 160(DI)
	VZEROUPPER
	MOVB $1, ret+40(FP)
	RET

log2odd:
	VZEROUPPER
	MOVB $0, ret+40(FP)
	RET

// GRADLOAD loads the operand pointers of gradPtrs from R8 and the
// constants of gradConsts from R10 into the registers both kernels use.
#define GRADLOAD \
	MOVQ 0(R8), DI  \
	MOVQ 8(R8), R11 \
	MOVQ 16(R8), SI \
	MOVQ 24(R8), DX \
	MOVQ 32(R8), BX \
	MOVQ 40(R8), R12 \
	MOVQ 48(R8), R13 \
	MOVQ 56(R8), R14

// func gradAVX512(p *gradPtrs, n int, k *gradConsts)
TEXT ·gradAVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), R8
	MOVQ n+8(FP), CX
	MOVQ k+16(FP), R10
	GRADLOAD
	VBROADCASTSD 0(R10), Z20  // gc
	VBROADCASTSD 8(R10), Z21  // gkl
	VBROADCASTSD 16(R10), Z22 // m
	VBROADCASTSD 24(R10), Z25 // scale
	VBROADCASTSD 32(R10), Z23 // 1
	VPXORQ Z24, Z24, Z24
	SHRQ $3, CX
	JZ   grad512done

grad512loop:
	VCVTPS2PD (DX), Z0 // sigma
	VCVTPS2PD (BX), Z1 // sg

	// ratio = sg/sigma, or 1 where sigma is not > 0
	VDIVPD  Z0, Z1, Z2
	VCMPPD  $0x1e, Z24, Z0, K1
	VMOVAPD Z23, Z3
	VMOVAPD Z2, K1, Z3

	// dMu = gc (mu - m) + gmu
	VCVTPS2PD (SI), Z4
	VSUBPD    Z22, Z4, Z4
	VMULPD    Z20, Z4, Z4
	VCVTPS2PD (R14), Z5
	VADDPD    Z5, Z4, Z4
	VCVTPD2PS Z4, Y4
	VMOVUPS   Y4, (DI)

	// dRho = gc sigma sg - gkl ratio + gout scale b sg
	VMULPD    Z20, Z0, Z6
	VMULPD    Z1, Z6, Z6
	VMULPD    Z21, Z3, Z7
	VSUBPD    Z7, Z6, Z6
	VCVTPS2PD (R13), Z8
	VMULPD    Z25, Z8, Z8
	VCVTPS2PD (R12), Z9
	VMULPD    Z9, Z8, Z8
	VMULPD    Z1, Z8, Z8
	VADDPD    Z8, Z6, Z6
	VCVTPD2PS Z6, Y6
	VMOVUPS   Y6, (R11)

	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $32, R14
	DECQ CX
	JNZ  grad512loop

grad512done:
	VZEROUPPER
	RET

// func gradAVX2(p *gradPtrs, n int, k *gradConsts)
TEXT ·gradAVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), R8
	MOVQ n+8(FP), CX
	MOVQ k+16(FP), R10
	GRADLOAD
	VBROADCASTSD 0(R10), Y10  // gc
	VBROADCASTSD 8(R10), Y11  // gkl
	VBROADCASTSD 16(R10), Y12 // m
	VBROADCASTSD 24(R10), Y13 // scale
	VBROADCASTSD 32(R10), Y14 // 1
	VXORPD Y15, Y15, Y15
	SHRQ $2, CX
	JZ   grad2done

grad2loop:
	VCVTPS2PD (DX), Y0 // sigma
	VCVTPS2PD (BX), Y1 // sg

	// ratio = sg/sigma, or 1 where sigma is not > 0
	VDIVPD    Y0, Y1, Y2
	VCMPPD    $0x1e, Y15, Y0, Y3
	VBLENDVPD Y3, Y2, Y14, Y3

	// dMu = gc (mu - m) + gmu
	VCVTPS2PD (SI), Y4
	VSUBPD    Y12, Y4, Y4
	VMULPD    Y10, Y4, Y4
	VCVTPS2PD (R14), Y5
	VADDPD    Y5, Y4, Y4
	VCVTPD2PSY Y4, X4
	VMOVUPS   X4, (DI)

	// dRho = gc sigma sg - gkl ratio + gout scale b sg
	VMULPD    Y10, Y0, Y6
	VMULPD    Y1, Y6, Y6
	VMULPD    Y11, Y3, Y7
	VSUBPD    Y7, Y6, Y6
	VCVTPS2PD (R13), Y8
	VMULPD    Y13, Y8, Y8
	VCVTPS2PD (R12), Y9
	VMULPD    Y9, Y8, Y8
	VMULPD    Y1, Y8, Y8
	VADDPD    Y8, Y6, Y6
	VCVTPD2PSY Y6, X6
	VMOVUPS   X6, (R11)

	ADDQ $16, DI
	ADDQ $16, R11
	ADDQ $16, SI
	ADDQ $16, DX
	ADDQ $16, BX
	ADDQ $16, R12
	ADDQ $16, R13
	ADDQ $16, R14
	DECQ CX
	JNZ  grad2loop

grad2done:
	VZEROUPPER
	RET
