// Code copied by goffi into bundles that need it. DO NOT EDIT.

//go:build goffi_bridge

// This file is the goroutine bridge: channels and callbacks crossing between Go and
// Python. Only bundles whose API has a channel or a func in it carry it (the build
// passes -tags goffi_bridge), so pure-sync bundles pay nothing.
//
// Channels live in a bounded pool of their own (IDs tagged with goffiBridgeBit so that
// release and resolve find the right table). Channel operations are generic: reflect
// moves values, and elements cross like `any` values, so one set of exports serves
// every element type. The exception is receiving from a channel of a basic element
// type (integers, floats, bool), the hot path of iteration: the generated
// goffiChanSlots receives those typed, in batches, straight into C memory. Each
// blocking wait is one short slice, and the C side loops, checking for Ctrl-C between
// slices.

package rtcgo

/*
#include "goffi.h"
void goffi_callable_release(uint64_t id);
void goffi_cb_finish(goffi_arena *a);
goffi_arena *goffi_cb_arena_new(void);
void goffi_cb_arena_drop(goffi_arena *a);
goffi_cbr_text goffi_cb_proxy_text(uint64_t id, goffi_arena *arena);
*/
import "C"

import (
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"goffi.local/bundle/rt"
)

// goffiBridge holds channels and the Go side of Python callbacks: bounded (by
// $GOFFI_MAX_HANDLES when the bundle loads, else rt.DefaultMaxHandles; <= 0 means no
// bound), so a leak shows up as a clear error rather than as unbounded growth.
var goffiBridge = rt.NewHandles(rt.MaxHandlesFromEnv(os.Getenv("GOFFI_MAX_HANDLES")))

func init() {
	goffiBridgeTable = goffiBridge
}

// goffiPutChan hands a channel to Python (nil is None); the same channel value is the
// same object.
func goffiPutChan(dst *C.goffi_handle, ch any, isNil bool) {
	if isNil {
		dst.id, dst.cls = 0, -1
		return
	}
	id, err := goffiBridge.Acquire(ch, ch)
	if err != nil {
		panic(err)
	}
	dst.id, dst.cls = C.uint64_t(id|goffiBridgeBit), C.int32_t(goffiChanClass)
}

// goffiPutFunc hands a Go func value to Python (nil is None): an object of the class
// of its func type, which Python can call.
func goffiPutFunc(dst *C.goffi_handle, f any, isNil bool, cls int) {
	if isNil {
		dst.id, dst.cls = 0, -1
		return
	}
	id, err := goffiBridge.Acquire(f, nil)
	if err != nil {
		panic(err)
	}
	dst.id, dst.cls = C.uint64_t(id|goffiBridgeBit), C.int32_t(cls)
}

// goffiChanValue is the reflect.Value of a channel handle.
func goffiChanValue(id C.uint64_t) reflect.Value {
	v, ok := goffiResolve(uint64(id))
	if !ok {
		panic("goffi: channel handle is not live")
	}
	return reflect.ValueOf(v)
}

// goffiElem converts a Python value (as any) to a channel's element type, or panics
// with a TypeError naming both types.
func goffiElem(ch reflect.Value, c *C.goffi_any) reflect.Value {
	want := ch.Type().Elem()
	return rt.Convert("a value sent on a chan "+want.String(), goffiAnyIn(c), want)
}

// goffiWait runs one slice of a blocking channel operation: the case if it is ready at
// once (then no timer is made), else, unless tryOnly, the case or a timer of timeoutNs.
func goffiWait(c reflect.SelectCase, timeoutNs int64, tryOnly bool) (chosen int, v reflect.Value, ok bool) {
	cases := []reflect.SelectCase{c, {Dir: reflect.SelectDefault}}
	if chosen, v, ok = reflect.Select(cases); chosen == 0 || tryOnly {
		return chosen, v, ok
	}
	timer := time.NewTimer(time.Duration(timeoutNs))
	defer timer.Stop()
	cases[1] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)}
	return reflect.Select(cases)
}

