"""The cases in the order the table shows them (issue 5's order), with their ids.

Adding a case: write a function ``(Bench) -> Row`` (cases.py, procs.py, memory.py) and list it
here; a feature goffi does not have yet is a :func:`_pending` line until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from goffi.bench import cases, memory, procs
from goffi.bench.context import Bench
from goffi.bench.model import Row, pending


@dataclass(frozen=True)
class Case:
    id: str
    run: Callable[[Bench], Row]
    uses_gopy: bool = False  # gopy has a result for it (so --gopy work is only done when needed)


def _pending(case: str, title: str, needs: str, target: str) -> Case:
    return Case(case, lambda _b: pending(case, title, needs, target))


CASES: tuple[Case, ...] = (
    Case("add", cases.add, uses_gopy=True),
    _pending(
        "add_nonblocking",
        "Add, opt-in 'does not block' policy",
        "the per-function 'does not block' policy (GIL held)",
        "<= 1.3x floor (GIL held)",
    ),
    Case("noop", cases.noop, uses_gopy=True),
    Case("upper_16", cases.upper_16, uses_gopy=True),
    Case("upper_4k", cases.upper_4k, uses_gopy=True),
    Case("handle_method", cases.handle_method, uses_gopy=True),
    Case("error_nil", cases.error_nil, uses_gopy=True),
    Case("bytes_64m", cases.bytes_sum),
    Case("bytearray_64m", cases.bytearray_sum),
    Case("floats_1m", cases.floats),
    _pending(
        "floats_zero_copy",
        "[]float64 zero-copy: buffer in, memoryview out",
        "a zero-copy []float64 path (buffer in, Go-backed memoryview out)",
        "no per-element work; the view keeps Go memory alive safely",
    ),
    Case("ctypes_add", cases.ctypes_add),
    _pending(
        "callback_same_thread",
        "Go -> Python callback, calling thread",
        "Go -> Python callbacks (func parameters)",
        "<= 2x a floor C callback trampoline",
    ),
    _pending(
        "callback_1_goroutine",
        "Go -> Python callback from 1 goroutine",
        "callbacks from goroutines (the goroutine bridge)",
        "<= 300 ns/call; >= 20x a fresh thread state per call",
    ),
    _pending(
        "callback_8_goroutines",
        "Go -> Python callback from 8 goroutines",
        "callbacks from goroutines (the goroutine bridge)",
        "no collapse against 1 goroutine",
    ),
    _pending(
        "chan_iter",
        "chan int64 fed by a goroutine, iterated",
        "channels",
        ">= 5M items/s and >= 10x per-item ctypes",
    ),
    Case("warm_load", procs.warm_load),
    Case("cold_build", procs.cold_build, uses_gopy=True),
    Case("handles_1m", memory.handles_1m),
)
