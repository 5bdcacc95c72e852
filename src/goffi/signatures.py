"""Which questions the analyses could answer for a surface: whether a package has any
parameter or result whose verdict depends on Go's code.

The escape analysis (goffi.analysis) and the decode scan (goffi.decoding) read the bodies
of the requested packages' functions and methods, and the plan reads their verdicts only
for some kinds of types: whether Go keeps a parameter matters only for parameters that
may share memory ([]byte, numeric slices, containers of them, a context an interruptible
function may keep); decoding only for ``any`` and map parameters; "never nil" only for
pointer, interface, channel and func results. A parameter or result of a *plain* type (a
bool, a number, a string, or a named type of one) asks none of these, so a package whose
every signature is plain needs neither analysis: its rendered bundle is the same with and
without them (tests/test_signatures.py checks this byte for byte), and a rebuild after an
edit of such a package does not run them (two Go processes, ~0.2 CPU-s).

Conservative: a type parameter, a named type the surface does not hold, or anything that
is not plain counts as asking.
"""

from __future__ import annotations

from collections.abc import Iterator

from goffi.surface.model import BASIC_VALUE_TYPES, Param, Surface, TypeRef


class UnknownNamedType(Exception):
    """A named type the surface does not hold: nothing is known about the signatures."""


def is_plain(surface: Surface, ref: TypeRef) -> bool:
    """Whether ``ref`` is a plain type: a bool, number or string, or a named type of one."""
    if ref.kind == "basic":
        return ref.name in BASIC_VALUE_TYPES
    if ref.kind == "named":
        named = surface.named.get(ref.named_key)
        if named is None or named.type_params or ref.type_args:
            return False
        return named.underlying.kind == "basic" and named.underlying.name in BASIC_VALUE_TYPES
    return False


def requested_signatures(surface: Surface) -> Iterator[tuple[tuple[Param, ...], tuple[Param, ...]]]:
    """(params, results) of every function of the requested packages and every method of
    their types (promoted ones through embedded fields, and interfaces' methods, too).
    Raises UnknownNamedType for a named type the surface does not hold (nothing is known
    about its methods)."""
    requested = [p for p in surface.packages if not surface.requested or p.path in surface.requested]
    for pkg in requested:
        for f in pkg.funcs:
            yield f.params, f.results
    pending = [key for pkg in requested for key in pkg.types]
    seen: set[str] = set()
    while pending:
        key = pending.pop()
        if key in seen:
            continue
        seen.add(key)
        named = surface.named.get(key)
        if named is None:
            raise UnknownNamedType(key)
        for m in named.methods:
            yield m.params, m.results
        u = named.underlying
        for fld in u.fields if u.kind == "struct" else ():
            if fld.embedded:  # its methods are promoted
                t = fld.type.elem if fld.type.kind == "pointer" and fld.type.elem is not None else fld.type
                if t.kind == "named":
                    pending.append(t.named_key)
        for m in u.methods if u.kind == "interface" else ():
            yield m.params, m.results


def plain_params(surface: Surface) -> bool:
    """Whether every parameter the escape analysis would report on is plain (then the
    plan reads none of its facts)."""
    try:
        return all(is_plain(surface, p.type) for params, _ in requested_signatures(surface) for p in params)
    except UnknownNamedType:
        return False


def plain_signatures(surface: Surface) -> bool:
    """Whether every parameter and result the decode scan would report on is plain (then
    the plan reads none of its verdicts: decoding, map writes, never-nil results)."""
    try:
        return all(
            is_plain(surface, p.type)
            for params, results in requested_signatures(surface)
            for p in (*params, *results)
        )
    except UnknownNamedType:
        return False
