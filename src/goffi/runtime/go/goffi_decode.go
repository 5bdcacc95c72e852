// Code copied by goffi into every bundle. DO NOT EDIT.

// This file is the Go side of decoding into Python objects (goffi.decoding): an any
// parameter that Go decodes into (json.Unmarshal's v) gets a pointer to the converted
// copy of a Python dict, list or record, and what Go decoded goes back to C, whose
// goffi_decode_back (goffi_decode.c) writes it into the Python object.

package rtcgo

/*
#include "goffi.h"
*/
import "C"

import "reflect"

// goffiDecodeTarget is what Go gets for an any parameter it decodes into: a pointer to
// v when v is the copy of a Python dict (*map[string]any), list or tuple (*[]any) or
// record (*T), so that Go's writes reach it; any other value as it is (a Go object is
// a pointer already). back says whether goffiDecodeBack has something to describe.
func goffiDecodeTarget(c *C.goffi_any, v any) (target any, back bool) {
	switch c.tag {
	case C.GOFFI_ANY_MAP, C.GOFFI_ANY_LIST, C.GOFFI_ANY_RECORD:
		if v == nil {
			return v, false
		}
		p := reflect.New(reflect.TypeOf(v))
		p.Elem().Set(reflect.ValueOf(v))
		return p.Interface(), true
	}
	return v, false
}

// goffiDecodeBack describes the value behind target after the call (what Go decoded)
// for the C glue; without back it leaves dst alone (GOFFI_ANY_NIL: nothing to write).
func goffiDecodeBack(dst *C.goffi_any, a *C.goffi_arena, target any, back bool) {
	if back {
		goffiAnyOut(dst, a, reflect.ValueOf(target).Elem().Interface())
	}
}
