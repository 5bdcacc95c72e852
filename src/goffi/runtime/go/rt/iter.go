package rt

import (
	"cmp"
	"fmt"
	"iter"
	"reflect"
	"sync"
)

// PullSeq turns a Go sequence into the func Python pulls it through: pull(1) produces
// the next item (ok is false once the sequence ends), pull(0) stops the sequence (its
// yield returns false, so it returns) and reports no item, and pull(-1) produces every
// remaining item at once (for a consumer that takes them all: list(), tuple()).
//
// One item at a time, the sequence runs in a goroutine of its own that hands over one
// item per request, started by the first pull and gone once the sequence returns
// (ended, stopped, or panicked: the panic is raised again in the caller of pull). Not
// iter.Pull: its coroutines require every next to run at the OS-thread locking depth of
// the Pull, and Python may pull from another thread, or from inside a callback (nested
// cgo calls), where the Go runtime aborts. Each item so costs two thread wake-ups. All
// items at once cost none: a sequence not started yet runs on the caller's thread, and
// a started one collects the rest in its goroutine and hands them over together.
// Calls may come from several Python threads at once; they are serialized.
func PullSeq[V any](seq iter.Seq[V]) func(int) ([]V, bool) {
	type item struct {
		v        V
		all      []V // the remaining items, after a pull(-1)
		drained  bool
		panicked bool
		p        any
	}
	req := make(chan int)   // 1: produce the next item; 0: stop; -1: produce all the rest
	resp := make(chan item) // an item, or closed once the sequence has returned
	var mu sync.Mutex
	started, done := false, false
	run := func() {
		defer close(resp)
		defer func() {
			if p := recover(); p != nil {
				resp <- item{panicked: true, p: p}
			}
		}()
		r := <-req
		if r == 0 {
			return
		}
		draining := r < 0
		var all []V
		seq(func(v V) bool {
			if draining {
				all = append(all, v)
				return true
			}
			resp <- item{v: v}
			r := <-req
			draining = r < 0
			return r != 0
		})
		if draining {
			resp <- item{all: all, drained: true}
		}
	}
	return func(n int) ([]V, bool) {
		mu.Lock()
		defer mu.Unlock()
		if done || (n == 0 && !started) {
			done = true
			return nil, false
		}
		if n < 0 && !started {
			// Every item and none taken yet: the sequence runs here, no goroutine, no hand-over.
			started, done = true, true
			var all []V
			for v := range seq {
				all = append(all, v)
			}
			return all, false
		}
		if !started {
			started = true
			go run()
		}
		req <- n
		for {
			it, ok := <-resp
			if !ok {
				done = true
				return nil, false
			}
			if it.panicked {
				done = true
				for range resp { // let the goroutine finish closing
				}
				panic(it.p)
			}
			if it.drained {
				done = true
				for range resp {
				}
				return it.all, false
			}
			if n != 0 {
				return []V{it.v}, true
			}
			req <- 0 // a sequence that yields again after being stopped: keep stopping it
		}
	}
}

// PullSeq2 is PullSeq for a sequence of pairs: keys and values in two slices, paired by index.
func PullSeq2[K, V any](seq iter.Seq2[K, V]) func(int) ([]K, []V, bool) {
	type pair struct {
		k K
		v V
	}
	pull := PullSeq(func(yield func(pair) bool) {
		seq(func(k K, v V) bool { return yield(pair{k, v}) })
	})
	return func(n int) ([]K, []V, bool) {
		ps, ok := pull(n)
		keys := make([]K, len(ps))
		values := make([]V, len(ps))
		for i, p := range ps {
			keys[i], values[i] = p.k, p.v
		}
		return keys, values, ok
	}
}

// PushSeq is a Go sequence that pulls its items from pull, one per call, until pull
// returns no item (Python's iterable is exhausted). Each range over it pulls from the
// same source: a Python iterator is consumed once.
func PushSeq[V any](pull func() []V) iter.Seq[V] {
	return func(yield func(V) bool) {
		for {
			items := pull()
			if len(items) == 0 {
				return
			}
			for _, v := range items {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// PushSeq2 is PushSeq for a sequence of pairs: pull returns keys and values, paired by index.
func PushSeq2[K, V any](pull func() ([]K, []V)) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for {
			keys, values := pull()
			if len(keys) == 0 || len(keys) != len(values) {
				return
			}
			for i := range keys {
				if !yield(keys[i], values[i]) {
					return
				}
			}
		}
	}
}

// CompareAny orders map keys of type any, so a dict built from a map[any]V has its keys
// in a deterministic order: nil, then bools, numbers (by value, across Go's numeric
// types), strings, and any other key by its type's name and then fmt's %v of it.
func CompareAny(a, b any) int {
	ra, rb := anyRank(a), anyRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case 0:
		return 0
	case 1:
		return cmp.Compare(boolInt(a.(bool)), boolInt(b.(bool)))
	case 2:
		return cmp.Compare(number(a), number(b))
	case 3:
		return cmp.Compare(reflect.ValueOf(a).String(), reflect.ValueOf(b).String())
	}
	return cmp.Or(
		cmp.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b)),
		cmp.Compare(fmt.Sprintf("%v", a), fmt.Sprintf("%v", b)),
	)
}

func anyRank(v any) int {
	if v == nil {
		return 0
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool:
		return 1
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return 2
	case reflect.String:
		return 3
	}
	return 4
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func number(v any) float64 {
	r := reflect.ValueOf(v)
	switch {
	case r.CanInt():
		return float64(r.Int())
	case r.CanUint():
		return float64(r.Uint())
	}
	return r.Float()
}
