// Package gobench holds the Go functions goffi's benchmark suite calls, and the
// baselines it compares goffi against.
//
// The exported functions in this file are ordinary Go: goffi bridges them like any
// user package, and gopy (in its own process) binds a copy of this file; those of the
// goroutine-bridge cases (funcs and channels) are in bridge.go. The baselines live in
// the same package (cabi.go, cabi_bridge.go, floor.c) because one process can hold only one Go
// runtime: they end up in the same shared library as goffi's bundle, so goffi, the
// hand-written CPython "floor" module and ctypes all call the very same Go code.
//
// Every function is //go:noinline, so that "the same Go code" holds to the byte: each
// caller runs one machine-code copy at one address. Inlined, each caller got its own
// copy of SumBytes' loop, and where the linker happened to place it (goffi's copy
// straddled a 64-byte line, the floor's did not) made the same loop 1.3-1.5x slower
// for one of them, which is no part of what a binding costs.
package gobench

import (
	"errors"
	"strings"
)

// Add returns a + b: the smallest call that carries arguments and a result.
//
//go:noinline
func Add(a, b int64) int64 {
	return a + b
}

// AddNB is Add, bridged with goffi's opt-in "does not block" policy (the GIL stays held).
//
//go:noinline
func AddNB(a, b int64) int64 {
	return a + b
}

// Noop does nothing: the bare cost of crossing the boundary.
//
//go:noinline
func Noop() {}

// Upper is strings.ToUpper: a string in, a new string out.
//
//go:noinline
func Upper(s string) string {
	return strings.ToUpper(s)
}

// errNegative is never returned by the benchmark (it always passes a >= 0); it keeps
// AddErr's error path real, so the compiler cannot drop it.
var errNegative = errors.New("gobench: negative operand")

// AddErr is Add with a trailing error result, which is nil unless a < 0.
//
//go:noinline
func AddErr(a, b int64) (int64, error) {
	if a < 0 {
		return 0, errNegative
	}
	return a + b, nil
}

// SumBytes adds up every byte of b: Go reads a large buffer once.
//
//go:noinline
func SumBytes(b []byte) uint64 {
	var s uint64
	for _, c := range b {
		s += uint64(c)
	}
	return s
}

// ScaleFloats returns a new slice holding xs[i] * k.
//
//go:noinline
func ScaleFloats(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * k
	}
	return out
}

// ScaleFloatsView is ScaleFloats, bridged with goffi's zero_copy= policy: xs is a
// view of the caller's buffer, and the new slice goes to Python as a memoryview of
// this very array.
//
//go:noinline
func ScaleFloatsView(xs []float64, k float64) []float64 {
	return ScaleFloats(xs, k)
}

// Counter is a handle: its field is unexported, so it never copies into Python; a
// Python object holds a handle to the Go pointer instead.
type Counter struct{ n int64 }

// NewCounter returns a counter at zero.
//
//go:noinline
func NewCounter() *Counter {
	return &Counter{}
}

// Inc adds one to c and returns the new count: the smallest method call on a handle.
//
//go:noinline
func (c *Counter) Inc() int64 {
	c.n++
	return c.n
}

// NewCounters returns n new counters: many handles from one call.
//
//go:noinline
func NewCounters(n int) []*Counter {
	out := make([]*Counter, n)
	for i := range out {
		out[i] = &Counter{}
	}
	return out
}
