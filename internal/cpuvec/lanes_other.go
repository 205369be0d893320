//go:build !amd64

package cpuvec

func lanes() int { return 0 }
