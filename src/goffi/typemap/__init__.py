"""The type table: how every Go type crosses into Python, decided in one place.

This is the second pipeline stage. It takes :class:`~goffi.surface.model.TypeRef`
trees (Go facts) and returns a :class:`Mapping` (a decision) or a :class:`Skip`
(a reason). Every renderer (Go wrapper, C glue, Python modules, stubs) and
``goffi inspect`` read these decisions; none of them decides anything about types
on its own. The table is closed: a type not listed here is skipped with a reason.

| Go                        | Python in            | Python out | crossing |
|---------------------------|----------------------|------------|----------|
| bool                      | bool                 | bool       | copy     |
| int, int8..64, uint..64,  | int (range-checked,  | int        | copy     |
| uintptr                   | bool rejected)       |            |          |
| float32, float64          | float or int         | float      | copy     |
| complex64, complex128     | complex, float, int  | complex    | copy     |
| string                    | str (surrogateescape)| str        | copy     |
| []byte                    | any buffer or None   | bytes      | view in  |
| [N]byte                   | buffer of N bytes    | bytes      | copy     |
| []T, [N]T                 | sequence             | list       | copy     |
| []T of fixed-size numbers | sequence, or buffer  | list       | copy     |
|   (zero_copy= functions)  | view of a buffer     | memoryview | view     |
| map[K]V                   | dict                 | dict       | copy     |
| named type T (underlying  | T's class, or the    | T's class  | as the   |
| maps: a value class)      | underlying's value   | (subclass) | underl.  |
| named type T (nameable,   | an object of T's     | the object | handle   |
| underlying does not map)  | class (opaque)       |            |          |
| struct T, all fields      | a T object (record)  | a new T    | copy     |
| exported and copying      |                      |            |          |
| *T, struct T (and T of a  | a T object           | the same   | handle   |
| struct Go shares by ptr)  |                      | object     |          |

A []byte parameter is a view for the duration of the call of a *writable* buffer
(bytearray, writable memoryview), so Go's writes land in it; a read-only buffer (bytes)
is copied first, because Go may write into any []byte and Python's bytes are immutable.
A slice of fixed-size numbers ([]float64, []int32, ...) also takes a buffer whose items
have its format (array('d'), a numpy array): one bulk copy instead of one per element.
Functions declared zero-copy (zero_copy=) go further, see :func:`zero_copy_form`.
A package variable's setter always copies: Go keeps that value after the call.

The stage in two modules: :mod:`~goffi.typemap.decisions` (what is decided: :class:`Mapping`,
:class:`Skip`, the classes types become) and :mod:`~goffi.typemap.mapper` (the rules that
decide: :class:`TypeMapper`).
"""

from __future__ import annotations

from goffi.typemap.decisions import (
    IMPLEMENTERS,
    VALUE_BASES,
    ClassDecision,
    ClassNamer,
    Crossing,
    FuncSig,
    Mapping,
    MapResult,
    Shape,
    Skip,
    Via,
    default_class_name,
    identifier,
    zero_copy_form,
)
from goffi.typemap.mapper import TypeMapper, shared_structs

__all__ = [
    "IMPLEMENTERS",
    "VALUE_BASES",
    "ClassDecision",
    "ClassNamer",
    "Crossing",
    "FuncSig",
    "MapResult",
    "Mapping",
    "Shape",
    "Skip",
    "TypeMapper",
    "Via",
    "default_class_name",
    "identifier",
    "shared_structs",
    "zero_copy_form",
]
