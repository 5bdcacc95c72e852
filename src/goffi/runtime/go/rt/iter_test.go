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
		if v, ok := pull(false); !ok || v != want {
			t.Fatalf("pull = %d, %v; want %d, true", v, ok, want)
		}
	}
	if _, ok := pull(true); ok || !stopped {
		t.Fatalf("stop: ok=%v stopped=%v", ok, stopped)
	}
	if _, ok := pull(false); ok {
		t.Fatal("pull after stop produced an item")
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
	if _, _, ok := pull2(false); ok {
		t.Fatal("an exhausted source produced an item")
	}
}

func TestPullSeqPanicAndNaturalEnd(t *testing.T) {
	pull := PullSeq(func(yield func(int) bool) {
		yield(1)
		panic("boom")
	})
	if v, ok := pull(false); !ok || v != 1 {
		t.Fatalf("got %d, %v", v, ok)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v", r)
			}
		}()
		pull(false)
		t.Fatal("no panic")
	}()
	if _, ok := pull(false); ok {
		t.Fatal("item after panic")
	}
	short := PullSeq(func(yield func(int) bool) { yield(7) })
	if v, ok := short(false); !ok || v != 7 {
		t.Fatal("first item")
	}
	if _, ok := short(false); ok {
		t.Fatal("item after the end")
	}
	short(true) // stopping an ended sequence is a no-op
	never := PullSeq(func(yield func(int) bool) { t.Fatal("started") })
	never(true)
}

func TestCompareAnyOrdersKinds(t *testing.T) {
	keys := []any{"b", 2.5, nil, true, int64(1), "a", false, uint8(3)}
	slices.SortFunc(keys, CompareAny)
	want := []any{nil, false, true, int64(1), 2.5, uint8(3), "a", "b"}
	if !slices.Equal(keys, want) {
		t.Fatalf("got %v", keys)
	}
}
