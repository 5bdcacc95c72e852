// Package chantest exercises goffi's goroutine bridge (issue 4): Go channels and
// Python callables crossing the boundary in both directions, used from any Python
// thread and from goroutines.
//
// It is a test fixture for goffi's own test suite (tests/test_goroutines.py). Every
// producer closes its channel when it is done, so Python can iterate it to the end.
package chantest

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ---- producers ----

// Count sends 0..n-1 on an unbuffered channel from a goroutine, then closes it.
func Count(n int) <-chan int64 {
	ch := make(chan int64)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- int64(i)
		}
	}()
	return ch
}

// Words sends the fields of s (split at white space) from a goroutine, then closes the channel.
func Words(s string) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		for _, w := range strings.Fields(s) {
			ch <- w
		}
	}()
	return ch
}

// Numbers returns a bidirectional channel of capacity buffer that carries 0..n-1 and is
// then closed. The first min(n, buffer) values are in the channel when Numbers returns;
// a goroutine sends the rest.
func Numbers(n int, buffer int) chan int64 {
	ch := make(chan int64, buffer)
	i := 0
	for ; i < n && i < buffer; i++ {
		ch <- int64(i)
	}
	if i == n {
		close(ch)
		return ch
	}
	go func(i int) {
		defer close(ch)
		for ; i < n; i++ {
			ch <- int64(i)
		}
	}(i)
	return ch
}

// Series returns a channel of capacity buffer that a goroutine feeds with n values,
// start, start+step, start+2*step, ..., then closes.
func Series(n, buffer int, start, step int64) <-chan int64 {
	ch := make(chan int64, buffer)
	go func() {
		defer close(ch)
		v := start
		for i := 0; i < n; i++ {
			ch <- v
			v += step
		}
	}()
	return ch
}

// Slowly sends 0..n-1 from a goroutine, waiting every before each value, then closes the channel.
func Slowly(n int, every time.Duration) <-chan int64 {
	ch := make(chan int64)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			time.Sleep(every)
			ch <- int64(i)
		}
	}()
	return ch
}

// Doubler returns a send-only channel in and a receive-only channel out: every value
// sent on in comes out of out doubled; out is closed once in is closed.
func Doubler() (chan<- int64, <-chan int64) {
	in := make(chan int64)
	out := make(chan int64)
	go func() {
		defer close(out)
		for v := range in {
			out <- 2 * v
		}
	}()
	return in, out
}

// Point is a record (a struct whose fields all copy).
type Point struct{ X, Y int64 }

// Bools carries true, then false, and is closed.
func Bools() <-chan bool {
	ch := make(chan bool, 2)
	ch <- true
	ch <- false
	close(ch)
	return ch
}

// carrying returns a closed channel that holds vs: the channels of basic element types
// below, which Python receives typed (into 64-bit slots, without reflect).
func carrying[T any](vs ...T) <-chan T {
	ch := make(chan T, len(vs))
	for _, v := range vs {
		ch <- v
	}
	close(ch)
	return ch
}

// Int8s carries the smallest and largest int8, then -1.
func Int8s() <-chan int8 { return carrying[int8](math.MinInt8, math.MaxInt8, -1) }

// Ints carries the smallest and largest int.
func Ints() <-chan int { return carrying(math.MinInt, math.MaxInt) }

// Runes carries 'é' and the largest int32 (a rune is an int32).
func Runes() <-chan rune { return carrying('é', math.MaxInt32) }

// Bytes carries 0 and 255 (a byte is a uint8).
func Bytes() <-chan byte { return carrying[byte](0, 255) }

// Uint64s carries 0, 2**63 and the largest uint64.
func Uint64s() <-chan uint64 { return carrying[uint64](0, 1<<63, math.MaxUint64) }

// Uintptrs carries the largest uintptr.
func Uintptrs() <-chan uintptr { return carrying[uintptr](math.MaxUint64) }

// Float32s carries 0.1 (as a float32 holds it), the largest float32 negated, and +Inf.
func Float32s() <-chan float32 {
	return carrying[float32](0.1, -math.MaxFloat32, float32(math.Inf(1)))
}

