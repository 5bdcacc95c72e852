"""The new-process cases: a cold build of ``strings`` and a warm ``goffi.load`` of it.

Both run child interpreters with a fresh GOFFI_CACHE_DIR under the run's scratch
directory, so they never read (or pollute) the user's cache, and they never load Go
into the benchmark process. The cold build also fills that cache for the warm loads.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from goffi.bench.context import Bench
from goffi.bench.model import NOT_MEASURED, Result, Row

_LOAD_STRINGS = "import goffi, sys; m = goffi.load('strings'); print(sys.modules[m.__name__.rpartition('.')[0]].__path__[0])"


class ProcessFailed(Exception):
    """A child process of a case failed; the message is the one-line reason for the row."""


@dataclass(frozen=True)
class StringsBundle:
    cache: Path  # the GOFFI_CACHE_DIR it was built into
    package_dir: Path  # <cache>/bundles/<key>/gopkgs_<hash>
    build_ns: int  # wall time of the cold build, in a new process


def child_env(cache: Path) -> dict[str, str]:
    return dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0")


def run_timed(argv: Sequence[str], env: dict[str, str], timeout: float = 900) -> tuple[int, str]:
    """Wall time (ns) and stdout of a child process; a failure raises :class:`ProcessFailed`."""
    start = time.perf_counter_ns()
    try:
        done = subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ProcessFailed(f"{' '.join(argv[:3])} ... timed out after {timeout:.0f}s") from None
    elapsed = time.perf_counter_ns() - start
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise ProcessFailed(f"exit {done.returncode}: {last}")
    return elapsed, done.stdout


def strings_bundle(b: Bench) -> StringsBundle:
    """Cold-build ``strings`` once per run (memoized: the warm-load case reuses it)."""
    found = b.shared.get("strings_bundle")
    if isinstance(found, StringsBundle):
        return found
    if isinstance(found, ProcessFailed):
        raise found
    assert b.scratch is not None
    cache = b.scratch / "cold-cache"
    try:
        elapsed, out = run_timed([sys.executable, "-c", _LOAD_STRINGS], child_env(cache))
    except ProcessFailed as e:
        b.shared["strings_bundle"] = e
        raise
    built = StringsBundle(cache=cache, package_dir=Path(out.strip().splitlines()[-1]), build_ns=elapsed)
    b.shared["strings_bundle"] = built
    return built


def cold_build(b: Bench) -> Row:
    row = Row(case="cold_build", title="cold build of strings", unit="s", target_text="reported")
    try:
        built = strings_bundle(b)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    row.goffi = Result("goffi", ns=float(built.build_ns), samples=[float(built.build_ns)], per_rep=1)
    row.baselines = [b.gopy.get("cold_build")]
    row.notes = [
        "one `goffi.load('strings')` in a new process with an empty GOFFI_CACHE_DIR (so goffi's "
        "surface extractor is built too); Go's own build cache is warm"
    ]
    return row


# The generics row: a cold build of the packages issue 12 measures, and its .so size.
GENERIC_PACKAGES = ("slices", "maps", "github.com/samber/lo@v1.53.0")
_LOAD_GENERIC = (
    "import goffi, sys, glob, os\n"
    f"m = goffi.load(*{GENERIC_PACKAGES!r})[0]\n"
    "d = sys.modules[m.__name__.rpartition('.')[0]].__path__[0]\n"
    "print(sum(os.path.getsize(p) for p in glob.glob(os.path.join(d, '_bundle*.so'))))\n"
)


def generic_build(b: Bench) -> Row:
    """Cold build of slices, maps and lo: generic functions instantiated (issue 12), with the .so size."""
    row = Row(
        case="generic_build",
        title="cold build of slices, maps, github.com/samber/lo@v1.53.0 (generics instantiated)",
        unit="s",
        target_text="reported",
    )
    if b.settings.quick:
        row.status, row.reason = (
            NOT_MEASURED,
            "not measured: a cold build of lo takes minutes (not in --quick)",
        )
        return row
    assert b.scratch is not None
    try:
        elapsed, out = run_timed(
            [sys.executable, "-c", _LOAD_GENERIC], child_env(b.scratch / "generic-cache"), timeout=1800
        )
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    size = int(out.strip().splitlines()[-1])
    row.goffi = Result("goffi", ns=float(elapsed), samples=[float(elapsed)], per_rep=1)
    row.notes = [
        f"one `goffi.load` of {', '.join(GENERIC_PACKAGES)} in a new process with an empty GOFFI_CACHE_DIR "
        "(needs the Go module proxy); Go's own build cache is warm",
        f"_bundle .so: {size / 1e6:.1f} MB",
    ]
    try:
        _, report = run_timed(
            [sys.executable, "-m", "goffi", "inspect", "--json", *GENERIC_PACKAGES],
            child_env(b.scratch / "generic-cache"),
        )
    except ProcessFailed:
        return row
    symbols = [s for p in json.loads(report)["packages"] if p["requested"] for s in p["symbols"]]
    funcs = [s for s in symbols if s["kind"] == "func"]
    made = sum(
        1 for s in funcs if s["status"] == "bridged" for n in s["notes"] if n.startswith("instantiated ")
    )
    generic = sum(1 for s in funcs if any(n.startswith("instantiated ") for n in s.get("notes", ())))
    row.notes.append(
        f"{sum(1 for s in funcs if s['status'] == 'bridged')} of {len(funcs)} functions bridged, {generic} of "
        f"them generic, in {made} instantiations (each one Go export and one C function): "
        f"{size / max(made, 1) / 1e3:.1f} KB of .so per instantiation at most"
    )
    return row


def warm_load(b: Bench) -> Row:
    row = Row(case="warm_load", title="warm goffi.load('strings'), new process", unit="ms")
    row.target_of, row.target, row.target_text = "direct import", 1.5, "<= 1.5x direct import"
    try:
        built = strings_bundle(b)
        found = b.shared.get("start_times")
        times = found if isinstance(found, dict) else _interleaved_starts(b, built)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    bare = times["bare"]
    nets = {k: [t - base for t, base in zip(v, bare, strict=False)] for k, v in times.items() if k != "bare"}
    row.goffi = _net_result("goffi", nets["goffi"])
    row.baselines = [_net_result("direct import", nets["direct"])]
    row.notes = [
        f"each is `python -c` in a new process minus a bare `python -c pass` started in the same "
        f"round (bare: median {statistics.median(bare) / 1e6:.1f} ms, {len(bare)} rounds); "
        "direct import = sys.path + `import gopkgs.strings` of the cached bundle"
    ]
    return row


# Issue 14: importing a warm bundle costs at most this much over bare Python.
BUNDLE_IMPORT_BUDGET_MS = 50.0


def bundle_import(b: Bench) -> Row:
    """The import of a built bundle's module (sys.path + import), net of a bare interpreter.

    What a wheel's user pays: the bundle's modules, goffi's runtime and the Go runtime's
    start, and no build pipeline. Measured in the same rounds as warm_load.
    """
    row = Row(case="bundle_import", title="import of a built bundle (strings), new process", unit="ms")
    budget = f"{BUNDLE_IMPORT_BUDGET_MS:.0f} ms budget"
    row.target_of, row.target = budget, 1.0
    row.target_text = f"<= {BUNDLE_IMPORT_BUDGET_MS:.0f} ms over bare Python (gopy: 37 ms in the issue)"
    try:
        built = strings_bundle(b)
        times = b.shared.get("start_times")
        if not isinstance(times, dict):
            times = _interleaved_starts(b, built)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    bare = times["bare"]
    row.goffi = _net_result("goffi", [t - base for t, base in zip(times["direct"], bare, strict=False)])
    row.baselines = [
        Result(budget, ns=BUNDLE_IMPORT_BUDGET_MS * 1e6, samples=[BUNDLE_IMPORT_BUDGET_MS * 1e6])
    ]
    row.notes = [
        "`python -c 'import sys; sys.path.insert(0, ...); import gopkgs.strings'` in a new process minus "
        f"a bare `python -c pass` of the same round (bare: median {statistics.median(bare) / 1e6:.1f} ms); "
        "the bundle imports goffi.runtime (and goffi.runtime.bridge: strings has func parameters), "
        "never goffi's build pipeline"
    ]
    return row


def _net_result(label: str, nets: list[float]) -> Result:
    return Result(label, ns=statistics.median(nets), samples=nets, per_rep=1, group="warm_load")


def _interleaved_starts(b: Bench, built: StringsBundle) -> dict[str, list[float]]:
    """Start times of the three kinds of process, interleaved round by round."""
    env = child_env(built.cache)
    parent = str(built.package_dir.parent)
    commands = {
        "bare": [sys.executable, "-c", "pass"],
        "goffi": [sys.executable, "-c", "import goffi; goffi.load('strings')"],
        "direct": [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {parent!r}); import {built.package_dir.name}.strings",
        ],
    }
    order = list(commands)
    for name in order:  # warm-up: page cache, .pyc files, goffi's toolchain probe cache
        run_timed(commands[name], env)
    times: dict[str, list[float]] = {name: [] for name in order}
    for r in range(b.settings.load_reps):
        shift = r % len(order)
        for name in order[shift:] + order[:shift]:
            times[name].append(float(run_timed(commands[name], env)[0]))
    b.shared["start_times"] = times  # bundle_import reads the same rounds
    return times
