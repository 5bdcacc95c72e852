// Package objtest exercises Go objects in goffi: records, handle structs, embedded
// structs, optional pointers, interfaces implemented by several types, any, errors as
// exceptions (sentinels and error types of its own), time, and closeable resources.
//
// It is a test fixture for goffi's own test suite (tests/test_objects.py).
package objtest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// ---- records: structs whose exported fields all copy and which have no unexported fields ----

// Point is a position on a grid.
type Point struct{ X, Y int }

// Add returns the sum of p and q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// String formats p as (X,Y).
func (p Point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }

// Segment is a record nesting two records and a slice.
type Segment struct {
	From, To Point
	Tags     []string
}

// Length is the Manhattan length of s.
func (s Segment) Length() int { return abs(s.To.X-s.From.X) + abs(s.To.Y-s.From.Y) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

var home = Point{X: 1, Y: 2}

// Home returns a copy of the package's home point, always (1,2).
func Home() Point { return home }

// Bump returns p with X incremented; the caller's value is a copy and does not change.
func Bump(p Point) Point {
	p.X++
	return p
}

// Shift moves both ends of s by d and adds the tag "shifted".
func Shift(s Segment, d Point) Segment {
	return Segment{From: s.From.Add(d), To: s.To.Add(d), Tags: append(append([]string{}, s.Tags...), "shifted")}
}

// ---- handle structs ----

// Counter is a named, goroutine-safe counter. Its unexported fields make it a handle.
type Counter struct {
	mu   sync.Mutex
	n    int64
	Name string
}

// NewCounter returns a counter at zero.
func NewCounter(name string) *Counter { return &Counter{Name: name} }

// Inc adds one and returns the new value.
func (c *Counter) Inc() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// Value is the current count.
func (c *Counter) Value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Len is the current count, as an int.
func (c *Counter) Len() int { return int(c.Value()) }

// String formats the counter as name=count.
func (c *Counter) String() string { return fmt.Sprintf("%s=%d", c.Name, c.Value()) }

// Self returns the very same pointer.
func (c *Counter) Self() *Counter { return c }

// CounterName is c's name, or "<nil>" for a nil counter.
func CounterName(c *Counter) string {
	if c == nil {
		return "<nil>"
	}
	return c.Name
}

// NoCounter returns a nil *Counter.
func NoCounter() *Counter { return nil }

// ---- embedded structs ----

// Base carries an ID.
type Base struct{ ID int }

// Describe says which base this is.
func (b Base) Describe() string { return fmt.Sprintf("base %d", b.ID) }

// Derived embeds Base, so ID and Describe are promoted.
type Derived struct {
	Base
	Extra   string
	private int
}

// NewDerived returns a Derived whose private value is id*10.
func NewDerived(id int, extra string) *Derived {
	return &Derived{Base: Base{ID: id}, Extra: extra, private: id * 10}
}

// Secret returns the unexported field.
func (d *Derived) Secret() int { return d.private }

// ---- closeable resources ----

// ErrClosed is returned by a Resource used after Close.
var ErrClosed = errors.New("objtest: resource closed")

var openResources atomic.Int64

// Resource is something that must be closed, like an *os.File.
type Resource struct {
	name   string
	closed bool
}

// Open opens a resource.
func Open(name string) *Resource {
	openResources.Add(1)
	return &Resource{name: name}
}

// OpenResources is how many resources are open.
func OpenResources() int { return int(openResources.Load()) }

// Name is the resource's name.
func (r *Resource) Name() string { return r.name }

// Read returns "data from NAME"; after Close it fails with an error wrapping ErrClosed.
func (r *Resource) Read() (string, error) {
	if r.closed {
		return "", fmt.Errorf("read %s: %w", r.name, ErrClosed)
	}
	return "data from " + r.name, nil
}

// Close closes the resource; closing again returns ErrClosed.
func (r *Resource) Close() error {
	if r.closed {
		return ErrClosed
	}
	r.closed = true
	openResources.Add(-1)
	return nil
}

// ---- interfaces ----

// Shape is implemented by *Square, *Circle and an unexported type.
type Shape interface {
	Area() float64
	Name() string
}

// Square is a square; its unexported field makes it a handle.
type Square struct {
	Side  float64
	calls int
}

// NewSquare returns a square.
func NewSquare(side float64) *Square { return &Square{Side: side} }

// Area is Side squared.
func (s *Square) Area() float64 { s.calls++; return s.Side * s.Side }

// Name is "square".
func (s *Square) Name() string { return "square" }

// Calls is how many times Area was called.
func (s *Square) Calls() int { return s.calls }

// Circle is a circle; its unexported field makes it a handle.
type Circle struct {
	R     float64
	calls int
}

// NewCircle returns a circle.
func NewCircle(r float64) *Circle { return &Circle{R: r} }

// Area is pi r squared.
func (c *Circle) Area() float64 { c.calls++; return math.Pi * c.R * c.R }

// Name is "circle".
func (c *Circle) Name() string { return "circle" }

type blob struct{}

func (blob) Area() float64 { return 0.5 }
func (blob) Name() string  { return "blob" }

// Blob returns a Shape whose dynamic type is unexported.
func Blob() Shape { return blob{} }

// unitShape is unexported; Go hands out a pointer to one as a variable.
type unitShape struct{}

func (*unitShape) Area() float64 { return 1 }
func (*unitShape) Name() string  { return "unit" }

// UnitShape is a *unitShape, which Python sees as a Shape (github.com/golang-jwt/jwt/v5's
// SigningMethodNone is a *signingMethodNone, seen as a SigningMethod, which Python objects
// implement through a proxy).
var UnitShape = &unitShape{}

// Shapes returns a square of side 2 and a circle of radius 1, in that order.
func Shapes() []Shape { return []Shape{NewSquare(2), NewCircle(1)} }

// Biggest returns the shape with the largest area, or nil when there is none.
func Biggest(shapes ...Shape) Shape {
	var best Shape
	for _, s := range shapes {
		if best == nil || s.Area() > best.Area() {
			best = s
		}
	}
	return best
}

// TotalArea sums the areas.
func TotalArea(s []Shape) float64 {
	total := 0.0
	for _, x := range s {
		total += x.Area()
	}
	return total
}

// Describe says what s is, or "no shape" for nil.
func Describe(s Shape) string {
	if s == nil {
		return "no shape"
	}
	return fmt.Sprintf("%s with area %.2f", s.Name(), s.Area())
}

// SameReader returns r unchanged.
func SameReader(r io.Reader) io.Reader { return r }

// ---- errors ----

// ErrNotFound is returned by Find for unknown keys.
var ErrNotFound = errors.New("objtest: not found")

// ErrBusy means try again later.
var ErrBusy = errors.New("objtest: busy")

// ValidationError says which field is invalid and why.
type ValidationError struct {
	Field  string
	Reason string
	Err    error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("objtest: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns the underlying error, if any.
func (e *ValidationError) Unwrap() error { return e.Err }

// Find looks key up: "a" is "alpha"; anything else is ErrNotFound.
func Find(key string) (string, error) {
	if key == "a" {
		return "alpha", nil
	}
	return "", ErrNotFound
}

// MustFind is Find's result, or a panic with its error: Go's Must(f(...)) idiom
// (template.Must, regexp.MustCompile), whose last parameter is an error.
func MustFind(value string, err error) string {
	if err != nil {
		panic(err)
	}
	return "found " + value
}

// Validate fails with a *ValidationError for the empty string.
func Validate(s string) error {
	if s == "" {
		return &ValidationError{Field: "s", Reason: "empty"}
	}
	return nil
}

// Wrapped returns ErrNotFound wrapped with context.
func Wrapped() error { return fmt.Errorf("ctx: %w", ErrNotFound) }

// Joined returns ErrNotFound and ErrBusy joined.
func Joined() error { return errors.Join(ErrNotFound, ErrBusy) }

// Both returns a wrapped *ValidationError that itself wraps ErrBusy.
func Both() error {
	return fmt.Errorf("both: %w", &ValidationError{Field: "name", Reason: "taken", Err: ErrBusy})
}

// constError is the "constant error" pattern (github.com/rs/xid's ErrInvalidID): an
// unexported string type with an Error method, whose values are constants.
type constError string

func (e constError) Error() string { return string(e) }

// ErrConstant is a sentinel declared as a constant, not a variable.
const ErrConstant constError = "objtest: constant sentinel"

// Code is an exported error type whose values are constants.
type Code string

func (c Code) Error() string { return "objtest: code " + string(c) }

// ErrCodeGone is a constant of an exported error type.
const ErrCodeGone Code = "gone"

// FailConstant fails with ErrConstant wrapped, or with ErrCodeGone for code.
func FailConstant(code bool) error {
	if code {
		return ErrCodeGone
	}
	return fmt.Errorf("ctx: %w", ErrConstant)
}

// Annotate adds msg to err (nil stays nil), as github.com/pkg/errors.Wrap does: it makes an
// error from an error, so Python gets the error back instead of an exception raised.
func Annotate(err error, msg string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// ---- slices Go writes into ----

// SortPoints sorts ps by X, then Y, in place (github.com/blang/semver's Sort of a []Version;
// Point is shared by pointer elsewhere, so its objects are Go values).
func SortPoints(ps []Point) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (ps[j].X < ps[j-1].X || ps[j].X == ps[j-1].X && ps[j].Y < ps[j-1].Y); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// SortBases sorts bs by ID in place: a slice of records.
func SortBases(bs []Base) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].ID < bs[j-1].ID; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// Tag is a fixed-size byte array type (github.com/rs/xid's ID).
type Tag [2]byte

// SortTags sorts tags in place (xid.Sort).
func SortTags(tags []Tag) {
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && string(tags[j][:]) < string(tags[j-1][:]); j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
}

// ReverseCounters reverses cs in place.
func ReverseCounters(cs []*Counter) {
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
}

// ---- optional pointers to copyable values ----

// Maybe returns nil for nil, else a pointer to *n+1 (n itself is not changed).
func Maybe(n *int) *int {
	if n == nil {
		return nil
	}
	m := *n + 1
	return &m
}

// MaybePoint returns nil for nil, else p moved by (1,1).
func MaybePoint(p *Point) *Point {
	if p == nil {
		return nil
	}
	q := p.Add(Point{1, 1})
	return &q
}

// ---- any ----

// Echo returns v unchanged.
func Echo(v any) any { return v }

// TypeName is v's dynamic Go type, as %T prints it.
func TypeName(v any) string { return fmt.Sprintf("%T", v) }

// ---- time ----

// AddDuration returns t+d.
func AddDuration(t time.Time, d time.Duration) time.Time { return t.Add(d) }

var y2k = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Since2000 is the time from 2000-01-01T00:00:00Z to t.
func Since2000(t time.Time) time.Duration { return t.Sub(y2k) }

// UnixNano is t in nanoseconds since the Unix epoch, as Go received it.
func UnixNano(t time.Time) int64 { return t.UnixNano() }

// Nanoseconds is d in nanoseconds, as Go received it.
func Nanoseconds(d time.Duration) int64 { return int64(d) }

// Offset is the UTC offset of t's location, in seconds.
func Offset(t time.Time) int {
	_, off := t.Zone()
	return off
}

// At returns the instant sec seconds and nsec nanoseconds after the Unix epoch, in UTC.
func At(sec, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

// Tally is a count guarded by its own lock: a sync.Locker, so a context manager.
type Tally struct {
	mu sync.Mutex
	n  int
}

// Lock locks the tally.
func (t *Tally) Lock() { t.mu.Lock() }

// Unlock unlocks it.
func (t *Tally) Unlock() { t.mu.Unlock() }

// Locked reports whether the tally is locked right now.
func (t *Tally) Locked() bool {
	if t.mu.TryLock() {
		t.mu.Unlock()
		return false
	}
	return true
}
