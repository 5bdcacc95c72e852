"""Decode analysis: which ``any`` parameters Go decodes into (fills through a pointer).

A pipeline stage between surface extraction and planning, beside :mod:`goffi.analysis`.
``json.Unmarshal(data, v)``, ``json.Decoder.Decode(v)``, ``yaml.Unmarshal(in, out)``
(gopkg.in/yaml.v3) and ``toml.Decode(data, v)`` (BurntSushi/toml) take an ``any`` that
must be a pointer: Go writes the decoded value through it. A Python ``dict``, ``list`` or
record reaches an ``any`` as a converted copy (a ``map[string]any``, a ``[]any``, a value
of the record's struct type); for these parameters only, goffi gives Go a pointer to that
copy and writes Go's result back into the Python object after the call.

Which parameters: a body scan of each requested package's Go files (go/parser, in the
surface extractor: ``extractor -decodes``, see ``extractor/decodes.go``). A parameter of
type ``any`` decodes when its function compares ``reflect.ValueOf(p).Kind()`` with
``reflect.Ptr``/``reflect.Pointer`` (directly or through a variable), or passes ``p`` to a
function or method of the same package (by name) whose parameter does. Printers and
encoders (``fmt.Sprint``, ``json.Marshal``) do not match: they keep getting the value.
Anything the scan cannot read (a file that does not parse, another package's function)
does not decode: Go then gets the value as before, as it always did.

The same scan finds the results a function never returns nil (``extractor/nonnil.go``),
which the stubs then type as ``T`` rather than ``T | None`` (``goffi.plan.verdicts.apply_nil``).

The output, :class:`DecodeAnalysis`, is deterministic (sorted) and holds the scan's
evidence for ``goffi inspect``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path

from goffi.signatures import plain_signatures
from goffi.surface import extractor_binary
from goffi.surface.model import Surface
from goffi.toolchain import GoToolchain


@dataclass(frozen=True)
class DecodeAnalysis:
    """Parameters Go decodes into: ``funcs["pkgpath.Func"][index]`` (methods are
    ``"pkgpath.Type.Method"``) is the evidence, in words. ``problem`` says why the scan
    could not run (then nothing decodes)."""

    funcs: AbcMapping[str, AbcMapping[int, str]] = field(default_factory=dict)
    problem: str = ""
    # Map parameters Go writes into (m[k] = v, delete(m, k), clear(m), a write in a
    # function or method it is passed to), keyed like funcs: their writes come back.
    map_writes: AbcMapping[str, AbcMapping[int, str]] = field(default_factory=dict)
    # Results the scan proves never nil (extractor/nonnil.go: every return statement gives
    # &T{...}, new(T) or a value checked not nil), keyed like funcs, by result index.
    nonnil: AbcMapping[str, AbcMapping[int, str]] = field(default_factory=dict)

    def why(self, func_key: str, index: int) -> str:
        """The evidence that this parameter decodes, or "" when it does not."""
        return self.funcs.get(func_key, {}).get(index, "")

    def never_nil(self, func_key: str, index: int) -> str:
        """The evidence that this result is never nil, or "" when it may be."""
        return self.nonnil.get(func_key, {}).get(index, "")

    def writes(self, func_key: str, index: int) -> str:
        """The evidence that Go writes into this (map) parameter, or "" when it does not."""
        return self.map_writes.get(func_key, {}).get(index, "")


def analyse_decodes(
    surface: Surface, workdir: Path, toolchain: GoToolchain, cache_dir: Path, env: AbcMapping[str, str]
) -> DecodeAnalysis:
    """Scan the requested packages of ``surface`` (resolved in ``workdir``)."""
    paths = [p.path for p in surface.packages if not surface.requested or p.path in surface.requested]
    if not paths or plain_signatures(surface):
        # No any or map parameter, no result that could be nil (goffi.signatures): the plan
        # reads no verdict, so the scan does not run (a rebuild of such a package skips it).
        return DecodeAnalysis()
    binary = extractor_binary(toolchain, cache_dir)
    run_env = toolchain.env(GOFFI_GO=str(toolchain.go), **dict(env))
    proc = subprocess.run(
        [str(binary), "-decodes", *paths], cwd=workdir, env=run_env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        return DecodeAnalysis(problem=f"the decode scan failed: {proc.stderr.strip()[:500]}")
    try:
        return parse_decodes(proc.stdout)
    except (ValueError, KeyError, TypeError) as e:
        return DecodeAnalysis(problem=f"the decode scan printed malformed output: {e}")


def parse_decodes(text: str) -> DecodeAnalysis:
    """The analysis from ``extractor -decodes``'s JSON."""
    doc = json.loads(text)

    def table(kind: str) -> dict[str, dict[int, str]]:
        out: dict[str, dict[int, str]] = {}
        for d in doc.get(kind) or ():
            out.setdefault(str(d["func"]), {})[int(d["index"])] = str(d["why"])
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}

    return DecodeAnalysis(funcs=table("decodes"), map_writes=table("map_writes"), nonnil=table("nonnil"))