// Float64s carries the smallest positive float64, -0.0 and NaN.
func Float64s() <-chan float64 {
	return carrying(math.SmallestNonzeroFloat64, math.Copysign(0, -1), math.NaN())
}

// Blobs carries the bytes 00 01 ff, then an empty non-nil slice, and is closed.
func Blobs() <-chan []byte {
	ch := make(chan []byte, 2)
	ch <- []byte{0, 1, 255}
	ch <- []byte{}
	close(ch)
	return ch
}

// Points carries Point{i, -i} for i in 0..n-1 and is closed.
func Points(n int) <-chan Point {
	ch := make(chan Point, n)
	for i := 0; i < n; i++ {
		ch <- Point{X: int64(i), Y: -int64(i)}
	}
	close(ch)
	return ch
}

// Failures carries errors.New("first"), then a nil error, and is closed.
func Failures() <-chan error {
	ch := make(chan error, 2)
	ch <- errors.New("first")
	ch <- nil
	close(ch)
	return ch
}

// Anything carries int64(1), "two", nil and 1.5 as any, and is closed.
func Anything() <-chan any {
	ch := make(chan any, 4)
	ch <- int64(1)
	ch <- "two"
	ch <- nil
	ch <- 1.5
	close(ch)
	return ch
}

// Tables carries map[string]int64{"a": 1, "b": -2} and is closed.
func Tables() <-chan map[string]int64 {
	ch := make(chan map[string]int64, 1)
	ch <- map[string]int64{"b": -2, "a": 1}
	close(ch)
	return ch
}

// Never returns a new unbuffered channel nobody sends on (nor closes).
func Never() chan int64 { return make(chan int64) }

// Closed returns a new unbuffered channel that is already closed.
func Closed() chan int64 {
	ch := make(chan int64)
	close(ch)
	return ch
}

// ---- consumers ----

// Sum reads ch until it is closed and returns the total.
func Sum(ch <-chan int64) int64 {
	var total int64
	for v := range ch {
		total += v
	}
	return total
}

// Drain reads ch until it is closed and returns the values in order (nil if there were none).
func Drain(ch chan string) []string {
	var out []string
	for s := range ch {
		out = append(out, s)
	}
	return out
}

// Fill sends 0..n-1 on ch, then closes it; it blocks while ch is full.
func Fill(ch chan<- int64, n int) {
	for i := 0; i < n; i++ {
		ch <- int64(i)
	}
	close(ch)
}

// ---- pipelines ----

// Square sends the square of every value read from in, and closes its channel once in is closed.
func Square(in <-chan int64) <-chan int64 {
	out := make(chan int64)
	go func() {
		defer close(out)
		for v := range in {
			out <- v * v
		}
	}()
	return out
}

// Merge sends every value read from a and from b (fan-in), and closes its channel once both are closed.
func Merge(a, b <-chan int64) <-chan int64 {
	out := make(chan int64)
	var wg sync.WaitGroup
	forward := func(in <-chan int64) {
		defer wg.Done()
		for v := range in {
			out <- v
		}
	}
	wg.Add(2)
	go forward(a)
	go forward(b)
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Split fans out in to n workers: each reads from in and forwards what it read to its
// own channel, which it closes once in is closed. Every value comes out of exactly one
// of the n channels. The channels can be drained one after the other.
func Split(in <-chan int64, n int) []<-chan int64 {
	outs := make([]<-chan int64, n)
	for i := range outs {
		out := make(chan int64)
		outs[i] = out
		go func() {
			defer close(out)
			for v := range in {
				out <- v
			}
		}()
	}
	return outs
}

// ---- callbacks ----

// Add returns a + b: a cheap call for the thread tests.
func Add(a, b int64) int64 { return a + b }

// Apply returns f(x), calling f synchronously.
func Apply(f func(int64) int64, x int64) int64 { return f(x) }

// ApplyAll returns f applied to every element of xs, in order.
func ApplyAll(f func(string) string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// Twice returns g(f(x)).
func Twice(f, g func(int64) int64, x int64) int64 { return g(f(x)) }

// Compose returns the function applying fs in order (the identity when there are none).
func Compose(fs ...func(int64) int64) func(int64) int64 {
	return func(x int64) int64 {
		for _, f := range fs {
			x = f(x)
		}
		return x
	}
}

// Later calls f(x) from a new goroutine about a millisecond after Later returned.
func Later(f func(int64), x int64) {
	go func() {
		time.Sleep(time.Millisecond)
		f(x)
	}()
}

// Concurrent calls f(0)..f(n-1) from n goroutines at once and returns the sum of the results.
func Concurrent(f func(int64) int64, n int) int64 {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int64) {
			defer wg.Done()
			<-start
			r := f(i)
			mu.Lock()
			total += r
			mu.Unlock()
		}(int64(i))
	}
	close(start)
	wg.Wait()
	return total
}

