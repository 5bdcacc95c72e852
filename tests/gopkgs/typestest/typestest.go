// Package typestest exercises every mapping of goffi's type table, in both directions.
//
// It is a test fixture for goffi's own test suite (tests/test_types.py): each function
// either echoes its argument, reports what Go received, or returns edge values.
package typestest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ---- scalars ----

// Not negates a bool.
func Not(b bool) bool { return !b }

func EchoInt(v int) int                      { return v }
func EchoInt8(v int8) int8                   { return v }
func EchoInt16(v int16) int16                { return v }
func EchoInt32(v int32) int32                { return v }
func EchoInt64(v int64) int64                { return v }
func EchoUint(v uint) uint                   { return v }
func EchoUint8(v uint8) uint8                { return v }
func EchoUint16(v uint16) uint16             { return v }
func EchoUint32(v uint32) uint32             { return v }
func EchoUint64(v uint64) uint64             { return v }
func EchoUintptr(v uintptr) uintptr          { return v }
func EchoFloat32(v float32) float32          { return v }
func EchoFloat64(v float64) float64          { return v }
func EchoComplex64(v complex64) complex64    { return v }
func EchoComplex128(v complex128) complex128 { return v }
func EchoRune(r rune) rune                   { return r }
func EchoByte(b byte) byte                   { return b }

// FormatInt64 shows the value Go received, so a test sees it was not truncated.
func FormatInt64(v int64) string { return strconv.FormatInt(v, 10) }

// FormatUint64 shows the value Go received.
func FormatUint64(v uint64) string { return strconv.FormatUint(v, 10) }

// Float32Bits is the IEEE bits of the float32 Go received.
func Float32Bits(v float32) uint32 { return math.Float32bits(v) }

// IsNaN reports whether v is NaN.
func IsNaN(v float64) bool { return math.IsNaN(v) }

// IntLimits returns the min and max of every signed width.
func IntLimits() (int8, int8, int16, int16, int32, int32, int64, int64, int, int) {
	return math.MinInt8, math.MaxInt8, math.MinInt16, math.MaxInt16, math.MinInt32, math.MaxInt32,
		math.MinInt64, math.MaxInt64, math.MinInt, math.MaxInt
}

// UintLimits returns the max of every unsigned width.
func UintLimits() (uint8, uint16, uint32, uint64, uint, uintptr) {
	return math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint64, math.MaxUint, ^uintptr(0)
}

// FloatSpecials returns +Inf, -Inf, NaN, the smallest denormal and the largest float32.
func FloatSpecials() (float64, float64, float64, float64, float32) {
	return math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat32
}

// MakeComplex builds a complex128.
func MakeComplex(re, im float64) complex128 { return complex(re, im) }

// Parts splits a complex64.
func Parts(c complex64) (float32, float32) { return real(c), imag(c) }

// ---- strings ----

func EchoString(s string) string { return s }

// StringLen is len(s): the number of bytes Go received.
func StringLen(s string) int { return len(s) }

// HexOf shows the exact bytes Go received.
func HexOf(s string) string { return hex.EncodeToString([]byte(s)) }

func WithNUL() string     { return "a\x00b\x00" }
func NonASCII() string    { return "héllo, 世界 🎉" }
func InvalidUTF8() string { return "\xff\xfe" }
func Mixed() string       { return "ok\xffé\x80" }

// IsInvalidUTF8 reports whether s is exactly the bytes FF FE.
func IsInvalidUTF8(s string) bool { return s == "\xff\xfe" }

// Repeat is strings.Repeat.
func Repeat(s string, n int) string { return strings.Repeat(s, n) }

// Empty returns "".
func Empty() string { return "" }

// ---- []byte and [N]byte ----

// SumBytes adds the bytes up.
func SumBytes(b []byte) int {
	n := 0
	for _, c := range b {
		n += int(c)
	}
	return n
}

func LenBytes(b []byte) int { return len(b) }

// Fill writes v into every byte of b: the caller's buffer sees it.
func Fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

