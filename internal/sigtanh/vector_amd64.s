#include "textflag.h"

// The sigmoid and tanh kernels of vector_amd64.go, which explains the
// algorithm. Each walks x and y together, converting float32 to float64
// lanes and back; the AVX-512 kernels are the AVX2 ones on ZMM registers,
// with opmasks for the comparisons.

// Offsets of the constants in consts, one 64-byte row each.
#define SIGN 0(R8)
#define MINSIG 64(R8)
#define MINTANH 128(R8)
#define INVLN2 192(R8)
#define MAGIC 256(R8)
#define LN2 320(R8)
#define ONE 384(R8)
#define TWO 448(R8)
#define C10 512(R8)
#define C9 576(R8)
#define C8 640(R8)
#define C7 704(R8)
#define C6 768(R8)
#define C5 832(R8)
#define C4 896(R8)
#define C3 960(R8)
#define C2 1024(R8)

// EXPM1 sets, from t in R1 (clobbered), S to 2^k and Q to q = e^r - 1,
// e^t = S (1 + Q): YMM or ZMM registers.
#define EXPM1(R1, S, Q) \
	VMOVUPD INVLN2, S; \
	VFMADD213PD MAGIC, R1, S; \
	VSUBPD MAGIC, S, Q; \
	VFNMADD231PD LN2, Q, R1; \
	VPSLLQ $52, S, S; \
	VPADDQ ONE, S, S; \
	VMOVUPD C10, Q; \
	VFMADD213PD C9, R1, Q; \
	VFMADD213PD C8, R1, Q; \
	VFMADD213PD C7, R1, Q; \
	VFMADD213PD C6, R1, Q; \
	VFMADD213PD C5, R1, Q; \
	VFMADD213PD C4, R1, Q; \
	VFMADD213PD C3, R1, Q; \
	VFMADD213PD C2, R1, Q; \
	VFMADD213PD ONE, R1, Q; \
	VMULPD R1, Q, Q

// func sigmoidAVX2(y, x *float32, n int, c *[constCount][8]float64)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $2, CX
	JZ   sigavx2done
	VXORPD Y15, Y15, Y15

sigavx2loop:
	VCVTPS2PD (SI), Y0 // x
	VORPD  SIGN, Y0, Y1
	VMAXPD MINSIG, Y1, Y1 // t = max(-|x|, -110)
	EXPM1(Y1, Y2, Y3)
	VFMADD213PD Y2, Y2, Y3 // e
	VADDPD ONE, Y3, Y4     // 1 + e
	VCMPPD $0x1e, Y15, Y0, Y5 // x > 0 (GT_OQ)
	VBLENDVPD Y5, ONE, Y3, Y3
	VDIVPD Y4, Y3, Y3
	VCMPPD $3, Y0, Y0, Y6 // NaN lanes take x (UNORD_Q)
	VBLENDVPD Y6, Y0, Y3, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  sigavx2loop
	VZEROUPPER

sigavx2done:
	RET

// func sigmoidAVX512(y, x *float32, n int, c *[constCount][8]float64)
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $3, CX
	JZ   sigavx512done
	VPXORQ Z15, Z15, Z15

sigavx512loop:
	VCVTPS2PD (SI), Z0
	VPORQ  SIGN, Z0, Z1
	VMAXPD MINSIG, Z1, Z1
	EXPM1(Z1, Z2, Z3)
	VFMADD213PD Z2, Z2, Z3
	VADDPD ONE, Z3, Z4
	VCMPPD $0x1e, Z15, Z0, K1
	VMOVUPD ONE, K1, Z3
	VDIVPD Z4, Z3, Z3
	VCMPPD $3, Z0, Z0, K2
	VMOVAPD Z0, K2, Z3
	VCVTPD2PS Z3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  sigavx512loop
	VZEROUPPER

sigavx512done:
	RET

// func tanhAVX2(y, x *float32, n int, c *[constCount][8]float64)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $2, CX
	JZ   tanhavx2done
	VMOVUPD SIGN, Y14

tanhavx2loop:
	VCVTPS2PD (SI), Y0 // x
	VORPD  Y14, Y0, Y1
	VADDPD Y1, Y1, Y1
	VMAXPD MINTANH, Y1, Y1 // t = max(-2|x|, -64)
	EXPM1(Y1, Y2, Y3)
	VSUBPD ONE, Y2, Y5
	VFMADD213PD Y5, Y2, Y3 // m = e^t - 1
	VADDPD TWO, Y3, Y4
	VDIVPD Y4, Y3, Y3      // m/(2+m) = -|tanh x|
	VANDNPD Y3, Y14, Y3    // |tanh x|
	VANDPD Y14, Y0, Y6
	VORPD  Y6, Y3, Y3      // with x's sign
	VCMPPD $3, Y0, Y0, Y6  // NaN lanes take x (UNORD_Q)
	VBLENDVPD Y6, Y0, Y3, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  tanhavx2loop
	VZEROUPPER

tanhavx2done:
	RET

// func tanhAVX512(y, x *float32, n int, c *[constCount][8]float64)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	SHRQ $3, CX
	JZ   tanhavx512done
	VMOVUPD SIGN, Z14

tanhavx512loop:
	VCVTPS2PD (SI), Z0
	VPORQ  Z14, Z0, Z1
	VADDPD Z1, Z1, Z1
	VMAXPD MINTANH, Z1, Z1
	EXPM1(Z1, Z2, Z3)
	VSUBPD ONE, Z2, Z5
	VFMADD213PD Z5, Z2, Z3
	VADDPD TWO, Z3, Z4
	VDIVPD Z4, Z3, Z3
	VPANDNQ Z3, Z14, Z3
	VPANDQ Z14, Z0, Z6
	VPORQ  Z6, Z3, Z3
	VCMPPD $3, Z0, Z0, K2
	VMOVAPD Z0, K2, Z3
	VCVTPD2PS Z3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  tanhavx512loop
	VZEROUPPER

tanhavx512done:
	RET
