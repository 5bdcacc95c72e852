package rt

import (
	"iter"
	"sync"
)

// PullSeq turns a Go sequence into the func Python pulls it through: pull(false)
// produces the next item (ok is false once the sequence ends), pull(true) stops the
// sequence (iter.Pull's stop: the sequence's goroutine returns) and reports no item.
// Calls may come from several Python threads; they are serialized, as iter.Pull requires.
func PullSeq[V any](seq iter.Seq[V]) func(bool) (V, bool) {
	next, stop := iter.Pull(seq)
	var mu sync.Mutex
	return func(halt bool) (V, bool) {
		mu.Lock()
		defer mu.Unlock()
		if halt {
			stop()
			var zero V
			return zero, false
		}
		return next()
	}
}

// PullSeq2 is PullSeq for a sequence of pairs.
func PullSeq2[K, V any](seq iter.Seq2[K, V]) func(bool) (K, V, bool) {
	next, stop := iter.Pull2(seq)
	var mu sync.Mutex
	return func(halt bool) (K, V, bool) {
		mu.Lock()
		defer mu.Unlock()
		if halt {
			stop()
			var k K
			var v V
			return k, v, false
		}
		return next()
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
