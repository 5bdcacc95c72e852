// Code copied by goffi into every bundle. DO NOT EDIT.

// This file is the Go side of the C ABI in goffi.h: moving strings, byte slices,
// errors and panics between Go values and C memory. It is the same in every bundle
// (only the generated wrapper differs): package rtcgo, which Go's build cache keeps
// compiled across bundles and rebuilds. cgo's C types are per package, so the wrapper
// calls it through goffi_shim.go, which converts its C types to this package's.

package rtcgo

/*
#include "goffi.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"
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
		panic(rt.NewMemoryError("goffi: out of memory allocating a result"))
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

// goffiStringView is the C string as a Go string without a copy, for comparing only.
func goffiStringView(s C.goffi_str) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(s.p)), int(s.n))
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

// goffiBytesBack copies Go's own copy of a []byte argument (goffiBytesCopy, for a
// function that may keep it) back over the caller's buffer after the call, so that Go's
// writes during the call land there as they would in a view. A read-only Python buffer
// crossed as a copy in the arena, so the writes land there and are dropped.
func goffiBytesBack(s C.goffi_str, b []byte) {
	if s.p != nil && s.n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(s.p)), int(s.n)), b)
	}
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

func goffiBool(b bool) C.uint8_t {
	if b {
		return 1
	}
	return 0
}

// goffiSetError reports a returned, non-nil error.
func goffiSetError(e *C.goffi_err, a *C.goffi_arena, err error) {
	goffiDescribeError(e, a, err, 0)
}

// goffiMaxCause bounds how much of a wrapped-error chain crosses (a cycle would be a
// bug in Go code, but must not hang Python).
const goffiMaxCause = 32

// goffiDescribeError fills *e with what Python needs to build the exception of err:
// its message and type, the error value itself (a handle, so it can go back to Go),
// the bundle's sentinels it matches (errors.Is), the bundle's error types in its chain
// with their values (errors.As), and the error it wraps. A nil err is GOFFI_OK.
func goffiDescribeError(e *C.goffi_err, a *C.goffi_arena, err error, depth int) {
	*e = C.goffi_err{}
	if err == nil {
		return
	}
	message, goType := rt.ErrorInfo(err)
	e.kind = C.GOFFI_ERROR
	goffiSetString(&e.message, a, message)
	goffiSetString(&e.go_type, a, goType)
	goffiPutDynamic(&e.value, err, goffiAnyClass)
	var matched []C.int32_t
	for i, sentinel := range goffiSentinels() {
		if sentinel != nil && rt.Is(err, sentinel) {
			matched = append(matched, C.int32_t(i))
		}
	}
	if len(matched) > 0 {
		p := unsafe.Slice((*C.int32_t)(goffiAlloc(a, uintptr(len(matched))*C.sizeof_int32_t)), len(matched))
		copy(p, matched)
		e.sentinels, e.nsentinels = &p[0], C.int64_t(len(matched))
	}
	var types []C.int32_t
	var values []any
	goffiErrorTypes(err, func(index int, value any) {
		types = append(types, C.int32_t(index))
		values = append(values, value)
	})
	if len(types) > 0 {
		t := unsafe.Slice((*C.int32_t)(goffiAlloc(a, uintptr(len(types))*C.sizeof_int32_t)), len(types))
		v := unsafe.Slice((*C.goffi_any)(goffiAlloc(a, uintptr(len(values))*C.sizeof_goffi_any)), len(values))
		copy(t, types)
		for i, value := range values {
			// The value behind e.Path, e.Func: converted as a value, not as another exception
			// (it is an error too, and describing it would describe it again, forever).
			goffiAnyOutAs(&v[i], a, value, false)
		}
		e.types, e.type_values, e.ntypes = &t[0], &v[0], C.int64_t(len(types))
	}
	if depth >= goffiMaxCause {
		return
	}
	next := goffiUnwrapFirst(err)
	if next != nil && !rt.SameError(next, err) { // an error that wraps itself ends here
		cause := (*C.goffi_err)(goffiAlloc(a, C.sizeof_goffi_err))
		goffiDescribeError(cause, a, next, depth+1)
		e.cause = cause
	}
}

// goffiUnwrapFirst is the error err wraps (the first of several), nil when none, or
// when its Unwrap method panics.
func goffiUnwrapFirst(err error) (next error) {
	defer func() {
		if recover() != nil {
			next = nil
		}
	}()
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap()
	case interface{ Unwrap() []error }:
		if list := u.Unwrap(); len(list) > 0 {
			return list[0]
		}
	}
	return nil
}

// goffiErrorIn is the Go error an error argument holds (nil for None).
func goffiErrorIn(c C.goffi_err, what string) error {
	return goffiArgDynamic[error](c.value, what)
}

// goffiRecovered handles what an export's deferred function recovered when the Go
// call did not fall off its end: a panic, an early return after an error (e already
// says so), or neither (recovered is nil: panic(nil) under GODEBUG=panicnil=1, or
// runtime.Goexit), which must not return to Python as if the call succeeded.
func goffiRecovered(e *C.goffi_err, a *C.goffi_arena, recovered any) {
	if recovered == nil {
		if e.kind != C.GOFFI_OK {
			return // the error path's early return
		}
		if !strings.Contains(os.Getenv("GODEBUG"), "panicnil=1") {
			// Most likely runtime.Goexit: Go goes on to abort the process (it cannot be
			// stopped), so say where it came from first.
			os.Stderr.WriteString("goffi: a Go function called from Python ended with runtime.Goexit(); " +
				"Go cannot return to Python from that and aborts the process\n")
		}
		recovered = rt.NoReturn{}
	}
	goffiSetPanic(e, a, recovered)
}

// goffiSetPanic reports a recovered panic. Call it from the deferred function that
// recovered, so the stack still shows where the panic happened. It must not panic
// itself (it runs in the recovering function, where a panic aborts the process): the
// panic value's own methods are called only through rt.Text.
func goffiSetPanic(e *C.goffi_err, a *C.goffi_arena, recovered any) {
	defer func() {
		if recover() != nil {
			// Reporting failed (out of memory in the arena?): say so without details.
			*e = C.goffi_err{kind: C.GOFFI_PANIC}
		}
	}()
	// The C glue initialized only e.kind (the hot path skips zeroing the rest).
	*e = C.goffi_err{}
	if me, ok := recovered.(rt.MemoryError); ok {
		e.kind = C.GOFFI_MEMORY
		goffiSetString(&e.message, a, me.Error())
		return
	}
	if te, ok := recovered.(rt.TypeError); ok {
		e.kind = C.GOFFI_TYPE_ERROR
		goffiSetString(&e.message, a, te.Error())
		return
	}
	if _, ok := recovered.(rt.CallbackAbort); ok {
		e.kind = C.GOFFI_ABORTED // the callback's exception waits in the arena
		return
	}
	if oe, ok := recovered.(rt.OverflowError); ok {
		e.kind = C.GOFFI_OVERFLOW
		goffiSetString(&e.message, a, oe.Error())
		return
	}
	if full, ok := recovered.(rt.ErrTooManyHandles); ok {
		goffiDescribeError(e, a, full, 0) // a limit, not a bug: an ordinary Go error
		return
	}
	message, goType, stack := rt.PanicInfo(recovered)
	e.kind = C.GOFFI_PANIC
	goffiSetString(&e.message, a, message)
	goffiSetString(&e.go_type, a, goType)
	goffiSetBytes(&e.stack, a, stack)
}

// goffiInterrupted is the cause of a context that Ctrl-C cancelled
// (context.Cause(ctx) in the Go function; ctx.Err() is context.Canceled as usual).
var goffiInterrupted = errors.New("interrupted (Ctrl-C in Python)")

// goffiInterruptible derives the context a function whose first parameter is a
// context.Context gets (nil: context.Background()): Ctrl-C in Python cancels it. The C
// glue counts SIGINTs while the call runs (goffi_signal.c); a goroutine polls the count
// in short slices, since nothing else can wake Go from a signal handler. stop ends the
// polling; the export defers it. A context the function may keep (kept: Go's escape
// analysis says it leaks, as context.WithCancel(parent) stores its parent) stays live
// after the return, following its parent as before (cancelling it would cancel
// everything derived from it); one that does not escape is cancelled at the return,
// which releases its registration with a cancellable parent.
func goffiInterruptible(parent context.Context, kept bool) (ctx context.Context, stop func()) {
	if parent == nil {
		parent = context.Background()
	}
	start := C.goffi_sigint_count()
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if C.goffi_sigint_count() != start {
					cancel(goffiInterrupted)
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		if !kept {
			cancel(nil)
		}
	}
}

// goffiHandles holds every Go value a Python object refers to. It is unbounded: an
// object's handle lives exactly as long as the Python object.
var goffiHandles = rt.NewHandles(0)

// goffiBridgeTable is the bounded table of channels and callbacks (goffi_bridge.go),
// nil in bundles without them. Its IDs carry goffiBridgeBit (object IDs never get
// that high), so release and resolve know which table an ID is from.
var goffiBridgeTable *rt.Handles

const goffiBridgeBit = uint64(1) << 62

// goffiResolve finds the value of a handle from either table.
func goffiResolve(id uint64) (any, bool) {
	if id&goffiBridgeBit != 0 {
		if goffiBridgeTable == nil {
			return nil, false
		}
		return goffiBridgeTable.Resolve(id &^ goffiBridgeBit)
	}
	return goffiHandles.Resolve(id)
}

// goffi_release gives back refs references to a handle; the C runtime calls it when
// the Python object holding the handle is collected.
//
//export goffi_release
func goffi_release(id C.uint64_t, refs C.int64_t) {
	if uint64(id)&goffiBridgeBit != 0 {
		if goffiBridgeTable != nil {
			goffiBridgeTable.Release(uint64(id)&^goffiBridgeBit, int64(refs))
		}
		return
	}
	goffiHandles.Release(uint64(id), int64(refs))
}

// goffi_sentinel_error describes the bundle's sentinel error number index (the order of
// its Python classes) as a returned error would be: the Python class of a sentinel
// (fs.SkipDir, io.EOF) then holds Go's value, so it passes where Go takes an error
// (errors.Is(err, io.EOF), a WalkDirFunc returning filepath.SkipDir). GOFFI_OK (nothing)
// for an index out of range or a nil variable.
//
//export goffi_sentinel_error
func goffi_sentinel_error(index C.int64_t, e *C.goffi_err, a *C.goffi_arena) {
	*e = C.goffi_err{}
	list := goffiSentinels()
	if index < 0 || int(index) >= len(list) {
		return
	}
	goffiSetError(e, a, list[index])
}

// goffi_live_handles reports the number of live handles, memoryviews of lent Go arrays
// included (goffi.live_handles()).
//
//export goffi_live_handles
func goffi_live_handles() C.int64_t {
	n := goffiHandles.Live() + goffiLoans.Live()
	if goffiBridgeTable != nil {
		n += goffiBridgeTable.Live()
	}
	return C.int64_t(n)
}

// goffiPut stores v in the handle table for Python, as an object of class cls.
func goffiPut(dst *C.goffi_handle, v, key any, cls int) {
	id, err := goffiHandles.Acquire(v, key)
	if err != nil {
		panic(err)
	}
	dst.id = C.uint64_t(id)
	dst.cls = C.int32_t(cls)
}

// goffiPutPtr hands a pointer to Python: nil is None, and the same pointer is the
// same object.
func goffiPutPtr[T any](dst *C.goffi_handle, p *T, cls int) {
	if p == nil {
		dst.id, dst.cls = 0, -1
		return
	}
	goffiPut(dst, p, p, cls)
}

// goffiPutValue hands a struct value to Python: it is copied into a new *T, so the
// Python object can call pointer methods and set fields on its own copy. The handle
// remembers the box, so the object goes back into an `any` as a T (goffiAnyIn).
func goffiPutValue[T any](dst *C.goffi_handle, v T, cls int) {
	p := new(T)
	*p = v
	goffiPutBoxed(dst, p, cls)
}

// goffiPutBoxed stores p, a new pointer boxing a value Go handed out by value.
func goffiPutBoxed(dst *C.goffi_handle, p any, cls int) {
	id, err := goffiHandles.AcquireBoxed(p)
	if err != nil {
		panic(err)
	}
	dst.id = C.uint64_t(id)
	dst.cls = C.int32_t(cls)
}

// goffiPutClassed stores what goffiClassOf made of v: boxed when it copied a struct
// value into a new pointer (stored's type is then not v's).
func goffiPutClassed(dst *C.goffi_handle, v, stored, key any, cls int) {
	if reflect.TypeOf(stored) != reflect.TypeOf(v) {
		goffiPutBoxed(dst, stored, cls)
		return
	}
	goffiPut(dst, stored, key, cls)
}

// goffiPutDynamic hands an interface value to Python, as an object of its dynamic
// type's class when the bundle has one (goffiClassOf, generated), else of the
// interface's own class (static).
func goffiPutDynamic(dst *C.goffi_handle, v any, static int) {
	if v == nil {
		dst.id, dst.cls = 0, -1
		return
	}
	stored, key, cls := goffiClassOf(v, static)
	goffiPutClassed(dst, v, stored, key, cls)
}

// goffiArg resolves a handle argument (nil for ID 0) to a Go value of type T. A value
// of another dynamic type (an object that does not implement an interface) raises
// TypeError in Python; what names the argument.
func goffiArg[T any](h C.goffi_handle, what string) T {
	var zero T
	if h.id == 0 {
		return zero
	}
	v, ok := goffiResolve(uint64(h.id))
	if !ok {
		panic(fmt.Sprintf("goffi: handle %d is not live (a goffi bug: objects release their handle only when collected)", h.id))
	}
	t, ok := v.(T)
	if !ok {
		panic(rt.NewTypeError(what, v, reflect.TypeFor[T]()))
	}
	return t
}

// goffiArgDynamic is goffiArg for an interface parameter (error, io.Reader): an object
// of a struct Go handed out by value gives Go that value again when it implements T (as
// it did when Go returned it), else the pointer it is boxed in.
func goffiArgDynamic[T any](h C.goffi_handle, what string) T {
	if h.id != 0 && uint64(h.id)&goffiBridgeBit == 0 {
		if v, ok := goffiHandles.Unboxed(uint64(h.id)); ok {
			if t, ok := v.(T); ok {
				return t
			}
		}
	}
	return goffiArg[T](h, what)
}

// goffiRecv resolves the handle of a method's receiver.
func goffiRecv[T any](id C.uint64_t, what string) T {
	return goffiArg[T](C.goffi_handle{id: id}, what)
}

// goffiAnyProxy makes a Go value of a Python object with a String or Error method
// passed as any (the goroutine bridge sets it: goffi.proxies).
var goffiAnyProxy = func(h C.goffi_handle) any { panic("goffi: proxies need the goroutine bridge") }

// goffiAnyProxyID is the ID of the identity getter of a proxied Python object (a Go value
// goffi made of one, passed as an interface or any), so that inside an any it goes back to
// Python as itself; ok is false for any other value. The goroutine bridge sets it.
var goffiAnyProxyID = func(v any) (id C.uint64_t, ok bool) { return 0, false }

// goffiAnyIn builds a Go value from a C any (see goffi.h). Go may keep it, so strings
// and byte slices are copied.
func goffiAnyIn(c *C.goffi_any) any {
	switch c.tag {
	case C.GOFFI_ANY_NIL:
		return nil
	case C.GOFFI_ANY_BOOL:
		return c.i != 0
	case C.GOFFI_ANY_INT:
		// Go's int, as Go code type-switching on any expects (an untyped constant in
		// `any` is an int); goffi supports 64-bit platforms only, so every int64 fits.
		return int(c.i)
	case C.GOFFI_ANY_UINT:
		return uint64(c.i)
	case C.GOFFI_ANY_BIGINT:
		n, ok := new(big.Int).SetString(goffiString(c.s), 10)
		if !ok {
			panic("goffi: malformed big integer text")
		}
		return n
	case C.GOFFI_ANY_FLOAT:
		return float64(c.f)
	case C.GOFFI_ANY_COMPLEX:
		return complex(float64(c.f), float64(c.f2))
	case C.GOFFI_ANY_STRING:
		return goffiString(c.s)
	case C.GOFFI_ANY_BYTES:
		return goffiBytesCopy(c.s)
	case C.GOFFI_ANY_LIST:
		items := unsafe.Slice(c.items, int(c.n))
		out := make([]any, len(items))
		for i := range items {
			out[i] = goffiAnyIn(&items[i])
		}
		return out
	case C.GOFFI_ANY_MAP:
		kv := unsafe.Slice(c.items, 2*int(c.n))
		out := make(map[string]any, int(c.n))
		for i := 0; i < int(c.n); i++ {
			out[goffiString(kv[2*i].s)] = goffiAnyIn(&kv[2*i+1])
		}
		return out
	case C.GOFFI_ANY_RECORD:
		return goffiRecordIn(int(c.cls), unsafe.Pointer(c.items))
	case C.GOFFI_ANY_TIME:
		return goffiTimeIn(C.goffi_time{sec: c.i, nsec: C.int32_t(c.n), offset: c.cls, zone: c.s})
	case C.GOFFI_ANY_DURATION:
		return time.Duration(c.i)
	case C.GOFFI_ANY_HANDLE:
		if c.cls == C.GOFFI_CLS_PROXY || c.cls == C.GOFFI_CLS_PROXY_ERROR {
			return goffiAnyProxy(C.goffi_handle{id: C.uint64_t(c.i), cls: c.cls})
		}
		// An object of a value Go handed out (a struct T, boxed for Python) is that T
		// again, so Go code switching on the dynamic type sees what it returned.
		resolve := goffiHandles.Unboxed
		if uint64(c.i)&goffiBridgeBit != 0 {
			resolve = goffiResolve
		}
		v, ok := resolve(uint64(c.i))
		if !ok {
			panic(fmt.Sprintf("goffi: handle %d is not live", c.i))
		}
		return v
	}
	panic(fmt.Sprintf("goffi: unknown any tag %d", c.tag))
}

// goffiAnyOut describes a Go value for Python by its dynamic type: basic kinds, slices
// and maps are copied; values of bridged types become objects of their class; anything
// else is an object of the generic any class (goffiAnyClass, generated).
func goffiAnyOut(dst *C.goffi_any, a *C.goffi_arena, v any) {
	goffiAnyOutAs(dst, a, v, true)
}

// goffiAnyOutAs is goffiAnyOut; errorsAsExceptions says whether an error value becomes
// an exception (everywhere but the values an exception's own attributes come from).
func goffiAnyOutAs(dst *C.goffi_any, a *C.goffi_arena, v any, errorsAsExceptions bool) {
	*dst = C.goffi_any{}
	if id, ok := goffiAnyProxyID(v); ok {
		// A Python object Go got as a proxy (goffi.proxies) is itself again, before the
		// error rule: a Python object with an Error method is not an exception from Go.
		dst.tag, dst.i, dst.cls = C.GOFFI_ANY_HANDLE, C.int64_t(id), C.GOFFI_CLS_PROXY
		return
	}
	if err, ok := v.(error); ok && errorsAsExceptions {
		// Errors are exceptions wherever they cross (a chan error, an any).
		e := (*C.goffi_err)(goffiAlloc(a, C.sizeof_goffi_err))
		goffiDescribeError(e, a, err, 0)
		dst.tag, dst.items = C.GOFFI_ANY_ERROR, (*C.goffi_any)(unsafe.Pointer(e))
		return
	}
	switch x := v.(type) {
	case nil, struct{}:
		// struct{} carries nothing (a chan struct{} signal, ctx.Done()): None.
		dst.tag = C.GOFFI_ANY_NIL
		return
	case bool:
		dst.tag, dst.i = C.GOFFI_ANY_BOOL, C.int64_t(goffiBool(x))
		return
	case int64:
		dst.tag, dst.i = C.GOFFI_ANY_INT, C.int64_t(x)
		return
	case int:
		dst.tag, dst.i = C.GOFFI_ANY_INT, C.int64_t(x)
		return
	case float64:
		dst.tag, dst.f = C.GOFFI_ANY_FLOAT, C.double(x)
		return
	case string:
		dst.tag = C.GOFFI_ANY_STRING
		goffiSetString(&dst.s, a, x)
		return
	case []byte:
		dst.tag = C.GOFFI_ANY_BYTES
		goffiSetBytes(&dst.s, a, x)
		return
	case *big.Int:
		if x != nil {
			dst.tag = C.GOFFI_ANY_BIGINT
			goffiSetString(&dst.s, a, x.String())
			return
		}
	case time.Time:
		var t C.goffi_time
		goffiTimeOut(&t, a, x)
		dst.tag, dst.i, dst.n, dst.cls, dst.s = C.GOFFI_ANY_TIME, t.sec, C.int64_t(t.nsec), t.offset, t.zone
		return
	case time.Duration:
		dst.tag, dst.i = C.GOFFI_ANY_DURATION, C.int64_t(x)
		return
	}
	if p, cls := goffiRecordOut(a, v); p != nil {
		dst.tag, dst.cls, dst.items = C.GOFFI_ANY_RECORD, C.int32_t(cls), (*C.goffi_any)(p)
		return
	}
	if stored, key, cls := goffiClassOf(v, goffiAnyClass); cls != goffiAnyClass {
		var h C.goffi_handle
		goffiPutClassed(&h, v, stored, key, cls)
		dst.tag, dst.i, dst.cls = C.GOFFI_ANY_HANDLE, C.int64_t(h.id), h.cls
		return
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		dst.tag, dst.i = C.GOFFI_ANY_BOOL, C.int64_t(goffiBool(rv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		dst.tag, dst.i = C.GOFFI_ANY_INT, C.int64_t(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		dst.tag, dst.i = C.GOFFI_ANY_UINT, C.int64_t(rv.Uint())
	case reflect.Float32, reflect.Float64:
		dst.tag, dst.f = C.GOFFI_ANY_FLOAT, C.double(rv.Float())
	case reflect.Complex64, reflect.Complex128:
		dst.tag, dst.f, dst.f2 = C.GOFFI_ANY_COMPLEX, C.double(real(rv.Complex())), C.double(imag(rv.Complex()))
	case reflect.String:
		dst.tag = C.GOFFI_ANY_STRING
		goffiSetString(&dst.s, a, rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			dst.tag = C.GOFFI_ANY_BYTES
			goffiSetBytes(&dst.s, a, rv.Bytes())
			return
		}
		n := rv.Len()
		dst.tag, dst.n = C.GOFFI_ANY_LIST, C.int64_t(n)
		if n > 0 {
			items := unsafe.Slice((*C.goffi_any)(goffiAlloc(a, uintptr(n)*C.sizeof_goffi_any)), n)
			for i := range items {
				goffiAnyOut(&items[i], a, rv.Index(i).Interface())
			}
			dst.items = &items[0]
		}
	case reflect.Map:
		keys := rv.MapKeys()
		n := len(keys)
		dst.tag, dst.n = C.GOFFI_ANY_MAP, C.int64_t(n)
		if n > 0 {
			// Sorted (as fmt prints maps), so Python sees the same order every time.
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
			kv := unsafe.Slice((*C.goffi_any)(goffiAlloc(a, uintptr(2*n)*C.sizeof_goffi_any)), 2*n)
			for i, k := range keys {
				goffiAnyOut(&kv[2*i], a, k.Interface())
				goffiAnyOut(&kv[2*i+1], a, rv.MapIndex(k).Interface())
			}
			dst.items = &kv[0]
		}
	default:
		var h C.goffi_handle
		goffiPut(&h, v, rt.IdentityKey(v), goffiAnyClass)
		dst.tag, dst.i, dst.cls = C.GOFFI_ANY_HANDLE, C.int64_t(h.id), h.cls
	}
}

// goffiTimeIn is the time.Time of a Python datetime (Unix time plus its zone). UTC
// stays time.UTC; any other zone becomes a fixed zone of the same name and offset.
func goffiTimeIn(c C.goffi_time) time.Time {
	t := time.Unix(int64(c.sec), int64(c.nsec))
	name := goffiString(c.zone)
	if c.offset == 0 && (name == "UTC" || name == "") {
		return t.UTC()
	}
	return t.In(time.FixedZone(name, int(c.offset)))
}

// goffiTimeOut describes a time.Time for Python: its instant and its zone at that instant.
func goffiTimeOut(dst *C.goffi_time, a *C.goffi_arena, t time.Time) {
	name, offset := t.Zone()
	dst.sec, dst.nsec, dst.offset = C.int64_t(t.Unix()), C.int32_t(t.Nanosecond()), C.int32_t(offset)
	goffiSetString(&dst.zone, a, name)
}
