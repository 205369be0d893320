#include "textflag.h"

// RELU4 sets Y0-Y3 to ReLU of themselves: a compare (GE_OQ: x >= 0,
// false for NaN), an AND with 1.0 (Y15) and the product, x its first
// operand as in the scalar code. Y14 holds 0; Y4-Y7 are clobbered.
#define RELU4 \
	VCMPPS $0x1d, Y14, Y0, Y4; \
	VCMPPS $0x1d, Y14, Y1, Y5; \
	VCMPPS $0x1d, Y14, Y2, Y6; \
	VCMPPS $0x1d, Y14, Y3, Y7; \
	VANDPS Y15, Y4, Y4; \
	VANDPS Y15, Y5, Y5; \
	VANDPS Y15, Y6, Y6; \
	VANDPS Y15, Y7, Y7; \
	VMULPS Y4, Y0, Y0; \
	VMULPS Y5, Y1, Y1; \
	VMULPS Y6, Y2, Y2; \
	VMULPS Y7, Y3, Y3

// ADDMUL4 sets Y0-Y3 to a + b*c for the 32 values at SI (a), DX (b) and
// BX (c): the product rounded, then the sum.
#define ADDMUL4 \
	VMOVUPS 0(DX), Y0; \
	VMOVUPS 32(DX), Y1; \
	VMOVUPS 64(DX), Y2; \
	VMOVUPS 96(DX), Y3; \
	VMULPS 0(BX), Y0, Y0; \
	VMULPS 32(BX), Y1, Y1; \
	VMULPS 64(BX), Y2, Y2; \
	VMULPS 96(BX), Y3, Y3; \
	VADDPS 0(SI), Y0, Y0; \
	VADDPS 32(SI), Y1, Y1; \
	VADDPS 64(SI), Y2, Y2; \
	VADDPS 96(SI), Y3, Y3

// STORE4 stores Y0-Y3 at DI.
#define STORE4 \
	VMOVUPS Y0, 0(DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI)

