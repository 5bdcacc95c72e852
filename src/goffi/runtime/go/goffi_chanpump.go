// Code copied by goffi into bundles that need it. DO NOT EDIT.

//go:build goffi_bridge

// This file is the channel pump: while a Python loop iterates a Go channel of a basic
// element type, a goroutine (the pump) receives from it into a ring of 64-bit slots in
// C memory (goffi_ring, goffi.h) that the loop reads with no call into Go per value. The
// producer hands values to the pump goroutine to goroutine, on Go's scheduler, as it
// would to a Go consumer; the Python thread is woken only when it waits on an empty
// ring, and the pump only when it waits for room in a full one (at half empty). The C
// half (goffi_chanring.c) starts a pump for a loop that has taken one batch and asks it
// to stop when the last loop over the channel ends; the values it took stay in the ring
// for the channel's next receive.
//
// It is part of package rtcgo (the Go half of the runtime): only C calls it, through
// the exports below (declared to C in goffi_exports.h), and it calls nothing generated.

package rtcgo

/*
#include "goffi.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// goffiPumpCtl wakes one running pump: stop is closed when C asks it to stop, room is
// signalled when C freed room in its full ring.
type goffiPumpCtl struct {
	stop chan struct{}
	room chan struct{}
	once sync.Once
}

// goffiPumps holds the running pumps by ring.
var goffiPumps sync.Map // *C.goffi_ring -> *goffiPumpCtl

// goffi_chanpump_start starts a pump for channel id into ring (C set ring.state to
// RUNNING and took a reference for it). It returns the slots' GOFFI_SLOT_* kind, or
// GOFFI_SLOT_NONE, starting nothing, for an element type it does not pump.
//
//export goffi_chanpump_start
func goffi_chanpump_start(id C.uint64_t, ring *C.goffi_ring) C.int32_t {
	v, live := goffiResolve(uint64(id))
	if !live {
		return C.GOFFI_SLOT_NONE
	}
	ctl := &goffiPumpCtl{stop: make(chan struct{}), room: make(chan struct{}, 1)}
	kind, run := goffiPumpFor(v, ring, ctl)
	if run == nil {
		return C.GOFFI_SLOT_NONE
	}
	goffiPumps.Store(ring, ctl)
	go run()
	return kind
}

// goffi_chanpump_stop wakes ring's pump, if it still runs, to see that C asked it to
// stop (ring.state is STOPPING). It never blocks.
//
//export goffi_chanpump_stop
func goffi_chanpump_stop(ring *C.goffi_ring) {
	if ctl, ok := goffiPumps.Load(ring); ok {
		c := ctl.(*goffiPumpCtl)
		c.once.Do(func() { close(c.stop) })
	}
}

// goffi_chanpump_room wakes ring's pump, waiting for room in its ring. It never blocks.
//
//export goffi_chanpump_room
func goffi_chanpump_room(ring *C.goffi_ring) {
	if ctl, ok := goffiPumps.Load(ring); ok {
		select {
		case ctl.(*goffiPumpCtl).room <- struct{}{}:
		default:
		}
	}
}

// goffiPumpFor is the pump of a channel whose element type is a predeclared basic type
// (named ones keep the batch receive of goffi_chan_recv_batch).
func goffiPumpFor(ch any, g *C.goffi_ring, ctl *goffiPumpCtl) (C.int32_t, func()) {
	switch c := ch.(type) {
	case chan int64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int64])
	case <-chan int64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int64])
	case chan int:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int])
	case <-chan int:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int])
	case chan int32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int32])
	case <-chan int32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int32])
	case chan int16:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int16])
	case <-chan int16:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int16])
	case chan int8:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int8])
	case <-chan int8:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_INT, goffiSlotInt[int8])
	case chan uint64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint64])
	case <-chan uint64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint64])
	case chan uint:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint])
	case <-chan uint:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint])
	case chan uint32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint32])
	case <-chan uint32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint32])
	case chan uint16:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint16])
	case <-chan uint16:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint16])
	case chan uint8:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint8])
	case <-chan uint8:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uint8])
	case chan uintptr:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uintptr])
	case <-chan uintptr:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_UINT, goffiSlotUint[uintptr])
	case chan float64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_FLOAT, goffiSlotFloat[float64])
	case <-chan float64:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_FLOAT, goffiSlotFloat[float64])
	case chan float32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_FLOAT, goffiSlotFloat[float32])
	case <-chan float32:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_FLOAT, goffiSlotFloat[float32])
	case chan bool:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_BOOL, goffiSlotBool)
	case <-chan bool:
		return goffiPumping(c, g, ctl, C.GOFFI_SLOT_BOOL, goffiSlotBool)
	}
	return C.GOFFI_SLOT_NONE, nil
}

func goffiPumping[T any](c <-chan T, g *C.goffi_ring, ctl *goffiPumpCtl, kind C.int32_t, slot func(T) uint64) (C.int32_t, func()) {
	return kind, func() { goffiPump(c, g, ctl, slot) }
}

// A loop that finds the ring empty sleeps for a batch (goffi_chanring.c): the pump wakes
// it once the ring holds goffiPumpWakeAfter values, or when it stops, finds the channel
// closed or fills the ring; else the loop wakes by itself after a while, and sleeps on
// for the next value if there is none (a "deep" sleep: the pump wakes it with the first
// value it publishes). So a loop is woken once per batch of values, not per buffer of
// the channel. Values are published goffiPumpPublish at a time, and when the channel runs
// dry. A pump that finds the channel empty yields goffiPumpYields times before it parks.
const (
	goffiPumpPublish   = 32
	goffiPumpWakeAfter = 4096
	goffiPumpYields    = 4
)

// goffiPump moves c's values into g until c is closed or C asks it to stop: the ready
// ones as they come, and, when none is ready, it waits for the next one (or a stop);
// when g is full it waits for the loop to empty half of it.
func goffiPump[T any](c <-chan T, g *C.goffi_ring, ctl *goffiPumpCtl, slot func(T) uint64) {
	size := uint64(g.mask) + 1
	mask := uint64(g.mask)
	slots := unsafe.Slice((*uint64)(unsafe.Pointer(g.slots)), size)
	tailp := (*uint64)(unsafe.Pointer(&g.tail))
	headp := (*uint64)(unsafe.Pointer(&g.head))
	wakeAt := (*uint64)(unsafe.Pointer(&g.wake_at))
	waiting := (*int32)(unsafe.Pointer(&g.waiting))
	deep := (*int32)(unsafe.Pointer(&g.deep))
	state := (*int32)(unsafe.Pointer(&g.state))
	closed := false
	spins := 0
	tail := atomic.LoadUint64(tailp)
	defer func() {
		if closed {
			atomic.StoreInt32((*int32)(unsafe.Pointer(&g.closed)), 1)
		}
		goffiPumps.CompareAndDelete(g, ctl)
		atomic.StoreInt32(state, C.GOFFI_PUMP_IDLE)
		C.goffi_ring_wake(g) // loops waiting for values, or for the pump to stop
		C.goffi_ring_release(g)
	}()
	// publish makes slots below tail visible, and wakes waiting loops when asked to or
	// when enough have come since the last wake-up.
	publish := func(force bool) {
		atomic.StoreUint64(tailp, tail)
		if atomic.LoadInt32(waiting) > 0 &&
			(force || atomic.LoadInt32(deep) > 0 || tail-atomic.LoadUint64(headp) >= goffiPumpWakeAfter) {
			C.goffi_ring_wake(g)
		}
	}
	for atomic.LoadInt32(state) == C.GOFFI_PUMP_RUNNING {
		free := size - (tail - atomic.LoadUint64(headp))
		if free == 0 {
			publish(true)
			atomic.StoreUint64(wakeAt, tail-size+size/2)
			if size-(tail-atomic.LoadUint64(headp)) == 0 {
				select {
				case <-ctl.room:
				case <-ctl.stop:
				}
			}
			atomic.StoreUint64(wakeAt, ^uint64(0))
			continue
		}
		// The values ready now, up to the room there is.
		got := uint64(0)
	ready:
		for got < free {
			select {
			case v, ok := <-c:
				if !ok {
					closed = true
					break ready
				}
				slots[tail&mask] = slot(v)
				tail++
				got++
				if got%goffiPumpPublish == 0 {
					publish(false)
					if atomic.LoadInt32(state) != C.GOFFI_PUMP_RUNNING {
						break ready // asked to stop: take no more
					}
				}
			default:
				break ready
			}
		}
		if closed {
			atomic.StoreUint64(tailp, tail)
			return
		}
		if got > 0 {
			spins = 0
			publish(false)
			continue
		}
		// None ready. A loop waiting for the next value gets the ones published so far.
		if spins == 0 && atomic.LoadInt32(deep) > 0 && tail != atomic.LoadUint64(headp) {
			C.goffi_ring_wake(g)
		}
		// Before parking, yield a few times: a producer that is runnable (readied by the
		// pump's receives, typically onto this P) runs here and refills the channel, and the
		// pump takes the values in a batch, instead of parking on the empty channel to be
		// readied by the next send, on another thread, once per value or two. Measured
		// (issue 16): the Go side's CPU per value fell to about the Go drain's own.
		if spins < goffiPumpYields {
			spins++
			runtime.Gosched()
			continue
		}
		spins = 0
		// Wait for one, or for a stop.
		select {
		case v, ok := <-c:
			if !ok {
				closed = true
				return
			}
			slots[tail&mask] = slot(v)
			tail++
			publish(false)
		case <-ctl.stop:
		}
	}
}
