// Package valuetest exercises values keeping their Go type across the boundary
// (issue 9): `any` values, Go funcs passed back to Go, nil against empty in
// callbacks, rune and byte parameters, chan struct{}, and keyword arguments.
package valuetest

import (
	"fmt"
	"strings"
)

// TypeOf reports the dynamic Go type of v, as %T prints it.
func TypeOf(v any) string { return fmt.Sprintf("%T", v) }

// TypesOf reports the dynamic Go type of each value, as %T prints it.
func TypesOf(vs ...any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%T", v)
	}
	return out
}

// Echo returns v unchanged.
func Echo(v any) any { return v }

// IsInt reports whether v is a Go int, as code type-switching on any expects.
func IsInt(v any) bool {
	_, ok := v.(int)
	return ok
}

// Point is a record: every field is exported and copies.
type Point struct{ X, Y int }

// NewPoint returns a Point by value.
func NewPoint(x, y int) Point { return Point{x, y} }

// Tally is a struct with an unexported field: a handle class.
type Tally struct {
	Name  string
	count int
}

// NewTally returns a Tally by value.
func NewTally(name string, n int) Tally { return Tally{Name: name, count: n} }

// NewTallyPtr returns a *Tally.
func NewTallyPtr(name string, n int) *Tally { return &Tally{Name: name, count: n} }

// Count is the unexported count.
func (t Tally) Count() int { return t.count }

// Bump adds one to the count (a pointer method).
func (t *Tally) Bump() { t.count++ }

// Counter is an interface a Tally value implements.
type Counter interface{ Count() int }

// CounterType reports the dynamic type of c, as %T prints it.
func CounterType(c Counter) string { return fmt.Sprintf("%T", c) }

// AsCounter returns a Tally value as a Counter.
func AsCounter(name string, n int) Counter { return Tally{Name: name, count: n} }

// Describe describes a value the way code switching on its dynamic type would.
func Describe(v any) string {
	switch x := v.(type) {
	case Tally:
		return fmt.Sprintf("Tally %s=%d", x.Name, x.count)
	case *Tally:
		return fmt.Sprintf("*Tally %s=%d", x.Name, x.count)
	case Point:
		return fmt.Sprintf("Point %d,%d", x.X, x.Y)
	}
	return fmt.Sprintf("other %T", v)
}

// Anything returns a Tally, a *Tally and a Point inside `any`s.
func Anything() []any {
	return []any{Tally{Name: "v", count: 1}, &Tally{Name: "p", count: 2}, Point{3, 4}}
}

// Splitter is a func type a package function also matches (like bufio.SplitFunc).
type Splitter func(data []byte, atEOF bool) (advance int, token []byte, err error)

// Words is a Splitter: it returns a nil token when no word is left (like bufio.ScanWords).
func Words(data []byte, atEOF bool) (advance int, token []byte, err error) {
	s := strings.TrimLeft(string(data), " ")
	skipped := len(data) - len(s)
	if s == "" {
		return len(data), nil, nil
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return skipped + i + 1, []byte(s[:i]), nil
	}
	if atEOF {
		return len(data), []byte(s), nil
	}
	return skipped, nil, nil
}

// Split splits data with f, as bufio.Scanner does: a nil token is no token, an empty
// non-nil one is an empty token. It stops after limit tokens (so a wrong split ends).
func Split(data []byte, f Splitter, limit int) []string {
	var out []string
	for len(out) < limit {
		advance, token, err := f(data, true)
		if err != nil || advance == 0 && token == nil {
			break
		}
		data = data[advance:]
		if token != nil {
			out = append(out, string(token))
		}
		if len(data) == 0 {
			break
		}
	}
	return out
}

// SameFunc reports whether f is Words itself (Go funcs are not comparable, so by
// behaviour: Words is the only Splitter that reports a nil token for "  ").
func SameFunc(f Splitter) string {
	_, token, _ := f([]byte("  "), true)
	if token == nil {
		return "nil"
	}
	return fmt.Sprintf("empty=%v", len(token) == 0)
}

// Result is what a callback gave Go: nil, empty or not.
func nilness(isNil bool, n int) string {
	if isNil {
		return "nil"
	}
	return fmt.Sprintf("len %d", n)
}

// BytesResult calls f and reports whether its []byte result was nil.
func BytesResult(f func() []byte) string { b := f(); return nilness(b == nil, len(b)) }

// SliceResult calls f and reports whether its []string result was nil.
func SliceResult(f func() []string) string { s := f(); return nilness(s == nil, len(s)) }

// MapResult calls f and reports whether its map result was nil.
func MapResult(f func() map[string]int) string { m := f(); return nilness(m == nil, len(m)) }

// BytesArgs calls f with a nil and an empty []byte, a nil and an empty []string, a
// nil and an empty map.
func BytesArgs(f func(a, b []byte, c, d []string, e, g map[string]int) string) string {
	return f(nil, []byte{}, nil, []string{}, nil, map[string]int{})
}

// RuneInfo describes a rune parameter.
func RuneInfo(r rune) string { return fmt.Sprintf("%q %d", r, r) }

// ByteInfo describes a byte parameter.
func ByteInfo(b byte) string { return fmt.Sprintf("%q %d", b, b) }

// Runes is a struct with rune and byte fields: a record.
type Runes struct {
	R rune
	B byte
}

// Separator is a handle class with rune and byte fields (like csv.Reader.Comma).
type Separator struct {
	Comma rune
	Quote byte
	n     int
}

// Join joins words with the separator's Comma.
func (s *Separator) Join(words ...string) string { return strings.Join(words, string(s.Comma)) }

// DescribeRunes describes a Runes record.
func DescribeRunes(r Runes) string { return fmt.Sprintf("%q %q", r.R, r.B) }

// Delim is a package variable of type rune.
var Delim rune = ','

// Done returns a closed chan struct{} (like a cancelled context's Done).
func Done() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// Signals returns a chan struct{} holding n values, then closed.
func Signals(n int) <-chan struct{} {
	c := make(chan struct{}, n)
	for range n {
		c <- struct{}{}
	}
	close(c)
	return c
}

// Wait receives n values from c and reports how many it got.
func Wait(c chan struct{}, n int) int {
	got := 0
	for range n {
		<-c
		got++
	}
	return got
}

// Pad pads s on the left to width with fill: keyword arguments (issue 9).
func Pad(s string, width int, fill rune) string {
	for len([]rune(s)) < width {
		s = string(fill) + s
	}
	return s
}

// Sum adds its fixed argument to the variadic ones.
func Sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}

// Scale is a method with named parameters.
func (p Point) Scale(factor int, offset int) Point {
	return Point{p.X*factor + offset, p.Y*factor + offset}
}

// Rename is a method of a handle class with named parameters.
func (t *Tally) Rename(prefix, suffix string) string {
	t.Name = prefix + t.Name + suffix
	return t.Name
}