// goffi_chan_recv_batch receives up to max values for a Channel: the first waiting at
// most timeoutNs (not at all when try is set), the others only while they are already
// ready, so a batch never waits for a value and never takes one that a receiver ready
// later could have had first. Status is GOFFI_CHAN_OK (n values), _TIMEOUT, _EMPTY (try)
// or _CLOSED (closed and drained; a close seen after the first value ends the batch and
// the next call reports it).
//
// When slots is not nil and the element type is one of the bundle's basic types,
// goffiChanSlots receives straight into slots[0:max] (64-bit slots read as *kind says)
// with no reflect and no allocation; otherwise *kind is GOFFI_SLOT_NONE and out is a
// list of the values, converted like any.
//
//export goffi_chan_recv_batch
func goffi_chan_recv_batch(id C.uint64_t, max C.int64_t, timeoutNs C.int64_t, try C.uint8_t, slots *C.uint64_t, kind *C.int32_t, out *C.goffi_any, n *C.int64_t, status *C.int32_t, e *C.goffi_err, arena *C.goffi_arena) {
	defer func() {
		if r := recover(); r != nil {
			goffiSetPanic(e, arena, r)
		}
	}()
	v, live := goffiResolve(uint64(id))
	if !live {
		panic("goffi: channel handle is not live")
	}
	*n = 0
	if slots != nil {
		dst := unsafe.Slice((*uint64)(unsafe.Pointer(slots)), int(max))
		k, got, st := goffiChanSlots(v, dst, int64(timeoutNs), try != 0)
		if k != C.GOFFI_SLOT_NONE {
			*kind, *n, *status = k, C.int64_t(got), st
			return
		}
	}
	*kind = C.GOFFI_SLOT_NONE
	ch := reflect.ValueOf(v)
	chosen, first, ok := goffiWait(reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch}, int64(timeoutNs), try != 0)
	switch {
	case chosen != 0 && try != 0:
		*status = C.GOFFI_CHAN_EMPTY
		return
	case chosen != 0:
		*status = C.GOFFI_CHAN_TIMEOUT
		return
	case !ok:
		*status = C.GOFFI_CHAN_CLOSED
		return
	}
	values := []any{first.Interface()}
	for len(values) < int(max) {
		v, ok := ch.TryRecv()
		if !ok {
			break // nothing ready, or closed: the next call reports the close
		}
		values = append(values, v.Interface())
	}
	*status, *n = C.GOFFI_CHAN_OK, C.int64_t(len(values))
	goffiAnyOut(out, arena, values)
}

// goffiRecvSlots is goffi_chan_recv_batch for a channel of a basic element type: it
// receives into out (slot gives a value's 64-bit slot), typed, so a value costs a
// channel receive and a store. The generated goffiChanSlots calls it, one instance per
// element type.
func goffiRecvSlots[T any](c <-chan T, out []uint64, timeoutNs int64, try bool, slot func(T) uint64) (int, C.int32_t) {
	var v T
	var ok bool
	select {
	case v, ok = <-c:
	default:
		if try {
			return 0, C.GOFFI_CHAN_EMPTY
		}
		// Only a wait that must block makes a timer.
		timer := time.NewTimer(time.Duration(timeoutNs))
		select {
		case v, ok = <-c:
			timer.Stop()
		case <-timer.C:
			return 0, C.GOFFI_CHAN_TIMEOUT
		}
	}
	if !ok {
		return 0, C.GOFFI_CHAN_CLOSED
	}
	out[0] = slot(v)
	n := 1
	for n < len(out) {
		select {
		case v, ok = <-c:
			if !ok {
				return n, C.GOFFI_CHAN_OK // the next call reports the close
			}
			out[n] = slot(v)
			n++
		default:
			return n, C.GOFFI_CHAN_OK // only values already there join a batch
		}
	}
	return n, C.GOFFI_CHAN_OK
}

