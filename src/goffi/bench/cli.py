"""``python -m goffi.bench``: build, run the selected cases, print the table, write JSON."""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from goffi.bench.context import Bench, Settings
from goffi.bench.gopy import measure_gopy
from goffi.bench.model import NOT_MEASURED, Row
from goffi.bench.report import machine, read_json, render_markdown, render_text, to_json, write_json
from goffi.bench.subjects import GOBENCH_DIR, load_subjects
from goffi.bench.suite import CASES, Case
from goffi.cache import cache_root
from goffi.runtime import loaded_bundle
from goffi.toolchain import find_go


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m goffi.bench",
        description="goffi's benchmark suite: each case against its baselines, measured in the same run.",
    )
    p.add_argument("--quick", action="store_true", help="run every case once with tiny sizes (a smoke test)")
    p.add_argument("--cases", default="", metavar="REGEX", help="only the cases whose id matches REGEX")
    p.add_argument(
        "--json", default="bench-results.json", type=Path, metavar="PATH", help="(default: %(default)s)"
    )
    p.add_argument("--reps", type=int, default=None, help="repetitions per contender (default: 9; quick: 1)")
    p.add_argument(
        "--gopy", action="store_true", help="also build and time gopy (installs gopy and pybindgen)"
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="also time cold builds with an empty Go build cache (cold_build_cpu: minutes of CPU)",
    )
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    p.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="run nothing: print the table of an earlier run from its --json file (e.g. with --markdown)",
    )
    p.add_argument("--list", action="store_true", help="list the case ids and exit")
    return p.parse_args(argv)


def select(pattern: str) -> list[Case]:
    regex = re.compile(pattern)
    return [c for c in CASES if regex.search(c.id)]


def progress(text: str) -> None:
    print(f"goffi.bench: {text}", file=sys.stderr, flush=True)


def run_case(case: Case, bench: Bench) -> Row:
    """One row; a case that crashes becomes a 'not measured' row instead of ending the run."""
    try:
        return case.run(bench)
    except Exception as e:
        first = (str(e).strip().splitlines() or [""])[0]
        reason = f"not measured: case failed: {type(e).__name__}: {first}"
        return Row(case=case.id, title=case.id, status=NOT_MEASURED, reason=reason)


def header(bench: Bench, go_version: str) -> list[str]:
    s = bench.settings
    lines = machine(go_version).lines()
    if s.quick:
        lines.append("mode:    --quick: each case runs once with tiny sizes; the numbers mean nothing")
    else:
        lines.append(
            f"mode:    median of {s.reps} repetitions of ~{s.target_ns / 1e6:.0f} ms each, contenders "
            f"interleaved round by round; new-process cases: {s.load_reps} rounds"
        )
        lines.append("         goffi/base: the median of per-round ratios when both ran in the same rounds")
    if bench.loop_ns:
        lines.append(
            f"         per-call times are net of the timing loop "
            f"(median {statistics.median(bench.loop_ns):.1f} ns per iteration, measured in the same rounds)"
        )
    if s.gopy:
        lines.append(
            "         gopy runs in its own processes (its own Go runtime): not interleaved with goffi"
        )
        if bench.gopy.note:
            lines.append(f"         {bench.gopy.note}")
    return lines


def run(args: argparse.Namespace) -> int:
    selected = select(args.cases)
    if not selected:
        print(f"no case id matches {args.cases!r}; ids: {', '.join(c.id for c in CASES)}", file=sys.stderr)
        return 2
    settings = Settings.make(args.quick, args.gopy, args.reps, args.cold)
    with tempfile.TemporaryDirectory(prefix="goffi-bench-") as scratch:
        bench = Bench(settings, load_subjects, scratch=Path(scratch))
        go = find_go()
        if settings.gopy and any(c.uses_gopy for c in selected):
            progress("gopy: installing, building and timing it in its own processes ...")
            root = cache_root() / "bench" / "gopy"
            bench.gopy = measure_gopy(settings, root, Path(scratch) / "gopy", GOBENCH_DIR / "api.go", go.go)
        rows = []
        for case in selected:
            progress(f"{case.id} ...")
            row = run_case(case, bench)
            row.judged = not settings.quick
            rows.append(row)
    lines = header(bench, go.version)
    render = render_markdown if args.markdown else render_text
    sys.stdout.write(render(rows, lines))
    settings_json = dict(settings.__dict__, loop_ns=bench.loop_ns)
    write_json(args.json, to_json(rows, machine(go.version), settings_json, lines))
    progress(f"wrote {args.json}")
    return 0


def render_saved(args: argparse.Namespace) -> int:
    """Print the table of an earlier run (its JSON), as text or Markdown."""
    rows, lines = read_json(args.render)
    render = render_markdown if args.markdown else render_text
    sys.stdout.write(render(rows, lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite in this process, or in a child when this one already holds a Go runtime."""
    args = parse_args(argv)
    if args.list:
        for c in CASES:
            print(c.id)
        return 0
    if args.render is not None:
        return render_saved(args)
    if loaded_bundle() is not None:
        # The bench loads its own bundle; a second Go runtime in one process is unsupported.
        return subprocess.call(
            [sys.executable, "-m", "goffi.bench", *(sys.argv[1:] if argv is None else argv)]
        )
    return run(args)
