"""The bundle plan: every exported Go symbol, decided (bridged, with how) or skipped (with why).

Third stage of the pipeline: :func:`plan_bundle` turns a :class:`Surface` and the type
table's decisions into a :class:`BundlePlan`. The renderers and ``goffi inspect`` only
read this model. Symbols get stable, deterministic names here (export symbols, Python
identifiers), so that every renderer agrees on them without recomputing anything.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from goffi.surface.model import Const, Func, Package, Param, Surface, TypeRef, signature_spelling
from goffi.typemap import Mapping, Skip, TypeMapper


@dataclass(frozen=True)
class ParamPlan:
    py_name: str  # a valid, unique Python identifier
    go_name: str
    type: Mapping
    variadic: bool = False  # the Go ...T parameter: Python *args, type is the []T mapping


@dataclass(frozen=True)
class FuncPlan:
    """One bridged Go function."""

    pkg_path: str
    pkg_name: str  # Go package name, used in messages: "url" for net/url
    go_name: str
    py_name: str
    symbol: str  # the //export name (C and Go), e.g. goffi_f_0_ToUpper
    params: tuple[ParamPlan, ...]
    results: tuple[Mapping, ...]  # without the trailing error
    returns_error: bool
    go_signature: str  # "func ToUpper(s string) string"
    doc: str
    pos: str

    @property
    def qualified(self) -> str:
        """Go spelling used in error messages: "url.Parse"."""
        return f"{self.pkg_name}.{self.go_name}"

    @property
    def variadic(self) -> bool:
        return bool(self.params) and self.params[-1].variadic

    def py_signature(self) -> str:
        """The Python signature (for docstrings, stubs and goffi inspect)."""
        parts = [f"{p.py_name}: {p.type.py_type('in')}" for p in self.params if not p.variadic]
        if parts:
            parts.append("/")  # Go has no keyword arguments
        if self.variadic:
            last = self.params[-1]
            assert last.type.elem is not None
            parts.append(f"*{last.py_name}: {last.type.elem.py_type('in')}")
        return f"{self.py_name}({', '.join(parts)}) -> {self.py_return()}"

    def py_return(self) -> str:
        if not self.results:
            return "None"
        if len(self.results) == 1:
            return self.results[0].py_type("out")
        return "tuple[" + ", ".join(r.py_type("out") for r in self.results) + "]"


@dataclass(frozen=True)
class ConstPlan:
    go_name: str
    py_name: str
    py_literal: str  # Python source for the value
    py_type: str
    go_type: str
    doc: str
    pos: str


@dataclass(frozen=True)
class VarPlan:
    go_name: str
    py_name: str
    type: Mapping
    get_symbol: str
    set_symbol: str
    doc: str
    pos: str


@dataclass(frozen=True)
class TypePlan:
    """A named type whose values cross as plain Python values (``type Celsius float64``)."""

    go_name: str
    type: Mapping
    doc: str
    pos: str


@dataclass(frozen=True)
class SkipPlan:
    """An exported symbol goffi does not bridge, and why."""

    go_name: str
    kind: str  # "func", "const", "var", "type"
    go_signature: str
    reason: str
    category: str


@dataclass(frozen=True)
class PackagePlan:
    path: str
    go_name: str  # the package clause name
    py_module: str  # the module's name inside the bundle: "strings", "crypto_rand"
    index: int  # position in the bundle (sorted by path); used in symbol names
    doc: str
    funcs: tuple[FuncPlan, ...]
    consts: tuple[ConstPlan, ...]
    vars: tuple[VarPlan, ...]
    types: tuple[TypePlan, ...]
    skipped: tuple[SkipPlan, ...]


@dataclass(frozen=True)
class BundlePlan:
    name: str  # the Python package name of the bundle, e.g. "gopkgs"
    go_version: str
    packages: tuple[PackagePlan, ...]  # sorted by import path

    def mappings(self) -> tuple[Mapping, ...]:
        """Every distinct mapping the bundle uses (nested ones included), sorted by Go spelling."""
        seen: dict[str, Mapping] = {}
        for pkg in self.packages:
            tops = [p.type for f in pkg.funcs for p in f.params]
            tops += [r for f in pkg.funcs for r in f.results]
            tops += [v.type for v in pkg.vars]
            for top in tops:
                for m in top.walk():
                    seen.setdefault(m.go_name, m)
        return tuple(seen[k] for k in sorted(seen))

    def imported_packages(self) -> tuple[str, ...]:
        """Import paths the Go wrapper must import: the bundle's, and those naming types it spells."""
        paths = {p.path for p in self.packages}
        for m in self.mappings():
            _collect_named_pkgs(m.ref, paths)
        return tuple(sorted(paths))


def _collect_named_pkgs(ref: TypeRef, into: set[str]) -> None:
    if ref.kind == "named" and ref.pkg:
        into.add(ref.pkg)
    for child in (ref.elem, ref.key):
        if child is not None:
            _collect_named_pkgs(child, into)


def plan_bundle(surface: Surface, name: str = "gopkgs") -> BundlePlan:
    """Decide every exported symbol of every package in ``surface``."""
    packages = sorted(surface.packages, key=lambda p: p.path)
    mapper = TypeMapper(surface, frozenset(p.path for p in packages))
    module_names = python_module_names([p.path for p in packages], [p.name for p in packages])
    plans = tuple(_plan_package(pkg, i, module_names[pkg.path], mapper) for i, pkg in enumerate(packages))
    return BundlePlan(name=name, go_version=surface.go_version, packages=plans)


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
    for path, n in zip(paths, names):
        if counts[n] > 1:
            elems = [e for e in path.split("/") if e]
            n = "_".join(_identifier(e) for e in elems[-2:])
        out[path] = python_identifier(n)
    return out


