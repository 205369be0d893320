#include "textflag.h"

// Level-1 kernels for the products with a dimension of one: y += alpha·x,
// y = alpha·x and the dot product x·y, over len(x) elements (len(y) >= len(x)), four
// YMM registers a step and a scalar tail.

// func axpyf32(alpha float32, x, y []float32)
TEXT ·axpyf32(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX
	JZ axpytail
axpyloop:
	VMOVUPS 0(SI)(AX*4), Y1
	VMOVUPS 32(SI)(AX*4), Y2
	VMOVUPS 64(SI)(AX*4), Y3
	VMOVUPS 96(SI)(AX*4), Y4
	VFMADD213PS 0(DI)(AX*4), Y0, Y1
	VFMADD213PS 32(DI)(AX*4), Y0, Y2
	VFMADD213PS 64(DI)(AX*4), Y0, Y3
	VFMADD213PS 96(DI)(AX*4), Y0, Y4
	VMOVUPS Y1, 0(DI)(AX*4)
	VMOVUPS Y2, 32(DI)(AX*4)
	VMOVUPS Y3, 64(DI)(AX*4)
	VMOVUPS Y4, 96(DI)(AX*4)
	ADDQ $32, AX
	CMPQ AX, DX
	JB axpyloop
axpytail:
	CMPQ AX, CX
	JAE axpydone
	VMOVSS (SI)(AX*4), X1
	VFMADD213SS (DI)(AX*4), X0, X1
	VMOVSS X1, (DI)(AX*4)
	INCQ AX
	JMP axpytail
axpydone:
	VZEROUPPER
	RET

// func dotf32(x, y []float32) float32
TEXT ·dotf32(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y5, Y5, Y5
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX
	JZ dottail
dotloop:
	VMOVUPS 0(SI)(AX*4), Y4
	VFMADD231PS 0(DI)(AX*4), Y4, Y0
	VMOVUPS 32(SI)(AX*4), Y4
	VFMADD231PS 32(DI)(AX*4), Y4, Y1
	VMOVUPS 64(SI)(AX*4), Y4
	VFMADD231PS 64(DI)(AX*4), Y4, Y2
	VMOVUPS 96(SI)(AX*4), Y4
	VFMADD231PS 96(DI)(AX*4), Y4, Y3
	ADDQ $32, AX
	CMPQ AX, DX
	JB dotloop
dottail:
	CMPQ AX, CX
	JAE dotsum
	VMOVSS (SI)(AX*4), X4
	VFMADD231SS (DI)(AX*4), X4, X5
	INCQ AX
	JMP dottail
dotsum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VADDSS X5, X0, X0
	VZEROUPPER
	VMOVSS X0, ret+48(FP)
	RET

// func axpyf64(alpha float64, x, y []float64)
TEXT ·axpyf64(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-16, DX
	JZ axpytail
axpyloop:
	VMOVUPD 0(SI)(AX*8), Y1
	VMOVUPD 32(SI)(AX*8), Y2
	VMOVUPD 64(SI)(AX*8), Y3
	VMOVUPD 96(SI)(AX*8), Y4
	VFMADD213PD 0(DI)(AX*8), Y0, Y1
	VFMADD213PD 32(DI)(AX*8), Y0, Y2
	VFMADD213PD 64(DI)(AX*8), Y0, Y3
	VFMADD213PD 96(DI)(AX*8), Y0, Y4
	VMOVUPD Y1, 0(DI)(AX*8)
	VMOVUPD Y2, 32(DI)(AX*8)
	VMOVUPD Y3, 64(DI)(AX*8)
	VMOVUPD Y4, 96(DI)(AX*8)
	ADDQ $16, AX
	CMPQ AX, DX
	JB axpyloop
axpytail:
	CMPQ AX, CX
	JAE axpydone
	VMOVSD (SI)(AX*8), X1
	VFMADD213SD (DI)(AX*8), X0, X1
	VMOVSD X1, (DI)(AX*8)
	INCQ AX
	JMP axpytail
axpydone:
	VZEROUPPER
	RET

// func dotf64(x, y []float64) float64
TEXT ·dotf64(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y5, Y5, Y5
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-16, DX
	JZ dottail
dotloop:
	VMOVUPD 0(SI)(AX*8), Y4
	VFMADD231PD 0(DI)(AX*8), Y4, Y0
	VMOVUPD 32(SI)(AX*8), Y4
	VFMADD231PD 32(DI)(AX*8), Y4, Y1
	VMOVUPD 64(SI)(AX*8), Y4
	VFMADD231PD 64(DI)(AX*8), Y4, Y2
	VMOVUPD 96(SI)(AX*8), Y4
	VFMADD231PD 96(DI)(AX*8), Y4, Y3
	ADDQ $16, AX
	CMPQ AX, DX
	JB dotloop
dottail:
	CMPQ AX, CX
	JAE dotsum
	VMOVSD (SI)(AX*8), X4
	VFMADD231SD (DI)(AX*8), X4, X5
	INCQ AX
	JMP dottail
dotsum:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	VADDSD X5, X0, X0
	VZEROUPPER
	VMOVSD X0, ret+48(FP)
	RET

// func scalf32(alpha float32, x, y []float32)
TEXT ·scalf32(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX
	JZ scaltail
scalloop:
	VMULPS 0(SI)(AX*4), Y0, Y1
	VMULPS 32(SI)(AX*4), Y0, Y2
	VMULPS 64(SI)(AX*4), Y0, Y3
	VMULPS 96(SI)(AX*4), Y0, Y4
	VMOVUPS Y1, 0(DI)(AX*4)
	VMOVUPS Y2, 32(DI)(AX*4)
	VMOVUPS Y3, 64(DI)(AX*4)
	VMOVUPS Y4, 96(DI)(AX*4)
	ADDQ $32, AX
	CMPQ AX, DX
	JB scalloop
scaltail:
	CMPQ AX, CX
	JAE scaldone
	VMULSS (SI)(AX*4), X0, X1
	VMOVSS X1, (DI)(AX*4)
	INCQ AX
	JMP scaltail
scaldone:
	VZEROUPPER
	RET

// func scalf64(alpha float64, x, y []float64)
TEXT ·scalf64(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-16, DX
	JZ scaltail
scalloop:
	VMULPD 0(SI)(AX*8), Y0, Y1
	VMULPD 32(SI)(AX*8), Y0, Y2
	VMULPD 64(SI)(AX*8), Y0, Y3
	VMULPD 96(SI)(AX*8), Y0, Y4
	VMOVUPD Y1, 0(DI)(AX*8)
	VMOVUPD Y2, 32(DI)(AX*8)
	VMOVUPD Y3, 64(DI)(AX*8)
	VMOVUPD Y4, 96(DI)(AX*8)
	ADDQ $16, AX
	CMPQ AX, DX
	JB scalloop
scaltail:
	CMPQ AX, CX
	JAE scaldone
	VMULSD (SI)(AX*8), X0, X1
	VMOVSD X1, (DI)(AX*8)
	INCQ AX
	JMP scaltail
scaldone:
	VZEROUPPER
	RET
