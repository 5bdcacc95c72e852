"""Memory analysis: whether Go may keep a parameter's memory after the call returns.

A pipeline stage between surface extraction and planning. goffi lends some arguments'
memory for the call only: a ``[]byte`` parameter is a view of the caller's buffer (or of
a copy in the call's arena), and so are the byte slices inside ``[][]byte`` or
``map[string][]byte`` arguments and the slices of a ``zero_copy=`` function. If Go keeps
such a slice (``bytes.NewReader(b)`` stores it in the Reader it returns), later reads see
memory that is gone. This stage asks the Go compiler: its escape analysis
(``go build -gcflags=-m``) reports for every parameter of every function of a package
whether it leaks (to the heap, or into a result) or does not escape. :func:`analyse_memory`
compiles only the requested packages with ``-m`` (their dependencies are built as the
bundle builds them, and Go's build cache keeps and replays the compiler's report), reads
each function's parameter positions from its source, and matches the report to them by
``file:line:col``. The output, :class:`MemoryAnalysis`, holds the compiler's facts per
parameter; :mod:`goffi.plan` turns them into verdicts (a leak into a result that goffi
copies to Python is no leak) and ``goffi inspect`` shows them.

Anything the compiler did not report on (no diagnostic, a source that does not parse, an
assembly function, a method promoted from another package) is unknown, and unknown means
"Go may keep it": the planner then gives Go a Go-allocated copy, which is always safe.
"""

from __future__ import annotations

import bisect
import re
import subprocess
from collections.abc import Mapping as AbcMapping
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from goffi.signatures import plain_params
from goffi.surface.model import Param, Surface
from goffi.toolchain import GoToolchain


@dataclass(frozen=True)
class ParamEscape:
    """What Go's escape analysis says about one parameter (or a method's receiver).

    ``analysed`` is False when the compiler said nothing about it: then nothing is known
    and the planner assumes Go keeps it.
    """

    name: str
    analysed: bool = False
    to_heap: bool = False  # "leaking param: b" or "leaking param content: b"
    to_results: tuple[int, ...] = ()  # indices of the Go results it leaks into (the error too)
    words: str = ""  # the compiler's own words, for goffi inspect

    @property
    def escapes(self) -> bool:
        return not self.analysed or self.to_heap or bool(self.to_results)


@dataclass(frozen=True)
class FuncEscapes:
    params: tuple[ParamEscape, ...]
    receiver: ParamEscape | None = None


@dataclass(frozen=True)
class MemoryAnalysis:
    """Escape facts per function, keyed "pkgpath.Func" or "pkgpath.Type.Method".

    ``problem`` says why the analysis could not run (then ``funcs`` is empty and every
    lent parameter is treated as kept).
    """

    funcs: AbcMapping[str, FuncEscapes] = field(default_factory=dict)
    problem: str = ""

    def param(self, func_key: str, index: int) -> ParamEscape | None:
        f = self.funcs.get(func_key)
        if f is None or index >= len(f.params):
            return None
        return f.params[index]


