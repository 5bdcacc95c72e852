package gobench

// The plain C-ABI exports the baselines call: C types only, no goffi runtime, no
// panic recovery, no arena. floor.c calls them from a hand-written CPython module, and
// ctypes calls them through dlopen of the same library.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"crypto/sha256"
	"hash/crc32"
	"runtime/cgo"
	"unsafe"
)

//export gobench_Add
func gobench_Add(a, b C.int64_t) C.int64_t {
	return C.int64_t(Add(int64(a), int64(b)))
}

//export gobench_Noop
func gobench_Noop() {
	Noop()
}

// gobench_Upper converts like goffi does (the UTF-8 bytes are copied into a Go
// string; the result is copied into C memory): into buf when it fits in capacity
// bytes, else into C.malloc'd memory the caller frees. *out says which; the length
// is returned.
//
//export gobench_Upper
func gobench_Upper(p *C.char, n C.int64_t, buf *C.char, capacity C.int64_t, out **C.char) C.int64_t {
	r := Upper(C.GoStringN(p, C.int(n)))
	dst := buf
	if C.int64_t(len(r)) > capacity {
		dst = (*C.char)(C.malloc(C.size_t(len(r))))
	}
	if len(r) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(dst)), len(r)), r)
	}
	*out = dst
	return C.int64_t(len(r))
}

// gobench_SumBytes reads n bytes at p in place (a view, no copy).
//
//export gobench_SumBytes
func gobench_SumBytes(p *C.char, n C.int64_t) C.uint64_t {
	if n == 0 {
		return 0
	}
	return C.uint64_t(SumBytes(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))))
}

// gobench_CRC32 is crc32.ChecksumIEEE of n bytes at p, read in place (Go's own speed).
//
//export gobench_CRC32
func gobench_CRC32(p *C.char, n C.int64_t) C.uint32_t {
	return C.uint32_t(crc32.ChecksumIEEE(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))))
}

// gobench_SHA256 is sha256.Sum256 of n bytes at p, read in place, into out's 32 bytes.
//
//export gobench_SHA256
func gobench_SHA256(p *C.char, n C.int64_t, out *C.char) {
	sum := sha256.Sum256(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(out)), 32), sum[:])
}

// gobench_ScaleFloats runs ScaleFloats on n doubles at p in place (a view, no copy)
// and returns the result's last element (Go's result stays in Go, collected later).
//
//export gobench_ScaleFloats
func gobench_ScaleFloats(p *C.double, n C.int64_t, k C.double) C.double {
	if n == 0 {
		return 0
	}
	out := ScaleFloats(unsafe.Slice((*float64)(unsafe.Pointer(p)), int(n)), float64(k))
	return C.double(out[len(out)-1])
}

// The handle floor: a Counter lives in Go and C holds a cgo.Handle to it, the
// standard library's own handle table. Resolving it (a sync.Map load and a type
// assertion) is the "one handle lookup" every method call on a handle object needs.

//export gobench_NewCounter
func gobench_NewCounter() C.uintptr_t {
	return C.uintptr_t(cgo.NewHandle(NewCounter()))
}

//export gobench_CounterInc
func gobench_CounterInc(h C.uintptr_t) C.int64_t {
	return C.int64_t(cgo.Handle(h).Value().(*Counter).Inc())
}

//export gobench_FreeCounter
func gobench_FreeCounter(h C.uintptr_t) {
	cgo.Handle(h).Delete()
}