func IsNilBytes(b []byte) bool { return b == nil }
func NilBytes() []byte         { return nil }
func EmptyBytes() []byte       { return []byte{} }
func BytesOf(s string) []byte  { return []byte(s) }

// Reverse returns a reversed copy.
func Reverse(b []byte) []byte {
	out := slices.Clone(b)
	slices.Reverse(out)
	return out
}

// Flip4 reverses a [4]byte.
func Flip4(b [4]byte) [4]byte { return [4]byte{b[3], b[2], b[1], b[0]} }

// Sha256 is the SHA-256 of b.
func Sha256(b []byte) [32]byte { return sha256.Sum256(b) }

// Hex32 is the hex of a [32]byte.
func Hex32(b [32]byte) string { return hex.EncodeToString(b[:]) }

// ---- slices and arrays ----

func SumInts(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func DoubleInts(xs []int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = 2 * x
	}
	return out
}

func EchoInt8s(xs []int8) []int8                 { return xs }
func EchoUint16s(xs []uint16) []uint16           { return xs }
func EchoUint64s(xs []uint64) []uint64           { return xs }
func EchoFloat32s(xs []float32) []float32        { return xs }
func EchoComplexes(xs []complex128) []complex128 { return xs }
func EchoRunes(s string) []rune                  { return []rune(s) }
func FromRunes(rs []rune) string                 { return string(rs) }

func UpperAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToUpper(x)
	}
	return out
}

func SumFloats(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func NotAll(xs []bool) []bool {
	out := make([]bool, len(xs))
	for i, x := range xs {
		out[i] = !x
	}
	return out
}

// Nested reverses each inner slice and the outer one.
func Nested(xss [][]string) [][]string {
	out := make([][]string, 0, len(xss))
	for i := len(xss) - 1; i >= 0; i-- {
		inner := slices.Clone(xss[i])
		slices.Reverse(inner)
		out = append(out, inner)
	}
	return out
}

// NestedInfo describes a [][]string: nil-ness and lengths.
func NestedInfo(xss [][]string) string {
	if xss == nil {
		return "nil"
	}
	parts := []string{}
	for _, x := range xss {
		if x == nil {
			parts = append(parts, "nil")
		} else {
			parts = append(parts, strconv.Itoa(len(x)))
		}
	}
	return strings.Join(parts, ",")
}

func ByteSlices(xs [][]byte) [][]byte { return xs }

func IsNilInts(xs []int) bool { return xs == nil }
func NilInts() []int          { return nil }
func EmptyInts() []int        { return []int{} }
func NilStrings() []string    { return nil }

// Arr3 reverses a [3]int.
func Arr3(a [3]int) [3]int { return [3]int{a[2], a[1], a[0]} }

// Grid returns a [2][3]string.
func Grid() [2][3]string { return [2][3]string{{"a", "b", "c"}, {"d", "e", "f"}} }

// ---- maps ----

// IncAll adds one to every value.
func IncAll(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v + 1
	}
	return out
}

func EchoIntString(m map[int]string) map[int]string                       { return m }
func EchoStringSlices(m map[string][]string) map[string][]string          { return m }
func EchoBoolKeys(m map[bool]int) map[bool]int                            { return m }
func EchoFloatKeys(m map[float64]string) map[float64]string               { return m }
func EchoArrayKeys(m map[[2]byte]int) map[[2]byte]int                     { return m }
func EchoNestedMap(m map[string]map[string]int) map[string]map[string]int { return m }

// NaNKeys returns a map with a NaN key, which no Go lookup finds.
func NaNKeys() map[float64]string { return map[float64]string{math.NaN(): "nan", 1: "one"} }

func EchoComplexKeys(m map[complex128]int) map[complex128]int { return m }
func EchoNamedKeys(m map[Flag]Level) map[Flag]Level           { return m }

func IsNilMap(m map[string]int) bool { return m == nil }
func MapLen(m map[string]int) int    { return len(m) }
func NilMap() map[string]int         { return nil }
func EmptyMap() map[string]int       { return map[string]int{} }

// ---- named types ----

// Celsius is a temperature.
type Celsius float64

