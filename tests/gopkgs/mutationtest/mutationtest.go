// Package mutationtest plants functions whose slice parameters Go writes into, keeps, or
// only reads, for goffi's mutation analysis (goffi/mutation.py): tests/test_mutation.py
// checks every verdict in the plan and how each one crosses at run time.
package mutationtest

import (
	"bytes"
	"crypto/sha256"
	"hash/crc32"
	"io"
	"slices"
	"unsafe"
)

// ---- writers -------------------------------------------------------------------------

// WriteDirect stores into its slice.
func WriteDirect(b []byte) {
	if len(b) > 0 {
		b[0] = 'W'
	}
}

// WriteCopy is copy's destination.
func WriteCopy(b []byte) int { return copy(b, "CP") }

// WriteHelper writes through a helper it passes a reslice to.
func WriteHelper(b []byte) {
	if len(b) > 1 {
		fill(b[1:], 'H')
	}
}

func fill(b []byte, c byte) {
	for i := range b {
		b[i] = c
	}
}

// WriteClosure writes from a closure that captured the slice.
func WriteClosure(b []byte) {
	set := func(c byte) {
		if len(b) > 0 {
			b[len(b)-1] = c
		}
	}
	set('C')
}

// WriteGoroutine writes from a goroutine (and waits for it).
func WriteGoroutine(b []byte) {
	done := make(chan struct{})
	go func() {
		if len(b) > 0 {
			b[0] = 'G'
		}
		close(done)
	}()
	<-done
}

var retained []byte

// KeepGlobal retains the slice in a global.
func KeepGlobal(b []byte) { retained = b }

// Retained is what KeepGlobal kept.
func Retained() []byte { return retained }

// Sink has io.Writer's method, but is not io.Writer: its contract is unknown.
type Sink interface {
	Write(p []byte) (int, error)
}

// WriteSink passes the slice to Sink.Write: an unknown implementation may write.
func WriteSink(s Sink, b []byte) (int, error) { return s.Write(b) }

// WriteFunc passes the slice to a func value: an unknown function may write.
func WriteFunc(f func([]byte), b []byte) { f(b) }

// WriteAppend appends in place (b[:0] has b's capacity).
func WriteAppend(b []byte) []byte { return append(b[:0], 'A') }

// WriteUnsafe writes through an unsafe.Pointer.
func WriteUnsafe(b []byte) {
	if len(b) > 0 {
		*(*byte)(unsafe.Pointer(unsafe.SliceData(b))) = 'U'
	}
}

func zero[T any](s []T) {
	var z T
	for i := range s {
		s[i] = z
	}
}

// WriteGeneric writes through a generic helper.
func WriteGeneric(b []byte) { zero(b) }

// Filler writes through a method.
type Filler struct{ C byte }

// Fill writes its slice.
func (f Filler) Fill(b []byte) { fill(b, f.C) }

// WriteMethod writes through a method call.
func WriteMethod(b []byte) { Filler{'M'}.Fill(b) }

// SortInts sorts its numbers in place.
func SortInts(xs []int64) { slices.Sort(xs) }

// WritePtr writes and returns the address of its slice's first byte.
func WritePtr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	b[0] = 'P'
	return uintptr(unsafe.Pointer(&b[0]))
}

// ---- read-only -------------------------------------------------------------------------

// SumBytes reads every byte.
func SumBytes(b []byte) int64 {
	var s int64
	for _, c := range b {
		s += int64(c)
	}
	return s
}

// Len reads the length only.
func Len(b []byte) int { return len(b) }

// Equal compares with bytes.Equal.
func Equal(a, b []byte) bool { return bytes.Equal(a, b) }

// Digest passes the slice to hash.Hash's Write.
func Digest(b []byte) []byte {
	h := sha256.New()
	h.Write(b)
	return h.Sum(nil)
}

// CRC is crc32.ChecksumIEEE of its slice.
func CRC(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// WriteTo hands the slice to an io.Writer, whose contract forbids modifying it.
func WriteTo(w io.Writer, b []byte) (int, error) { return w.Write(b) }

// SumInts reads its numbers.
func SumInts(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// DataPtr returns the address of its slice's first byte (0 for an empty one), so a
// test can tell whether Go saw the caller's buffer or a copy.
func DataPtr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// Counter hashes into itself: a method whose []byte parameter is read-only.
type Counter struct{ N int64 }

// Add adds the sum of b's bytes.
func (c *Counter) Add(b []byte) int64 {
	c.N += SumBytes(b)
	return c.N
}

// FloatsPtr returns the address of its slice's first item (0 for an empty one): loaded
// zero-copy, a read-only buffer is viewed, not copied.
func FloatsPtr(xs []float64) uintptr {
	if len(xs) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&xs[0]))
}

// ScaleInPlace doubles its numbers: loaded zero-copy, a read-only buffer is copied.
func ScaleInPlace(xs []float64) uintptr {
	for i := range xs {
		xs[i] *= 2
	}
	if len(xs) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&xs[0]))
}
