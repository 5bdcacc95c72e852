// Package generictest exercises goffi's generics and iterators: generic functions of
// every constraint kind, iter.Seq/iter.Seq2 parameters and results, and generic types.
package generictest

import (
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

var stops atomic.Int64

// Stops reports how many sequences made by Count have returned (stopped or ended).
func Stops() int { return int(stops.Load()) }

// Goroutines is runtime.NumGoroutine(): iterators must leave none behind.
func Goroutines() int { return runtime.NumGoroutine() }

// Count yields 0, 1, 2, ... up to n-1 (forever when n < 0), counting its returns in Stops.
func Count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer stops.Add(1)
		for i := 0; n < 0 || i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// PanicAt yields 0..at-1, then panics.
func PanicAt(at int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; ; i++ {
			if i == at {
				panic(fmt.Sprintf("sequence panicked at %d", i))
			}
			if !yield(i) {
				return
			}
		}
	}
}

// Pairs yields (i, s[i]) for each string.
func Pairs(s []string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Join concatenates a sequence of strings, stopping after limit items (all if limit < 0).
func Join(seq iter.Seq[string], limit int) string {
	out := ""
	n := 0
	for s := range seq {
		if limit >= 0 && n == limit {
			break
		}
		out += s
		n++
	}
	return out
}

// SumPairs adds up keys times values of a sequence of pairs.
func SumPairs(seq iter.Seq2[int, float64]) float64 {
	total := 0.0
	for k, v := range seq {
		total += float64(k) * v
	}
	return total
}

// Number is a custom constraint with no int64 in its type set.
type Number interface {
	~int | ~float64
}

// Total adds numbers of one type.
func Total[T Number](xs ...T) T {
	var t T
	for _, x := range xs {
		t += x
	}
	return t
}

// ParseAs parses s as the number type asked for: T appears only in the result, as in
// github.com/spf13/cast's ToNumber[T Number](i any) T.
func ParseAs[T int64 | float64](s string) T {
	f, _ := strconv.ParseFloat(s, 64)
	return T(f)
}

// TypeName reports the Go type a value arrived as.
func TypeName[T any](v T) string { return fmt.Sprintf("%T", v) }

// Largest is the larger of a and b, for any ordered type.
func Largest[T int64 | float64 | string](a, b T) T {
	if a > b {
		return a
	}
	return b
}

// Describe needs methods from its type argument: goffi cannot instantiate it.
func Describe[T fmt.Stringer](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

// Keys of a map with comparable keys (any cannot be a Python dict key: representatives).
func Keys[K comparable, V any](m map[K]V) int { return len(m) }

// Pair is a generic struct: a record per instantiation.
type Pair[A, B any] struct {
	First  A
	Second B
}

// MakePair pairs two values.
func MakePair[A, B any](a A, b B) Pair[A, B] { return Pair[A, B]{a, b} }

// Swap swaps a pair's values.
func Swap[A, B any](p Pair[A, B]) Pair[B, A] { return Pair[B, A]{p.Second, p.First} }

// Group groups values by a key the callback computes (like lo.GroupBy).
func Group[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	out := map[K][]T{}
	for _, x := range xs {
		k := key(x)
		out[k] = append(out[k], x)
	}
	return out
}

// Item is a named record type of this package, for generic types instantiated with it.
type Item struct {
	Name  string
	Count int
}

// Box holds one value of any type, with methods on the instantiation.
type Box[T any] struct {
	Value T
	Label string
}

// Get returns the box's value.
func (b Box[T]) Get() T { return b.Value }

// Format is Go's %v of the box (the oracle for its fields).
func (b Box[T]) Format() string { return fmt.Sprintf("%v", b) }

// Boxed puts a value in a labelled box.
func Boxed[T any](v T, label string) Box[T] { return Box[T]{v, label} }

// Show is Go's %v of any value.
func Show[T any](v T) string { return fmt.Sprintf("%v", v) }

// Timed pairs a duration with Go's spelling of it: a generic type instantiated with a named
// type in a plain signature.
func Timed(d time.Duration) Pair[time.Duration, string] {
	return Pair[time.Duration, string]{d, d.String()}
}

// ShowTimed is Go's %v of such a pair.
func ShowTimed(p Pair[time.Duration, string]) string { return fmt.Sprintf("%v", p) }
