package rt

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

type selfErr struct{}

func (e *selfErr) Error() string { return "self" }
func (e *selfErr) Unwrap() error { return e }

type valueSelf struct{ n int }

func (e valueSelf) Error() string { return "value self" }
func (e valueSelf) Unwrap() error { return e }

type loopA struct{ b *loopB }
type loopB struct{ a *loopA }

func (e *loopA) Error() string { return "a" }
func (e *loopA) Unwrap() error { return e.b }
func (e *loopB) Error() string { return "b" }
func (e *loopB) Unwrap() error { return e.a }

type sliceErr struct{ tags []string } // incomparable

func (e sliceErr) Error() string { return "slice" }

type panicky struct{}

func (panicky) Error() string { panic(panicky{}) }

type codeErr struct{ code int }

func (e *codeErr) Error() string { return fmt.Sprint("code ", e.code) }

func TestWalksEndOnLoops(t *testing.T) {
	sentinel := errors.New("sentinel")
	a := &loopA{}
	a.b = &loopB{a: a}
	for _, err := range []error{&selfErr{}, valueSelf{1}, a, fmt.Errorf("wrapped: %w", &selfErr{})} {
		if Is(err, sentinel) {
			t.Fatalf("%v matched a sentinel it does not wrap", err)
		}
		if _, ok := As[*codeErr](err); ok {
			t.Fatalf("%v has no *codeErr", err)
		}
		n := 0
		WalkErrors(err, func(error) bool { n++; return false })
		if n == 0 || n > 3 {
			t.Fatalf("%v: walked %d errors", err, n)
		}
	}
}

func TestWalksAgreeWithTheErrorsPackage(t *testing.T) {
	code := &codeErr{7}
	joined := errors.Join(io.EOF, fmt.Errorf("ctx: %w", code))
	for _, err := range []error{io.EOF, fmt.Errorf("x: %w", io.EOF), joined, sliceErr{[]string{"a"}}, code} {
		if Is(err, io.EOF) != errors.Is(err, io.EOF) {
			t.Fatalf("Is(%v, EOF) disagrees with errors.Is", err)
		}
		var want *codeErr
		got, ok := As[*codeErr](err)
		if ok != errors.As(err, &want) || got != want {
			t.Fatalf("As(%v) = %v, %v; errors.As gives %v", err, got, ok, want)
		}
		if Is(err, err) != errors.Is(err, err) {
			t.Fatalf("Is(%v, itself) disagrees with errors.Is", err)
		}
	}
}

func TestLongChainsAreCut(t *testing.T) {
	var err error = io.EOF
	for range 2 * MaxChain {
		err = fmt.Errorf("w: %w", err)
	}
	if Is(err, io.EOF) {
		t.Fatal("a chain longer than MaxChain was walked to its end")
	}
}

func TestTextSurvivesPanickingMethods(t *testing.T) {
	msg := Text(panicky{})
	if !strings.Contains(msg, "rt.panicky: its Error/String method panicked") {
		t.Fatalf("Text(panicky) = %q", msg)
	}
	message, goType, _ := PanicInfo(panicky{})
	if goType != "rt.panicky" || message != msg {
		t.Fatalf("PanicInfo = %q, %q", message, goType)
	}
}

func TestCheckBuffer(t *testing.T) {
	CheckBuffer("small", 1<<20, 8)
	CheckBuffer("zero-size elements", 1<<62, 0)
	for _, n := range []int64{1 << 40, 1 << 62} {
		func() {
			defer func() {
				if _, ok := recover().(MemoryError); !ok {
					t.Fatalf("CheckBuffer(%d) did not panic with MemoryError", n)
				}
			}()
			CheckBuffer("huge", n, 8)
		}()
	}
}
