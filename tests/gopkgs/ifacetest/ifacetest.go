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
