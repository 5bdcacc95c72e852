// Package ifacetest exercises Python objects implementing Go interfaces (issue 13).
package ifacetest

import (
	"errors"
	"io"
	"sync"
)

// Counter is implemented by Python objects in the tests: several methods, called
// concurrently.
type Counter interface {
	Add(n int) int
	Name() string
	Check(n int) error
}

// Hammer calls c's methods from goroutines goroutines at once, calls times each, and
// returns the sum of what Add returned and the first error Check returned.
func Hammer(c Counter, goroutines, calls int) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	var first error
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				got := c.Add(1)
				_ = c.Name()
				err := c.Check(got)
				mu.Lock()
				total += got
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return total, first
}

// Keep returns c itself: a Python object comes back as itself.
func Keep(c Counter) Counter { return c }

// NameOf calls c.Name.
func NameOf(c Counter) string { return c.Name() }

// CheckIs calls c.Check(n) and reports whether its error is io.EOF (errors.Is), and
// the error's message ("" for nil).
func CheckIs(c Counter, n int) (bool, string) {
	err := c.Check(n)
	if err == nil {
		return false, ""
	}
	return errors.Is(err, io.EOF), err.Error()
}

// Echo returns v: a Python object passed as any comes back as itself.
func Echo(v any) any { return v }

// Collect returns c and v in a []any and in a map[string]any (under "c" and "v").
func Collect(c Counter, v any) ([]any, map[string]any) {
	return []any{c, v}, map[string]any{"c": c, "v": v}
}

// Names joins the names of the counters with sep.
func Names(cs []Counter, sep string) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += sep
		}
		out += c.Name()
	}
	return out
}

// ReadAtParallel reads r's first size bytes in chunks of chunk bytes, each chunk by its
// own goroutine (all at once), and returns them assembled, with the first error other
// than io.EOF at the end of the data.
func ReadAtParallel(r io.ReaderAt, size, chunk int64) ([]byte, error) {
	out := make([]byte, size)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for off := int64(0); off < size; off += chunk {
		wg.Add(1)
		go func(off int64) {
			defer wg.Done()
			end := min(off+chunk, size)
			n, err := r.ReadAt(out[off:end], off)
			if err == io.EOF && off+int64(n) == size {
				err = nil
			}
			if err == nil && int64(n) != end-off {
				err = io.ErrUnexpectedEOF
			}
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(off)
	}
	wg.Wait()
	return out, first
}

// ReadAtEnd calls r.ReadAt(p, off) with a buffer of n bytes and reports what it read,
// the count, and whether the error is io.EOF (errors.Is) and its text ("" for nil).
func ReadAtEnd(r io.ReaderAt, n int, off int64) ([]byte, int, bool, string) {
	p := make([]byte, n)
	got, err := r.ReadAt(p, off)
	if err == nil {
		return p[:got], got, false, ""
	}
	return p[:got], got, errors.Is(err, io.EOF), err.Error()
}
