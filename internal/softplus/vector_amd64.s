#include "textflag.h"

// The softplus and sigmoid kernels of vector_amd64.go, which explains
// the algorithm. Both walk rho, sp and sg together, converting float32
// to float64 lanes and back; the AVX-512 kernel is the AVX2 kernel on ZMM
// registers, with opmasks for the comparisons.

// Offsets of the constants in softplusConsts, one 64-byte row each.
#define SIGN 0(R8)
#define MINT 64(R8)
#define INVLN2 128(R8)
#define MAGIC 192(R8)
#define LN2 256(R8)
#define ONE 320(R8)
#define TWO 384(R8)
#define SQRT2M1 448(R8)
#define C9 512(R8)
#define C8 576(R8)
#define C7 640(R8)
#define C6 704(R8)
#define C5 768(R8)
#define C4 832(R8)
#define C3 896(R8)
#define C2 960(R8)
#define L13 1024(R8)
#define L11 1088(R8)
#define L9 1152(R8)
#define L7 1216(R8)
#define L5 1280(R8)
#define L3 1344(R8)
#define L1 1408(R8)

// func softplusAVX2(sp, sg, rho *float32, n int, c *[softplusConstCount][8]float64)
TEXT ·softplusAVX2(SB), NOSPLIT, $0-40
	MOVQ sp+0(FP), DI
	MOVQ sg+8(FP), DX
	MOVQ rho+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R8
	SHRQ $2, CX
	JZ   avx2done
	VXORPD Y15, Y15, Y15

avx2loop:
	VCVTPS2PD (SI), Y0 // x

	// t = max(-|x|, -110), NaN -> -110
	VORPD SIGN, Y0, Y1
	VMAXPD MINT, Y1, Y1

	// k = round(t/ln2) in Y2's low bits, r = t - k ln2 in Y1
	VMOVUPD INVLN2, Y2
	VFMADD213PD MAGIC, Y1, Y2
	VSUBPD MAGIC, Y2, Y3
	VFNMADD231PD LN2, Y3, Y1
	VPSLLQ $52, Y2, Y2

	// e = 2^k e^r in Y3
	VMOVUPD C9, Y3
	VFMADD213PD C8, Y1, Y3
	VFMADD213PD C7, Y1, Y3
	VFMADD213PD C6, Y1, Y3
	VFMADD213PD C5, Y1, Y3
	VFMADD213PD C4, Y1, Y3
	VFMADD213PD C3, Y1, Y3
	VFMADD213PD C2, Y1, Y3
	VFMADD213PD ONE, Y1, Y3
	VFMADD213PD ONE, Y1, Y3
	VPADDQ Y2, Y3, Y3

	// s = num/den: e/(2+e), or (e-1)/(e+3) where e >= sqrt2-1 (adding ln2)
	VCMPPD $0x1d, SQRT2M1, Y3, Y4 // GE_OQ
	VANDPD ONE, Y4, Y5            // a
	VANDPD LN2, Y4, Y6            // j ln2
	VADDPD TWO, Y5, Y7
	VADDPD Y3, Y7, Y7             // den = e + 2 + a
	VSUBPD Y5, Y3, Y5             // num = e - a
	VADDPD ONE, Y3, Y8            // u
	VMULPD Y8, Y7, Y9
	VMOVUPD ONE, Y10
	VDIVPD Y9, Y10, Y10           // R = 1/(den u)
	VMULPD Y8, Y5, Y5
	VMULPD Y10, Y5, Y5            // s

	// log1p(e) = j ln2 + s P(s^2) in Y6
	VMULPD Y5, Y5, Y8
	VMOVUPD L13, Y9
	VFMADD213PD L11, Y8, Y9
	VFMADD213PD L9, Y8, Y9
	VFMADD213PD L7, Y8, Y9
	VFMADD213PD L5, Y8, Y9
	VFMADD213PD L3, Y8, Y9
	VFMADD213PD L1, Y8, Y9
	VFMADD231PD Y5, Y9, Y6

	// sigmoid = (x > 0 ? 1 : e) den R in Y3
	VCMPPD $0x1e, Y15, Y0, Y11 // GT_OQ
	VBLENDVPD Y11, ONE, Y3, Y3
	VMULPD Y7, Y3, Y3
	VMULPD Y10, Y3, Y3

	// softplus = max(x, 0) + log1p(e) in Y6
	VMAXPD Y15, Y0, Y12
	VADDPD Y12, Y6, Y6

	// NaN lanes take x
	VCMPPD $3, Y0, Y0, Y13 // UNORD_Q
	VBLENDVPD Y13, Y0, Y6, Y6
	VBLENDVPD Y13, Y0, Y3, Y3

	VCVTPD2PSY Y6, X6
	VCVTPD2PSY Y3, X3
	VMOVUPS X6, (DI)
	VMOVUPS X3, (DX)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, DX
	DECQ CX
	JNZ  avx2loop
	VZEROUPPER

