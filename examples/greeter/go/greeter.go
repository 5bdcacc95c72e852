// Package greeter is the Go half of the greeter example: a Python package shipping Go code.
package greeter

import (
	"errors"
	"strings"
)

// ErrNoName is returned by Greet for an empty name.
var ErrNoName = errors.New("greeter: no name given")

// Greet returns a greeting for name.
func Greet(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", ErrNoName
	}
	return "Hello, " + name + "!", nil
}

// Add returns a + b.
func Add(a, b int) int {
	return a + b
}
