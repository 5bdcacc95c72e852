// Code copied by goffi into every bundle. DO NOT EDIT.

// This file is the Go side of the C ABI in goffi.h: moving strings, byte slices,
// errors and panics between Go values and C memory. It is the same in every bundle
// (only the generated wrapper differs), and lives in package main because cgo's C
// types are per package.

package main

/*
#include "goffi.h"
*/
import "C"

import (
	"slices"
	"unsafe"

	"goffi.local/bundle/rt"
)

// goffiAlloc takes n bytes from the call's arena. The arena is C memory owned by the
// C glue, so Go may fill it and C may keep reading it after Go returns; the glue
// frees it once the results are Python objects. The common case is a pointer bump
// in Go, with no cgo call.
func goffiAlloc(a *C.goffi_arena, n uintptr) unsafe.Pointer {
	n = (n + 15) &^ 15
	if uintptr(unsafe.Pointer(a.end))-uintptr(unsafe.Pointer(a.cur)) >= n {
		p := unsafe.Pointer(a.cur)
		a.cur = (*C.char)(unsafe.Add(p, n))
		return p
	}
	p := C.goffi_arena_grow(a, C.size_t(n))
	if p == nil {
		panic("goffi: out of memory allocating a result")
	}
	return p
}

// goffiString copies a C string into Go memory: Go may keep strings forever (map
// keys, struct fields), so they never alias Python's buffers.
func goffiString(s C.goffi_str) string {
	if s.n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(s.p)), int(s.n)))
}

// goffiBytesView is a []byte over the caller's buffer, valid for this call only:
// the zero-copy path for []byte parameters. A NULL pointer (Python None) is nil.
func goffiBytesView(s C.goffi_str) []byte {
	if s.p == nil {
		return nil
	}
	if s.n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(s.p)), int(s.n))
}

// goffiBytesCopy is a []byte in Go memory with the caller's bytes, for values Go keeps
// after the call returns (package variables). A NULL pointer (Python None) is nil.
func goffiBytesCopy(s C.goffi_str) []byte {
	if s.p == nil {
		return nil
	}
	return append([]byte{}, unsafe.Slice((*byte)(unsafe.Pointer(s.p)), int(s.n))...)
}

// goffiSetString copies a Go string into the arena.
func goffiSetString(dst *C.goffi_str, a *C.goffi_arena, s string) {
	dst.n = C.int64_t(len(s))
	if len(s) == 0 {
		dst.p = nil
		return
	}
	p := goffiAlloc(a, uintptr(len(s)))
	copy(unsafe.Slice((*byte)(p), len(s)), s)
	dst.p = (*C.char)(p)
}

// goffiSetBytes copies a Go byte slice into the arena.
func goffiSetBytes(dst *C.goffi_str, a *C.goffi_arena, b []byte) {
	dst.n = C.int64_t(len(b))
	if len(b) == 0 {
		dst.p = nil
		return
	}
	p := goffiAlloc(a, uintptr(len(b)))
	copy(unsafe.Slice((*byte)(p), len(b)), b)
	dst.p = (*C.char)(p)
}

// goffiEntry is one key and value of a Go map.
type goffiEntry[K comparable, V any] struct {
	k K
	v V
}

// goffiSortedEntries returns the entries of m sorted by key, so that Python sees the
// same order every time. Values are read while iterating, never looked up by key
// afterwards: a NaN key, which no lookup finds, keeps its value.
func goffiSortedEntries[M ~map[K]V, K comparable, V any](m M, compare func(a, b K) int) []goffiEntry[K, V] {
	entries := make([]goffiEntry[K, V], 0, len(m))
	for k, v := range m {
		entries = append(entries, goffiEntry[K, V]{k, v})
	}
	slices.SortFunc(entries, func(a, b goffiEntry[K, V]) int { return compare(a.k, b.k) })
	return entries
}

func goffiBool(b bool) C.uint8_t {
	if b {
		return 1
	}
	return 0
}

// goffiSetError reports a returned, non-nil error.
func goffiSetError(e *C.goffi_err, a *C.goffi_arena, err error) {
	message, goType := rt.ErrorInfo(err)
	e.kind = C.GOFFI_ERROR
	goffiSetString(&e.message, a, message)
	goffiSetString(&e.go_type, a, goType)
}

// goffiSetPanic reports a recovered panic. Call it from the deferred function that
// recovered, so the stack still shows where the panic happened.
func goffiSetPanic(e *C.goffi_err, a *C.goffi_arena, recovered any) {
	message, goType, stack := rt.PanicInfo(recovered)
	e.kind = C.GOFFI_PANIC
	goffiSetString(&e.message, a, message)
	goffiSetString(&e.go_type, a, goType)
	goffiSetBytes(&e.stack, a, stack)
}
