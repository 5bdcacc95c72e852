// Package multib is one of two small packages built into separate bundles (separate Go
// runtimes) that tests load into one Python process (tests/test_multibundle.py).
package multib

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// ErrB is the sentinel error of this package.
var ErrB = errors.New("multib failed")

// FailB returns ErrB, wrapped with its argument.
func FailB(why string) error { return fmt.Errorf("%s: %w", why, ErrB) }

// BoxB holds a number (a Go object: Python holds a handle).
type BoxB struct{ v int64 }

// NewBoxB makes a BoxB.
func NewBoxB(v int64) *BoxB { return &BoxB{v: v} }

// Value is the number in the box.
func (b *BoxB) Value() int64 { return b.v }

// UnboxB takes a box of this package.
func UnboxB(b *BoxB) int64 { return b.v }

// DescribeB names the Go type of any value.
func DescribeB(v any) string { return fmt.Sprintf("%T", v) }

// WrapB wraps an error.
func WrapB(err error) error { return fmt.Errorf("multib wrapped: %w", err) }

// CountB sends 0..n-1 from a goroutine, then closes the channel.
func CountB(n int) <-chan int64 {
	ch := make(chan int64)
	go func() {
		for i := 0; i < n; i++ {
			ch <- int64(i)
		}
		close(ch)
	}()
	return ch
}

// SumB adds what a channel carries until it is closed.
func SumB(ch <-chan int64) int64 {
	var s int64
	for v := range ch {
		s += v
	}
	return s
}

// EachB calls fn(i) for i in 0..n-1, each from a goroutine of its own (locked to a new OS
// thread, so the callbacks come from threads Python has never seen), and adds the results.
func EachB(n int, fn func(int64) int64) int64 {
	var wg sync.WaitGroup
	results := make([]int64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			results[i] = fn(int64(i))
		}(i)
	}
	wg.Wait()
	var s int64
	for _, r := range results {
		s += r
	}
	return s
}

// WaitB blocks until ctx is done (Ctrl-C cancels it) or ms milliseconds pass; whether ctx
// was cancelled.
func WaitB(ctx context.Context, ms int) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return false
	}
}
