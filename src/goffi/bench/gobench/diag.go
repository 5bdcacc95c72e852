package gobench

import (
	"runtime"
	"runtime/debug"
)

// GoHeap reports Go's memory after a full collection: the bytes of live heap objects,
// the heap bytes Go holds from the operating system (mapped and not released), and
// what Go holds besides its heap (stacks, GC metadata, span structures).
// The suite's memory case uses it to tell Go's share of a handle from Python's.
func GoHeap() (live, held, other uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.HeapSys - m.HeapReleased, m.Sys - m.HeapSys
}

// GoFreeOSMemory collects and returns as much memory to the operating system as Go can.
func GoFreeOSMemory() {
	debug.FreeOSMemory()
}
