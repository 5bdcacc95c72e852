"""Mutation analysis: whether Go may write into a slice parameter during the call.

A pipeline stage beside :mod:`goffi.analysis` (which says whether Go may *keep* a
parameter). A small Go program (``mutation_tool/``, built once per Go toolchain and
cached like the surface extractor) loads the requested packages and everything they
import with ``golang.org/x/tools/go/packages``, builds their SSA form
(``golang.org/x/tools/go/ssa``) and follows every slice parameter of every exported
function and method through the program: reslices, element addresses, conversions,
``copy``, ``append``, calls (interprocedurally, generic bodies and methods too, calls
through package-level func variables as the functions stored in them), closures and
goroutines. Anything it cannot follow (a func value, an interface method, a function
without a Go body, a store of the slice into memory, ``unsafe``) counts as a write,
except the interface methods and assembly routines documented not to modify their
slice (the README lists them). The output, :class:`MutationAnalysis`, holds a verdict
per slice parameter; :mod:`goffi.plan` puts it on ``ParamPlan.writes`` and ``goffi
inspect`` shows it.

The tool depends on ``golang.org/x/tools`` at a version pinned per Go release (x/tools
supports the two newest Go releases, and its go.mod names the older one, so no single
version builds with every Go goffi accepts): ``go.mod`` (x/tools v0.52.0) for Go 1.26 and
newer, ``go1.24.mod`` (x/tools v0.42.0, the newest whose go.mod accepts Go 1.24) for Go
1.24 and 1.25, each with its go.sum (see :data:`MODFILES`). Each toolchain thus builds the
tool from the x/tools that was made for it and analyses its own standard library's
source with its own go/types. The first build fetches x/tools through the Go module proxy
into Go's module cache, and later builds are offline. When the tool cannot be built or run (no network on a clean
machine, a Go too old for x/tools), :attr:`MutationAnalysis.problem` says why and every
slice parameter counts as written: goffi then copies as it always did.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path

from goffi.errors import GoffiError
from goffi.hosttools import host_tool
from goffi.signatures import UnknownNamedType, requested_signatures
from goffi.surface.model import Surface, TypeRef
from goffi.toolchain import GoToolchain, parse_go_version

TOOL_DIR = Path(__file__).resolve().parent / "mutation_tool"

# The tool's go.mod per Go release: (the oldest Go it is for, its file in TOOL_DIR), newest
# first. A toolchain builds with the first whose Go it reaches.
MODFILES: tuple[tuple[tuple[int, int, int], str], ...] = (
    ((1, 26, 0), "go.mod"),  # golang.org/x/tools v0.52.0 (its go.mod: go 1.26.0)
    ((1, 24, 0), "go1.24.mod"),  # golang.org/x/tools v0.42.0 (its go.mod: go 1.24.0)
)


def modfile_for(toolchain: GoToolchain) -> str:
    """The go.mod (in :data:`TOOL_DIR`) to build the tool with ``toolchain``."""
    if "go1." not in toolchain.version:  # a development build naming no release: the tip
        return MODFILES[0][1]
    try:
        version = parse_go_version(toolchain.version)
    except ValueError:  # find_go accepts no such toolchain; the newest go.mod says why
        return MODFILES[0][1]
    for oldest, name in MODFILES:
        if version >= oldest:
            return name
    return MODFILES[-1][1]


@dataclass(frozen=True)
class ParamWrites:
    """Whether Go may write into one slice parameter, and the evidence in words."""

    writes: bool
    why: str
    # Whether Go may keep it past the call (stored, sent, given to a goroutine, or passed
    # where the analysis cannot follow), and why; ``returned``: it may share memory with
    # a result, whose fate is the compiler's escape analysis's to judge (goffi.analysis).
    kept: bool = True
    kept_why: str = "not analysed"
    returned: bool = True


@dataclass(frozen=True)
class MutationAnalysis:
    """Verdicts per function ("pkgpath.Func" or "pkgpath.Type.Method"), one per
    parameter (None for a parameter that is not a slice). ``problem`` says why the
    analysis could not run (then every slice parameter counts as written)."""

    funcs: AbcMapping[str, tuple[ParamWrites | None, ...]] = field(default_factory=dict)
    problem: str = ""

    def param(self, func_key: str, index: int) -> ParamWrites | None:
        f = self.funcs.get(func_key)
        if f is None or index >= len(f):
            return None
        return f[index]


def tool_binary(toolchain: GoToolchain, cache_dir: Path) -> Path:
    """The analysis tool built with ``toolchain``, built now if not cached yet (a host
    tool: :mod:`goffi.hosttools`). Its one dependency (x/tools, pinned per Go release by
    :data:`MODFILES`) comes from Go's module cache, or the module proxy the first time. Raises
    :class:`RuntimeError` with Go's words when it cannot be built."""
    return host_tool(
        "mutation",
        TOOL_DIR,
        toolchain,
        cache_dir,
        label="mutation analysis tool",
        error=RuntimeError,
        goflags="-mod=readonly",
        modfile=modfile_for(toolchain),
    )