avx2done:
	RET

// func softplusAVX512(sp, sg, rho *float32, n int, c *[softplusConstCount][8]float64)
TEXT ·softplusAVX512(SB), NOSPLIT, $0-40
	MOVQ sp+0(FP), DI
	MOVQ sg+8(FP), DX
	MOVQ rho+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R8
	SHRQ $3, CX
	JZ   avx512done
	VPXORQ Z15, Z15, Z15

avx512loop:
	VCVTPS2PD (SI), Z0 // x

	// t = max(-|x|, -110), NaN -> -110
	VPORQ SIGN, Z0, Z1
	VMAXPD MINT, Z1, Z1

	// k = round(t/ln2) in Z2's low bits, r = t - k ln2 in Z1
	VMOVUPD INVLN2, Z2
	VFMADD213PD MAGIC, Z1, Z2
	VSUBPD MAGIC, Z2, Z3
	VFNMADD231PD LN2, Z3, Z1
	VPSLLQ $52, Z2, Z2

	// e = 2^k e^r in Z3
	VMOVUPD C9, Z3
	VFMADD213PD C8, Z1, Z3
	VFMADD213PD C7, Z1, Z3
	VFMADD213PD C6, Z1, Z3
	VFMADD213PD C5, Z1, Z3
	VFMADD213PD C4, Z1, Z3
	VFMADD213PD C3, Z1, Z3
	VFMADD213PD C2, Z1, Z3
	VFMADD213PD ONE, Z1, Z3
	VFMADD213PD ONE, Z1, Z3
	VPADDQ Z2, Z3, Z3

	// s = num/den: e/(2+e), or (e-1)/(e+3) where e >= sqrt2-1 (adding ln2)
	VCMPPD $0x1d, SQRT2M1, Z3, K1 // GE_OQ
	VMOVUPD.Z ONE, K1, Z5         // a
	VMOVUPD.Z LN2, K1, Z6         // j ln2
	VADDPD TWO, Z5, Z7
	VADDPD Z3, Z7, Z7             // den = e + 2 + a
	VSUBPD Z5, Z3, Z5             // num = e - a
	VADDPD ONE, Z3, Z8            // u
	VMULPD Z8, Z7, Z9
	VMOVUPD ONE, Z10
	VDIVPD Z9, Z10, Z10           // R = 1/(den u)
	VMULPD Z8, Z5, Z5
	VMULPD Z10, Z5, Z5            // s

	// log1p(e) = j ln2 + s P(s^2) in Z6
	VMULPD Z5, Z5, Z8
	VMOVUPD L13, Z9
	VFMADD213PD L11, Z8, Z9
	VFMADD213PD L9, Z8, Z9
	VFMADD213PD L7, Z8, Z9
	VFMADD213PD L5, Z8, Z9
	VFMADD213PD L3, Z8, Z9
	VFMADD213PD L1, Z8, Z9
	VFMADD231PD Z5, Z9, Z6

	// sigmoid = (x > 0 ? 1 : e) den R in Z3
	VCMPPD $0x1e, Z15, Z0, K2 // GT_OQ
	VMOVUPD ONE, K2, Z3
	VMULPD Z7, Z3, Z3
	VMULPD Z10, Z3, Z3

	// softplus = max(x, 0) + log1p(e) in Z6
	VMAXPD Z15, Z0, Z12
	VADDPD Z12, Z6, Z6

	// NaN lanes take x
	VCMPPD $3, Z0, Z0, K3 // UNORD_Q
	VMOVAPD Z0, K3, Z6
	VMOVAPD Z0, K3, Z3

	VCVTPD2PS Z6, Y6
	VCVTPD2PS Z3, Y3
	VMOVUPS Y6, (DI)
	VMOVUPS Y3, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  avx512loop
	VZEROUPPER

avx512done:
	RET
