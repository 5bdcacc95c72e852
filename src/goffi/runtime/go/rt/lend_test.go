package rt

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"
)

func TestLoanKeepsArrayUntilReturned(t *testing.T) {
	l := NewLoans()
	s := make([]float64, 1<<16)
	for i := range s {
		s[i] = float64(i)
	}
	p := unsafe.Pointer(&s[0])
	id := l.Lend(p, s)
	s = nil
	for range 3 {
		runtime.GC()
		_ = make([]float64, 1<<16) // reuse freed memory if the array were freed
	}
	view := unsafe.Slice((*float64)(p), 1<<16)
	for i, v := range view {
		if v != float64(i) {
			t.Fatalf("lent array changed at %d: %v", i, v)
		}
	}
	if l.Live() != 1 {
		t.Fatalf("Live() = %d, want 1", l.Live())
	}
	l.Return(id)
	l.Return(id) // a second return is ignored
	if l.Live() != 0 {
		t.Fatalf("Live() after Return = %d, want 0", l.Live())
	}
	runtime.GC() // an unreturned Pinner would panic when collected; this one was unpinned
}

func TestLoansConcurrent(t *testing.T) {
	l := NewLoans()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				s := make([]int32, 8)
				l.Return(l.Lend(unsafe.Pointer(&s[0]), s))
			}
		}()
	}
	wg.Wait()
	if l.Live() != 0 {
		t.Fatalf("Live() = %d, want 0", l.Live())
	}
}

// lendGlobal is memory outside Go's heap (a package variable): a function may return a
// slice of it, and lending it must work though there is nothing to pin.
var lendGlobal [4]int64

func TestLendNonHeapMemory(t *testing.T) {
	l := NewLoans()
	id := l.Lend(unsafe.Pointer(&lendGlobal[0]), lendGlobal[:])
	l.Return(id)
	if l.Live() != 0 {
		t.Fatal("a loan of non-heap memory was not returned")
	}
}
