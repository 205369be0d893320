package gemm

// packA copies rows i0..i0+rows-1 and columns p0..p0+depth-1 of op(A) into
// dst as micro-panels of mr rows, each stored column after column (depth
// steps of mr values), rows past the edge zero-padded.
func packA[T float](trans bool, a []T, lda, i0, p0, rows, depth, mr int, dst []T) {
	for q := 0; q < rows; q += mr {
		panel := dst[q*depth : (q+mr)*depth]
		h := min(mr, rows-q)
		switch {
		case h == 6 && mr == 6 && trans:
			packCopy6(panel, a[p0*lda+i0+q:], lda, depth)
		case h == 6 && mr == 6:
			packInterleave6(panel, a[(i0+q)*lda+p0:], lda, depth)
		case trans:
			packCopy(panel, a[p0*lda+i0+q:], lda, depth, h, mr)
		default:
			packInterleave(panel, a[(i0+q)*lda+p0:], lda, depth, h, mr)
		}
	}
}

// packB copies rows p0..p0+depth-1 and columns j0..j0+cols-1 of op(B) into
// dst as micro-panels of nr columns, each stored row after row (depth
// steps of nr values), columns past the edge zero-padded.
func packB[T float](trans bool, b []T, ldb, p0, j0, depth, cols, nr int, dst []T) {
	for q := 0; q < cols; q += nr {
		panel := dst[q*depth : (q+nr)*depth]
		w := min(nr, cols-q)
		switch {
		case w == 32 && nr == 32 && !trans:
			packCopy32(panel, b[p0*ldb+j0+q:], ldb, depth)
		case w == 16 && nr == 16 && !trans:
			packCopy16(panel, b[p0*ldb+j0+q:], ldb, depth)
		case w == 8 && nr == 8 && !trans:
			packCopy8(panel, b[p0*ldb+j0+q:], ldb, depth)
		case !trans:
			packCopy(panel, b[p0*ldb+j0+q:], ldb, depth, w, nr)
		default:
			packInterleave(panel, b[(j0+q)*ldb+p0:], ldb, depth, w, nr)
		}
	}
}

// packCopy sets dst[p*width+j] = src[p*ld+j] for j < h and zero for
// h <= j < width, over depth steps: the packed layout is the source's.
func packCopy[T float](dst, src []T, ld, depth, h, width int) {
	for p := range depth {
		d := dst[p*width : p*width+width]
		copy(d, src[p*ld:][:h])
		clear(d[h:])
	}
}

// packInterleave sets dst[p*width+j] = src[j*ld+p] for j < h and zero for
// h <= j < width, over depth steps: the packed layout transposes the
// source's. Eight or four source rows go at a time, for fewer passes over
// dst.
func packInterleave[T float](dst, src []T, ld, depth, h, width int) {
	j := 0
	for ; j+8 <= h; j += 8 {
		s0 := src[j*ld:][:depth]
		s1 := src[(j+1)*ld:][:depth]
		s2 := src[(j+2)*ld:][:depth]
		s3 := src[(j+3)*ld:][:depth]
		s4 := src[(j+4)*ld:][:depth]
		s5 := src[(j+5)*ld:][:depth]
		s6 := src[(j+6)*ld:][:depth]
		s7 := src[(j+7)*ld:][:depth]
		for p := range s0 {
			d := (*[8]T)(dst[p*width+j:])
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p], s6[p], s7[p]
		}
	}
	for ; j+4 <= h; j += 4 {
		s0 := src[j*ld:][:depth]
		s1 := src[(j+1)*ld:][:depth]
		s2 := src[(j+2)*ld:][:depth]
		s3 := src[(j+3)*ld:][:depth]
		for p := range s0 {
			d := dst[p*width+j : p*width+j+4 : p*width+j+4]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; j < h; j++ {
		for p, v := range src[j*ld:][:depth] {
			dst[p*width+j] = v
		}
	}
	for ; j < width; j++ {
		for p := range depth {
			dst[p*width+j] = 0
		}
	}
}

// packInterleave6 is packInterleave for six full rows.
func packInterleave6[T float](dst, src []T, ld, depth int) {
	s0 := src[:depth]
	s1 := src[ld:][:depth]
	s2 := src[2*ld:][:depth]
	s3 := src[3*ld:][:depth]
	s4 := src[4*ld:][:depth]
	s5 := src[5*ld:][:depth]
	dst = dst[:6*depth]
	for p := range s0 {
		d := (*[6]T)(dst[6*p:])
		d[0], d[1], d[2], d[3], d[4], d[5] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p]
	}
}

// packCopy6 is packCopy for six full columns.
func packCopy6[T float](dst, src []T, ld, depth int) {
	for p := range depth {
		*(*[6]T)(dst[6*p:]) = *(*[6]T)(src[p*ld:])
	}
}

// packCopy8 is packCopy for eight full columns.
func packCopy8[T float](dst, src []T, ld, depth int) {
	for p := range depth {
		*(*[8]T)(dst[8*p:]) = *(*[8]T)(src[p*ld:])
	}
}

// packCopy16 is packCopy for sixteen full columns.
func packCopy16[T float](dst, src []T, ld, depth int) {
	for p := range depth {
		*(*[16]T)(dst[16*p:]) = *(*[16]T)(src[p*ld:])
	}
}

// packCopy32 is packCopy for thirty-two full columns.
func packCopy32[T float](dst, src []T, ld, depth int) {
	for p := range depth {
		*(*[32]T)(dst[32*p:]) = *(*[32]T)(src[p*ld:])
	}
}
