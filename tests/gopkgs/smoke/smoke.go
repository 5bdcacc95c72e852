// Package smoke is the small package tests/test_pyversions.py loads on every CPython
// goffi supports: one of each kind of thing that crosses the boundary (a record, a handle,
// a callback, a channel, a slice Go writes into, an error and a panic), so that a version-specific fault in the
// generated C glue or the C runtime shows up as a failed call.
package smoke

import (
	"errors"
	"strings"
)

// Point is a record: every field is exported, so it is copied field by field.
type Point struct {
	X, Y  int64
	Label string
}

// Scale returns p with both coordinates multiplied by k and its label upper-cased.
func Scale(p Point, k int64) Point {
	return Point{X: p.X * k, Y: p.Y * k, Label: strings.ToUpper(p.Label)}
}

// Sum adds its arguments: small ints, big ones and negative ones take different paths
// through the C glue's integer conversion, whose layout changed in CPython 3.12.
func Sum(xs ...int64) int64 {
	var total int64
	for _, x := range xs {
		total += x
	}
	return total
}

// Halve divides every element of xs by 2 in place: Go's writes come back into a list.
func Halve(xs []float64) {
	for i := range xs {
		xs[i] /= 2
	}
}

// Counter is a handle: its count is unexported, so Go keeps the value.
type Counter struct {
	n int64
}

// NewCounter returns a counter that starts at start.
func NewCounter(start int64) *Counter { return &Counter{n: start} }

// Add adds d to the count and returns the new count.
func (c *Counter) Add(d int64) int64 {
	c.n += d
	return c.n
}

// Apply calls f on x from a new goroutine (a thread Python has never seen) and returns
// its result.
func Apply(f func(int64) int64, x int64) int64 {
	done := make(chan int64)
	go func() { done <- f(x) }()
	return <-done
}

// Squares sends 1, 4, ..., n*n from a goroutine, then closes the channel.
func Squares(n int) <-chan int64 {
	ch := make(chan int64)
	go func() {
		defer close(ch)
		for i := int64(1); i <= int64(n); i++ {
			ch <- i * i
		}
	}()
	return ch
}

// Check returns an error when s is empty.
func Check(s string) error {
	if s == "" {
		return errors.New("smoke: empty string")
	}
	return nil
}

// Boom panics with message.
func Boom(message string) { panic(message) }
