// Package rt is the Go half of goffi's runtime: the parts of a bundle that do not
// depend on the bundle's own API. Generated wrappers import it; it never imports
// them, and it has no cgo, so it can be tested with plain `go test`.
package rt

import (
	"bytes"
	"fmt"
	"math/big"
	"reflect"
	"runtime"
	"runtime/debug"
)

// PanicInfo describes a recovered panic for Python: the panic value as text, its
// dynamic Go type, and the stack of the goroutine that panicked.
//
// It must be called from the deferred function that called recover, so that the
// stack still holds the panicking frames. It never panics itself: a value whose
// Error or String method panics is described without it (a panic here, inside the
// export's recover handler, would abort the process).
func PanicInfo(recovered any) (message, goType string, stack []byte) {
	message = Text(recovered)
	if _, ok := recovered.(runtime.Error); ok {
		// runtime.boundsError and friends: name the interface users know.
		goType = "runtime.Error"
	} else {
		goType = fmt.Sprintf("%T", recovered)
	}
	return message, goType, trimStack(debug.Stack())
}

// Text is v as text for a message: its Error(), else its String(), else fmt's %v. A
// method that panics does not propagate: the text then says so, naming v's type and
// what the method panicked with (described the same way, to a bounded depth).
func Text(v any) string { return text(v, 0) }

func text(v any, depth int) (s string) {
	defer func() {
		if r := recover(); r != nil {
			what := "<unprintable>"
			if depth < 2 {
				what = text(r, depth+1)
			}
			s = fmt.Sprintf("(%T: its Error/String method panicked: %s)", v, what)
		}
	}()
	switch x := v.(type) {
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// NoReturn is what an export reports when the Go function it called neither returned
// nor panicked with a value: panic(nil) under GODEBUG=panicnil=1 (recover() then
// gives nil), or runtime.Goexit() (which Go does not let anything stop: on the thread
// of a Python call it then aborts the process).
type NoReturn struct{}

func (NoReturn) Error() string {
	return "the Go function neither returned nor panicked with a value: panic(nil) " +
		"(with GODEBUG=panicnil=1), or runtime.Goexit()"
}

// trimStack drops the frames above the panic from a stack printed by debug.Stack in
// the deferred function that recovered: debug.Stack itself, PanicInfo, the wrapper's
// recovering closure and the runtime's panic call. What is left starts at the code
// that panicked. A stack of another shape is returned unchanged.
func trimStack(stack []byte) []byte {
	header := bytes.IndexByte(stack, '\n')
	at := bytes.Index(stack, []byte("\npanic("))
	if header < 0 || at < header {
		return stack
	}
	rest := stack[at+1:]
	for range 2 { // the panic( line and its file:line line
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return stack
		}
		rest = rest[nl+1:]
	}
	out := make([]byte, 0, header+1+len(rest))
	out = append(out, stack[:header+1]...)
	return append(out, rest...)
}

// ErrorInfo describes a returned error for Python: its message and dynamic Go type.
// An Error method that panics gives a message saying so (see Text).
func ErrorInfo(err error) (message, goType string) {
	return Text(err), fmt.Sprintf("%T", err)
}

// MaxChain bounds the walks of an error's chain (errors.Is and errors.As, for Python's
// exception classes): a chain longer than this is cut there. A chain that loops (an
// Unwrap that returns the error itself, or two errors that wrap each other) would make
// Go's own errors.Is loop forever; these walks also skip an error they already saw.
const MaxChain = 100

// WalkErrors calls visit for err and the errors it wraps, in the order errors.Is and
// errors.As visit them (depth first; Unwrap() []error in order), each error at most
// once and at most MaxChain of them, until visit returns true; it reports whether one
// did. An Unwrap method that panics ends the walk there.
func WalkErrors(err error, visit func(error) bool) bool {
	seen := map[any]struct{}{}
	budget := MaxChain
	var walk func(error) bool
	walk = func(e error) bool {
		for e != nil && budget > 0 {
			budget--
			if key, ok := identity(e); ok {
				if _, dup := seen[key]; dup {
					return false
				}
				seen[key] = struct{}{}
			}
			if visit(e) {
				return true
			}
			switch u := e.(type) {
			case interface{ Unwrap() error }:
				e = safeUnwrap(u.Unwrap)
			case interface{ Unwrap() []error }:
				for _, inner := range safeUnwrapAll(u.Unwrap) {
					if walk(inner) {
						return true
					}
				}
				return false
			default:
				return false
			}
		}
		return false
	}
	return walk(err)
}

// identity is a map key that is the same for the same error value, when there is a
// safe one: the pointer of pointer-shaped errors, the value itself for comparable ones.
func identity(e error) (key any, ok bool) {
	defer func() {
		if recover() != nil { // a comparable type holding an incomparable value
			key, ok = nil, false
		}
	}()
	t := reflect.TypeOf(e)
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return [2]any{t, reflect.ValueOf(e).Pointer()}, true
	}
	if !t.Comparable() {
		return nil, false
	}
	m := map[any]struct{}{e: {}} // hashing panics for an incomparable value inside
	_ = m
	return e, true
}

