// Package decodetest is the oracle for decoding into Python objects (goffi.decoding):
// each function does in Go what the Python test does through goffi, and returns Go's
// result; Fill and Peek plant a decoder and a non-decoder of goffi's scan.
package decodetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Config is a record with json tags.
type Config struct {
	Name string   `json:"name"`
	Port int      `json:"port"`
	Tags []string `json:"tags"`
}

// UnmarshalMap is json.Unmarshal(data, &m) in Go: what a dict becomes (and Go's error
// message, "" for none: the value is Go's even when it failed).
func UnmarshalMap(data []byte, m map[string]any) (map[string]any, string) {
	return m, message(json.Unmarshal(data, &m))
}

// UnmarshalList is json.Unmarshal(data, &l) in Go: what a list becomes.
func UnmarshalList(data []byte, l []any) ([]any, string) {
	return l, message(json.Unmarshal(data, &l))
}

// UnmarshalConfig is json.Unmarshal(data, &c) in Go: what a Config record becomes.
func UnmarshalConfig(data []byte, c Config) (Config, string) {
	return c, message(json.Unmarshal(data, &c))
}

func message(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// DecodeAll decodes each JSON value of a stream into the same map, in Go, and returns
// the map after each.
func DecodeAll(stream string, m map[string]any) ([]map[string]any, string) {
	dec := json.NewDecoder(strings.NewReader(stream))
	var out []map[string]any
	for dec.More() {
		if err := dec.Decode(&m); err != nil {
			return out, err.Error()
		}
		snapshot := map[string]any{}
		for k, v := range m {
			snapshot[k] = v
		}
		out = append(out, snapshot)
	}
	return out, ""
}

// SprintMap is fmt.Sprint of a map value (not a pointer) in Go.
func SprintMap(m map[string]any) string { return fmt.Sprint(m) }

// Fill sets "filled" in the map v points to: a decoder by goffi's rule (it rejects a
// non-pointer), reached through fill.
func Fill(v any) error { return fill(v) }

func fill(target any) error {
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("decodetest: Fill needs a non-nil pointer")
	}
	m, ok := rv.Elem().Interface().(map[string]any)
	if !ok {
		return fmt.Errorf("decodetest: Fill needs a *map[string]any, not %T", target)
	}
	if m == nil {
		m = map[string]any{}
	}
	m["filled"] = true
	rv.Elem().Set(reflect.ValueOf(m))
	return nil
}

// Peek says what it was given: a nil check on the pointer kind is no decoder.
func Peek(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "nil pointer"
	}
	return fmt.Sprintf("%T", v)
}

// Put sets m[k] = v: Go writes into the map.
func Put(m map[string]int, k string, v int) { m[k] = v }

// Drop deletes m[k].
func Drop(m map[string]int, k string) { delete(m, k) }

// Bump adds one to every value, through a helper.
func Bump(m map[string]int) { bump(m) }

func bump(m map[string]int) {
	for k := range m {
		m[k]++
	}
}

// Count only reads the map: nothing comes back.
func Count(m map[string]int) int { return len(m) }

// Bumped is Bump in Go, returning Go's map: the oracle.
func Bumped(m map[string]int) map[string]int {
	Bump(m)
	return m
}