// func relu32(y, x *float32, steps int)
//
// y = x * m with m = 1.0 where x >= 0 (ordered: NaN gives 0) and 0
// elsewhere: a compare, an AND with 1.0 and the product, x the product's
// first operand as in the scalar code (so a NaN comes out as the scalar
// code's NaN).
TEXT ·relu32(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ steps+16(FP), CX
	VBROADCASTSS one32<>(SB), Y15
	VXORPS Y14, Y14, Y14

relu:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	RELU4
	STORE4
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ relu
	VZEROUPPER
	RET

// func addMul32(out, a, b, c *float32, steps int)
//
// out = a + b*c: the product rounded, then the sum.
TEXT ·addMul32(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ steps+32(FP), CX

addmul:
	ADDMUL4
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, BX
	ADDQ $128, DI
	DECQ CX
	JNZ addmul
	VZEROUPPER
	RET

// func addMulReLU32(out, a, b, c *float32, steps int)
//
// addMul32 then relu32 on the sums in registers.
TEXT ·addMulReLU32(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ steps+32(FP), CX
	VBROADCASTSS one32<>(SB), Y15
	VXORPS Y14, Y14, Y14

addmulrelu:
	ADDMUL4
	RELU4
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, BX
	ADDQ $128, DI
	DECQ CX
	JNZ addmulrelu
	VZEROUPPER
	RET

// func addReLU32(out, a, b *float32, steps int)
//
// out = ReLU(a + b).
TEXT ·addReLU32(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ steps+24(FP), CX
	VBROADCASTSS one32<>(SB), Y15
	VXORPS Y14, Y14, Y14

addrelu:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS 0(DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS 64(DX), Y2, Y2
	VADDPS 96(DX), Y3, Y3
	RELU4
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ addrelu
	VZEROUPPER
	RET

// RELU4D is RELU4 for float64: Y15 holds 1.0 in each lane.
#define RELU4D \
	VCMPPD $0x1d, Y14, Y0, Y4; \
	VCMPPD $0x1d, Y14, Y1, Y5; \
	VCMPPD $0x1d, Y14, Y2, Y6; \
	VCMPPD $0x1d, Y14, Y3, Y7; \
	VANDPD Y15, Y4, Y4; \
	VANDPD Y15, Y5, Y5; \
	VANDPD Y15, Y6, Y6; \
	VANDPD Y15, Y7, Y7; \
	VMULPD Y4, Y0, Y0; \
	VMULPD Y5, Y1, Y1; \
	VMULPD Y6, Y2, Y2; \
	VMULPD Y7, Y3, Y3

// func relu64(y, x *float64, steps int)
//
// relu32 for float64: 16 values a step.
TEXT ·relu64(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ steps+16(FP), CX
	VBROADCASTSD one64<>(SB), Y15
	VXORPD Y14, Y14, Y14

reluloop64:
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	RELU4D
	STORE4
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ reluloop64
	VZEROUPPER
	RET

// func reluGrad32(d, x, grad *float32, steps int)
//
// reluGrad64 (below) for float32: 32 values a step.
TEXT ·reluGrad32(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ steps+24(FP), CX
	VBROADCASTSS one32<>(SB), Y15
	VXORPS Y14, Y14, Y14

relugrad32:
	VCMPPS $0x12, 0(SI), Y14, Y0
	VCMPPS $0x12, 32(SI), Y14, Y1
	VCMPPS $0x12, 64(SI), Y14, Y2
	VCMPPS $0x12, 96(SI), Y14, Y3
	VANDPS Y15, Y0, Y0
	VANDPS Y15, Y1, Y1
	VANDPS Y15, Y2, Y2
	VANDPS Y15, Y3, Y3
	VMULPS 0(DX), Y0, Y0
	VMULPS 32(DX), Y1, Y1
	VMULPS 64(DX), Y2, Y2
	VMULPS 96(DX), Y3, Y3
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ relugrad32
	VZEROUPPER
	RET

// func reluGrad64(d, x, grad *float64, steps int)
//
// d = m * g with m = 1.0 where 0 <= x (LE_OQ, the compare that takes x
// from memory: NaN gives 0) and 0 elsewhere, the mask the product's first
// operand as in the scalar code.
TEXT ·reluGrad64(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ steps+24(FP), CX
	VBROADCASTSD one64<>(SB), Y15
	VXORPD Y14, Y14, Y14

relugrad64:
	VCMPPD $0x12, 0(SI), Y14, Y0
	VCMPPD $0x12, 32(SI), Y14, Y1
	VCMPPD $0x12, 64(SI), Y14, Y2
	VCMPPD $0x12, 96(SI), Y14, Y3
	VANDPD Y15, Y0, Y0
	VANDPD Y15, Y1, Y1
	VANDPD Y15, Y2, Y2
	VANDPD Y15, Y3, Y3
	VMULPD 0(DX), Y0, Y0
	VMULPD 32(DX), Y1, Y1
	VMULPD 64(DX), Y2, Y2
	VMULPD 96(DX), Y3, Y3
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ relugrad64
	VZEROUPPER
	RET

// func add32(out, a, b *float32, steps int)
//
// out = a + b, 32 values a step.
TEXT ·add32(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ steps+24(FP), CX

addloop32:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS 0(DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS 64(DX), Y2, Y2
	VADDPS 96(DX), Y3, Y3
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ addloop32
	VZEROUPPER
	RET

// func add64(out, a, b *float64, steps int)
//
// out = a + b, 16 values a step.
TEXT ·add64(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ steps+24(FP), CX

addloop64:
	VMOVUPD 0(SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VADDPD 0(DX), Y0, Y0
	VADDPD 32(DX), Y1, Y1
	VADDPD 64(DX), Y2, Y2
	VADDPD 96(DX), Y3, Y3
	STORE4
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNZ addloop64
	VZEROUPPER
	RET

DATA one32<>+0(SB)/4, $0x3f800000
GLOBL one32<>(SB), RODATA|NOPTR, $4

DATA one64<>+0(SB)/8, $0x3ff0000000000000
GLOBL one64<>(SB), RODATA|NOPTR, $8
