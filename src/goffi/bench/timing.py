"""Timing primitives: call loops, calibration, and interleaved repetitions.

Every contender of a case (goffi and its baselines) is measured in the same rounds,
one repetition each in turn and in a rotating order, so a burst of machine noise hits
all of them alike and the ratios between them hold even when absolute times wander.

This module imports nothing from goffi's build pipeline and never loads Go: the gopy
worker process uses it too, next to a different Go runtime.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

#: Runs the measured operation n times.
Runner = Callable[[int], None]


def call_loop(fn: Callable[..., Any], *args: Any) -> Runner:
    """A runner calling ``fn(*args)`` n times, with as little loop overhead as Python allows.

    Arities 0-2 get dedicated loops (the call site is then a plain CALL with local
    arguments, as in user code); ``itertools.repeat`` is the cheapest iterator (timeit's).
    """
    if len(args) == 0:

        def run0(n: int) -> None:
            f = fn
            for _ in repeat(None, n):
                f()

        return run0
    if len(args) == 1:
        (a0,) = args

        def run1(n: int) -> None:
            f, x = fn, a0
            for _ in repeat(None, n):
                f(x)

        return run1
    if len(args) == 2:
        a0, a1 = args

        def run2(n: int) -> None:
            f, x, y = fn, a0, a1
            for _ in repeat(None, n):
                f(x, y)

        return run2

    def run_n(n: int) -> None:
        f, xs = fn, args
        for _ in repeat(None, n):
            f(*xs)

    return run_n


def inc_loop(counter: Any) -> Runner:
    """``counter.Inc()`` n times, spelled as user code spells a method call (LOAD_METHOD, CALL)."""

    def run(n: int) -> None:
        c = counter
        for _ in repeat(None, n):
            c.Inc()

    return run


def empty_loop(n: int) -> None:
    """The harness alone: the same loop with no call, subtracted from per-call cases."""
    for _ in repeat(None, n):
        pass


@dataclass(frozen=True)
class Contender:
    """One way of doing a case's operation (goffi, or a baseline)."""

    label: str
    run: Runner
    # The fewest operations a calibrated repetition runs: where one call of run has a fixed
    # cost (starting goroutines, waking a thread), enough operations to spread it thin,
    # even if a hiccup of the machine slows the calibrating runs.
    min_n: int = 1


@dataclass
class Samples:
    """Per-operation times (ns) of one contender, one per repetition."""

    label: str
    per_call: int  # operations per repetition (calibrated)
    ns_per_op: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.ns_per_op)


def time_once(run: Runner, n: int) -> int:
    """Wall time in ns of ``run(n)``, with the garbage collector off (as timeit does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        run(n)
        return time.perf_counter_ns() - start
    finally:
        if enabled:
            gc.enable()


def calibrate(run: Runner, target_ns: int, max_n: int = 1 << 26, min_n: int = 1) -> int:
    """How many operations make one repetition last about ``target_ns``.

    Doubles n (from min_n) until a repetition takes at least a tenth of the target, then
    scales linearly, never below min_n: a few short runs, and slow operations (a 64 MiB
    scan) stop at n = 1.
    """
    n = max(1, min_n)
    while True:
        elapsed = time_once(run, n)
        if elapsed >= target_ns // 10 or n >= max_n:
            break
        n *= 2
    return max(1, min_n, min(max_n, round(n * target_ns / max(elapsed, 1))))


def measure(
    contenders: Sequence[Contender], *, reps: int, target_ns: int, fixed_n: int | None = None
) -> dict[str, Samples]:
    """Median-ready samples for every contender, measured in interleaved rounds.

    Each contender is warmed up (and calibrated, unless ``fixed_n`` is given), then
    ``reps`` rounds run one repetition of each, the order rotated every round.
    """
    counts: dict[str, int] = {}
    for c in contenders:
        c.run(1)  # warm-up: first-call costs (lazy binding, caches) stay out of the samples
        counts[c.label] = fixed_n if fixed_n is not None else calibrate(c.run, target_ns, min_n=c.min_n)
    samples = {c.label: Samples(c.label, counts[c.label]) for c in contenders}
    order = list(contenders)
    for r in range(reps):
        shift = r % len(order)
        for c in order[shift:] + order[:shift]:
            n = counts[c.label]
            samples[c.label].ns_per_op.append(time_once(c.run, n) / n)
    return samples
