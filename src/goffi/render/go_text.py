"""Go spellings shared by the Go wrapper's renderers: types under the wrapper's import
aliases, converter names, cgo's C types, string literals, argument descriptions, and the
template of every ``//export`` function."""

from __future__ import annotations

import json
import re

from goffi.generics import instance_base
from goffi.plan import FuncPlan, ParamPlan
from goffi.surface.model import TypeRef
from goffi.typemap import Mapping, identifier

# Every export recovers panics. `returned` is set only by falling off the end, so a call
# that returns normally (nearly all of them) skips recover() (runtime.gorecover, ~13
# instructions a call); a panic, or an early return on the error path, leaves it false
# and goffiRecovered decides (it also catches panic(nil) and runtime.Goexit, which
# recover() reports as nil).
EXPORT = """\
// {comment}
//
//export {symbol}
func {symbol}({params}) {{
\treturned := false
\tdefer func() {{
\t\tif !returned {{
\t\t\tgoffiRecovered(e, arena, recover())
\t\t}}
\t}}()
{body}\treturned = true
}}
"""

_C_SCALAR = {"uint8_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint16_t", "uint32_t", "uint64_t"}


class GoSpeller:
    """Spells Go types in the wrapper, where each imported package has an alias."""

    def __init__(self, import_paths: tuple[str, ...]) -> None:
        self.aliases: dict[str, str] = {}
        taken: set[str] = set()
        for path in import_paths:
            alias = "g_" + re.sub(r"\W", "_", path)
            while alias in taken:
                alias += "_"
            taken.add(alias)
            self.aliases[path] = alias

    def alias(self, path: str) -> str:
        return self.aliases[path]

    def type(self, ref: TypeRef) -> str:
        k = ref.kind
        if k == "basic":
            return ref.name
        if k == "named":
            # An instantiated generic type ("Pair[time.Duration, int]", goffi.generics): its
            # type arguments spelled through the wrapper's own aliases.
            if ref.type_args:
                args = "[" + ", ".join(self.type(a) for a in ref.type_args) + "]"
                return f"{self.alias(ref.pkg)}.{instance_base(ref)}{args}"
            return f"{self.alias(ref.pkg)}.{ref.name}" if ref.pkg else ref.name
        if k == "interface":
            return "any"  # the only unnamed interface that maps
        if k == "struct":
            return "struct{}"  # the only unnamed struct that maps (a channel's element)
        if k == "func":
            params = ", ".join(self.type(p.type) for p in ref.params)
            results = [self.type(r.type) for r in ref.results]
            spec = (
                "" if not results else f" {results[0]}" if len(results) == 1 else f" ({', '.join(results)})"
            )
            return f"func({params}){spec}"
        assert ref.elem is not None
        if k == "chan":
            return {"both": "chan ", "send": "chan<- ", "recv": "<-chan "}[ref.dir] + self.type(ref.elem)
        if k == "pointer":
            return "*" + self.type(ref.elem)
        if k == "slice":
            return "[]" + self.type(ref.elem)
        if k == "array":
            return f"[{ref.length}]" + self.type(ref.elem)
        if k == "map":
            assert ref.key is not None
            return f"map[{self.type(ref.key)}]{self.type(ref.elem)}"
        raise AssertionError(f"no Go spelling for mapped kind {k}")


def converter_ident(ref: TypeRef) -> str:
    """A Go identifier naming a converter for this exact Go type: []string -> slice_string."""
    k = ref.kind
    if k == "basic":
        return ref.alias or ref.name  # rune and int32 map differently, so convert apart
    if k == "named":
        # An instantiated generic type is named like its instance "Name[args]" (goffi.generics).
        name = ref.name + (
            "[" + ", ".join(a.go_spelling() for a in ref.type_args) + "]"
            if ref.type_args and "[" not in ref.name
            else ""
        )
        return re.sub(r"\W", "_", ref.pkg) + "_" + identifier(name) if ref.pkg else ref.name
    if k == "interface":
        return "any"
    if k == "struct":
        return "struct"  # struct{}, the only unnamed struct that maps
    if k == "func":
        return "func_" + identifier(ref.go_spelling())
    assert ref.elem is not None
    if k == "chan":
        return f"chan_{ref.dir}_" + converter_ident(ref.elem)
    if k == "pointer":
        return "ptr_" + converter_ident(ref.elem)
    if k == "slice":
        return "slice_" + converter_ident(ref.elem)
    if k == "array":
        return f"array{ref.length}_" + converter_ident(ref.elem)
    assert ref.key is not None
    return f"map_{converter_ident(ref.key)}_{converter_ident(ref.elem)}"


def c_sizeof(m: Mapping) -> str:
    """A Go expression for the size of a mapping's C representation."""
    return "unsafe.Sizeof(unsafe.Pointer(nil))" if m.shape == "optional" else f"C.sizeof_{m.c_type}"


def c_type(m: Mapping) -> str:
    """The cgo spelling of a mapping's C representation."""
    return "unsafe.Pointer" if m.shape == "optional" else "C." + m.c_type


def go_string(text: str) -> str:
    """A Go string literal."""
    return json.dumps(text, ensure_ascii=False)


def argument_description(fn: FuncPlan, p: ParamPlan) -> str:
    """How an argument is named in error messages, as the C glue names it."""
    star = "*" if p.variadic else ""
    go_type = f"...{p.type.elem.go_name}" if p.variadic and p.type.elem is not None else p.type.go_name
    return f"{fn.qualified}() argument '{star}{p.py_name}' (Go {go_type})"


def holds_view(m: Mapping) -> bool:
    """Whether a Go value of this mapping, converted from C, may alias the caller's buffers."""
    return any(sub.shape in ("bytes", "buffer") for sub in m.walk())
