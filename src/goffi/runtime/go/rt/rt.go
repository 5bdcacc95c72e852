// Package rt is the Go half of goffi's runtime: the parts of a bundle that do not
// depend on the bundle's own API. Generated wrappers import it; it never imports
// them, and it has no cgo, so it can be tested with plain `go test`.
package rt

import (
	"bytes"
	"errors"
	"fmt"
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
