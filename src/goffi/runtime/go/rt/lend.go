package rt

import (
	"runtime"
	"sync"
	"unsafe"
)

// Loans records the Go arrays lent to Python without a copy: a zero_copy= function's
// slice result becomes a memoryview whose memory is the slice's own array.
//
// cgo lets C keep a Go pointer after a call returns only while the object is pinned
// (runtime.Pinner). Each loan pins the array and keeps the slice reachable until
// Python releases the memoryview (Return); a Pinner must be unpinned before it is
// dropped, so the table holds it until then.
type Loans struct {
	mu    sync.Mutex
	next  uint64
	loans map[uint64]*loan
}

type loan struct {
	pinner runtime.Pinner
	keep   any // the slice itself: what keeps the array reachable
}

// NewLoans returns an empty table.
func NewLoans() *Loans {
	return &Loans{loans: map[uint64]*loan{}}
}

// Lend pins the Go object p points into (a slice's first element) and returns the ID
// Python gives back with Return. keep is the value that owns p (the slice). IDs are
// never 0 and never reused.
func (l *Loans) Lend(p unsafe.Pointer, keep any) uint64 {
	ln := &loan{keep: keep}
	ln.pinner.Pin(p) // a no-op for memory Go does not manage (a C array, a global)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	l.loans[l.next] = ln
	return l.next
}

// Return unpins loan id and forgets it; Go's GC may then free the array. An unknown
// or already returned ID is ignored, so a double release cannot unpin another loan.
func (l *Loans) Return(id uint64) {
	l.mu.Lock()
	ln, ok := l.loans[id]
	delete(l.loans, id)
	l.mu.Unlock()
	if ok {
		ln.pinner.Unpin()
	}
}

// Live is the number of loans not yet returned.
func (l *Loans) Live() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.loans)
}