func safeUnwrap(f func() error) (e error) {
	defer func() {
		if recover() != nil {
			e = nil
		}
	}()
	return f()
}

func safeUnwrapAll(f func() []error) (list []error) {
	defer func() {
		if recover() != nil {
			list = nil
		}
	}()
	return f()
}

// Is is errors.Is(err, target), with WalkErrors' bounds: never loops, never panics.
func Is(err, target error) bool {
	if err == nil || target == nil {
		return err == target
	}
	comparable := reflect.TypeOf(target).Comparable()
	return WalkErrors(err, func(e error) bool {
		if comparable && equal(e, target) {
			return true
		}
		if x, ok := e.(interface{ Is(error) bool }); ok {
			return safeIs(x, target)
		}
		return false
	})
}

func equal(a, b error) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

func safeIs(x interface{ Is(error) bool }, target error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return x.Is(target)
}

// As is errors.As for a target of type T, with WalkErrors' bounds: the first error in
// err's chain that is a T, or whose As method sets a T.
func As[T any](err error) (found T, ok bool) {
	WalkErrors(err, func(e error) bool {
		if t, is := e.(T); is {
			found, ok = t, true
			return true
		}
		if x, has := e.(interface{ As(any) bool }); has {
			var t T
			if safeAs(x, &t) {
				found, ok = t, true
				return true
			}
		}
		return false
	})
	return found, ok
}

func safeAs(x interface{ As(any) bool }, target any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return x.As(target)
}

// SameError reports whether a and b are the same error value (for cutting a loop in a
// chain), without panicking for incomparable values.
func SameError(a, b error) bool {
	ka, okA := identity(a)
	kb, okB := identity(b)
	return okA && okB && ka == kb
}

// MemoryError reports a request for more memory than the machine can give (a channel
// buffer, say), before Go's allocator would abort the process; Python raises
// MemoryError.
type MemoryError struct{ msg string }

func (e MemoryError) Error() string { return e.msg }

// NewMemoryError is a MemoryError with a message of its own.
func NewMemoryError(msg string) MemoryError { return MemoryError{msg} }

// TypeError reports an argument whose dynamic Go type is not the one a parameter
// needs; Python raises it as TypeError (not as a panic).
type TypeError struct{ msg string }

func (e TypeError) Error() string { return e.msg }

// NewTypeError describes why value cannot be used as a want: for an interface, the
// first method its dynamic type lacks. what names the argument.
func NewTypeError(what string, value any, want reflect.Type) TypeError {
	got := reflect.TypeOf(value)
	msg := fmt.Sprintf("%s: %v is not %v", what, got, want)
	if want.Kind() == reflect.Interface {
		for i := 0; i < want.NumMethod(); i++ {
			m := want.Method(i)
			if _, ok := got.MethodByName(m.Name); !ok {
				msg = fmt.Sprintf("%s: %v does not implement %v (missing method %s)", what, got, want, m.Name)
				break
			}
		}
	}
	return TypeError{msg}
}

