"""The memory case: a million live handle objects, each contender in a new process.

Each contender runs in its own child (``python -m goffi.bench.memory worker KIND N
ROUNDS``): what earlier cases left in the benchmark's heap (64 MiB buffers, a million
floats) would blur an RSS reading, and goffi's handle table and the floor's cgo.Handle
table would share one Go heap and one GC pace.

A round creates N handles (one constructor call each, in a list comprehension), reads
RSS, drops them, collects, checks goffi's live handle count is back where it started,
then hands free memory back to the OS (Go's ``debug.FreeOSMemory``, glibc's
``malloc_trim``) and reads RSS again. The row's value is the first round's RSS growth
per handle: what N live handles cost a process that never held any. The checks compare
the rounds: once the first has come and gone, later ones must not leave RSS higher.
"""

from __future__ import annotations

import argparse
import array
import ctypes
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

from goffi.bench.context import Bench
from goffi.bench.model import NOT_MEASURED, Check, Result, Row
from goffi.bench.procs import ProcessFailed, run_timed

FLOOR = "floor (cgo.Handle)"
MiB = 1 << 20
#: Later rounds may leave RSS this much higher per handle: far less than any object a
#: leak would keep (a Python int is 32 B, a handle table entry more), far more than
#: page-level noise once free memory has gone back to the OS.
GROWTH_PER_HANDLE = 8


# ------------------------------------------------------------------------------ worker


