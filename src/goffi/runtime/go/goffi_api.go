// Code copied by goffi into every bundle. DO NOT EDIT.

// Package rtcgo is the Go half of goffi's runtime (goffi_cgo.go, goffi_view.go,
// goffi_decode.go, goffi_bridge.go, goffi_chanpump.go, goffi_sigurg.go): the same in
// every bundle, so Go's build cache keeps it compiled across bundles and rebuilds, and a
// change of a bridged package recompiles the generated wrapper alone.
//
// This file is its API for the wrapper. cgo's C types are per package, so the wrapper
// names this package's as the aliases below and converts its own to them with no copy
// (goffi_shim.go: the same C layout). The runtime calls back into the generated wrapper
// (the Python classes of Go values, the bundle's errors, records) through GoffiInit.

package rtcgo

/*
#include "goffi.h"
#include "goffi_exports.h"
*/
import "C"

import (
	"context"
	"time"
	"unsafe"
)

// The C types of goffi.h, as this package's cgo names them.
type (
	Arena  = C.goffi_arena
	Str    = C.goffi_str
	Err    = C.goffi_err
	Handle = C.goffi_handle
	Any    = C.goffi_any
	View   = C.goffi_view
	Time   = C.goffi_time
	Span   = goffiSpan
)

// Wrapper is what the generated wrapper gives the runtime, once, from its init.
type Wrapper struct {
	AnyClass, ChanClass int
	ClassOf             func(v any, static int) (stored, key any, cls int)
	Sentinels           func() []error
	ErrorTypes          func(err error, visit func(index int, value any))
	RecordIn            func(cls int, p unsafe.Pointer) any
	RecordOut           func(a *Arena, v any) (unsafe.Pointer, int)
	ChanSlots           func(ch any, out []uint64, timeoutNs int64, try bool) (kind int32, n int, status int32)
}

var (
	goffiWrapper   Wrapper
	goffiAnyClass  int
	goffiChanClass int
)

// GoffiInit hands the runtime the wrapper's part; the wrapper's init calls it, before
// any export can run.
func GoffiInit(w Wrapper) {
	goffiWrapper, goffiAnyClass, goffiChanClass = w, w.AnyClass, w.ChanClass
}

func goffiClassOf(v any, static int) (stored, key any, cls int) {
	return goffiWrapper.ClassOf(v, static)
}
func goffiSentinels() []error { return goffiWrapper.Sentinels() }
func goffiErrorTypes(err error, visit func(index int, value any)) {
	goffiWrapper.ErrorTypes(err, visit)
}
func goffiRecordIn(cls int, p unsafe.Pointer) any { return goffiWrapper.RecordIn(cls, p) }
func goffiRecordOut(a *C.goffi_arena, v any) (unsafe.Pointer, int) {
	return goffiWrapper.RecordOut(a, v)
}

func GoffiAlloc(a *Arena, n uintptr) unsafe.Pointer         { return goffiAlloc(a, n) }
func GoffiString(s Str) string                              { return goffiString(s) }
func GoffiStringView(s Str) string                          { return goffiStringView(s) }
func GoffiBytesView(s Str) []byte                           { return goffiBytesView(s) }
func GoffiBytesCopy(s Str) []byte                           { return goffiBytesCopy(s) }
func GoffiBytesBack(s Str, b []byte)                        { goffiBytesBack(s, b) }
func GoffiSetString(dst *Str, a *Arena, s string)           { goffiSetString(dst, a, s) }
func GoffiSetBytes(dst *Str, a *Arena, b []byte)            { goffiSetBytes(dst, a, b) }
func GoffiBool(b bool) uint8                                { return uint8(goffiBool(b)) }
func GoffiSetError(e *Err, a *Arena, err error)             { goffiSetError(e, a, err) }
func GoffiErrorIn(c Err, what string) error                 { return goffiErrorIn(c, what) }
func GoffiRecovered(e *Err, a *Arena, recovered any)        { goffiRecovered(e, a, recovered) }
func GoffiResolve(id uint64) (any, bool)                    { return goffiResolve(id) }
func GoffiPut(dst *Handle, v, key any, cls int)             { goffiPut(dst, v, key, cls) }
func GoffiPutPtr[T any](dst *Handle, p *T, cls int)         { goffiPutPtr(dst, p, cls) }
func GoffiPutValue[T any](dst *Handle, v T, cls int)        { goffiPutValue(dst, v, cls) }
func GoffiPutBoxed(dst *Handle, p any, cls int)             { goffiPutBoxed(dst, p, cls) }
func GoffiPutDynamic(dst *Handle, v any, static int)        { goffiPutDynamic(dst, v, static) }
func GoffiArg[T any](h Handle, what string) T               { return goffiArg[T](h, what) }
func GoffiArgDynamic[T any](h Handle, what string) T        { return goffiArgDynamic[T](h, what) }
func GoffiRecv[T any](id uint64, what string) T             { return goffiRecv[T](C.uint64_t(id), what) }
func GoffiAnyIn(c *Any) any                                 { return goffiAnyIn(c) }
func GoffiAnyOut(dst *Any, a *Arena, v any)                 { goffiAnyOut(dst, a, v) }
func GoffiTimeIn(c Time) time.Time                          { return goffiTimeIn(c) }
func GoffiTimeOut(dst *Time, a *Arena, t time.Time)         { goffiTimeOut(dst, a, t) }
func GoffiView[S ~[]E, E any](c View) S                     { return goffiView[S](c) }
func GoffiViewSpan[E any](c View) Span                      { return goffiViewSpan[E](c) }
func GoffiBytesSpan(c Str) Span                             { return goffiBytesSpan(c) }
func GoffiLend[S ~[]E, E any](dst *View, v S, args ...Span) { goffiLend(dst, v, args...) }
func GoffiDecodeTarget(c *Any, v any) (any, bool)           { return goffiDecodeTarget(c, v) }
func GoffiDecodeBack(dst *Any, a *Arena, target any, back bool) {
	goffiDecodeBack(dst, a, target, back)
}
func GoffiDescribeError(e *Err, a *Arena, err error, depth int) {
	goffiDescribeError(e, a, err, depth)
}
func GoffiInterruptible(parent context.Context, kept bool) (context.Context, func()) {
	return goffiInterruptible(parent, kept)
}

// GoffiAnywhere stands for an argument whose views cannot be listed (goffiAnywhere).
var GoffiAnywhere = goffiAnywhere
