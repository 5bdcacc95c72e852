// Code copied by goffi into every bundle. DO NOT EDIT.

// The wrapper's side of goffi's Go runtime (package rtcgo, goffi_api.go): the runtime
// functions the generated code calls, under the names it calls them, converting this
// package's C types to rtcgo's (cgo's C types are per package; the layouts are the same,
// so a pointer converts as it is and a value is reinterpreted, never copied field by
// field). Each is small enough for Go to inline, so a call costs what it did when the
// runtime was compiled into every bundle's package.

package wrapper

/*
#include "goffi.h"
*/
import "C"

import (
	"context"
	"slices"
	"time"
	"unsafe"

	"goffi.local/bundle/rtcgo"
)

func init() {
	rtcgo.GoffiInit(rtcgo.Wrapper{
		AnyClass:   goffiAnyClass,
		ChanClass:  goffiChanClass,
		ClassOf:    goffiClassOf,
		Sentinels:  goffiSentinels,
		ErrorTypes: goffiErrorTypes,
		RecordIn:   goffiRecordIn,
		RecordOut: func(a *rtcgo.Arena, v any) (unsafe.Pointer, int) {
			return goffiRecordOut(goffiC(a), v)
		},
		ChanSlots: func(ch any, out []uint64, timeoutNs int64, try bool) (int32, int, int32) {
			kind, n, status := goffiChanSlots(ch, out, timeoutNs, try)
			return int32(kind), n, int32(status)
		},
	})
}

type goffiSpan = rtcgo.Span

var goffiAnywhere = rtcgo.GoffiAnywhere

// rtArena and the others are this package's C memory as rtcgo's types.
func rtArena(a *C.goffi_arena) *rtcgo.Arena { return (*rtcgo.Arena)(unsafe.Pointer(a)) }
func rtStr(s *C.goffi_str) *rtcgo.Str       { return (*rtcgo.Str)(unsafe.Pointer(s)) }
func rtErr(e *C.goffi_err) *rtcgo.Err       { return (*rtcgo.Err)(unsafe.Pointer(e)) }
func rtHandle(h *C.goffi_handle) *rtcgo.Handle {
	return (*rtcgo.Handle)(unsafe.Pointer(h))
}
func rtAny(c *C.goffi_any) *rtcgo.Any    { return (*rtcgo.Any)(unsafe.Pointer(c)) }
func rtView(c *C.goffi_view) *rtcgo.View { return (*rtcgo.View)(unsafe.Pointer(c)) }
func rtTime(c *C.goffi_time) *rtcgo.Time { return (*rtcgo.Time)(unsafe.Pointer(c)) }

// goffiC is an rtcgo arena as this package's.
func goffiC(a *rtcgo.Arena) *C.goffi_arena { return (*C.goffi_arena)(unsafe.Pointer(a)) }