def rss() -> int:
    """The process's resident set, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError("VmRSS is missing from /proc/self/status")


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0): malloc's free memory back to the OS (a no-op elsewhere)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


#: One reading of the process's memory (see :func:`worker`).
STATE = ("rss", "go_live", "go_held", "go_other", "blocks", "handles")
#: What a round records: the state while the handles live, right after release, and
#: once free memory went back to the OS; RSS before creating; the times.
ROUND = (
    "rss_before",
    "create_ns",
    "release_ns",
    *(f"live.{k}" for k in STATE),
    *(f"released.{k}" for k in STATE),
    *(f"settled.{k}" for k in STATE),
)


def worker(kind: str, n: int, rounds: int) -> dict[str, Any]:
    """Create and drop ``n`` handles ``rounds`` times in this (new) process; the readings.

    Readings go into an array allocated before the first round: a Python object made
    while a million handles live (a dict of readings) would land in an allocator arena
    of their time and keep that whole arena after they are gone, which reads as about
    1 MiB of growth per round for any contender, the floor included.
    """
    import goffi
    from goffi.bench.subjects import load_subjects

    subjects = load_subjects()
    go = subjects.go
    make = go.NewCounter if kind == "goffi" else subjects.floor.Counter
    trim = _malloc_trim()
    buf = array.array("q", bytes(8 * len(ROUND) * (rounds + 1)))
    at = {name: i for i, name in enumerate(ROUND)}

    def read(i: int, *, go_heap: bool = True) -> None:
        """STATE into buf[i:]; the Go heap reading runs a full Go collection first."""
        live, held, other = go.GoHeap() if go_heap else (-1, -1, -1)
        buf[i], buf[i + 1], buf[i + 2], buf[i + 3] = rss(), live, held, other
        buf[i + 4], buf[i + 5] = sys.getallocatedblocks(), goffi.live_handles()

    def settle(i: int) -> None:
        gc.collect()
        go.GoFreeOSMemory()
        trim()
        read(i)

    warm = [make() for _ in repeat(None, 1000)]  # first-call costs (class set-up, code paths)
    assert warm[0].Inc() == 1
    del warm
    settle(at["settled.rss"])  # the start, in slot 0 (round r is in slot r + 1)
    start = dict(zip(STATE, buf[at["settled.rss"] : at["settled.rss"] + len(STATE)], strict=False))
    for r in range(rounds):
        base = (r + 1) * len(ROUND)
        gc.collect()
        buf[base + at["rss_before"]] = rss()
        t0 = time.perf_counter_ns()
        objs = [make() for _ in repeat(None, n)]
        buf[base + at["create_ns"]] = time.perf_counter_ns() - t0
        read(base + at["live.rss"])
        t0 = time.perf_counter_ns()
        del objs
        gc.collect()
        buf[base + at["release_ns"]] = time.perf_counter_ns() - t0
        read(base + at["released.rss"], go_heap=False)  # as the program sees it: no forced Go GC
        settle(base + at["settled.rss"])
    out_rounds = []
    for r in range(rounds):
        values = dict(zip(ROUND, buf[(r + 1) * len(ROUND) : (r + 2) * len(ROUND)], strict=False))
        entry: dict[str, Any] = {k: v for k, v in values.items() if "." not in k}
        for group in ("live", "released", "settled"):
            entry[group] = {k: values[f"{group}.{k}"] for k in STATE}
        out_rounds.append(entry)
    return {"kind": kind, "n": n, "start": start, "rounds": out_rounds}


# ------------------------------------------------------------------------------- case


def _run_worker(kind: str, n: int, rounds: int) -> dict[str, Any]:
    argv = [sys.executable, "-m", "goffi.bench.memory", "worker", kind, str(n), str(rounds)]
    _, out = run_timed(argv, dict(os.environ))
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def _per_handle(data: dict[str, Any]) -> list[float]:
    n = data["n"]
    return [(r["live"]["rss"] - r["rss_before"]) / n for r in data["rounds"]]


def _result(label: str, data: dict[str, Any]) -> Result:
    per = _per_handle(data)
    return Result(label, ns=per[0], samples=per, per_rep=data["n"], group=f"memory-{label}")


def _mib(x: float) -> str:
    return f"{x / MiB:+.1f} MiB"


def _checks(data: dict[str, Any]) -> list[Check]:
    n, start, rounds = data["n"], data["start"], data["rounds"]
    back = all(r["released"]["handles"] == start["handles"] for r in rounds)
    counts = ", ".join(str(r["released"]["handles"]) for r in rounds)
    settled = [r["settled"]["rss"] - start["rss"] for r in rounds]
    growth = settled[-1] - settled[0]
    limit = max(n * GROWTH_PER_HANDLE, MiB)
    blocks = [r["released"]["blocks"] for r in rounds]
    extra_blocks = blocks[-1] - blocks[0]
    return [
        Check(
            "handles released",
            back,
            f"live_handles() after each round's del + gc.collect(): {counts} (at start: {start['handles']})",
        ),
        Check(
            "no growth",
            growth <= limit,
            "RSS after release (free memory returned to the OS), against the start: "
            + ", ".join(f"round {i + 1} {_mib(s)}" for i, s in enumerate(settled))
            + f"; growth after round 1: {_mib(growth)}, limit {limit / MiB:.1f} MiB "
            f"({GROWTH_PER_HANDLE} B per handle)",
        ),
        Check(
            "no Python objects kept",
            extra_blocks <= n // 100 + 100,
            f"Python's allocated blocks after release: {', '.join(f'{b:,}' for b in blocks)} "
            f"({extra_blocks:+,} after round 1; limit {n // 100 + 100:,})",
        ),
    ]


def _notes(goffi: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    n = goffi["n"]
    notes = []
    for label, data in (("goffi", goffi), ("floor", floor)):
        first, start = data["rounds"][0], data["start"]
        grew = first["live"]["rss"] - first["rss_before"]
        go_live = first["live"]["go_live"] - start["go_live"]
        go_held = first["live"]["go_held"] - start["go_held"]
        later = _per_handle(data)[1:]
        creates = sorted(r["create_ns"] / n for r in data["rounds"])
        releases = sorted(r["release_ns"] / n for r in data["rounds"])
        notes.append(
            f"{label}, round 1: RSS {_mib(grew)} ({grew / n:.0f} B/handle) = Go heap held {_mib(go_held)} "
            f"(live objects {go_live / n:.0f} B/handle) + the rest (Python objects, C, malloc) "
            f"{_mib(grew - go_held)} ({(grew - go_held) / n:.0f} B/handle); later rounds "
            f"{', '.join(f'{x:.0f}' for x in later)} B/handle, reusing what round 1 left"
        )
        kept = first["settled"]
        notes.append(
            f"{label}, after release (free memory returned to the OS): RSS {_mib(kept['rss'] - start['rss'])} "
            f"above the start, Go live heap {_mib(kept['go_live'] - start['go_live'])}; "
            f"creating took {creates[len(creates) // 2] / 1e3:.2f} µs/handle, "
            f"releasing (del + gc.collect()) {releases[len(releases) // 2] / 1e3:.2f} µs/handle (medians)"
        )
    kept_go = goffi["rounds"][0]["settled"]["go_live"] - goffi["start"]["go_live"]
    if kept_go > n * 16:
        notes.append(
            f"goffi keeps {_mib(kept_go)} of live Go heap after every handle is released, though "
            "rt.Handles remakes its maps once the live handles fall to 1/8 of their peak: something "
            "else holds it"
        )
    notes.append(
        f"each contender in its own new process: {n:,} x NewCounter() (goffi) or floor.Counter() (a 24-byte "
        "C object holding a cgo.Handle) in a list comprehension; RSS from /proc/self/status"
    )
    return notes


def handles_1m(b: Bench) -> Row:
    n = b.settings.handles_n
    rounds = 2 if b.settings.quick else 3
    row = Row(case="handles_1m", title=f"{n:,} live handle objects: memory", unit="B/handle")
    row.target_of, row.target_text = FLOOR, "bytes per handle reported; no growth after release"
    try:
        goffi = _run_worker("goffi", n, rounds)
        floor = _run_worker("floor", n, rounds)
    except ProcessFailed as e:
        row.status, row.reason = NOT_MEASURED, f"not measured: {e}"
        return row
    row.goffi = _result("goffi", goffi)
    row.baselines = [_result(FLOOR, floor)]
    row.checks = _checks(goffi)
    row.notes = _notes(goffi, floor)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goffi.bench.memory")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser(
        "worker", help="create and drop handles, print the readings as JSON (run by the suite)"
    )
    w.add_argument("kind", choices=["goffi", "floor"])
    w.add_argument("n", type=int)
    w.add_argument("rounds", type=int)
    args = parser.parse_args(argv)
    print(json.dumps(worker(args.kind, args.n, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