// Locked calls f(0)..f(n-1), in order, from one goroutine locked to its OS thread, and
// returns when it is done.
func Locked(f func(int64), n int) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := 0; i < n; i++ {
			f(int64(i))
		}
	}()
	<-done
}

// WithError returns f(s): the error f returns.
func WithError(f func(string) error, s string) error { return f(s) }

// Lookup returns f(key)'s value when f reports it found, else -1.
func Lookup(f func(string) (int64, bool), key string) int64 {
	if v, ok := f(key); ok {
		return v
	}
	return -1
}

// Everything calls f once with one value of each basic mapped type and returns f's result:
// true, math.MinInt64, 255, 0.1, "héllo, 世界\x00!", bytes 00 01 ff, ["a", ""],
// {"one": 1, "minus": -1}.
func Everything(f func(b bool, i int64, u uint8, x float64, s string, bs []byte, xs []string, m map[string]int64) string) string {
	return f(true, -1<<63, 255, 0.1, "héllo, 世界\x00!", []byte{0, 1, 255}, []string{"a", ""}, map[string]int64{"one": 1, "minus": -1})
}

// Box is a handle struct (it has an unexported field).
type Box struct {
	Name  string
	items []string
}

// Objects calls f once with Point{1, 2}, a *Box named "box", 1.5 s, 2024-01-02 03:04:05 UTC,
// errors.New("boom") and int64(7) as any, and returns f's result.
func Objects(f func(p Point, b *Box, d time.Duration, t time.Time, err error, v any) string) string {
	return f(Point{1, 2}, &Box{Name: "box"}, 1500*time.Millisecond,
		time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), errors.New("boom"), int64(7))
}

// Feed returns f(Count(n)): f receives a channel.
func Feed(f func(<-chan int64) int64, n int) int64 { return f(Count(n)) }

// Higher returns f(times10): f receives a Go func, which multiplies by 10.
func Higher(f func(func(int64) int64) int64) int64 {
	return f(func(x int64) int64 { return x * 10 })
}

// MakeAdder returns a Go func adding n.
func MakeAdder(n int64) func(int64) int64 {
	return func(x int64) int64 { return x + n }
}

var (
	keptMu sync.Mutex
	kept   func() int64
)

// Keep stores f in a package variable, for CallKept to call later.
func Keep(f func() int64) {
	keptMu.Lock()
	kept = f
	keptMu.Unlock()
}

// CallKept calls the func Keep stored and returns its result (-1 if there is none).
func CallKept() int64 {
	keptMu.Lock()
	f := kept
	keptMu.Unlock()
	if f == nil {
		return -1
	}
	return f()
}

// ReleaseKept drops the func Keep stored and runs Go's garbage collector.
func ReleaseKept() {
	keptMu.Lock()
	kept = nil
	keptMu.Unlock()
	runtime.GC()
}

// GC runs Go's garbage collector twice (so finalizers of what the first run found get queued).
func GC() {
	runtime.GC()
	runtime.GC()
}

// ThreadID returns the ID of the OS thread the calling goroutine runs on (gettid).
func ThreadID() int { return syscall.Gettid() }

// Hooks is a struct with a func field.
type Hooks struct {
	OnEvent func(string)
}

// Fire calls h.OnEvent(s) when it is set.
func Fire(h *Hooks, s string) {
	if h.OnEvent != nil {
		h.OnEvent(s)
	}
}
