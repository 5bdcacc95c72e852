// Package badinit fails in init(): loading it must end the process loudly, with Go's
// report, never half-load (tests/test_reliability.py).
package badinit

import "os"

func init() {
	if os.Getenv("BADINIT_OK") == "" {
		panic("badinit: init failed")
	}
}

// Hello is never reached when init fails.
func Hello() string { return "hello" }
