"""The edit loop and cold builds, in CPU-seconds of every process they start.

``rebuild``: a local package is built once, then a function body is changed by one line
and ``goffi.load`` builds it again, in a new process; the baseline is a minimal
hand-written cgo ``c-shared`` library of the same package (one ``//export`` calling it),
rebuilt with ``go build`` after the same kind of edit, in the same rounds (issue 14).

``cold_build_cpu`` (opt-in, ``--cold``: it empties Go's build cache, minutes of CPU):
``goffi.load('strings')`` with an empty ``GOCACHE`` (goffi's tools cached; the notes give
the first build with an empty goffi cache too, which builds them), beside
gopy's build of ``strings`` with an empty ``GOCACHE`` when ``--gopy`` could install it, and
a minimal hand-written cgo build of ``strings`` otherwise (issue 16, item 4).

CPU time is the children's user + system time (``RUSAGE_CHILDREN``), which covers Go,
the C compiler and the linker wherever they ran; wall time on a shared machine says less.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from goffi.bench.context import Bench
from goffi.bench.model import NOT_MEASURED, Result, Row
from goffi.bench.procs import ProcessFailed, child_env
from goffi.toolchain import find_go

_MODULE = "example.com/edit"
_GO_MOD = f"module {_MODULE}\n\ngo 1.24\n"
_SOURCE = """package edit

import "strings"

// Point is a record.
type Point struct{ X, Y int64 }

// Greet says hello.
func Greet(name string) string { return "hello, " + strings.ToUpper(name) }

// Add adds.
func Add(a, b int64) int64 { return a + b + 0 }

// Norm1 is |X| + |Y|.
func (p Point) Norm1() int64 { return abs(p.X) + abs(p.Y) }

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
"""
_EDITED_LINE = re.compile(r"return a \+ b \+ \d+")
_HAND_GO_MOD = (
    f"module example.com/hand\n\ngo 1.24\n\nrequire {_MODULE} v0.0.0\n\nreplace {_MODULE} => ../mod\n"
)
_HAND_MAIN = """package main

import "C"

import "example.com/edit"

//export hand_add
func hand_add(a, b C.longlong) C.longlong { return C.longlong(edit.Add(int64(a), int64(b))) }

