// Package rt is the Go half of goffi's runtime: the parts of a bundle that do not
// depend on the bundle's own API. Generated wrappers import it; it never imports
// them, and it has no cgo, so it can be tested with plain `go test`.
package rt

import (
	"bytes"
	"errors"
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
// stack still holds the panicking frames.
func PanicInfo(recovered any) (message, goType string, stack []byte) {
	switch v := recovered.(type) {
	case error:
		message = v.Error()
	case fmt.Stringer:
		message = v.String()
	default:
		message = fmt.Sprint(v)
	}
	var rerr runtime.Error
	if err, ok := recovered.(error); ok && errors.As(err, &rerr) {
		// runtime.boundsError and friends: name the interface users know.
		goType = "runtime.Error"
	} else {
		goType = fmt.Sprintf("%T", recovered)
	}
	return message, goType, trimStack(debug.Stack())
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
func ErrorInfo(err error) (message, goType string) {
	return err.Error(), fmt.Sprintf("%T", err)
}

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
