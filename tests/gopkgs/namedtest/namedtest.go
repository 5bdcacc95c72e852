// Package namedtest exercises named non-struct types: value classes carrying Go's
// methods, enum-like typed constants, and named values passed as interfaces.
package namedtest

import (
	"fmt"
	"sort"
	"strings"
)

// Level is an enum-like severity.
type Level int

// The levels; LevelDefault is a second name for LevelInfo.
const (
	LevelDebug Level = iota - 1
	LevelInfo
	LevelWarn
	LevelError
	LevelDefault = LevelInfo
)

// String names the level.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	}
	return fmt.Sprintf("LEVEL(%d)", int(l))
}

// Level makes Level a Leveler.
func (l Level) Level() Level { return l }

// Above reports whether l is more severe than o.
func (l Level) Above(o Level) bool { return l > o }

// Set parses a level name into l (a pointer method).
func (l *Level) Set(name string) error {
	for _, x := range []Level{LevelDebug, LevelInfo, LevelWarn, LevelError} {
		if x.String() == name {
			*l = x
			return nil
		}
	}
	return fmt.Errorf("unknown level %q", name)
}

// Leveler is implemented by Level.
type Leveler interface {
	Level() Level
}

// Options holds a Leveler, as slog.HandlerOptions does.
type Options struct {
	Name  string
	Level Leveler
}

// Threshold is the level a Leveler gives.
func Threshold(l Leveler) Level {
	if l == nil {
		return LevelInfo
	}
	return l.Level()
}

// OptionsLevel is the level of o (LevelInfo when none).
func OptionsLevel(o *Options) Level { return Threshold(o.Level) }

// Levels returns some levels, one without a name.
func Levels() []Level { return []Level{LevelWarn, LevelDebug, Level(7)} }

// Next is the level after l.
func Next(l Level) Level { return l + 1 }

// Celsius is a temperature.
type Celsius float64

// Fahrenheit converts.
func (c Celsius) Fahrenheit() float64 { return float64(c)*9/5 + 32 }

// Boiling is water's boiling point.
const Boiling Celsius = 100

// Freeze returns 0 °C.
func Freeze() Celsius { return 0 }

// Name is a named string.
type Name string

// Upper upper-cases the name.
func (n Name) Upper() Name { return Name(strings.ToUpper(string(n))) }

// Greet greets n.
func Greet(n Name) string { return "hello " + string(n) }

// Tags is a named slice.
type Tags []string

// Len is the number of tags.
func (t Tags) Len() int { return len(t) }

// Sort sorts the tags in place (a value receiver: the elements are shared).
func (t Tags) Sort() { sort.Strings(t) }

// Add appends a tag (a pointer receiver: the length changes).
func (t *Tags) Add(tag string) { *t = append(*t, tag) }

// Join joins the tags.
func (t Tags) Join(sep string) string { return strings.Join(t, sep) }

// Split makes tags of a comma-separated list.
func Split(s string) Tags { return Tags(strings.Split(s, ",")) }

// Attrs is a named map.
type Attrs map[string]string

// Get reads a key.
func (a Attrs) Get(k string) string { return a[k] }

// Set writes a key (Go's map is shared with the receiver).
func (a Attrs) Set(k, v string) { a[k] = v }

// Parse makes attrs of "k=v" pairs.
func Parse(s string) Attrs {
	out := Attrs{}
	for _, kv := range strings.Fields(s) {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// ID is a named byte array.
type ID [4]byte

// String is the hex form.
func (id ID) String() string { return fmt.Sprintf("%x", id[:]) }

// MakeID builds an ID.
func MakeID(a, b, c, d byte) ID { return ID{a, b, c, d} }

// Flag is a named bool: Python's bool cannot be subclassed, so it has no class.
type Flag bool

// Not negates the flag.
func (f Flag) Not() Flag { return !f }

// Handler is a named func type with a method.
type Handler func(string) string

// Call calls the handler.
func (h Handler) Call(s string) string { return h(s) }

type config struct {
	name string
	size int
}

// Option configures Build: a functional option over an unexported type, which Python
// can hold and pass back but not look into (an opaque Go value).
type Option func(*config)

// WithName sets the name.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithSize sets the size.
func WithSize(size int) Option { return func(c *config) { c.size = size } }

// Build applies the options in order.
func Build(opts ...Option) string {
	c := config{name: "default", size: 1}
	for _, o := range opts {
		o(&c)
	}
	return fmt.Sprintf("%s/%d", c.name, c.size)
}

// Apply applies one option (nil is none).
func (o Option) Apply(name string) string {
	c := config{name: name}
	if o != nil {
		o(&c)
	}
	return fmt.Sprintf("%s/%d", c.name, c.size)
}
