package rt

import (
	"slices"
	"testing"
)

func TestPullSeqStopsEarly(t *testing.T) {
	stopped := false
	seq := func(yield func(int) bool) {
		defer func() { stopped = true }()
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	}
	pull := PullSeq(seq)
	for want := 0; want < 3; want++ {
		if v, ok := pull(1); !ok || len(v) != 1 || v[0] != want {
			t.Fatalf("pull = %v, %v; want [%d], true", v, ok, want)
		}
	}
	if _, ok := pull(0); ok || !stopped {
		t.Fatalf("stop: ok=%v stopped=%v", ok, stopped)
	}
	if v, ok := pull(1); ok || len(v) != 0 {
		t.Fatal("pull after stop produced an item")
	}
}

func TestPullSeqAllAtOnce(t *testing.T) {
	count := func(n int, ended *bool) func(func(int) bool) {
		return func(yield func(int) bool) {
			defer func() { *ended = true }()
			for i := range n {
				if !yield(i) {
					return
				}
			}
		}
	}
	// Not started: the whole sequence runs in the caller.
	var ended bool
	pull := PullSeq(count(5, &ended))
	if v, ok := pull(-1); ok || !slices.Equal(v, []int{0, 1, 2, 3, 4}) || !ended {
		t.Fatalf("all = %v, %v (ended %v)", v, ok, ended)
	}
	if v, ok := pull(1); ok || len(v) != 0 {
		t.Fatal("an item after all of them")
	}
	// Started: the rest, collected by the sequence's goroutine.
	ended = false
	pull = PullSeq(count(5, &ended))
	if v, _ := pull(1); !slices.Equal(v, []int{0}) {
		t.Fatalf("first = %v", v)
	}
	if v, ok := pull(-1); ok || !slices.Equal(v, []int{1, 2, 3, 4}) || !ended {
		t.Fatalf("rest = %v, %v (ended %v)", v, ok, ended)
	}
	// A panic while collecting is raised in the caller, started or not.
	for _, first := range []bool{false, true} {
		pull := PullSeq(func(yield func(int) bool) {
			yield(1)
			yield(2)
			panic("boom")
		})
		if first {
			pull(1)
		}
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("recovered %v", r)
				}
			}()
			pull(-1)
			t.Fatal("no panic")
		}()
	}
	keys, values, ok := PullSeq2(func(yield func(int, string) bool) {
		_ = yield(1, "a") && yield(2, "b")
	})(-1)
	if ok || !slices.Equal(keys, []int{1, 2}) || !slices.Equal(values, []string{"a", "b"}) {
		t.Fatalf("pairs = %v %v %v", keys, values, ok)
	}
}

func TestPushSeqRoundTrip(t *testing.T) {
	src := []string{"a", "b", "c"}
	i := 0
	seq := PushSeq(func() []string {
		if i == len(src) {
			return nil
		}
		i++
		return src[i-1 : i]
	})
	if got := slices.Collect(seq); !slices.Equal(got, src) {
		t.Fatalf("got %v", got)
	}
	keys := []int{1, 2}
	n := 0
	seq2 := PushSeq2(func() ([]int, []string) {
		if n == len(keys) {
			return nil, nil
		}
		n++
		return keys[n-1 : n], src[n-1 : n]
	})
	m := map[int]string{}
	for k, v := range seq2 {
		m[k] = v
	}
	if len(m) != 2 || m[2] != "b" {
		t.Fatalf("got %v", m)
	}
	pull2 := PullSeq2(seq2)
	if _, _, ok := pull2(1); ok {
		t.Fatal("an exhausted source produced an item")
	}
}

func TestPullSeqPanicAndNaturalEnd(t *testing.T) {
	pull := PullSeq(func(yield func(int) bool) {
		yield(1)
		panic("boom")
	})
	if v, ok := pull(1); !ok || v[0] != 1 {
		t.Fatalf("got %v, %v", v, ok)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v", r)
			}
		}()
		pull(1)
		t.Fatal("no panic")
	}()
	if _, ok := pull(1); ok {
		t.Fatal("item after panic")
	}
	short := PullSeq(func(yield func(int) bool) { yield(7) })
	if v, ok := short(1); !ok || v[0] != 7 {
		t.Fatal("first item")
	}
	if _, ok := short(1); ok {
		t.Fatal("item after the end")
	}
	short(0) // stopping an ended sequence is a no-op
	never := PullSeq(func(yield func(int) bool) { t.Fatal("started") })
	never(0)
}

func TestCompareAnyOrdersKinds(t *testing.T) {
	keys := []any{"b", 2.5, nil, true, int64(1), "a", false, uint8(3)}
	slices.SortFunc(keys, CompareAny)
	want := []any{nil, false, true, int64(1), 2.5, uint8(3), "a", "b"}
	if !slices.Equal(keys, want) {
		t.Fatalf("got %v", keys)
	}
}