// The slots of goffiRecvSlots, read back by C as GOFFI_SLOT_INT, _UINT, _FLOAT, _BOOL.

func goffiSlotInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](v T) uint64 { return uint64(int64(v)) }

func goffiSlotUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](v T) uint64 {
	return uint64(v)
}

func goffiSlotFloat[T ~float32 | ~float64](v T) uint64 { return math.Float64bits(float64(v)) }

func goffiSlotBool(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// goffi_chan_send sends one value (see goffi_chan_recv_batch for timeouts and status). A
// send on a closed channel reports GOFFI_CHAN_CLOSED instead of Go's panic.
//
//export goffi_chan_send
func goffi_chan_send(id C.uint64_t, value *C.goffi_any, timeoutNs C.int64_t, try C.uint8_t, status *C.int32_t, e *C.goffi_err, arena *C.goffi_arena) {
	defer func() {
		if r := recover(); r != nil {
			if goffiIsClosedPanic(r) {
				*status = C.GOFFI_CHAN_CLOSED
				return
			}
			goffiSetPanic(e, arena, r)
		}
	}()
	ch := goffiChanValue(id)
	v := goffiElem(ch, value)
	chosen, _, _ := goffiWait(reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: v}, int64(timeoutNs), try != 0)
	switch {
	case chosen == 0:
		*status = C.GOFFI_CHAN_OK
	case try != 0:
		*status = C.GOFFI_CHAN_EMPTY
	default:
		*status = C.GOFFI_CHAN_TIMEOUT
	}
}

// goffi_chan_close closes a channel; closing a closed channel reports GOFFI_CHAN_CLOSED.
//
//export goffi_chan_close
func goffi_chan_close(id C.uint64_t, status *C.int32_t, e *C.goffi_err, arena *C.goffi_arena) {
	defer func() {
		if r := recover(); r != nil {
			if goffiIsClosedPanic(r) {
				*status = C.GOFFI_CHAN_CLOSED
				return
			}
			goffiSetPanic(e, arena, r)
		}
	}()
	goffiChanValue(id).Close()
	*status = C.GOFFI_CHAN_OK
}

// goffi_chan_len reports a channel's length and capacity.
//
//export goffi_chan_len
func goffi_chan_len(id C.uint64_t, length, capacity *C.int64_t) {
	ch := goffiChanValue(id)
	*length, *capacity = C.int64_t(ch.Len()), C.int64_t(ch.Cap())
}

// goffi_chan_select waits for the first of n cases (a receive, or a send of
// values[i]), at most timeoutNs, or not at all with dflt. chosen is the case that
// fired (-1: timeout, -2: default); closed is set when a receive found the channel
// closed; out holds what a receive got.
//
//export goffi_chan_select
func goffi_chan_select(ids *C.uint64_t, sends *C.uint8_t, values *C.goffi_any, n C.int64_t, timeoutNs C.int64_t, dflt C.uint8_t, chosen *C.int64_t, closed *C.uint8_t, out *C.goffi_any, e *C.goffi_err, arena *C.goffi_arena) {
	defer func() {
		if r := recover(); r != nil {
			if goffiIsClosedPanic(r) {
				*closed = 1
				return
			}
			goffiSetPanic(e, arena, r)
		}
	}()
	idList := unsafe.Slice(ids, int(n))
	sendList := unsafe.Slice(sends, int(n))
	valueList := unsafe.Slice(values, int(n))
	cases := make([]reflect.SelectCase, 0, int(n)+1)
	for i := range idList {
		ch := goffiChanValue(idList[i])
		if sendList[i] != 0 {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: goffiElem(ch, &valueList[i])})
		} else {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch})
		}
	}
	if dflt != 0 {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectDefault})
	} else {
		timer := time.NewTimer(time.Duration(timeoutNs))
		defer timer.Stop()
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)})
	}
	i, v, ok := reflect.Select(cases)
	switch {
	case i == int(n) && dflt != 0:
		*chosen = -2
	case i == int(n):
		*chosen = -1
	default:
		*chosen = C.int64_t(i)
		if sendList[i] == 0 {
			if ok {
				goffiAnyOut(out, arena, v.Interface())
			} else {
				*closed = 1
			}
		}
	}
}

