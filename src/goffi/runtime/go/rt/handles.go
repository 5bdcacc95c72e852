package rt

import (
	"fmt"
	"reflect"
	"strconv"
	"sync"
)

// DefaultMaxHandles bounds a table unless its owner chooses otherwise, so a leak
// shows up as a clear error instead of unbounded memory growth.
const DefaultMaxHandles = 4096

// ErrTooManyHandles is returned by Acquire when a table is full.
type ErrTooManyHandles struct{ Max int }

func (e ErrTooManyHandles) Error() string {
	return fmt.Sprintf("goffi: more than %d live Go handles; release (close, or drop the Python objects of) "+
		"the ones you no longer need, or raise the limit", e.Max)
}

// Handles maps Go values that do not copy into Python (pointers, channels, funcs,
// interface values) to small integer IDs that Python objects hold.
//
// Identity: when Acquire is given a comparable identity key (a pointer, a channel),
// the same key gets the same ID while the handle lives, so Python can return the same
// object for the same Go pointer.
//
// References: every Acquire adds one reference, and Release subtracts as many as the
// caller says. Python keeps its own count of the IDs it received for one object and
// releases them all at once, so a handle handed out again while Python is dropping the
// old object is never freed under it.
//
// IDs are never reused (a stale ID resolves to nothing rather than to another value),
// and release is safe from any goroutine or thread, so finalizers may do it.
type Handles struct {
	mu    sync.RWMutex
	next  uint64
	max   int // <= 0: unbounded
	peak  int // the most live handles since the maps were last made
	byID  map[uint64]*handle
	byKey map[any]uint64
}

// Go maps keep their buckets when entries are deleted: after a million handles are
// released the tables would hold their peak size for good. Release copies the live
// entries into new maps once they fall to 1/shrinkRatio of a peak of at least
// shrinkFloor, so the copying costs O(1) per release, amortized.
const (
	shrinkFloor = 4096
	shrinkRatio = 8
)

type handle struct {
	value any
	key   any // nil when the value has no identity
	refs  int64
	boxed bool // value is a new *T holding a T that Go handed out by value
}

// NewHandles returns an empty table holding at most max live handles (<= 0: no limit).
func NewHandles(max int) *Handles {
	return &Handles{max: max, byID: map[uint64]*handle{}, byKey: map[any]uint64{}}
}

// Acquire returns the ID of value, adding one reference. key is value's identity
// (usually value itself, when it is a pointer or channel) or nil for none.
func (h *Handles) Acquire(value, key any) (uint64, error) {
	return h.acquire(value, key, false)
}

// AcquireBoxed is Acquire for a value Go handed out by value (a struct T), boxed into
// the new pointer p so that Python can call its pointer methods and set its fields:
// Unboxed gives the T back, so the value goes back into an `any` as the type it was.
func (h *Handles) AcquireBoxed(p any) (uint64, error) {
	return h.acquire(p, p, true)
}

func (h *Handles) acquire(value, key any, boxed bool) (uint64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if key != nil {
		if id, ok := h.byKey[key]; ok {
			h.byID[id].refs++
			return id, nil
		}
	}
	if h.max > 0 && len(h.byID) >= h.max {
		return 0, ErrTooManyHandles{Max: h.max}
	}
	h.next++
	id := h.next
	h.byID[id] = &handle{value: value, key: key, refs: 1, boxed: boxed}
	if key != nil {
		h.byKey[key] = id
	}
	h.peak = max(h.peak, len(h.byID))
	return id, nil
}

// Resolve returns the value of a live handle.
func (h *Handles) Resolve(id uint64) (any, bool) {
	h.mu.RLock()
	e, ok := h.byID[id]
	h.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return e.value, true
}

// Unboxed returns the value of a live handle as Go handed it out: the T itself for a
// handle made by AcquireBoxed (a copy of the box's current value), else the value.
func (h *Handles) Unboxed(id uint64) (any, bool) {
	h.mu.RLock()
	e, ok := h.byID[id]
	h.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if e.boxed {
		return reflect.ValueOf(e.value).Elem().Interface(), true
	}
	return e.value, true
}

// Release drops refs references to id and forgets the handle when none remain. It
// reports whether id was live; releasing an unknown or already released ID is a no-op.
func (h *Handles) Release(id uint64, refs int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byID[id]
	if !ok {
		return false
	}
	e.refs -= refs
	if e.refs <= 0 {
		delete(h.byID, id)
		if e.key != nil {
			delete(h.byKey, e.key)
		}
		if h.peak >= shrinkFloor && len(h.byID) <= h.peak/shrinkRatio {
			h.shrink()
		}
	}
	return true
}

// shrink moves the live handles into maps sized for them (h.mu held).
func (h *Handles) shrink() {
	byID := make(map[uint64]*handle, len(h.byID))
	byKey := make(map[any]uint64, len(h.byKey))
	for id, e := range h.byID {
		byID[id] = e
	}
	for k, id := range h.byKey {
		byKey[k] = id
	}
	h.byID, h.byKey, h.peak = byID, byKey, len(byID)
}

// Live returns the number of live handles.
func (h *Handles) Live() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byID)
}

// MaxHandlesFromEnv is the handle bound a GOFFI_MAX_HANDLES value asks for: its number,
// or DefaultMaxHandles when it is empty or not a number.
func MaxHandlesFromEnv(value string) int {
	if n, err := strconv.Atoi(value); err == nil {
		return n
	}
	return DefaultMaxHandles
}
