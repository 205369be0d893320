#include "textflag.h"

// The kernels of vector_amd64.go: 16 float32 a step with AVX-512, 8 with
// AVX2. y + p s is a multiply and an add, as the Go loop does it (p s is
// exact, so a fused multiply-add would round the same).

// func mulAVX512(d, a, s *float32, n int)
TEXT ·mulAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   mul512done

mul512loop:
	VMOVUPS (SI), Z0
	VMULPS  (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     mul512loop

mul512done:
	VZEROUPPER
	RET

// func mulAVX2(d, a, s *float32, n int)
TEXT ·mulAVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   mul2done

mul2loop:
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     mul2loop

mul2done:
	VZEROUPPER
	RET

// func addMulAVX512(y, p, s *float32, n int)
TEXT ·addMulAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   add512done

add512loop:
	VMOVUPS (SI), Z0
	VMULPS  (DX), Z0, Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     add512loop

add512done:
	VZEROUPPER
	RET

// func addMulAVX2(y, p, s *float32, n int)
TEXT ·addMulAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   add2done

add2loop:
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     add2loop

add2done:
	VZEROUPPER
	RET
