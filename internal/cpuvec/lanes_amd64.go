package cpuvec

import "golang.org/x/sys/cpu"

func lanes() int {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return 0
	}
	if cpu.X86.HasAVX512F {
		return 8
	}
	return 4
}
