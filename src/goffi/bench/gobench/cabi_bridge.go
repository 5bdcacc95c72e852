package gobench

// The baselines of the goroutine-bridge cases, in the same library as goffi's bundle.
//
// Callbacks: Go calls a C function of floor.c per invocation (the hand-written C
// callback trampolines); ctx is floor.c's C struct holding the Python callable. The
// same-thread and goroutine floors go through CallN and CallNParallel, the very Go
// code goffi's rows call. Channels: ctypes receives one value per call of a plain
// C-ABI export.

/*
#include <stdint.h>
int64_t floor_cb_restore(void *ctx, int64_t x);
int64_t floor_cb_ensure(void *ctx, int64_t x);
int64_t floor_cb_pinned(void *ctx, int64_t x);
int64_t floor_cb_fresh(void *ctx, int64_t x);
int64_t floor_cb_fnptr(void *fn, int64_t x);
int floor_thread_has_state(void);
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Trampoline kinds (floor.c's FLOOR_CB_* must match).
const (
	cbRestore = 0 // same thread: PyEval_RestoreThread/SaveThread with the caller's saved state
	cbEnsure  = 1 // PyGILState_Ensure/Release (the caller's thread keeps its state)
	cbPinned  = 2 // PyGILState_Ensure/Release, each thread's state pinned on first use (goffi's way)
	cbFnptr   = 3 // a C function pointer (a ctypes CFUNCTYPE): ctx is the pointer
)

func floorFunc(ctx unsafe.Pointer, kind C.int) func(int64) int64 {
	switch kind {
	case cbRestore:
		return func(x int64) int64 { return int64(C.floor_cb_restore(ctx, C.int64_t(x))) }
	case cbEnsure:
		return func(x int64) int64 { return int64(C.floor_cb_ensure(ctx, C.int64_t(x))) }
	case cbPinned:
		return func(x int64) int64 { return int64(C.floor_cb_pinned(ctx, C.int64_t(x))) }
	default:
		return func(x int64) int64 { return int64(C.floor_cb_fnptr(ctx, C.int64_t(x))) }
	}
}

// gobench_CallN is CallN with a C trampoline of the given kind as f.
//
//export gobench_CallN
func gobench_CallN(ctx unsafe.Pointer, n C.int64_t, kind C.int) C.int64_t {
	return C.int64_t(CallN(floorFunc(ctx, kind), int(n)))
}

// gobench_CallNParallel is CallNParallel with a C trampoline of the given kind as f.
//
//export gobench_CallNParallel
func gobench_CallNParallel(ctx unsafe.Pointer, n, g C.int64_t, kind C.int) C.int64_t {
	return C.int64_t(CallNParallel(floorFunc(ctx, kind), int(n), int(g)))
}

// ---- a fresh Python thread state per call ----------------------------------------
//
// floor_cb_fresh does PyGILState_Ensure/Release on a thread that has no Python thread
// state, so each call creates one and destroys it. Go reuses its threads, and goffi's
// callbacks (and the pinned floor) leave a state pinned on every thread they ran on, so
// these calls run on worker goroutines locked to threads of their own: a thread is
// checked to carry no Python state when its worker starts (one that does is discarded:
// its goroutine exits locked, which ends the thread), and no other goroutine ever runs
// on a locked thread, so nothing pins a state there later.

type freshJob struct {
	ctx  unsafe.Pointer
	n    int
	done chan int64
}

var (
	freshMu        sync.Mutex
	freshWorkers   []chan freshJob
	freshDiscarded int64 // threads discarded because they carried a Python thread state
)

func startFreshWorker() chan freshJob {
	for {
		ready := make(chan bool)
		jobs := make(chan freshJob)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread is this worker's alone
			if C.floor_thread_has_state() != 0 {
				ready <- false
				return // exiting while locked ends the thread
			}
			ready <- true
			for job := range jobs {
				var s int64
				for i := 0; i < job.n; i++ {
					s += int64(C.floor_cb_fresh(job.ctx, C.int64_t(i)))
				}
				job.done <- s
			}
		}()
		if <-ready {
			return jobs
		}
		freshDiscarded++
	}
}

// gobench_CallNFresh makes n calls of the fresh-state trampoline from g locked worker
// goroutines (n/g each, the first n%g one more) and returns the sum of the results.
//
//export gobench_CallNFresh
func gobench_CallNFresh(ctx unsafe.Pointer, n, g C.int64_t) C.int64_t {
	freshMu.Lock()
	defer freshMu.Unlock()
	for len(freshWorkers) < int(g) {
		freshWorkers = append(freshWorkers, startFreshWorker())
	}
	done := make(chan int64, int(g))
	for w := 0; w < int(g); w++ {
		count := int(n) / int(g)
		if w < int(n)%int(g) {
			count++
		}
		freshWorkers[w] <- freshJob{ctx: ctx, n: count, done: done}
	}
	var total int64
	for w := 0; w < int(g); w++ {
		total += <-done
	}
	return C.int64_t(total)
}

// gobench_FreshDiscarded says how many threads were discarded, so far, for carrying a
// Python thread state when a fresh-state worker started on them.
//
//export gobench_FreshDiscarded
func gobench_FreshDiscarded() C.int64_t {
	freshMu.Lock()
	defer freshMu.Unlock()
	return C.int64_t(freshDiscarded)
}

// ---- channels through ctypes -------------------------------------------------------

// gobench_CountOpen is Count behind a cgo.Handle, for ctypes.
//
//export gobench_CountOpen
func gobench_CountOpen(n, buffer C.int64_t) C.uintptr_t {
	return C.uintptr_t(cgo.NewHandle(Count(int(n), int(buffer))))
}

// gobench_ChanRecv receives one value: 1 and *out, or 0 once the channel is closed and drained.
//
//export gobench_ChanRecv
func gobench_ChanRecv(h C.uintptr_t, out *C.int64_t) C.int32_t {
	v, ok := <-cgo.Handle(h).Value().(<-chan int64)
	if !ok {
		return 0
	}
	*out = C.int64_t(v)
	return 1
}

// gobench_ChanFree deletes the handle gobench_CountOpen returned.
//
//export gobench_ChanFree
func gobench_ChanFree(h C.uintptr_t) {
	cgo.Handle(h).Delete()
}

// gobench_CountDrain is the channel rows' Go floor: Count(n, buffer) drained by a new
// goroutine (`for v := range ch`), as a pure-Go consumer of the same channel, fed the
// same way, would; the calling goroutine only waits. It returns the sum of the values.
//
//export gobench_CountDrain
func gobench_CountDrain(n, buffer C.int64_t) C.int64_t {
	done := make(chan int64)
	go func() {
		var s int64
		for v := range Count(int(n), int(buffer)) {
			s += v
		}
		done <- s
	}()
	return C.int64_t(<-done)
}
