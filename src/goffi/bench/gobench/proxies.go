package gobench

import (
	"bytes"
	"crypto/sha256"
	"io"
)

// The io_copy case (issue 13): io.Copy from a Python stream into a Go hash, against Go
// reading the same bytes from a bytes.Reader.

var held []byte

// Hold keeps a Go copy of b, for HashHeld.
func Hold(b []byte) {
	held = bytes.Clone(b)
}

// HashCopy copies r into a SHA-256 hash and returns the sum: a Python BytesIO passed as
// r is a proxy whose Read is the BytesIO's readinto into io.Copy's buffer.
//
//go:noinline
func HashCopy(r io.Reader) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// HashHeld is HashCopy of a bytes.Reader of the bytes Hold kept: Go reading Go memory.
// io.Copy's buffer is used as for a Python reader (bytes.Reader's WriteTo is hidden), so
// both do the same Go work but for where Read gets its bytes.
//
//go:noinline
func HashHeld() ([]byte, error) {
	return HashCopy(struct{ io.Reader }{bytes.NewReader(held)})
}