// Names is a list of names.
type Names []string

// Bag counts things.
type Bag map[string]int

// Flag is a named bool.
type Flag bool

// ID is a named string.
type ID string

// Blob is a named []byte.
type Blob []byte

// Digest is a named [4]byte.
type Digest [4]byte

// Level is a named int8.
type Level int8

func ToFahrenheit(c Celsius) float64 { return float64(c)*9/5 + 32 }
func BoilingPoint() Celsius          { return Boiling }
func SortNames(n Names) Names        { s := slices.Clone(n); slices.Sort(s); return s }

func BagTotal(b Bag) int {
	n := 0
	for _, v := range b {
		n += v
	}
	return n
}

func NewBag() Bag                          { return Bag{"apples": 2, "pears": 3} }
func Flip(f Flag) Flag                     { return !f }
func NewID(n int) ID                       { return ID("id-" + strconv.Itoa(n)) }
func IDLen(id ID) int                      { return len(id) }
func BlobLen(b Blob) int                   { return len(b) }
func MakeBlob(n int) Blob                  { return Blob(strings.Repeat("z", n)) }
func FillBlob(b Blob, v byte)              { Fill(b, v) }
func DigestOf(s string) Digest             { var d Digest; copy(d[:], s); return d }
func NextLevel(l Level) Level              { return l + 1 }
func Temps() []Celsius                     { return []Celsius{-40, 0, 100} }
func ByID(m map[ID]Celsius) map[ID]Celsius { return m }

// Digests reverses each digest: a slice of a named [4]byte.
func Digests(ds []Digest) []Digest {
	out := make([]Digest, len(ds))
	for i, d := range ds {
		out[i] = Digest(Flip4(d))
	}
	return out
}

// Wait doubles a duration: a named type from another package.
func Wait(d time.Duration) time.Duration { return 2 * d }

// Durations returns some time.Durations.
func Durations() []time.Duration { return []time.Duration{time.Second, time.Millisecond} }

// ---- multiple results ----

// DivMod returns the quotient and remainder.
func DivMod(a, b int) (int, int) { return a / b, a % b }

// Many returns values of several shapes.
func Many() (string, []int, map[string]bool, bool) {
	return "x", []int{1, 2}, map[string]bool{"t": true}, false
}

// ---- errors ----

// MyErr is a custom error type.
type MyErr struct{ Code int }

func (e *MyErr) Error() string { return fmt.Sprintf("my error %d", e.Code) }

// Parse is strconv.Atoi.
func Parse(s string) (int, error) { return strconv.Atoi(s) }

// Check returns an error unless ok.
func Check(ok bool) error {
	if ok {
		return nil
	}
	return errors.New("check failed")
}

// Custom fails with a *MyErr when code != 0.
func Custom(code int) (string, error) {
	if code != 0 {
		return "", &MyErr{Code: code}
	}
	return "fine", nil
}

// Wrapped wraps a *MyErr.
func Wrapped() error { return fmt.Errorf("context: %w", &MyErr{Code: 7}) }

// TwoAndError returns two values and an error.
func TwoAndError(fail bool) (int, string, error) {
	if fail {
		return 0, "", errors.New("failed: \xff")
	}
	return 1, "one", nil
}

// ---- panics ----

func PanicString()  { panic("boom") }
func PanicError()   { panic(errors.New("bad thing")) }
func PanicCustom()  { panic(&MyErr{Code: 3}) }
func PanicInt() int { panic(42) }

// PanicIndex indexes a 3-element slice.
func PanicIndex(i int) int { xs := []int{1, 2, 3}; return xs[i] }

// PanicNilMap writes into a nil map.
func PanicNilMap() {
	var m map[string]int
	m["x"] = 1
}

// PanicAfterResult panics inside a function that has a result and an error.
func PanicAfterResult() ([]string, error) { panic(fmt.Sprintf("with %s", "format")) }

// ---- variadic ----

// Sum adds its arguments.
func Sum(xs ...int) int { return SumInts(xs) }

