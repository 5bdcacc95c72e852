// Package hostile is Go code that misbehaves on purpose: panics whose values panic
// again, errors that wrap themselves, goroutines that call back from threads that then
// exit, objects left unclosed. tests/test_reliability.py loads it in subprocesses.
package hostile

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"
)

// BadError is an error whose Error method panics.
type BadError struct{}

func (BadError) Error() string { panic("Error() panicked") }

// BadStringer is a value whose String method panics.
type BadStringer struct{}

func (BadStringer) String() string { panic("String() panicked") }

// PanicBadError panics with a value whose Error() panics.
func PanicBadError() { panic(BadError{}) }

// PanicBadStringer panics with a value whose String() panics.
func PanicBadStringer() { panic(BadStringer{}) }

// PanicNil panics with nil (GODEBUG=panicnil=1 makes recover() return nil).
func PanicNil() int64 { panic(nil) }

// ErrSentinel is a sentinel error, so that returned errors are matched with errors.Is.
var ErrSentinel = errors.New("sentinel")

// CodeError is an error type, so that returned errors are searched with errors.As.
type CodeError struct{ Code int }

func (e *CodeError) Error() string { return "code error" }

// SelfError is an error whose Unwrap returns itself.
type SelfError struct{ Msg string }

func (e *SelfError) Error() string { return e.Msg }
func (e *SelfError) Unwrap() error { return e }

// LoopA and LoopB wrap each other.
type LoopA struct{ B *LoopB }
type LoopB struct{ A *LoopA }

func (e *LoopA) Error() string { return "loop a" }
func (e *LoopA) Unwrap() error { return e.B }
func (e *LoopB) Error() string { return "loop b" }
func (e *LoopB) Unwrap() error { return e.A }

// SelfWrapped returns an error whose Unwrap returns itself.
func SelfWrapped() error { return &SelfError{"i wrap myself"} }

// MutualWrapped returns two errors that wrap each other.
func MutualWrapped() error {
	a := &LoopA{}
	a.B = &LoopB{A: a}
	return a
}

// Resource has a Close method: dropping it unclosed warns (ResourceWarning).
type Resource struct{ closed bool }

// NewResource opens a resource.
func NewResource() *Resource { return &Resource{} }

// Close closes it.
func (r *Resource) Close() error {
	r.closed = true
	return nil
}

// CallOnExitingThreads calls f n times, each from a new goroutine locked to its own OS
// thread that exits when the goroutine ends (a goroutine that ends locked takes its
// thread with it). It returns the sum of the results.
func CallOnExitingThreads(n int, f func() int64) int64 {
	var sum int64
	for range n {
		done := make(chan int64)
		go func() {
			runtime.LockOSThread()
			done <- f()
		}()
		sum += <-done
	}
	return sum
}

// CallLater calls f from a goroutine after d, without waiting for it.
func CallLater(d time.Duration, f func()) {
	go func() {
		time.Sleep(d)
		f()
	}()
}

// CallFromGoroutines calls f n times from n goroutines and waits for them.
func CallFromGoroutines(n int, f func(int64) int64) int64 {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sum int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := f(int64(i))
			mu.Lock()
			sum += v
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sum
}

// Add adds, for checking the runtime still works.
func Add(a, b int64) int64 { return a + b }

// Exit calls runtime.Goexit.
func Exit() { runtime.Goexit() }

// PanicInGoroutine starts a goroutine that panics, and returns.
func PanicInGoroutine() {
	go func() { panic("panic in a goroutine") }()
	time.Sleep(100 * time.Millisecond)
}

// SendLater sends v on ch from a goroutine after d.
func SendLater(ch chan<- int64, v int64, d time.Duration) {
	go func() {
		time.Sleep(d)
		ch <- v
	}()
}

// Chan makes a channel of int64 (so that the bundle has make_chan("int64")).
func Chan() chan int64 { return make(chan int64) }

// WaitDone blocks until ctx is done and returns its error.
func WaitDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Sleep sleeps for d (a long call without a context).
func Sleep(d time.Duration) { time.Sleep(d) }

// Count returns the number of entries of m.
func Count(m map[string]int64) int { return len(m) }

// Block blocks forever.
func Block() { select {} }

var cancels []context.CancelFunc

// WithTimeout is a context that ends after d (a context made in Go, passed back).
func WithTimeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	cancels = append(cancels, cancel)
	return ctx
}

// Background is context.Background().
func Background() context.Context { return context.Background() }
