// Code copied by goffi into every bundle. DO NOT EDIT.

//go:build goffi_bridge

// The API of the goroutine bridge (goffi_bridge.go) for the wrapper: see goffi_api.go.

package rtcgo

/*
#include "goffi.h"
*/
import "C"

import "unsafe"

// Callback is the Go side of one Python callable.
type Callback = goffiCallback

// GoffiID is the C runtime's ID of the callable.
func (cb *goffiCallback) GoffiID() uint64 { return uint64(cb.id) }

func goffiChanSlots(ch any, out []uint64, timeoutNs int64, try bool) (kind C.int32_t, n int, status C.int32_t) {
	k, n, s := goffiWrapper.ChanSlots(ch, out, timeoutNs, try)
	return C.int32_t(k), n, C.int32_t(s)
}

func GoffiPutChan(dst *Handle, ch any, isNil bool)                       { goffiPutChan(dst, ch, isNil) }
func GoffiPutFunc(dst *Handle, f any, isNil bool, cls int)               { goffiPutFunc(dst, f, isNil, cls) }
func GoffiNewCallback(id uint64) *Callback                               { return goffiNewCallback(C.uint64_t(id)) }
func GoffiCbArena() *Arena                                               { return goffiCbArena() }
func GoffiCbArenaDone(a *Arena)                                          { goffiCbArenaDone(a) }
func GoffiCallbackDone(status int32)                                     { goffiCallbackDone(C.int(status)) }
func GoffiPutProxy(dst *Handle, v any, static int)                       { goffiPutProxy(dst, v, static) }
func GoffiBytesArg(b []byte) Str                                         { return goffiBytesArg(b) }
func GoffiProxyError(status int32, re Err) error                         { return goffiProxyError(C.int(status), re) }
func GoffiCallbackFailed(msg string) error                               { return goffiCallbackFailed{msg} }
func GoffiSlotInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](v T) uint64 { return goffiSlotInt(v) }
func GoffiSlotFloat[T ~float32 | ~float64](v T) uint64                   { return goffiSlotFloat(v) }
func GoffiSlotBool(v bool) uint64                                        { return goffiSlotBool(v) }
func GoffiSlotUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](v T) uint64 {
	return goffiSlotUint(v)
}

// GoffiProxyIDs are the IDs C registered for a Python object passed as an interface.
func GoffiProxyIDs(h Handle) []uint64 {
	ids := goffiProxyIDs(h)
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(ids))), len(ids))
}

// GoffiRecvSlots receives typed values straight into slots (goffiRecvSlots).
func GoffiRecvSlots[T any](c <-chan T, out []uint64, timeoutNs int64, try bool, slot func(T) uint64) (int, int32) {
	n, status := goffiRecvSlots(c, out, timeoutNs, try, slot)
	return n, int32(status)
}