// goffiIsClosedPanic tells Go's "send on closed channel" / "close of closed channel"
// panics from others.
func goffiIsClosedPanic(r any) bool {
	err, ok := r.(runtime.Error)
	if !ok {
		return false
	}
	msg := err.Error()
	return msg == "send on closed channel" || msg == "close of closed channel"
}

// goffiCallback is the Go side of one Python callable: Go func values made from it
// share this, and when Go no longer reaches it, a finalizer releases the callable.
type goffiCallback struct {
	id   C.uint64_t // the C runtime's callable ID
	slot uint64     // its goffiBridge entry, which bounds how many are live
}

func goffiNewCallback(id C.uint64_t) *goffiCallback {
	slot, err := goffiBridge.Acquire(struct{}{}, nil)
	for wait := 0; err != nil && wait < 20; wait++ {
		// Full: callbacks Go dropped are released only when Go's collector finalizes
		// them, so collect (the GIL is free here: Python waits in this Go call) and
		// give the finalizers a moment before refusing.
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		slot, err = goffiBridge.Acquire(struct{}{}, nil)
	}
	if err != nil {
		panic(err)
	}
	cb := &goffiCallback{id: id, slot: slot}
	runtime.SetFinalizer(cb, func(cb *goffiCallback) {
		goffiBridge.Release(cb.slot, 1)
		C.goffi_callable_release(cb.id)
	})
	return cb
}

// goffiCbArenas holds the C arenas of callbacks whose func type needs one (strings,
// containers, references kept until Go copied the results), for reuse: an invocation
// then allocates nothing, and the trampoline is passed C memory only, which cgo's
// pointer check passes over at once (a Go-heap arena costs a check of its whole
// object on every call). At most goffiCbArenasKept wait here; a burst of concurrent
// callbacks beyond that frees the rest.
var goffiCbArenas struct {
	sync.Mutex
	free []*C.goffi_arena
}

const goffiCbArenasKept = 32

// goffiCbArena takes an empty arena for one callback invocation.
func goffiCbArena() *C.goffi_arena {
	p := &goffiCbArenas
	p.Lock()
	if n := len(p.free); n > 0 {
		a := p.free[n-1]
		p.free = p.free[:n-1]
		p.Unlock()
		return a
	}
	p.Unlock()
	a := C.goffi_cb_arena_new()
	if a == nil {
		panic("goffi: out of memory for a callback's arena")
	}
	return a
}

// goffiCbArenaDone empties an invocation's arena (Go copied the results) and keeps it
// for the next. Only an arena that grew blocks or keeps Python references costs a cgo
// call (and the GIL, for the references).
func goffiCbArenaDone(a *C.goffi_arena) {
	if a.blocks != nil || a.cleanups != nil {
		C.goffi_cb_finish(a)
	}
	a.cur = (*C.char)(unsafe.Add(unsafe.Pointer(a), C.GOFFI_CB_ARENA_HEAD))
	a.end = (*C.char)(unsafe.Add(unsafe.Pointer(a), C.GOFFI_CB_ARENA_SIZE))
	p := &goffiCbArenas
	p.Lock()
	if len(p.free) < goffiCbArenasKept {
		p.free = append(p.free, a)
		p.Unlock()
		return
	}
	p.Unlock()
	C.goffi_cb_arena_drop(a)
}

// goffiCallbackFailed is the error a callback whose func type returns an error gives
// Go when the Python callable raised; Python re-raises the original exception.
type goffiCallbackFailed struct{ msg string }

func (e goffiCallbackFailed) Error() string { return e.msg }

// goffiCallbackDone handles a trampoline's status: unwind, or go on with zero values.
func goffiCallbackDone(status C.int) {
	if status == C.GOFFI_CB_ABORT {
		panic(rt.CallbackAbort{})
	}
}