def python_identifier(name: str) -> str:
    """A Go identifier made safe for Python: keywords get a trailing underscore (None -> None_)."""
    name = _identifier(name)
    return name + "_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def _identifier(text: str) -> str:
    out = re.sub(r"\W", "_", text)
    return "_" + out if out[:1].isdigit() else out


def _plan_package(pkg: Package, index: int, py_module: str, mapper: TypeMapper) -> PackagePlan:
    funcs: list[FuncPlan] = []
    skipped: list[SkipPlan] = []
    for fn in pkg.funcs:
        planned = _plan_func(pkg, fn, index, mapper)
        (funcs if isinstance(planned, FuncPlan) else skipped).append(planned)  # type: ignore[arg-type]
    consts: list[ConstPlan] = []
    for c in pkg.consts:
        literal = _const_literal(c)
        py_type = {"bool": "bool", "string": "str", "int": "int", "float": "float", "complex": "complex"}[
            c.kind
        ]
        consts.append(
            ConstPlan(c.name, python_identifier(c.name), literal, py_type, c.type.go_spelling(), c.doc, c.pos)
        )
    variables: list[VarPlan] = []
    for v in pkg.vars:
        mapped = mapper.map(v.type)
        if isinstance(mapped, Skip):
            skipped.append(
                SkipPlan(
                    v.name, "var", f"var {v.name} {v.type.go_spelling()}", mapped.reason, mapped.category
                )
            )
            continue
        variables.append(
            VarPlan(
                v.name,
                python_identifier(v.name),
                mapped,
                f"goffi_get_{index}_{v.name}",
                f"goffi_set_{index}_{v.name}",
                v.doc,
                v.pos,
            )
        )
    types: list[TypePlan] = []
    for key in pkg.types:
        named = mapper.surface.named[key]
        mapped = mapper.map(TypeRef(kind="named", pkg=named.pkg, name=named.name))
        if isinstance(mapped, Mapping):
            types.append(TypePlan(named.name, mapped, named.doc, named.pos))
        else:
            kind = named.underlying.kind
            shown = f"{kind}{{...}}" if kind in ("struct", "interface") else named.underlying.go_spelling()
            go_sig = f"type {named.name} {shown}"
            skipped.append(SkipPlan(named.name, "type", go_sig, mapped.reason, mapped.category))
    skipped.sort(key=lambda s: (s.kind, s.go_name))
    return PackagePlan(
        path=pkg.path,
        go_name=pkg.name,
        py_module=py_module,
        index=index,
        doc=pkg.doc,
        funcs=tuple(funcs),
        consts=tuple(consts),
        vars=tuple(variables),
        types=tuple(types),
        skipped=tuple(skipped),
    )


def _plan_func(pkg: Package, fn: Func, index: int, mapper: TypeMapper) -> FuncPlan | SkipPlan:
    go_sig = f"func {fn.name}{signature_spelling(fn.params, fn.results, fn.variadic)}"

    def skip(reason: str, category: str) -> SkipPlan:
        return SkipPlan(fn.name, "func", go_sig, reason, category)

    if fn.type_params:
        return skip("generic functions need type arguments; goffi bridges only non-generic API", "generic")
    params: list[ParamPlan] = []
    used: set[str] = set()
    for i, p in enumerate(fn.params):
        mapped = mapper.map(p.type)
        if isinstance(mapped, Skip):
            return skip(f"parameter {p.name or i}: {mapped.reason}", mapped.category)
        py_name = _param_name(p, i, used)
        variadic = fn.variadic and i == len(fn.params) - 1
        if variadic and mapped.shape == "bytes":
            return skip(
                "a variadic ...byte parameter is not bridged; pass bytes to a []byte function", "variadic"
            )
        params.append(ParamPlan(py_name, p.name, mapped, variadic))
    results = list(fn.results)
    returns_error = bool(results) and _is_error(results[-1].type)
    if returns_error:
        results.pop()
    mapped_results: list[Mapping] = []
    for i, r in enumerate(results):
        mapped = mapper.map(r.type)
        if isinstance(mapped, Skip):
            return skip(f"result {r.name or i}: {mapped.reason}", mapped.category)
        mapped_results.append(mapped)
    return FuncPlan(
        pkg_path=pkg.path,
        pkg_name=pkg.name,
        go_name=fn.name,
        py_name=python_identifier(fn.name),
        symbol=f"goffi_f_{index}_{fn.name}",
        params=tuple(params),
        results=tuple(mapped_results),
        returns_error=returns_error,
        go_signature=go_sig,
        doc=fn.doc,
        pos=fn.pos,
    )


def _is_error(ref: TypeRef) -> bool:
    return ref.kind == "named" and ref.named_key == "error"


def _param_name(p: Param, i: int, used: set[str]) -> str:
    name = python_identifier(p.name) if p.name and p.name != "_" else f"arg{i}"
    while name in used:
        name = f"{name}_{i}"
    used.add(name)
    return name


def _const_literal(c: Const) -> str:
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
