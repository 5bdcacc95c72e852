"""Surface extraction: the first pipeline stage, from Go package paths to a :class:`Surface`.

The work happens in a small Go program (``extractor/``) that reads the compiler's
export data through ``go list -export`` and the package sources for doc comments,
and prints the surface as JSON. It is built with the user's own toolchain, once per
(Go version, extractor source) pair, and cached: building it with the same Go that
compiled the export data is what guarantees it can read that data.

This module builds and runs it, and converts the JSON to and from the frozen
dataclasses of :mod:`goffi.surface.model`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

from goffi import store
from goffi.errors import ExtractionError
from goffi.hosttools import host_tool
from goffi.hosttools import verified_tools as _verified_extractors  # noqa: F401  (tests clear it)
from goffi.surface.model import (
    ChanDir,
    Const,
    ConstKind,
    Constraint,
    Field,
    Func,
    Method,
    Module,
    NamedType,
    Package,
    Param,
    Surface,
    Term,
    TypeKind,
    TypeRef,
    Var,
)
from goffi.toolchain import GoToolchain

__all__ = ["extract", "extractor_binary", "surface_from_json", "surface_to_json"]

EXTRACTOR_DIR = Path(__file__).resolve().parent / "extractor"

_TYPE_KINDS = frozenset(get_args(TypeKind))
_CHAN_DIRS = frozenset(get_args(ChanDir))
_CONST_KINDS = frozenset(get_args(ConstKind))


# ---- JSON -> dataclasses ----
#
# The JSON has exactly the dataclass field names; a field at its dataclass default
# may be omitted (the extractor omits them to keep stdlib-sized surfaces small).
# Decoding is written out per class rather than generically so mypy checks it and
# a malformed document fails with a message instead of building a half-valid model.


def _str(d: Mapping[str, Any], key: str, default: str | None = None) -> str:
    v = d.get(key, default)
    if not isinstance(v, str):
        raise ValueError(f"field {key!r} must be a string, got {v!r}")
    return v


def _bool(d: Mapping[str, Any], key: str) -> bool:
    v = d.get(key, False)
    if not isinstance(v, bool):
        raise ValueError(f"field {key!r} must be a bool, got {v!r}")
    return v


def _list(d: Mapping[str, Any], key: str, required: bool = False) -> list[Any]:
    if required and key not in d:
        raise ValueError(f"missing field {key!r}")
    v = d.get(key)
    if v is None:  # Go encodes a nil slice as null
        return []
    if not isinstance(v, list):
        raise ValueError(f"field {key!r} must be a list, got {v!r}")
    return v


def _typeref(d: Any) -> TypeRef:
    if not isinstance(d, dict):
        raise ValueError(f"type must be an object, got {d!r}")
    kind = _str(d, "kind")
    if kind not in _TYPE_KINDS:
        raise ValueError(f"unknown type kind {kind!r}")
    chan_dir = _str(d, "dir", "both")
    if chan_dir not in _CHAN_DIRS:
        raise ValueError(f"unknown chan dir {chan_dir!r}")
    length = d.get("length", 0)
    if not isinstance(length, int) or isinstance(length, bool):
        raise ValueError(f"array length must be an int, got {length!r}")
    elem, key = d.get("elem"), d.get("key")
    return TypeRef(
        kind=kind,  # type: ignore[arg-type]  # checked against TypeKind above
        name=_str(d, "name", ""),
        alias=_str(d, "alias", ""),
        pkg=_str(d, "pkg", ""),
        elem=None if elem is None else _typeref(elem),
        key=None if key is None else _typeref(key),
        length=length,
        dir=chan_dir,  # type: ignore[arg-type]  # checked against ChanDir above
        params=tuple(_param(p) for p in _list(d, "params")),
        results=tuple(_param(p) for p in _list(d, "results")),
        variadic=_bool(d, "variadic"),
        methods=tuple(_method(m) for m in _list(d, "methods")),
        embeds_non_methods=_bool(d, "embeds_non_methods"),
        fields=tuple(_field(f) for f in _list(d, "fields")),
        type_args=tuple(_typeref(a) for a in _list(d, "type_args")),
    )


def _param(d: Any) -> Param:
    return Param(name=_str(d, "name", ""), type=_typeref(d.get("type")))


def _field(d: Any) -> Field:
    if "exported" not in d:
        raise ValueError("missing field 'exported'")
    return Field(
        name=_str(d, "name"),
        type=_typeref(d.get("type")),
        exported=_bool(d, "exported"),
        embedded=_bool(d, "embedded"),
        doc=_str(d, "doc", ""),
    )


def _method(d: Any) -> Method:
    return Method(
        name=_str(d, "name"),
        params=tuple(_param(p) for p in _list(d, "params", required=True)),
        results=tuple(_param(p) for p in _list(d, "results", required=True)),
        variadic=_bool(d, "variadic"),
        pointer_receiver=_bool(d, "pointer_receiver"),
        doc=_str(d, "doc", ""),
        pos=_str(d, "pos", ""),
    )


def _named(d: Any) -> NamedType:
    if "underlying" not in d:
        raise ValueError("missing field 'underlying'")
    return NamedType(
        pkg=_str(d, "pkg"),
        name=_str(d, "name"),
        underlying=_typeref(d["underlying"]),
        methods=tuple(_method(m) for m in _list(d, "methods")),
        type_params=tuple(str(t) for t in _list(d, "type_params")),
        doc=_str(d, "doc", ""),
        pos=_str(d, "pos", ""),
        is_alias=_bool(d, "is_alias"),
    )


def _func(d: Any) -> Func:
    return Func(
        name=_str(d, "name"),
        params=tuple(_param(p) for p in _list(d, "params", required=True)),
        results=tuple(_param(p) for p in _list(d, "results", required=True)),
        variadic=_bool(d, "variadic"),
        type_params=tuple(str(t) for t in _list(d, "type_params")),
        doc=_str(d, "doc", ""),
        pos=_str(d, "pos", ""),
        constraints=tuple(_constraint(c) for c in _list(d, "constraints")),
    )


def _constraint(d: Any) -> Constraint:
    return Constraint(
        spelling=_str(d, "spelling"),
        comparable=_bool(d, "comparable"),
        methods=tuple(str(m) for m in _list(d, "methods")),
        restricted=_bool(d, "restricted"),
        terms=tuple(Term(type=_typeref(t.get("type")), tilde=_bool(t, "tilde")) for t in _list(d, "terms")),
    )


def _const(d: Any) -> Const:
    kind = _str(d, "kind")
    if kind not in _CONST_KINDS:
        raise ValueError(f"unknown constant kind {kind!r}")
    return Const(
        name=_str(d, "name"),
        type=_typeref(d.get("type")),
        kind=kind,  # type: ignore[arg-type]  # checked against ConstKind above
        value=_str(d, "value"),
        doc=_str(d, "doc", ""),
        pos=_str(d, "pos", ""),
    )


def _var(d: Any) -> Var:
    return Var(
        name=_str(d, "name"), type=_typeref(d.get("type")), doc=_str(d, "doc", ""), pos=_str(d, "pos", "")
    )


def _package(d: Any) -> Package:
    mod = d.get("module")
    return Package(
        path=_str(d, "path"),
        name=_str(d, "name"),
        doc=_str(d, "doc", ""),
        standard=_bool(d, "standard"),
        module=None if mod is None else Module(path=_str(mod, "path"), version=_str(mod, "version", "")),
        funcs=tuple(_func(f) for f in _list(d, "funcs")),
        types=tuple(str(t) for t in _list(d, "types")),
        consts=tuple(_const(c) for c in _list(d, "consts")),
        vars=tuple(_var(v) for v in _list(d, "vars")),
    )


def surface_from_json(text: str | bytes) -> Surface:
    """Build a :class:`Surface` from the extractor's (or :func:`surface_to_json`'s) JSON.

    Raises ValueError when the document does not match the model.
    """
    try:
        d = json.loads(text)
        if not isinstance(d, dict):
            raise ValueError("the surface must be a JSON object")
        named = d.get("named") or {}
        if not isinstance(named, dict):
            raise ValueError("field 'named' must be an object")
        return Surface(
            go_version=_str(d, "go_version"),
            packages=tuple(_package(p) for p in _list(d, "packages", required=True)),
            # Sorted so that equal surfaces compare, iterate and serialize alike.
            named={k: _named(named[k]) for k in sorted(named)},
            requested=tuple(str(x) for x in _list(d, "requested")),
        )
    except (KeyError, TypeError, AttributeError) as e:
        # A wrong JSON shape (a list where an object belongs, ...) surfaces as one of
        # these from deep inside the decoders; report it as the ValueError it is.
        raise ValueError(f"malformed surface JSON: {e!r}") from e


# ---- dataclasses -> JSON ----


def _to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            # Same convention as the extractor: a field at its default is omitted.
            if f.default is not dataclasses.MISSING and v == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and v == f.default_factory():
                continue
            out[f.name] = _to_jsonable(v)
        return out
    if isinstance(obj, (tuple, list)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _to_jsonable(v) for k, v in obj.items()}
    return obj


def surface_to_json(s: Surface) -> str:
    """Serialize ``s`` deterministically; :func:`surface_from_json` reads it back equal."""
    return json.dumps(_to_jsonable(s), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# ---- building and running the extractor ----


def extractor_binary(toolchain: GoToolchain, cache_dir: Path) -> Path:
    """The extractor built with ``toolchain``, built now if not cached yet (a host tool:
    :mod:`goffi.hosttools`, cached in ``<cache>/tools/``). It has no dependencies."""
    return host_tool(
        "extractor",
        EXTRACTOR_DIR,
        toolchain,
        cache_dir,
        label="surface extractor",
        error=ExtractionError,
    )


def _compile_errors(stderr: str) -> tuple[str, str] | None:
    """(package, errors) when the extractor failed because Go could not compile a package.

    The extractor reports ``package P: # P; file.go:L:C: message; ...`` for those.
    """
    m = re.search(r"package (\S+): # \S+;? ?(.*)", stderr, flags=re.S)
    if m is None or not re.search(r"\.go:\d+:\d+: ", m.group(2)):
        return None
    return m.group(1), "\n".join(part.strip() for part in m.group(2).split("; ") if part.strip())


def extract(
    packages: Sequence[str],
    workdir: Path,
    toolchain: GoToolchain,
    cache_dir: Path,
    env: Mapping[str, str] | None = None,
) -> Surface:
    """Extract the surface of ``packages`` (import paths), resolved from ``workdir``.

    ``workdir`` must be inside a Go module that can resolve the packages; ``env``
    adds to the toolchain's environment (e.g. ``GOFLAGS=-mod=mod``). The packages
    come back in the order given. Raises ExtractionError if any package cannot be
    loaded (missing, or does not compile), with Go's message.
    """
    if isinstance(packages, str):
        # A lone string is a Sequence[str] too, and would be extracted letter by letter.
        raise TypeError("packages must be a sequence of import paths, not a string")
    pkgs = list(packages)
    if not pkgs:
        raise ValueError("no packages to extract")
    binary = extractor_binary(toolchain, cache_dir)
    # GOFFI_GO makes the extractor's `go list` use this exact toolchain, not
    # whichever go is first on PATH (whose export data it might not read).
    run_env = toolchain.env(GOFFI_GO=str(toolchain.go), **dict(env or {}))
    proc = subprocess.run([str(binary), *pkgs], cwd=workdir, env=run_env, capture_output=True)
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace").strip()
        if store.is_no_space(stderr):
            raise ExtractionError(
                store.disk_full_message(f"Go was reading the API of {', '.join(pkgs)}", stderr)
            )
        broken = _compile_errors(stderr)
        if broken is not None:
            raise ExtractionError(
                f"Go cannot compile {broken[0]}, so goffi cannot read its API:\n{broken[1]}\n"
                "This is not a goffi bug: the package does not build on its own. Fix it (`go build` "
                "in its folder shows the same errors) and load it again."
            )
        raise ExtractionError(f"cannot extract the API of {', '.join(pkgs)} (from {workdir}): {stderr}")
    try:
        return surface_from_json(proc.stdout)
    except ValueError as e:
        raise ExtractionError(
            f"the surface extractor printed malformed output for {', '.join(pkgs)}: {e}"
        ) from e