// goffi_go_gc runs Go's garbage collector (goffi.collect_go()), so that func values Go
// dropped release their Python callables.
//
//export goffi_go_gc
func goffi_go_gc() {
	runtime.GC()
	time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
}

// ---- Python objects as Go interfaces (goffi.proxies) ----

// goffiProxied is implemented by every generated proxy type (goffiProxy_<I>): a Python
// object Go sees as interface I. It goes back to Python as that object itself.
type goffiProxied interface {
	GoffiSelf() *goffiCallback
}

// goffiProxyIDs are the IDs C registered for a Python object passed as an interface
// (GOFFI_CLS_PROXY): its identity getter, then its methods, in the interface's order.
func goffiProxyIDs(h C.goffi_handle) []C.uint64_t {
	p := (*C.uint64_t)(unsafe.Pointer(uintptr(h.id)))
	n := int(*p)
	ids := unsafe.Slice((*C.uint64_t)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(*p))), n)
	return ids
}

// goffiPutProxy stores an interface value for Python: a proxied Python object as
// itself (the ID of its identity getter), any other value as goffiPutDynamic does.
func goffiPutProxy(dst *C.goffi_handle, v any, static int) {
	if p, ok := v.(goffiProxied); ok {
		dst.id, dst.cls = C.uint64_t(p.GoffiSelf().id), C.GOFFI_CLS_PROXY
		return
	}
	goffiPutDynamic(dst, v, static)
}

// goffiBytesArg lends Go's bytes to a proxied method (the C side makes a writable
// memoryview of them, released when the method returns).
func goffiBytesArg(b []byte) C.goffi_str {
	if len(b) == 0 {
		return C.goffi_str{}
	}
	return C.goffi_str{p: (*C.char)(unsafe.Pointer(unsafe.SliceData(b))), n: C.int64_t(len(b))}
}

// goffiProxyError is the error a proxied method returns when its Python method raised:
// io.EOF for EOFError, the Go error of an exception that came from Go, else an error
// saying Python re-raises the exception.
func goffiProxyError(status C.int, re C.goffi_err) error {
	switch status {
	case C.GOFFI_CB_EOF:
		return io.EOF
	case C.GOFFI_CB_GOERR:
		return goffiErrorIn(re, "the Go error a Python method raised")
	}
	return goffiCallbackFailed{"goffi: the Python method raised (Python re-raises it)"}
}

// goffiAnyStringer is a Python object with a String method passed as any: a fmt.Stringer.
type goffiAnyStringer struct {
	self *goffiCallback
	m    *goffiCallback
}

func (x *goffiAnyStringer) GoffiSelf() *goffiCallback { return x.self }

func (x *goffiAnyStringer) String() string {
	arena := goffiCbArena()
	defer goffiCbArenaDone(arena)
	ret := C.goffi_cb_proxy_text(x.m.id, arena)
	runtime.KeepAlive(x)
	if ret.status != C.GOFFI_CB_OK {
		goffiCallbackDone(ret.status)
		return ""
	}
	return goffiString(ret.r0)
}

// goffiAnyError is a Python object with an Error method passed as any: a Go error.
type goffiAnyError struct{ goffiAnyStringer }

func (x *goffiAnyError) Error() string { return x.goffiAnyStringer.String() }

func init() {
	goffiAnyProxyID = func(v any) (C.uint64_t, bool) {
		if p, ok := v.(goffiProxied); ok {
			return C.uint64_t(p.GoffiSelf().id), true
		}
		return 0, false
	}
	goffiAnyProxy = func(h C.goffi_handle) any {
		ids := goffiProxyIDs(h)
		s := goffiAnyStringer{self: goffiNewCallback(ids[0]), m: goffiNewCallback(ids[1])}
		if h.cls == C.GOFFI_CLS_PROXY_ERROR {
			return &goffiAnyError{s}
		}
		return &s
	}
}