func main() {}
"""
_HAND_BUILD = ("build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", "hand.so", ".")


def run_cpu(
    argv: Sequence[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 1800
) -> float:
    """CPU-seconds (user + system) of a child process and everything it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ProcessFailed(f"{' '.join(argv[:3])} ... timed out after {timeout:.0f}s") from None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise ProcessFailed(f"exit {done.returncode}: {last}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _edit(source: Path, n: int) -> None:
    source.write_text(_EDITED_LINE.sub(f"return a + b + {n}", source.read_text()))


def rebuild(b: Bench) -> Row:
    row = Row(case="rebuild", title="rebuild after a one-line Go change (CPU)", unit="s")
    row.target_of, row.target = "hand-written cgo", 1.5
    row.target_text = "<= 1.5x a minimal hand-written cgo c-shared build"
    assert b.scratch is not None
    root = b.scratch / "rebuild"
    # goffi's cache of the cold build (procs.strings_bundle): its extractor and C runtime are built.
    mod, hand, cache = root / "mod", root / "hand", b.scratch / "cold-cache"
    for d in (mod, hand):
        d.mkdir(parents=True, exist_ok=True)
    (mod / "go.mod").write_text(_GO_MOD)
    (mod / "edit.go").write_text(_SOURCE)
    (hand / "go.mod").write_text(_HAND_GO_MOD)
    (hand / "main.go").write_text(_HAND_MAIN)
    toolchain = find_go()
    go_env = toolchain.env(GOFLAGS="-mod=mod", GOWORK="off")
    load = [sys.executable, "-c", f"import goffi; assert goffi.load({str(mod)!r}).Add(1, 2) >= 3"]
    commands = {
        "goffi": (load, child_env(cache), None),
        "hand-written cgo": ([str(toolchain.go), *_HAND_BUILD], go_env, hand),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for argv, env, cwd in commands.values():  # the first builds: Go's cache, goffi's runtime
            run_cpu(argv, env, cwd)
        edits = 0
        for r in range(b.settings.load_reps):
            order = list(commands)[r % 2 :] + list(commands)[: r % 2]
            for name in order:
                edits += 1
                _edit(mod / "edit.go", edits)
                argv, env, cwd = commands[name]
                samples[name].append(run_cpu(argv, env, cwd) * 1e9)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    group = "rebuild"
    row.goffi = _median_result("goffi", samples["goffi"], group)
    row.baselines = [_median_result("hand-written cgo", samples["hand-written cgo"], group)]
    row.notes = [
        "CPU-seconds of all processes (Go, the C compiler, the linker); each round changes one line "
        "of a function body, then rebuilds: goffi = `goffi.load` of the package in a new Python "
        "process (extraction, analyses, rendering, go build); hand-written cgo = `go build "
        "-buildmode=c-shared -trimpath -ldflags='-s -w'` of a main package exporting one function "
        "that calls the package; Go's build cache and goffi's compiled C runtime are warm for both"
    ]
    return row


def _median_result(label: str, samples: list[float], group: str) -> Result:
    ordered = sorted(samples)
    return Result(label, ns=ordered[len(ordered) // 2], samples=samples, per_rep=1, group=group)


# ------------------------------------------------------------------------------ cold builds

_HAND_STRINGS = """package main

import "C"

import "strings"

//export hand_upper
func hand_upper(p *C.char) *C.char { return C.CString(strings.ToUpper(C.GoString(p))) }

func main() {}
"""


def cold_build_cpu(b: Bench) -> Row:
    """goffi.load('strings') with an empty Go build cache, in CPU-seconds, beside gopy."""
    row = Row(case="cold_build_cpu", title="cold build of strings, empty Go build cache (CPU)", unit="s")
    row.target_of, row.target, row.target_text = "gopy", 1.0, "<= gopy (issue 16)"
    if not b.settings.cold:
        row.status, row.reason = NOT_MEASURED, "not measured: opt-in (--cold: empties Go's build cache)"
        return row
    assert b.scratch is not None
    root = b.scratch / "cold-cpu"
    root.mkdir(parents=True, exist_ok=True)
    toolchain = find_go()
    gocache = root / "gocache"

    def fresh_gocache() -> dict[str, str]:
        shutil.rmtree(gocache, ignore_errors=True)
        gocache.mkdir()
        return {"GOCACHE": str(gocache)}

    try:
        env = dict(child_env(root / "goffi-cache"), **fresh_gocache())
        start = time.perf_counter_ns()
        goffi_cpu = run_cpu([sys.executable, "-c", "import goffi; goffi.load('strings')"], env)
        wall = time.perf_counter_ns() - start
        # Again with goffi's tools (extractor, C runtime) cached, Go's cache empty: what a
        # second project pays.
        shutil.rmtree(root / "goffi-cache" / "bundles", ignore_errors=True)
        env = dict(child_env(root / "goffi-cache"), **fresh_gocache())
        tools_warm_cpu = run_cpu([sys.executable, "-c", "import goffi; goffi.load('strings')"], env)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    # As gopy's: its own tools (the gopy binary, goimports, pybindgen) are installed
    # beforehand and not counted; goffi's are its extractor and compiled C runtime.
    row.goffi = Result("goffi", ns=tools_warm_cpu * 1e9, samples=[tools_warm_cpu * 1e9], per_rep=1)
    row.notes = [
        f"goffi: {tools_warm_cpu:.1f} CPU-s with GOCACHE empty and goffi's tools (surface extractor, "
        "C runtime archive) cached, as gopy's own tools are installed beforehand and not counted; "
        f"{goffi_cpu:.1f} CPU-s ({wall / 1e9:.1f} s wall) with GOFFI_CACHE_DIR empty too (the first "
        "build with a new Go toolchain, which builds the extractor: once per toolchain)"
    ]
    if b.settings.gopy:
        try:
            cpu = _gopy_cold_cpu(root, fresh_gocache())
            row.baselines = [Result("gopy", ns=cpu * 1e9, samples=[cpu * 1e9], per_rep=1)]
        except ProcessFailed as e:
            row.baselines = [Result("gopy", reason=f"not measured: {e}")]
    if not row.baselines or row.baselines[0].ns is None:
        hand = root / "hand"
        hand.mkdir(exist_ok=True)
        (hand / "go.mod").write_text("module example.com/handstrings\n\ngo 1.24\n")
        (hand / "main.go").write_text(_HAND_STRINGS)
        env = dict(toolchain.env(GOFLAGS="-mod=mod", GOWORK="off"), **fresh_gocache())
        try:
            cpu = run_cpu([str(toolchain.go), *_HAND_BUILD], env, hand)
        except ProcessFailed as e:
            row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
            return row
        row.baselines.append(Result("hand-written cgo", ns=cpu * 1e9, samples=[cpu * 1e9], per_rep=1))
        row.target_of, row.target_text = "hand-written cgo", "reported (gopy not measured: run with --gopy)"
        row.target = None
    return row


def _gopy_cold_cpu(root: Path, gocache_env: dict[str, str]) -> float:
    """CPU-seconds of gopy building ``strings`` with ``GOCACHE`` empty (gopy's tools are
    installed first, as ``--gopy`` does, and not counted)."""
    from goffi.bench.gopy import GopyFailed, _go_env, _require_gopy, install_tools
    from goffi.cache import cache_root

    toolchain = find_go()
    project = root / "gopy"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    (project / "go.mod").write_text("module goffi.local/gopycold\n\ngo 1.24\n")
    try:
        tools = install_tools(cache_root() / "bench" / "gopy", toolchain.go)
        _require_gopy(project, toolchain.go, tools.version, tools.pinned)
    except GopyFailed as e:
        raise ProcessFailed(str(e)) from None
    env = dict(_go_env(toolchain.go, tools.pylib, tools.gopy.parent), **gocache_env)
    argv = [
        str(tools.gopy),
        "build",
        f"-vm={sys.executable}",
        "-output=gopy_strings",
        "-name=gostrings",
        "strings",
    ]
    return run_cpu(argv, env, project)
