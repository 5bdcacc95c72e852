package gobench

// The functions of the goroutine-bridge cases: a Go func made of a Python callable,
// called from the calling goroutine and from new ones, and a channel a goroutine feeds.
// They are not in api.go because gopy (which binds a copy of api.go) has no part in
// these rows.

import (
	"iter"
	"sync"
)

// CallN calls f(0), f(1), ..., f(n-1) on the calling goroutine and returns the sum of
// the results: n Go -> Python callbacks on the thread of the call.
//
//go:noinline
func CallN(f func(int64) int64, n int) int64 {
	var s int64
	for i := 0; i < n; i++ {
		s += f(int64(i))
	}
	return s
}

// CallNParallel makes n calls of f in all from g new goroutines (n/g each, the first
// n%g one more), waits for them, and returns the sum of the results. The calling
// goroutine only waits: every call comes from a goroutine Python never saw.
//
//go:noinline
func CallNParallel(f func(int64) int64, n, g int) int64 {
	if g < 1 {
		g = 1
	}
	sums := make([]int64, g)
	var wg sync.WaitGroup
	for w := 0; w < g; w++ {
		count := n / g
		if w < n%g {
			count++
		}
		wg.Add(1)
		go func(w, count int) {
			defer wg.Done()
			var s int64
			for i := 0; i < count; i++ {
				s += f(int64(i))
			}
			sums[w] = s
		}(w, count)
	}
	wg.Wait()
	var total int64
	for _, s := range sums {
		total += s
	}
	return total
}

// Count returns a channel of capacity buffer that a new goroutine feeds with 0..n-1,
// then closes.
//
//go:noinline
func Count(n, buffer int) <-chan int64 {
	ch := make(chan int64, buffer)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- int64(i)
		}
	}()
	return ch
}

// Seq yields 0..n-1: an iter.Seq[int64] range-over-func sequence, which Python iterates lazily.
func Seq(n int) iter.Seq[int64] {
	return func(yield func(int64) bool) {
		for i := 0; i < n; i++ {
			if !yield(int64(i)) {
				return
			}
		}
	}
}
