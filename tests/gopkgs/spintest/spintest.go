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
