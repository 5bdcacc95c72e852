// Package multia is one of two small packages built into separate bundles (separate Go
// runtimes) that tests load into one Python process (tests/test_multibundle.py).
package multia

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// ErrA is the sentinel error of this package.
var ErrA = errors.New("multia failed")

// FailA returns ErrA, wrapped with its argument.
func FailA(why string) error { return fmt.Errorf("%s: %w", why, ErrA) }

// BoxA holds a number (a Go object: Python holds a handle).
type BoxA struct{ v int64 }

// NewBoxA makes a BoxA.
func NewBoxA(v int64) *BoxA { return &BoxA{v: v} }

// Value is the number in the box.
func (b *BoxA) Value() int64 { return b.v }

// UnboxA takes a box of this package.
func UnboxA(b *BoxA) int64 { return b.v }

// DescribeA names the Go type of any value.
func DescribeA(v any) string { return fmt.Sprintf("%T", v) }

// WrapA wraps an error.
func WrapA(err error) error { return fmt.Errorf("multia wrapped: %w", err) }

// CountA sends 0..n-1 from a goroutine, then closes the channel.
func CountA(n int) <-chan int64 {
	ch := make(chan int64)
	go func() {
		for i := 0; i < n; i++ {
			ch <- int64(i)
		}
		close(ch)
	}()
	return ch
}

// SumA adds what a channel carries until it is closed.
func SumA(ch <-chan int64) int64 {
	var s int64
	for v := range ch {
		s += v
	}
	return s
}

// EachA calls fn(i) for i in 0..n-1, each from a goroutine of its own (locked to a new OS
// thread, so the callbacks come from threads Python has never seen), and adds the results.
func EachA(n int, fn func(int64) int64) int64 {
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

// WaitA blocks until ctx is done (Ctrl-C cancels it) or ms milliseconds pass; whether ctx
// was cancelled.
func WaitA(ctx context.Context, ms int) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return false
	}
}