// IdentityKey is the key that makes the same Go value the same Python object: the
// pointer itself for pointer values, nothing for values without identity.
func IdentityKey(v any) any {
	if v == nil {
		return nil
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer:
		return v
	}
	return nil
}

// CallbackAbort unwinds a Go call whose Python callback raised, on the goroutine of
// that call: the call's export recovers it and Python re-raises the original exception.
type CallbackAbort struct{}

// NewTypeErrorText is a TypeError with a message of its own.
func NewTypeErrorText(msg string) TypeError { return TypeError{msg} }

// OverflowError reports a value that does not fit its Go type; Python raises
// OverflowError.
type OverflowError struct{ msg string }

func (e OverflowError) Error() string { return e.msg }

// NewOverflowError describes value not fitting want, for what.
func NewOverflowError(what string, value any, want reflect.Type) OverflowError {
	return OverflowError{fmt.Sprintf("%s: %v does not fit Go %v", what, value, want)}
}

// Convert makes v (a value that crossed from Python as `any`: int64, float64, string,
// []byte, []any, map[string]any, ...) a value of type want, element by element for
// slices, arrays and maps; ok is false when it cannot. An integer that does not fit
// panics with OverflowError, anything else that cannot convert with TypeError.
func Convert(what string, v any, want reflect.Type) reflect.Value {
	if v == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
			return reflect.Zero(want)
		case reflect.Struct:
			if want.NumField() == 0 { // struct{}: a signal, None in Python
				return reflect.Zero(want)
			}
		}
		panic(NewTypeError(what, v, want))
	}
	got := reflect.ValueOf(v)
	if got.Type().AssignableTo(want) {
		return got
	}
	switch want.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, big := v.(*big.Int); big || got.CanInt() {
			if big || reflect.Zero(want).OverflowInt(got.Int()) {
				panic(NewOverflowError(what, v, want))
			}
			return got.Convert(want)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n, ok := v.(*big.Int); ok {
			if n.Sign() < 0 || !n.IsUint64() || reflect.Zero(want).OverflowUint(n.Uint64()) {
				panic(NewOverflowError(what, v, want))
			}
			return reflect.ValueOf(n.Uint64()).Convert(want)
		}
		if got.CanInt() {
			if got.Int() < 0 || reflect.Zero(want).OverflowUint(uint64(got.Int())) {
				panic(NewOverflowError(what, v, want))
			}
			return got.Convert(want)
		}
	case reflect.Float32, reflect.Float64:
		if got.CanFloat() {
			if reflect.Zero(want).OverflowFloat(got.Float()) {
				panic(NewOverflowError(what, v, want))
			}
			return got.Convert(want)
		}
		if got.CanInt() {
			return got.Convert(want)
		}
	case reflect.Complex64, reflect.Complex128:
		if got.CanComplex() || got.CanFloat() || got.CanInt() {
			return got.Convert(want)
		}
	case reflect.String:
		if got.Kind() == reflect.String {
			return got.Convert(want)
		}
	case reflect.Bool:
		if got.Kind() == reflect.Bool {
			return got.Convert(want)
		}
	case reflect.Slice:
		if b, ok := v.([]byte); ok && want.Elem().Kind() == reflect.Uint8 {
			return reflect.ValueOf(b).Convert(want)
		}
		if items, ok := v.([]any); ok {
			out := reflect.MakeSlice(want, len(items), len(items))
			for i, item := range items {
				out.Index(i).Set(Convert(what, item, want.Elem()))
			}
			return out
		}
	case reflect.Array:
		if items, ok := v.([]any); ok && len(items) == want.Len() {
			out := reflect.New(want).Elem()
			for i, item := range items {
				out.Index(i).Set(Convert(what, item, want.Elem()))
			}
			return out
		}
	case reflect.Map:
		if entries, ok := v.(map[string]any); ok && want.Key().Kind() == reflect.String {
			out := reflect.MakeMapWithSize(want, len(entries))
			for k, item := range entries {
				out.SetMapIndex(reflect.ValueOf(k).Convert(want.Key()), Convert(what, item, want.Elem()))
			}
			return out
		}
	}
	panic(NewTypeError(what, v, want))
}