func goffiAlloc(a *C.goffi_arena, n uintptr) unsafe.Pointer { return rtcgo.GoffiAlloc(rtArena(a), n) }
func goffiString(s C.goffi_str) string                      { return rtcgo.GoffiString(*rtStr(&s)) }
func goffiStringView(s C.goffi_str) string                  { return rtcgo.GoffiStringView(*rtStr(&s)) }
func goffiBytesView(s C.goffi_str) []byte                   { return rtcgo.GoffiBytesView(*rtStr(&s)) }
func goffiBytesCopy(s C.goffi_str) []byte                   { return rtcgo.GoffiBytesCopy(*rtStr(&s)) }
func goffiBytesBack(s C.goffi_str, b []byte)                { rtcgo.GoffiBytesBack(*rtStr(&s), b) }
func goffiSetString(dst *C.goffi_str, a *C.goffi_arena, s string) {
	rtcgo.GoffiSetString(rtStr(dst), rtArena(a), s)
}
func goffiSetBytes(dst *C.goffi_str, a *C.goffi_arena, b []byte) {
	rtcgo.GoffiSetBytes(rtStr(dst), rtArena(a), b)
}
func goffiBool(b bool) C.uint8_t { return C.uint8_t(rtcgo.GoffiBool(b)) }
func goffiSetError(e *C.goffi_err, a *C.goffi_arena, err error) {
	rtcgo.GoffiSetError(rtErr(e), rtArena(a), err)
}
func goffiDescribeError(e *C.goffi_err, a *C.goffi_arena, err error, depth int) {
	rtcgo.GoffiDescribeError(rtErr(e), rtArena(a), err, depth)
}
func goffiErrorIn(c C.goffi_err, what string) error { return rtcgo.GoffiErrorIn(*rtErr(&c), what) }
func goffiRecovered(e *C.goffi_err, a *C.goffi_arena, recovered any) {
	rtcgo.GoffiRecovered(rtErr(e), rtArena(a), recovered)
}
func goffiInterruptible(parent context.Context, kept bool) (context.Context, func()) {
	return rtcgo.GoffiInterruptible(parent, kept)
}
func goffiResolve(id uint64) (any, bool) { return rtcgo.GoffiResolve(id) }
func goffiPut(dst *C.goffi_handle, v, key any, cls int) {
	rtcgo.GoffiPut(rtHandle(dst), v, key, cls)
}
func goffiPutPtr[T any](dst *C.goffi_handle, p *T, cls int) { rtcgo.GoffiPutPtr(rtHandle(dst), p, cls) }
func goffiPutValue[T any](dst *C.goffi_handle, v T, cls int) {
	rtcgo.GoffiPutValue(rtHandle(dst), v, cls)
}
func goffiPutBoxed(dst *C.goffi_handle, p any, cls int) { rtcgo.GoffiPutBoxed(rtHandle(dst), p, cls) }
func goffiPutDynamic(dst *C.goffi_handle, v any, static int) {
	rtcgo.GoffiPutDynamic(rtHandle(dst), v, static)
}
func goffiArg[T any](h C.goffi_handle, what string) T { return rtcgo.GoffiArg[T](*rtHandle(&h), what) }
func goffiArgDynamic[T any](h C.goffi_handle, what string) T {
	return rtcgo.GoffiArgDynamic[T](*rtHandle(&h), what)
}
func goffiRecv[T any](id C.uint64_t, what string) T { return rtcgo.GoffiRecv[T](uint64(id), what) }
func goffiAnyIn(c *C.goffi_any) any                 { return rtcgo.GoffiAnyIn(rtAny(c)) }
func goffiAnyOut(dst *C.goffi_any, a *C.goffi_arena, v any) {
	rtcgo.GoffiAnyOut(rtAny(dst), rtArena(a), v)
}
func goffiTimeIn(c C.goffi_time) time.Time { return rtcgo.GoffiTimeIn(*rtTime(&c)) }
func goffiTimeOut(dst *C.goffi_time, a *C.goffi_arena, t time.Time) {
	rtcgo.GoffiTimeOut(rtTime(dst), rtArena(a), t)
}
func goffiView[S ~[]E, E any](c C.goffi_view) S     { return rtcgo.GoffiView[S](*rtView(&c)) }
func goffiViewSpan[E any](c C.goffi_view) goffiSpan { return rtcgo.GoffiViewSpan[E](*rtView(&c)) }
func goffiBytesSpan(c C.goffi_str) goffiSpan        { return rtcgo.GoffiBytesSpan(*rtStr(&c)) }
func goffiLend[S ~[]E, E any](dst *C.goffi_view, v S, args ...goffiSpan) {
	rtcgo.GoffiLend(rtView(dst), v, args...)
}
func goffiDecodeTarget(c *C.goffi_any, v any) (any, bool) {
	return rtcgo.GoffiDecodeTarget(rtAny(c), v)
}
func goffiDecodeBack(dst *C.goffi_any, a *C.goffi_arena, target any, back bool) {
	rtcgo.GoffiDecodeBack(rtAny(dst), rtArena(a), target, back)
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
