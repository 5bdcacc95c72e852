// Package spintest checks that its Go runtime can preempt a goroutine asynchronously:
// a loop with no function calls can be stopped only by a signal (SIGURG), so when a
// runtime's preemption signals are lost, runtime.GC waits for the loop to end.
package spintest

import (
	"runtime"
	"sync/atomic"
	"time"
)

var stop atomic.Bool

// spin counts up to limit, or until stop is set, with no function call in the loop
// (atomic.Bool.Load is an intrinsic): only asynchronous preemption can interrupt it.
func spin(limit int64) int64 {
	var i int64
	for i = 0; i < limit && !stop.Load(); i++ {
	}
	return i
}

// SpinNanos times a spin of limit iterations, with nothing waiting for it: the time a
// stop-the-world would take if it had to wait for the loop to end.
func SpinNanos(limit int64) int64 {
	stop.Store(false)
	start := time.Now()
	spin(limit)
	return time.Since(start).Nanoseconds()
}

// GCNanosWhileSpinning starts a goroutine spinning for up to limit iterations, then
// times runtime.GC, whose stop-the-world must preempt the spinning goroutine, and
// stops it. It returns the GC's duration and how many iterations the loop ran.
func GCNanosWhileSpinning(limit int64) (int64, int64) {
	stop.Store(false)
	started := make(chan struct{})
	done := make(chan int64, 1)
	go func() {
		close(started)
		done <- spin(limit)
	}()
	<-started
	start := time.Now()
	runtime.GC()
	gc := time.Since(start).Nanoseconds()
	stop.Store(true)
	return gc, <-done
}

// Version is the Go version this runtime was built with.
func Version() string { return runtime.Version() }

// Call calls f(i) for i in [0, n) from a new goroutine (a goroutine calling back into
// the host), and returns the sum of the results.
func Call(f func(int) int, n int) int {
	done := make(chan int)
	go func() {
		sum := 0
		for i := 0; i < n; i++ {
			sum += f(i)
		}
		done <- sum
	}()
	return <-done
}

// Stream sends 0..n-1 on a channel from a goroutine, then closes it.
func Stream(n int) <-chan int {
	ch := make(chan int, 4)
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	return ch
}

// Churn allocates n small slices from a few goroutines, collects garbage, and returns
// the sum of what they wrote (n*(n-1)/2 per goroutine).
func Churn(n int, goroutines int) int {
	results := make(chan int, goroutines)
	for g := 0; g < goroutines; g++ {
		go func() {
			keep := make([][]int, 0, 16)
			sum := 0
			for i := 0; i < n; i++ {
				s := make([]int, 8)
				s[i%8] = i
				sum += s[i%8]
				keep = append(keep, s)
				if len(keep) == 16 {
					keep = keep[:0]
				}
			}
			results <- sum
		}()
	}
	runtime.GC()
	total := 0
	for g := 0; g < goroutines; g++ {
		total += <-results
	}
	return total
}

// Twice returns 2*x: a quick call, for callbacks that call another runtime.
func Twice(x int) int { return 2 * x }
