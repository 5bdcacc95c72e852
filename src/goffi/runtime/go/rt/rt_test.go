package rt

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// recoverInfo calls f and returns what PanicInfo says about its panic, recovered the
// way generated wrappers recover.
func recoverInfo(f func()) (message, goType, stack string) {
	defer func() {
		if r := recover(); r != nil {
			m, t, s := PanicInfo(r)
			message, goType, stack = m, t, string(s)
		}
	}()
	f()
	return "", "", ""
}

func indexPanic() {
	var xs []int
	_ = xs[5]
}

func TestPanicInfoTrimsStack(t *testing.T) {
	for _, tc := range []struct {
		f             func()
		message, kind string
	}{
		{func() { panic("boom") }, "boom", "string"},
		{func() { panic(errors.New("bad")) }, "bad", "*errors.errorString"},
		{func() { panic(42) }, "42", "int"},
		{indexPanic, "runtime error: index out of range [5] with length 0", "runtime.Error"},
	} {
		message, kind, stack := recoverInfo(tc.f)
		if message != tc.message || kind != tc.kind {
			t.Errorf("got (%q, %q), want (%q, %q)", message, kind, tc.message, tc.kind)
		}
		// The stack starts at the code that panicked: goffi's own frames and the
		// runtime's panic call are trimmed.
		if !strings.HasPrefix(stack, "goroutine ") || strings.Contains(stack, "rt.PanicInfo(") ||
			strings.Contains(stack, "\npanic(") || !strings.Contains(stack, "rt.TestPanicInfoTrimsStack") {
			t.Errorf("untrimmed or wrong stack for %q:\n%s", tc.message, stack)
		}
	}
	if _, _, stack := recoverInfo(indexPanic); !strings.Contains(strings.SplitN(stack, "\n", 3)[1], "indexPanic") {
		t.Errorf("the first frame is not the panicking function:\n%s", stack)
	}
}

func TestTrimStackKeepsOtherShapes(t *testing.T) {
	for _, s := range []string{"", "goroutine 1 [running]:\nmain.main()\n", "no newline"} {
		if got := string(trimStack([]byte(s))); got != s {
			t.Errorf("trimStack(%q) = %q", s, got)
		}
	}
}

func TestErrorInfo(t *testing.T) {
	message, kind := ErrorInfo(errors.New("x"))
	if message != "x" || kind != "*errors.errorString" {
		t.Errorf("got (%q, %q)", message, kind)
	}
}

func TestConvertNoneToEmptyStruct(t *testing.T) {
	got := Convert("v", nil, reflect.TypeFor[struct{}]())
	if got.Interface() != (struct{}{}) {
		t.Fatalf("Convert(nil, struct{}) = %#v", got.Interface())
	}
	defer func() {
		if _, ok := recover().(TypeError); !ok {
			t.Fatal("Convert(nil, struct{ X int }) did not raise TypeError")
		}
	}()
	Convert("v", nil, reflect.TypeFor[struct{ X int }]())
}