def analyse_mutation(
    surface: Surface, workdir: Path, toolchain: GoToolchain, cache_dir: Path, env: AbcMapping[str, str]
) -> MutationAnalysis:
    """Run the analysis over the requested packages of ``surface`` (resolved in the
    bundle's private module ``workdir``, with ``env``, as the bundle builds)."""
    paths = [p.path for p in surface.packages if not surface.requested or p.path in surface.requested]
    if not paths or not has_slice_params(surface):
        return MutationAnalysis()  # no question to ask: the plan reads verdicts of slice parameters only
    try:
        binary = tool_binary(toolchain, cache_dir)
    except (RuntimeError, GoffiError) as e:  # no network for x/tools, a full disk: copy as before
        return MutationAnalysis(problem=str(e).splitlines()[0][:800])
    # go/packages runs the `go` it finds on PATH: this toolchain's, first.
    path = os.pathsep.join([str(Path(toolchain.go).parent), os.environ.get("PATH", "")])
    run_env = toolchain.env(PATH=path, **dict(env))
    proc = subprocess.run([str(binary), *paths], cwd=workdir, env=run_env, capture_output=True, text=True)
    if proc.returncode != 0:
        return MutationAnalysis(problem=f"the mutation analysis failed: {proc.stderr.strip()[:500]}")
    try:
        return parse_mutation(proc.stdout)
    except (ValueError, KeyError, TypeError) as e:
        return MutationAnalysis(problem=f"the mutation analysis printed malformed output: {e}")


def has_slice_params(surface: Surface) -> bool:
    """Whether a function or method the analysis gives verdicts on may have a slice
    parameter: the functions of the requested packages and the methods of their types
    (promoted ones too, through embedded fields). goffi.plan reads verdicts of slice
    parameters only, and only of these (the tool analyses the requested packages).

    Conservative: a type parameter, or a named type the surface does not hold, counts as
    a slice. Without one, the analysis (seconds of CPU: it loads and builds the SSA form
    of every package imported) would answer nothing the plan asks, so it is not run: a
    rebuild after an edit of such a package pays nothing for it.
    """

    def slice_like(ref: TypeRef) -> bool:
        if ref.kind == "named":
            named = surface.named.get(ref.named_key)
            return named is None or named.type_params != () or slice_like(named.underlying)
        return ref.kind in ("slice", "typeparam")

    try:
        return any(slice_like(p.type) for params, _ in requested_signatures(surface) for p in params)
    except UnknownNamedType:
        return True


def parse_mutation(text: str) -> MutationAnalysis:
    """The analysis from the tool's JSON."""
    doc = json.loads(text)
    if doc.get("problem"):
        return MutationAnalysis(
            problem=f"the mutation analysis could not load the packages: {doc['problem'][:500]}"
        )
    funcs: dict[str, tuple[ParamWrites | None, ...]] = {}
    for name, verdicts in sorted((doc.get("funcs") or {}).items()):
        funcs[str(name)] = tuple(
            None
            if v is None
            else ParamWrites(
                writes=bool(v["writes"]),
                why=str(v["why"]),
                kept=bool(v.get("kept", True)),
                kept_why=str(v.get("kept_why", "not analysed")),
                returned=bool(v.get("returned", True)),
            )
            for v in verdicts
        )
    return MutationAnalysis(funcs=funcs)
