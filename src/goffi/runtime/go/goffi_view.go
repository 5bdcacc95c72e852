// Code copied by goffi into every bundle. DO NOT EDIT.

// This file is the Go side of zero-copy slices (goffi.load(zero_copy=...)): a
// parameter that views C memory instead of copying it, and a result lent to Python as
// a memoryview of Go's own array. See goffi_view.c for the C side.

package rtcgo

/*
#include "goffi.h"
*/
import "C"

import (
	"slices"
	"unsafe"

	"goffi.local/bundle/rt"
)

// goffiLoans holds every Go array a memoryview in Python points into.
var goffiLoans = rt.NewLoans()

// goffiView is a Go slice over C memory: the caller's Python buffer, or the call's
// arena when Python passed a sequence. It is valid for the call only, which is the
// contract a zero_copy= function declares (it keeps no slice argument).
func goffiView[S ~[]E, E any](c C.goffi_view) S {
	if c.p == nil {
		return nil
	}
	return S(unsafe.Slice((*E)(c.p), int(c.n)))
}

// goffiSpan is the memory an argument viewed (a Python buffer or the call's arena),
// which a lent result must not share: that memory is gone or may change once the call
// returns.
type goffiSpan struct{ start, end uintptr }

// goffiAnywhere stands for an argument whose views cannot be listed (a [][]byte, say):
// every result is then copied before it is lent.
var goffiAnywhere = goffiSpan{0, ^uintptr(0)}

// goffiViewSpan is the memory of a zero-copy slice argument of E items.
func goffiViewSpan[E any](c C.goffi_view) goffiSpan {
	var e E
	start := uintptr(c.p)
	return goffiSpan{start, start + uintptr(c.n)*unsafe.Sizeof(e)}
}

// goffiBytesSpan is the memory of a []byte argument (always a view).
func goffiBytesSpan(c C.goffi_str) goffiSpan {
	start := uintptr(unsafe.Pointer(c.p))
	return goffiSpan{start, start + uintptr(c.n)}
}

// goffiLend hands Python the array of slice v without copying it: the array is pinned
// (so C may keep pointing into it after this call) until Python releases the
// memoryview, which calls goffi_return_loan with dst.loan. An empty slice lends nothing.
//
// args are the spans of the call's viewed arguments. A result that shares memory with
// one (a function returning its argument, or part of it) is not Go's to lend: it is
// copied into a new Go array first.
func goffiLend[S ~[]E, E any](dst *C.goffi_view, v S, args ...goffiSpan) {
	dst.n = C.int64_t(len(v))
	dst.p, dst.loan = nil, 0
	if len(v) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(&v[0]))
	end := start + uintptr(len(v))*unsafe.Sizeof(v[0])
	for _, a := range args {
		if start < a.end && a.start < end {
			v = slices.Clone(v)
			break
		}
	}
	p := unsafe.Pointer(&v[0])
	dst.loan = C.uint64_t(goffiLoans.Lend(p, v))
	dst.p = p // pinned first: only then may C memory hold this Go pointer
}

// goffi_return_loan unpins a lent array: its memoryview (the last export of it) is gone.
//
//export goffi_return_loan
func goffi_return_loan(id C.uint64_t) {
	goffiLoans.Return(uint64(id))
}
