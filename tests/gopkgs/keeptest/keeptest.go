// Package keeptest plants functions that keep, or do not keep, the memory of their
// slice arguments after they return: goffi's memory analysis must tell them apart.
package keeptest

import (
	"bytes"
	"io"
	"runtime"
)

var kept []byte

// KeepGlobal keeps b in a package variable.
func KeepGlobal(b []byte) { kept = b }

// Kept returns what KeepGlobal kept.
func Kept() []byte { return kept }

// Holder holds a byte slice.
type Holder struct{ data []byte }

// NewHolder keeps b in the struct it returns.
func NewHolder(b []byte) *Holder { return &Holder{data: b} }

// Data returns the bytes the holder keeps.
func (h *Holder) Data() []byte { return h.data }

// Set keeps b in the holder.
func (h *Holder) Set(b []byte) { h.data = b }

// Count does not keep b.
func (h *Holder) Count(b []byte) int { return len(b) + len(h.data) }

// Tail returns a subslice of b, which goffi copies to Python.
func Tail(b []byte) []byte { return b[1:] }

// Sum does not keep b.
func Sum(b []byte) int {
	n := 0
	for _, c := range b {
		n += int(c)
	}
	return n
}

// Fill writes into b and does not keep it.
func Fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// Taker takes a byte slice.
type Taker interface{ Take(b []byte) }

// ToInterface passes b to an interface method: unknown code, which may keep it.
func ToInterface(t Taker, b []byte) { t.Take(b) }

// WriteTo writes b to w: an interface method too.
func WriteTo(w io.Writer, b []byte) (int, error) { return w.Write(b) }

// FillKept writes v into b and keeps it: the writes must still reach the caller's buffer.
func FillKept(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
	kept = b
}

// Reader reads b later, through a bytes.Reader it keeps.
func Reader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// Joined keeps every slice of parts.
func Joined(parts [][]byte) { kept = parts[0] }

// Lens does not keep parts.
func Lens(parts [][]byte) int { return len(parts) }

// CollectGarbage runs Go's collector twice (a second cycle frees what the first found).
func CollectGarbage() {
	runtime.GC()
	runtime.GC()
}

// SortInts sorts xs in place (insertion sort): its writes must reach the caller's list.
func SortInts(xs []int) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

var keptFloats []float64

// KeepAndScale keeps xs and returns a new slice of xs[i] * k: declared zero-copy, its
// result is lent, but xs cannot be a view.
func KeepAndScale(xs []float64, k float64) []float64 {
	keptFloats = xs
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}
