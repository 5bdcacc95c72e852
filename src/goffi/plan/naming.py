"""Python spellings of Go things: module, class and parameter names, and constants' literals."""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Sequence

from goffi.surface.model import Const, NamedType, Param, TypeRef


def unique_module_name(path: str, taken: set[str]) -> str:
    elems = [e for e in path.split("/") if e]
    name = python_identifier(elems[-1])
    if name in taken:
        name = python_identifier("_".join(safe_identifier(e) for e in elems[-2:]))
    base, n = name, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def python_module_names(paths: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """The Python module name of each Go package inside a bundle.

    A package is known by its Go package name ("url" for net/url); when two packages of
    one bundle share a name (math/rand, crypto/rand), every one of them is prefixed with
    its parent path element ("math_rand", "crypto_rand") so neither silently wins.
    """
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    out: dict[str, str] = {}
    for path, n in zip(paths, names, strict=True):
        if counts[n] > 1:
            elems = [e for e in path.split("/") if e]
            n = "_".join(safe_identifier(e) for e in elems[-2:])
        out[path] = python_identifier(n)
    return out


def python_identifier(name: str) -> str:
    """A Go identifier made safe for Python: keywords get a trailing underscore (None -> None_)."""
    name = safe_identifier(name)
    return name + "_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def instance_py_name(named: NamedType) -> str:
    """The Python class name of a generic type's instance: the type's name and its type
    arguments', a named type by its own name (``Pair[time.Duration, int]`` ->
    ``Pair_Duration_int``, ``Tuple2[any, any]`` -> ``Tuple2_any_any``, ``Box[[]*T]`` ->
    ``Box_slice_ptr_T``)."""
    return "_".join([named.name.split("[", 1)[0], *(_arg_py_name(a) for a in named.type_args)])


def _arg_py_name(ref: TypeRef) -> str:
    k = ref.kind
    if k == "named":
        return "_".join([ref.name.split("[", 1)[0], *(_arg_py_name(a) for a in ref.type_args)])
    if k == "basic":
        return ref.alias or ref.name
    if k == "pointer" and ref.elem is not None:
        return "ptr_" + _arg_py_name(ref.elem)
    if k == "slice" and ref.elem is not None:
        return "slice_" + _arg_py_name(ref.elem)
    if k == "array" and ref.elem is not None:
        return f"array{ref.length}_" + _arg_py_name(ref.elem)
    if k == "map" and ref.elem is not None and ref.key is not None:
        return f"map_{_arg_py_name(ref.key)}_{_arg_py_name(ref.elem)}"
    return "any" if k == "interface" else safe_identifier(ref.go_spelling())


def safe_identifier(text: str) -> str:
    out = re.sub(r"\W", "_", text)
    return "_" + out if out[:1].isdigit() else out


def param_name(p: Param, i: int, used: set[str]) -> str:
    name = python_identifier(p.name) if p.name and p.name != "_" else f"arg{i}"
    while name in used:
        name = f"{name}_{i}"
    used.add(name)
    return name


def const_literal(c: Const) -> str:
    """Python source for a constant's exact value."""
    if c.kind == "bool":
        return "True" if c.value == "true" else "False"
    if c.kind == "int":
        return str(int(c.value))
    if c.kind == "float":
        return _float_literal(c.value)
    if c.kind == "complex":
        re_, im = c.value.split(",")
        return f"complex({_float_literal(re_)}, {_float_literal(im)})"
    text = c.string_value.decode("utf-8", "surrogateescape")
    return repr(text)


def _float_literal(text: str) -> str:
    value = float(text.replace("+Inf", "inf").replace("-Inf", "-inf"))
    if math.isinf(value):
        return "float('inf')" if value > 0 else "float('-inf')"
    return repr(value)
