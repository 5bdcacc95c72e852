// Package zerocopy exercises goffi's zero-copy slices: the session bundle declares the
// functions whose names end in View (and the methods of Buffer) zero_copy=; the others
// are ordinary functions, which still take buffers of their element format in bulk.
package zerocopy

import "runtime"

// Sum adds up xs (ordinary: Python's buffer or sequence is copied into Go).
func Sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// Kept is the last slice Keep was given: an ordinary function may keep its slices.
var Kept []int32

// Keep stores xs in Kept.
func Keep(xs []int32) { Kept = xs }

// KeptSum adds up Kept.
func KeptSum() int64 {
	var s int64
	for _, x := range Kept {
		s += int64(x)
	}
	return s
}

// IsNil reports whether xs is nil (None) rather than empty.
func IsNil(xs []uint16) bool { return xs == nil }

// ScaleView multiplies xs by k in place (zero-copy: Go writes into Python's buffer).
func ScaleView(xs []float64, k float64) {
	for i := range xs {
		xs[i] *= k
	}
}

// SumView adds up xs, which it views.
func SumView(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// IsNilView reports whether xs is nil (None) rather than empty.
func IsNilView(xs []float32) bool { return xs == nil }

// RampView returns a new Go slice 0, 1, ..., n-1 (lent to Python as a memoryview).
func RampView(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

// BytesView returns n bytes, each its index mod 256.
func BytesView(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i)
	}
	return out
}

// SameView returns its argument (or part of it): memory Go must not lend.
func SameView(xs []int32, from int) []int32 { return xs[from:] }

// TrimView returns part of a []byte argument.
func TrimView(b []byte) []byte { return b[1:] }

// Samples is a named slice type.
type Samples []uint16

// SamplesView returns n samples counting down from n.
func SamplesView(n int) Samples {
	out := make(Samples, n)
	for i := range out {
		out[i] = uint16(n - i)
	}
	return out
}

// Buffer holds a Go array that Python may see through memoryviews.
type Buffer struct{ data []int32 }

// NewBuffer returns a buffer of n zeros.
func NewBuffer(n int) *Buffer { return &Buffer{data: make([]int32, n)} }

// Data lends the buffer's own array: Python's writes land in Go's memory.
func (b *Buffer) Data() []int32 { return b.data }

// Total adds up the buffer (what Go sees).
func (b *Buffer) Total() int64 {
	var s int64
	for _, x := range b.data {
		s += int64(x)
	}
	return s
}

// Churn allocates and collects garbage, so a lent array that were not pinned and kept
// would be freed and its memory reused.
func Churn() {
	for range 4 {
		junk := make([][]float64, 64)
		for i := range junk {
			junk[i] = make([]float64, 4096)
			for j := range junk[i] {
				junk[i][j] = -1
			}
		}
		runtime.GC()
	}
}

// Nothing has no slice at all: declaring it zero_copy= is an error.
func Nothing(x int) int { return x }