// Join is strings.Join with variadic parts.
func Join(sep string, parts ...string) string { return strings.Join(parts, sep) }

// CountArgs reports how many variadic args arrived and whether the slice was nil.
func CountArgs(prefix string, xs ...float64) string {
	return fmt.Sprintf("%s:%d:%t", prefix, len(xs), xs == nil)
}

// Concat joins variadic byte slices.
func Concat(bs ...[]byte) []byte { return slices.Concat(bs...) }

// ---- names that are Python keywords ----

// None is a function named like a Python keyword.
func None() int { return 0 }

// Keywords has parameters named like Python keywords.
func Keywords(from, lambda int, _ string, def bool) int {
	if def {
		return from + lambda
	}
	return from - lambda
}

// Unnamed has unnamed parameters.
func Unnamed(int, string) int { return 1 }

// Quote returns s in Go's double-quoted form: a \ doubles, and """ stays """,
// like "this"
func Quote(s string) string { return strconv.Quote(s) }

// Sequence is named like a type the stubs import.
func Sequence(xs []int) []int { return xs }

// Nop does nothing.
func Nop() {}

// ---- constants ----

const (
	Answer               = 42
	Big                  = 1 << 100
	NegBig               = -(1 << 70)
	TypedInt   int64     = -7
	MaxU64     uint64    = math.MaxUint64
	MinI64               = math.MinInt64
	Pi                   = 3.14159265358979323846264338327950288419716939937510582097494459
	Third                = 1.0 / 3
	F32        float32   = 0.1
	HugeFloat            = 1e400
	Greeting             = "héllo, 世界"
	InvalidStr           = "\xff\xfe"
	NULStr               = "a\x00b"
	EmptyStr             = ""
	Yes                  = true
	No         Flag      = false
	Cplx                 = 1 + 2i
	Cplx64     complex64 = 0.5i
	Letter               = 'é'
	Boiling    Celsius   = 100
	Freezing   Celsius   = 0.5
	DefaultID  ID        = "id-0"
	Lvl        Level     = -3
	Timeout              = 3 * time.Second
	WholeFloat           = 2.0
	Final                = "final"
)

// ---- variables ----

// Counter is a package int.
var Counter = 1

// Name is a package string.
var Name = "go"

// Tags is a package []string.
var Tags = []string{"a", "b"}

var (
	Ratio   float64 = 0.5
	Weights         = map[string]float64{"x": 1.5}
	Enabled Flag
	Temp    Celsius = 21.5
	Key     [4]byte
	Data    []byte
	Small   int8
	Blobs   map[string][]byte
	Chunks  [][]byte
)

func GetCounter() int                { return Counter }
func GetName() string                { return Name }
func GetTags() []string              { return Tags }
func TagsIsNil() bool                { return Tags == nil }
func GetRatio() float64              { return Ratio }
func GetWeights() map[string]float64 { return Weights }
func GetEnabled() Flag               { return Enabled }
func GetTemp() Celsius               { return Temp }
func GetKey() [4]byte                { return Key }
func GetData() []byte                { return Data }
func GetSmall() int8                 { return Small }
func GetBlobs() map[string][]byte    { return Blobs }
func GetChunks() [][]byte            { return Chunks }

// ---- unsupported: skipped, never breaking the build ----

// Point is a struct.
type Point struct{ X, Y int }

// Handler is a func type.
type Handler func(int) int

// List is a generic type.
type List[T any] []T

func Ptr(p *int) int                  { return *p }
func Origin() Point                   { return Point{} }
func MakeChan() chan int              { return make(chan int) }
func Apply(f func(int) int) int       { return f(1) }
func Describe(v any) string           { return fmt.Sprint(v) }
func Identity[T any](v T) T           { return v }
func NotTrailing() (error, int)       { return nil, 0 } //nolint
func Handle(h Handler) int            { return h(1) }
func PtrSlice() []*int                { return nil }
func AnyMap() map[string]any          { return nil }
func SliceKey(m map[string]Point) int { return len(m) }

var (
	Origin0 Point
	Fn      Handler
	Err     error
	PtrVar  *int
)