# "path/file.go:12:7: leaking param: b" (and "b does not escape", "leaking param content: b",
# "leaking param: b to result ~r0 level=0").
_DIAG = re.compile(r"^(?P<file>[^\s:][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
_LEAK = re.compile(
    r"^leaking param( content)?: (?P<name>[\w~]+)(?: to result (?P<result>[\w~]+) level=\d+)?$"
)
_NO_ESCAPE = re.compile(r"^(?P<name>[\w~]+) does not escape$")

Diagnostics = dict[tuple[str, str, int, int], list[str]]  # (pkg, file base, line, col) -> messages


def analyse_memory(
    surface: Surface,
    workdir: Path,
    toolchain: GoToolchain,
    env: AbcMapping[str, str],
    flags: Sequence[str] = (),
) -> MemoryAnalysis:
    """Run Go's escape analysis over the requested packages of ``surface`` (built in the
    private module ``workdir`` with ``env`` and build ``flags``, as the bundle is)."""
    paths = [p.path for p in surface.packages if not surface.requested or p.path in surface.requested]
    if not paths or plain_params(surface):
        # No parameter whose memory Go could keep (goffi.signatures): the plan reads no
        # fact, so the compiler is not asked (a rebuild of such a package skips it).
        return MemoryAnalysis()
    listed = subprocess.run(
        [str(toolchain.go), "list", "-f", "{{.ImportPath}}\t{{.Dir}}", *paths],
        cwd=workdir,
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        return MemoryAnalysis(problem=f"go list failed: {listed.stderr.strip()[:500]}")
    dirs = dict(line.split("\t", 1) for line in listed.stdout.splitlines() if "\t" in line)
    done = subprocess.run(
        [str(toolchain.go), "build", *flags, "-gcflags=-m=1", *paths],
        cwd=workdir,
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return MemoryAnalysis(problem=f"go build -gcflags=-m failed: {done.stderr.strip()[:500]}")
    return facts(surface, parse_diagnostics(done.stderr + done.stdout), {k: Path(v) for k, v in dirs.items()})


def parse_diagnostics(output: str) -> Diagnostics:
    """The compiler's escape report, grouped by the go command's "# importpath" headers."""
    out: Diagnostics = {}
    pkg = ""
    for line in output.splitlines():
        if line.startswith("# "):
            pkg = line[2:].split(" ", 1)[0]
            continue
        m = _DIAG.match(line)
        if m is None or not pkg:
            continue
        key = (pkg, m["file"].rsplit("/", 1)[-1], int(m["line"]), int(m["col"]))
        out.setdefault(key, []).append(m["msg"])
    return out


def facts(surface: Surface, diags: Diagnostics, dirs: AbcMapping[str, Path]) -> MemoryAnalysis:
    """Match the report to every function and method of the requested packages."""
    funcs: dict[str, FuncEscapes] = {}
    sources = _Sources()
    for pkg in surface.packages:
        if surface.requested and pkg.path not in surface.requested:
            continue
        d = dirs.get(pkg.path)
        if d is None:
            continue
        for fn in pkg.funcs:
            found = _func_facts(pkg.path, d, fn.pos, fn.params, fn.results, diags, sources)
            if found is not None:
                funcs[f"{pkg.path}.{fn.name}"] = found
        for key in pkg.types:
            t = surface.named.get(key)
            if t is None or t.pkg != pkg.path:
                continue
            for m in t.methods:
                found = _func_facts(pkg.path, d, m.pos, m.params, m.results, diags, sources)
                if found is not None:
                    funcs[f"{pkg.path}.{t.name}.{m.name}"] = found
    return MemoryAnalysis(funcs=dict(sorted(funcs.items())))


def _func_facts(
    pkg: str,
    d: Path,
    pos: str,
    params_in: tuple[Param, ...],
    results_in: tuple[Param, ...],
    diags: Diagnostics,
    sources: _Sources,
) -> FuncEscapes | None:
    file, _, line = pos.rpartition(":")
    if not file or not line.isdigit():
        return None
    header = sources.header(d / file, int(line))
    if header is None:
        return None
    recv, params = header
    if len(params) != len(params_in):
        return None
    result_names = [r.name for r in results_in]

    def result_index(name: str) -> int | None:
        if name.startswith("~r") and name[2:].isdigit():  # an unnamed result
            return int(name[2:])
        return result_names.index(name) if name in result_names else None

    def fact(name: str, where: tuple[int, int] | None) -> ParamEscape:
        if where is None or not name or name == "_":
            # An unnamed or blank parameter cannot be used, so Go cannot keep it.
            return ParamEscape(name, analysed=not name or name == "_", words="unused")
        msgs = diags.get((pkg, file, *where), [])
        to_heap, analysed = False, False
        results: list[int] = []
        words: list[str] = []
        for msg in msgs:
            leak = _LEAK.match(msg)
            if leak is not None and leak["name"] == name:
                analysed = True
                words.append(msg)
                index = result_index(leak["result"]) if leak["result"] else None
                if index is not None:
                    results.append(index)
                else:
                    to_heap = True  # or into a result not known by name: as good as kept
                continue
            quiet = _NO_ESCAPE.match(msg)
            if quiet is not None and quiet["name"] == name:
                analysed = True
                words.append(msg)
        return ParamEscape(name, analysed, to_heap, tuple(dict.fromkeys(results)), "; ".join(words))

    params_out = tuple(fact(n, w) for n, w in params)
    receiver = fact(*recv) if recv is not None else None
    return FuncEscapes(params_out, receiver)


# ---- reading a function's header from its source ------------------------------------

_TOKEN = re.compile(
    rb"(?P<ws>[ \t\r\n]+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<str>\"(?:\\.|[^\"\\\n])*\"|`[^`]*`|'(?:\\.|[^'\\\n])*')"
    rb"|(?P<ident>[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)|(?P<punct>\.\.\.|.)",
    re.S,
)
_KEYWORDS = frozenset({b"func", b"map", b"chan", b"struct", b"interface"})

Header = tuple[tuple[str, tuple[int, int] | None] | None, list[tuple[str, tuple[int, int] | None]]]


class _Sources:
    """Source files read once each, with their line starts."""

    def __init__(self) -> None:
        self.files: dict[Path, tuple[bytes, list[int]] | None] = {}

    def header(self, path: Path, line: int) -> Header | None:
        if path not in self.files:
            try:
                src = path.read_bytes()
            except OSError:
                self.files[path] = None
            else:
                starts = [0] + [m.end() for m in re.finditer(b"\n", src)]
                self.files[path] = (src, starts)
        entry = self.files[path]
        if entry is None or not 1 <= line <= len(entry[1]):
            return None
        try:
            return _parse_header(*entry, line)
        except (ValueError, IndexError):
            return None


def _parse_header(src: bytes, starts: list[int], line: int) -> Header | None:
    """The receiver and parameters of the func declared on ``line``: (name, (line, col))
    each, the position being the name's (what the compiler's report uses); names are ""
    for unnamed parameters."""
    begin = starts[line - 1]
    at = src.find(b"func", begin, starts[line] if line < len(starts) else len(src))
    if at < 0:
        return None
    toks = _Tokens(src, at)

    def where(offset: int) -> tuple[int, int]:
        ln = bisect.bisect_right(starts, offset)
        return ln, offset - starts[ln - 1] + 1

    i = 1  # after "func"
    recv = None
    if toks[i][0] == b"(":
        group, i = _group(toks, i)
        names = _names(group)
        if names is None or len(names) != 1:
            return None
        name, off = names[0]
        recv = (name, where(off) if off >= 0 else None)
    if toks[i][2] != "ident":
        return None
    i += 1
    if toks[i][0] == b"[":
        _, i = _group(toks, i)
    if toks[i][0] != b"(":
        return None
    group, i = _group(toks, i)
    names = _names(group)
    if names is None:
        return None
    return recv, [(n, where(off) if off >= 0 else None) for n, off in names]


class _Tokens:
    """The tokens of a source from an offset on (comments and spaces left out), read as
    far as they are asked for: a header is short, the rest of the file is not read."""

    def __init__(self, src: bytes, at: int) -> None:
        self.src, self.pos = src, at
        self.toks: list[tuple[bytes, int, str]] = []

    def __getitem__(self, i: int) -> tuple[bytes, int, str]:
        while len(self.toks) <= i:
            m = _TOKEN.match(self.src, self.pos)
            if m is None or len(self.toks) >= 4000:  # the end, or no header is this long
                raise IndexError(i)
            self.pos = m.end()
            if m.lastgroup not in ("ws", "comment"):
                self.toks.append((m.group(), m.start(), m.lastgroup or ""))
        return self.toks[i]


def _group(toks: _Tokens, i: int) -> tuple[list[list[tuple[bytes, int, str]]], int]:
    """The comma-separated segments inside the bracket at toks[i], and the index after it."""
    depth = 0
    segments: list[list[tuple[bytes, int, str]]] = [[]]
    j = i
    while True:
        t, _, kind = toks[j]
        if kind == "punct" and t in (b"(", b"[", b"{"):
            depth += 1
            if depth == 1:
                j += 1
                continue
        elif kind == "punct" and t in (b")", b"]", b"}"):
            depth -= 1
            if depth == 0:
                return [s for s in segments if s], j + 1
        if depth == 1 and kind == "punct" and t == b",":
            segments.append([])
        else:
            segments[-1].append(toks[j])
        j += 1


def _names(segments: list[list[tuple[bytes, int, str]]]) -> list[tuple[str, int]] | None:
    """Parameter names (with offsets) of a parameter list's segments; ("", -1) each when
    the list names none (Go names all of a list's parameters or none)."""

    def named(seg: list[tuple[bytes, int, str]]) -> bool:
        return len(seg) >= 2 and seg[0][2] == "ident" and seg[0][0] not in _KEYWORDS and seg[1][0] != b"."

    if not any(named(s) for s in segments):
        return [("", -1) for _ in segments]
    out = []
    for seg in segments:
        if seg[0][2] != "ident":
            return None
        out.append((seg[0][0].decode(), seg[0][1]))
    return out
