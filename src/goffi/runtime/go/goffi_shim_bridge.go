// Code copied by goffi into every bundle. DO NOT EDIT.

//go:build goffi_bridge

// The wrapper's side of the goroutine bridge (rtcgo's goffi_bridge.go): see goffi_shim.go.

package wrapper

/*
#include "goffi.h"
*/
import "C"

import (
	"unsafe"

	"goffi.local/bundle/rtcgo"
)

type goffiCallback = rtcgo.Callback

func goffiPutChan(dst *C.goffi_handle, ch any, isNil bool) {
	rtcgo.GoffiPutChan(rtHandle(dst), ch, isNil)
}
func goffiPutFunc(dst *C.goffi_handle, f any, isNil bool, cls int) {
	rtcgo.GoffiPutFunc(rtHandle(dst), f, isNil, cls)
}
func goffiNewCallback(id C.uint64_t) *goffiCallback { return rtcgo.GoffiNewCallback(uint64(id)) }
func goffiCbArena() *C.goffi_arena                  { return goffiC(rtcgo.GoffiCbArena()) }
func goffiCbArenaDone(a *C.goffi_arena)             { rtcgo.GoffiCbArenaDone(rtArena(a)) }
func goffiCallbackDone(status C.int)                { rtcgo.GoffiCallbackDone(int32(status)) }
func goffiCallbackFailed(msg string) error          { return rtcgo.GoffiCallbackFailed(msg) }
func goffiPutProxy(dst *C.goffi_handle, v any, static int) {
	rtcgo.GoffiPutProxy(rtHandle(dst), v, static)
}
func goffiBytesArg(b []byte) C.goffi_str {
	s := rtcgo.GoffiBytesArg(b)
	return *(*C.goffi_str)(unsafe.Pointer(&s))
}
func goffiProxyError(status C.int, re C.goffi_err) error {
	return rtcgo.GoffiProxyError(int32(status), *rtErr(&re))
}
func goffiProxyIDs(h C.goffi_handle) []C.uint64_t {
	ids := rtcgo.GoffiProxyIDs(*rtHandle(&h))
	return unsafe.Slice((*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(ids))), len(ids))
}
func goffiRecvSlots[T any](c <-chan T, out []uint64, timeoutNs int64, try bool, slot func(T) uint64) (int, C.int32_t) {
	n, status := rtcgo.GoffiRecvSlots(c, out, timeoutNs, try, slot)
	return n, C.int32_t(status)
}
func goffiSlotInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](v T) uint64 {
	return rtcgo.GoffiSlotInt(v)
}
func goffiSlotUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](v T) uint64 {
	return rtcgo.GoffiSlotUint(v)
}
func goffiSlotFloat[T ~float32 | ~float64](v T) uint64 { return rtcgo.GoffiSlotFloat(v) }
func goffiSlotBool(v bool) uint64                      { return rtcgo.GoffiSlotBool(v) }
