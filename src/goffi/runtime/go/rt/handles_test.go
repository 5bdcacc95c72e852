package rt

import (
	"errors"
	"sync"
	"testing"
)

func TestAcquireResolveRelease(t *testing.T) {
	h := NewHandles(0)
	v := new(int)
	id, err := h.Acquire(v, v)
	if err != nil || id == 0 {
		t.Fatalf("Acquire = %d, %v", id, err)
	}
	got, ok := h.Resolve(id)
	if !ok || got.(*int) != v {
		t.Fatalf("Resolve(%d) = %v, %v", id, got, ok)
	}
	if !h.Release(id, 1) || h.Live() != 0 {
		t.Fatalf("Release: live = %d", h.Live())
	}
	if _, ok := h.Resolve(id); ok {
		t.Fatal("a released handle still resolves")
	}
	if h.Release(id, 1) {
		t.Fatal("releasing twice reported a live handle")
	}
}

func TestIdentityGivesTheSameIDAndCountsReferences(t *testing.T) {
	h := NewHandles(0)
	v := new(int)
	a, _ := h.Acquire(v, v)
	b, _ := h.Acquire(v, v)
	if a != b {
		t.Fatalf("same pointer, different IDs %d and %d", a, b)
	}
	h.Release(a, 1)
	if _, ok := h.Resolve(a); !ok {
		t.Fatal("released with one reference still outstanding")
	}
	h.Release(a, 1)
	if h.Live() != 0 {
		t.Fatal("handle outlived its references")
	}
	c, _ := h.Acquire(v, v)
	if c == a {
		t.Fatal("an ID was reused")
	}
}

func TestNoIdentityGivesNewIDs(t *testing.T) {
	h := NewHandles(0)
	a, _ := h.Acquire(42, nil)
	b, _ := h.Acquire(42, nil)
	if a == b {
		t.Fatal("values without identity shared an ID")
	}
}

func TestMaxHandles(t *testing.T) {
	h := NewHandles(2)
	h.Acquire(1, nil)
	id, _ := h.Acquire(2, nil)
	_, err := h.Acquire(3, nil)
	var full ErrTooManyHandles
	if !errors.As(err, &full) || full.Max != 2 {
		t.Fatalf("third Acquire: %v", err)
	}
	h.Release(id, 1)
	if _, err := h.Acquire(3, nil); err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
}

func TestConcurrentAcquireRelease(t *testing.T) {
	h := NewHandles(0)
	shared := new(int)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				own := new(int)
				id, _ := h.Acquire(own, own)
				sid, _ := h.Acquire(shared, shared)
				if v, ok := h.Resolve(id); !ok || v.(*int) != own {
					t.Error("resolved the wrong value")
					return
				}
				h.Release(id, 1)
				h.Release(sid, 1)
			}
		}()
	}
	wg.Wait()
	if h.Live() != 0 {
		t.Fatalf("live = %d after balanced acquire/release", h.Live())
	}
}

func TestPanicInfo(t *testing.T) {
	msg, typ, stack := func() (m, ty string, s []byte) {
		defer func() { m, ty, s = PanicInfo(recover()) }()
		var xs []int
		_ = xs[3]
		return
	}()
	if typ != "runtime.Error" || msg == "" || len(stack) == 0 {
		t.Fatalf("PanicInfo = %q, %q, %d bytes of stack", msg, typ, len(stack))
	}
	msg, typ, _ = func() (m, ty string, s []byte) {
		defer func() { m, ty, s = PanicInfo(recover()) }()
		panic(errors.New("boom"))
	}()
	if msg != "boom" || typ != "*errors.errorString" {
		t.Fatalf("error panic: %q %q", msg, typ)
	}
}

func TestMaxHandlesFromEnv(t *testing.T) {
	for value, want := range map[string]int{"": DefaultMaxHandles, "x": DefaultMaxHandles, "10": 10, "0": 0} {
		if got := MaxHandlesFromEnv(value); got != want {
			t.Errorf("MaxHandlesFromEnv(%q) = %d, want %d", value, got, want)
		}
	}
}

func TestTablesShrinkAfterAPeak(t *testing.T) {
	h := NewHandles(0)
	type obj struct{ n int }
	objs := make([]*obj, 3*shrinkFloor)
	ids := make([]uint64, len(objs))
	for i := range objs {
		objs[i] = &obj{i}
		id, err := h.Acquire(objs[i], objs[i])
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	keep := ids[:10]
	for _, id := range ids[10:] {
		h.Release(id, 1)
	}
	if h.peak >= 3*shrinkFloor || h.Live() != 10 {
		t.Fatalf("after releasing all but 10: peak %d, live %d; want the maps remade for the live ones", h.peak, h.Live())
	}
	for i, id := range keep {
		v, ok := h.Resolve(id)
		if !ok || v.(*obj).n != i {
			t.Fatalf("handle %d lost in the shrink: %v %v", id, v, ok)
		}
		again, _ := h.Acquire(objs[i], objs[i]) // identity survives: the same key gets the same ID
		if again != id {
			t.Fatalf("identity lost: key %d got ID %d, want %d", i, again, id)
		}
	}
}

func TestBoxedValuesUnboxToTheirType(t *testing.T) {
	type point struct{ X int }
	h := NewHandles(0)
	p := &point{1}
	boxed, _ := h.AcquireBoxed(p)
	plain, _ := h.Acquire(p, nil)
	p.X = 2 // the object's own copy changed (a pointer method, a field set)
	if v, ok := h.Unboxed(boxed); !ok || v != (point{2}) {
		t.Fatalf("Unboxed(boxed) = %#v, %v; want the point value", v, ok)
	}
	if v, ok := h.Resolve(boxed); !ok || v != any(p) {
		t.Fatalf("Resolve(boxed) = %#v, %v; want the pointer", v, ok)
	}
	if v, ok := h.Unboxed(plain); !ok || v != any(p) {
		t.Fatalf("Unboxed(plain) = %#v, %v; want the pointer", v, ok)
	}
	h.Release(boxed, 1)
	if _, ok := h.Unboxed(boxed); ok {
		t.Fatal("a released handle still unboxes")
	}
}
