"""The goroutine-bridge cases: Go -> Python callbacks and a channel iterated in Python.

Go calls Python through gobench's ``CallN`` (on the calling goroutine) and
``CallNParallel`` (from new goroutines); goffi passes a Python callable as their
``func(int64) int64``, and the floors pass a Go closure calling one of floor.c's C
trampolines, so both sides run the same Go loop. One operation is one invocation of
the callable: a runner makes a single Go call with n invocations (the per-call cost of
registering the callable is spread over millions of invocations), and nothing is
subtracted, since there is no Python loop per invocation.

The callable is a plain Python function returning its argument, as a user's callback
would be: the cost of running it is in every contender's time alike.
"""

from __future__ import annotations

import ctypes
import statistics
from collections.abc import Callable
from typing import Any

from goffi.bench.context import Bench
from goffi.bench.model import Check, Result, Row
from goffi.bench.timing import Contender, Runner

FLOOR = "floor (C trampoline, same thread)"
FLOOR_ENSURE = "floor (PyGILState_Ensure)"
FLOOR_PINNED = "floor (pinned thread state)"
FLOOR_PINNED_1 = "floor (pinned), 1 goroutine"
CTYPES_CB = "ctypes CFUNCTYPE"
FRESH = "fresh thread state per call"
GOFFI_1 = "goffi, 1 goroutine"
CTYPES = "ctypes, one item per call"
UNBUFFERED = "goffi, unbuffered chan"

# floor.c's trampoline kinds (FLOOR_CB_* and cabi_bridge.go's cb* constants)
_RESTORE, _ENSURE, _PINNED, _FNPTR = 0, 1, 2, 3

#: The most a callback may take from 1 goroutine (issue 5), and how much faster than a
#: fresh thread state per call it must be.
MAX_NS_1_GOROUTINE = 300.0
FRESH_SPEEDUP = 20.0
#: "No collapse" at 8 goroutines: goffi's slowdown from 1 to 8 goroutines (per-call time
#: at 8 over that at 1) at most this many times the hand-written pinned floor's, measured
#: in the same rounds. The GIL runs one call at a time either way, and with threads
#: waiting for it every release wakes one (a futex call and a context switch), so the floor
#: itself slows down at 8 by 1.2-4x on a 2-core machine: only a slowdown beyond the
#: floor's is goffi's own.
COLLAPSE = 1.5
#: The chan_iter case's channel capacity (iteration receives up to 256 values per
#: crossing, and takes only values that are ready, so a buffer lets a batch fill).
CHAN_BUFFER = 1024
MIN_ITEMS_PER_S = 5e6
CTYPES_SPEEDUP = 10.0

# Why goffi missed, from profiles of these cases (callgrind with GODEBUG=asyncpreemptoff=1,
# instructions per invocation or item from the difference of runs of 20,000 and 120,000;
# perf for wall time). Shown only beside a missed target.


def _why_callback(goffi_ir: str, floor_ir: str, floor: str) -> str:
    return (
        f"why (profiled): goffi runs {goffi_ir} instructions per invocation to {floor}'s {floor_ir}: one cgo "
        "call per invocation, as the floor makes, and no Go allocation. The trampoline takes only plain values "
        "and returns its status and results in a struct by value, so cgo's pointer check has nothing to scan "
        "(a func type of strings or containers takes a pooled C arena, and a second cgo call only when that "
        "grew blocks or holds Python references); the callable is found by ID in a C table. The rest is "
        "the floor's own work (taking the GIL, boxing, the Python call), so a miss of the ns target with goffi "
        "at the floor's ratio is this machine's speed: the floor measured 210-450 ns here, with the machine "
        "shared"
    )


WHY_FRESH = (
    "a fresh thread state costs ~10-14 us per call here: perf shows its mmap/munmap of the 3.11 frame "
    "data-stack chunk (_PyThreadState_BumpFramePointerSlow) and page faults as most of it"
)
WHY_CHAN = (
    "why (profiled): goffi runs 659 instructions per item to ctypes' 7,060 (10.7x; before the typed "
    "receive and the C iterator it ran 2,179). Per item ~410 are Go's channel operations on both sides "
    "(runtime.chanrecv/chansend, the channel lock's lock2/unlock2, typedmemmove and the slot clear: what "
    "any receive through a Go channel costs), ~20 goffiRecvSlots, ~210 Python (the for loop, an int "
    "object per value and its free, the C iterator's __next__); each crossing into Go brings up to 256 "
    "ready values. On a quiet machine the consumer thread is the bottleneck (its CPU time per item, "
    "98-155 ns, is 80-93% of the wall time, 121-167 ns) and the row measured 8.9-9.2 M items/s, "
    "0.08-0.09x ctypes; perf puts ~21% of the samples in lock2/unlock2, the channel lock that producer "
    "and consumer contend for. Misses come from a loaded machine: beside two CPU-bound processes the "
    "row gave 4.0 M items/s (0.12x); beside four, the consumer used 63-122 ns of CPU per item but took "
    "450-1,750 ns of wall time, waiting for a CPU and for the producer thread's wake-ups"
)


def _missed(b: Bench, row: Row) -> bool:
    """Whether a measured (not --quick) row missed its target, to explain why beside it."""
    if b.settings.quick:
        return False
    ratio = row.target_ratio()
    over = ratio is not None and row.target is not None and ratio > row.target
    return over or not all(c.ok for c in row.checks)


def _identity(x: int) -> int:
    """The callback every contender calls: a Python function, as users write them."""
    return x


def _expected(n: int, g: int = 1) -> int:
    """What CallNParallel(identity, n, g) returns: goroutine w sums 0..count_w-1."""
    counts = [n // g + (1 if w < n % g else 0) for w in range(g)]
    return sum(c * (c - 1) // 2 for c in counts)


def _runner(fn: Callable[..., Any], *args: Any) -> Runner:
    """``fn(f, n, *args)``: one Go call making n invocations of the callback."""

    def run(n: int) -> None:
        fn(_identity, n, *args)

    return run


def _ctypes_callback(lib: ctypes.CDLL) -> tuple[Runner, Callable[[int], int], object]:
    """CallN through ctypes alone: the export called with a CFUNCTYPE pointer as f."""
    proto = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)
    callback = proto(_identity)  # must outlive every call: returned to the caller
    pointer = ctypes.cast(callback, ctypes.c_void_p)
    call = lib.gobench_CallN

    def once(n: int) -> int:
        return int(call(pointer, n, _FNPTR))

    def run(n: int) -> None:
        call(pointer, n, _FNPTR)

    return run, once, callback


def callback_same_thread(b: Bench) -> Row:
    go, floor, lib = b.subjects.go, b.subjects.floor, b.subjects.lib
    ctypes_run, ctypes_once, keep = _ctypes_callback(lib)
    n = 1000
    assert (
        go.CallN(_identity, n)
        == floor.call_n(_identity, n, _RESTORE)
        == floor.call_n(_identity, n, _ENSURE)
        == ctypes_once(n)
        == _expected(n)
    )
    r = b.timed(
        [
            Contender("goffi", _runner(go.CallN)),
            Contender(FLOOR, _runner(floor.call_n, _RESTORE)),
            Contender(FLOOR_ENSURE, _runner(floor.call_n, _ENSURE)),
            Contender(CTYPES_CB, ctypes_run),
        ],
        per_call=False,
    )
    del keep
    row = Row(
        case="callback_same_thread",
        title="CallN(f func(int64) int64, n): Go -> Python, calling thread",
        goffi=r["goffi"],
        baselines=[r[FLOOR], r[FLOOR_ENSURE], r[CTYPES_CB]],
        target_of=FLOOR,
        target=2.0,
        target_text="<= 2x floor",
        notes=[
            "per invocation of a Python function (def f(x): return x), Go's CallN calling it n times "
            "in one call; floor: floor.c's C function, called by a Go closure passed to the same CallN, "
            "takes the GIL with PyEval_RestoreThread of the caller's saved thread state (the cheapest "
            "correct way on the calling thread), boxes, vectorcalls, unboxes, PyEval_SaveThread; "
            "the PyGILState_Ensure floor is the same with Ensure/Release; ctypes: gobench_CallN called "
            "through ctypes with a CFUNCTYPE pointer as the callback"
        ],
    )
    if _missed(b, row):
        row.notes.append(_why_callback("1,599", "1,512", "the floor"))
    return row


def _fresh_checks(b: Bench) -> tuple[list[Check], str]:
    """That every fresh-state call really made a new thread state, and what was discarded."""
    discarded, with_state = b.subjects.floor.fresh_stats()
    check = Check(
        "fresh states",
        with_state == 0,
        f"calls of the fresh-state trampoline that found a Python thread state on their thread: "
        f"{with_state} (must be 0)",
    )
    note = (
        "fresh thread state per call: floor.c's trampoline doing PyGILState_Ensure/Release on Go "
        "threads that have no Python thread state, so each call creates one and its Release deletes "
        "it; the calls run on worker goroutines locked to their own OS threads (no other goroutine, "
        "so no pinned state, ever runs there), each thread checked to carry no state when its worker "
        f"starts ({discarded} thread(s) this run carried one from goffi's or the pinned floor's "
        "callbacks and were discarded)"
    )
    return [check], note


def _parallel(b: Bench, g: int) -> dict[str, Result]:
    go, floor = b.subjects.go, b.subjects.floor
    n = 1000
    want = _expected(n, g)
    assert go.CallNParallel(_identity, n, g) == floor.call_n_parallel(_identity, n, g, _PINNED) == want
    assert floor.call_n_fresh(_identity, n, g) == want
    contenders = [
        Contender("goffi", _runner(go.CallNParallel, g)),
        Contender(FLOOR_PINNED, _runner(floor.call_n_parallel, g, _PINNED)),
        Contender(FRESH, _runner(floor.call_n_fresh, g)),
    ]
    if g != 1:
        contenders.append(Contender(GOFFI_1, _runner(go.CallNParallel, 1)))
        contenders.append(Contender(FLOOR_PINNED_1, _runner(floor.call_n_parallel, 1, _PINNED)))
    return b.timed(contenders, per_call=False)


_PINNED_NOTE = (
    "pinned floor: floor.c's trampoline as goffi's callbacks work (PyGILState_Ensure/Release, the "
    "thread's state pinned by one extra Ensure on its first call), passed to the same CallNParallel"
)


def callback_1_goroutine(b: Bench) -> Row:
    r = _parallel(b, 1)
    checks, fresh_note = _fresh_checks(b)
    goffi = r["goffi"]
    if goffi.ns is not None:
        checks.insert(
            0,
            Check(
                "<= 300 ns",
                goffi.ns <= MAX_NS_1_GOROUTINE,
                f"goffi from 1 goroutine: {goffi.ns:.0f} ns per call (target <= {MAX_NS_1_GOROUTINE:.0f} ns)",
            ),
        )
    row = Row(
        case="callback_1_goroutine",
        title="CallNParallel(f, n, 1): Go -> Python from 1 goroutine",
        goffi=goffi,
        baselines=[r[FRESH], r[FLOOR_PINNED]],
        target_of=FRESH,
        target=1 / FRESH_SPEEDUP,
        target_text=f"<= {MAX_NS_1_GOROUTINE:.0f} ns; >= {FRESH_SPEEDUP:.0f}x faster than fresh state",
        checks=checks,
        notes=[
            "per call of a Python function from a goroutine Python never saw (the calling goroutine "
            "only waits); goffi/base against the fresh state is goffi's time over it (<= 0.05x is >= 20x faster)",
            fresh_note,
            _PINNED_NOTE,
        ],
    )
    if _missed(b, row):
        row.notes += [_why_callback("1,602", "1,627", "the pinned floor"), WHY_FRESH]
    return row


def _slowdowns(r: dict[str, Result]) -> tuple[float, float, float] | None:
    """goffi's and the pinned floor's slowdown from 1 to 8 goroutines, and their ratio.

    Each is the median over rounds of that round's time at 8 over its time at 1; the ratio
    is the median of the per-round ratios of the two (all four ran in the same rounds).
    """
    series = [r["goffi"].samples, r[GOFFI_1].samples, r[FLOOR_PINNED].samples, r[FLOOR_PINNED_1].samples]
    if not all(series) or len({len(s) for s in series}) != 1:
        return None
    goffi = [a / b for a, b in zip(series[0], series[1], strict=True) if b > 0]
    floor = [a / b for a, b in zip(series[2], series[3], strict=True) if b > 0]
    if not goffi or len(goffi) != len(floor):
        return None
    both = [g / f for g, f in zip(goffi, floor, strict=True) if f > 0]
    return statistics.median(goffi), statistics.median(floor), statistics.median(both)


def callback_8_goroutines(b: Bench) -> Row:
    r = _parallel(b, 8)
    checks, fresh_note = _fresh_checks(b)
    slow = _slowdowns(r)
    if slow is not None:
        goffi_slow, floor_slow, rel = slow
        checks.insert(
            0,
            Check(
                "no collapse",
                rel <= COLLAPSE,
                f"from 1 to 8 goroutines goffi's time per call grows {goffi_slow:.2f}x, the pinned "
                f"floor's {floor_slow:.2f}x in the same rounds: goffi's slowdown is {rel:.2f}x the "
                f"floor's (collapse: over {COLLAPSE:.1f}x)",
            ),
        )
    row = Row(
        case="callback_8_goroutines",
        title="CallNParallel(f, n, 8): Go -> Python from 8 goroutines",
        goffi=r["goffi"],
        baselines=[r[GOFFI_1], r[FLOOR_PINNED], r[FLOOR_PINNED_1], r[FRESH]],
        target_of=GOFFI_1,
        target=None,  # judged by the "no collapse" check: against the floor's own slowdown
        target_text=f"no collapse: 8/1 slowdown <= {COLLAPSE:.1f}x the floor's",
        checks=checks,
        notes=[
            "per call, n calls in all from 8 goroutines at once (n/8 each), beside goffi's "
            "1-goroutine time and the pinned floor at 8 and at 1, all in the same rounds; the GIL runs "
            "one call at a time either way, and with threads waiting for it each release wakes one "
            "(perf stat: the floor at 8 makes ~85x the context switches it makes at 1), so the floor "
            "itself slows down at 8: goffi collapses only if its slowdown goes beyond the floor's",
            fresh_note.replace("fresh thread state per call:", "fresh thread state per call (8 threads):"),
            _PINNED_NOTE,
        ],
    )
    return row


# ------------------------------------------------------------------------------ channels


def _goffi_iter(count: Callable[[int, int], Any], buffer: int) -> Runner:
    """``for v in ch`` over Count(n, buffer): n items, as user code spells it."""

    def run(n: int) -> None:
        for _v in count(n, buffer):
            pass

    return run


def _ctypes_iter(lib: ctypes.CDLL) -> tuple[Runner, Callable[[int], int]]:
    """The same channel behind a cgo.Handle, one ctypes call per item."""
    open_, recv, free = lib.gobench_CountOpen, lib.gobench_ChanRecv, lib.gobench_ChanFree

    def total(n: int) -> int:
        h = open_(n, CHAN_BUFFER)
        value = ctypes.c_int64()
        ref = ctypes.byref(value)
        s = 0
        try:
            while recv(h, ref):
                s += value.value
        finally:
            free(h)
        return s

    def run(n: int) -> None:
        h = open_(n, CHAN_BUFFER)
        value = ctypes.c_int64()
        ref = ctypes.byref(value)
        try:
            while recv(h, ref):
                _v = value.value
        finally:
            free(h)

    return run, total


def chan_iter(b: Bench) -> Row:
    go, lib = b.subjects.go, b.subjects.lib
    ctypes_run, ctypes_total = _ctypes_iter(lib)
    n = 5000
    assert sum(go.Count(n, CHAN_BUFFER)) == sum(go.Count(n, 0)) == ctypes_total(n) == n * (n - 1) // 2
    r = b.timed(
        [
            Contender("goffi", _goffi_iter(go.Count, CHAN_BUFFER)),
            Contender(CTYPES, ctypes_run),
            Contender(UNBUFFERED, _goffi_iter(go.Count, 0)),
        ],
        per_call=False,
    )
    goffi = r["goffi"]
    checks = []
    if goffi.ns is not None:
        rate = 1e9 / max(goffi.ns, 1e-9)
        checks.append(
            Check(
                ">= 5M items/s",
                rate >= MIN_ITEMS_PER_S,
                f"goffi iterates {rate / 1e6:.2f} M items/s (target >= {MIN_ITEMS_PER_S / 1e6:.0f} M)",
            )
        )
    row = Row(
        case="chan_iter",
        title=f"for v in Count(n, {CHAN_BUFFER}): chan int64 fed by a goroutine",
        unit="items/s",
        work=1,
        goffi=goffi,
        baselines=[r[CTYPES], r[UNBUFFERED]],
        target_of=CTYPES,
        target=1 / CTYPES_SPEEDUP,
        target_text=f">= {MIN_ITEMS_PER_S / 1e6:.0f}M items/s; >= {CTYPES_SPEEDUP:.0f}x ctypes",
        checks=checks,
        notes=[
            f"one item is one value of a chan int64 (capacity {CHAN_BUFFER}) that a goroutine fills "
            "with 0..n-1 and closes; the time includes making the channel and the Python loop; "
            "goffi/base against ctypes is goffi's time per item over ctypes' (<= 0.10x is >= 10x "
            "faster); ctypes: a C-ABI export receiving one value per call (the channel behind a "
            "cgo.Handle), in a `while recv(h, byref(v))` loop; the unbuffered line is the same "
            "iteration over Count(n, 0), for reference"
        ],
    )
    if _missed(b, row):
        row.notes.append(WHY_CHAN)
    return row


# ------------------------------------------------------------------------------ channels at the Go floor


GO_DRAIN = "Go goroutine drain (floor)"
#: The chan_floor_* rows' buffer sizes held to the target (issue 16: 0, 1, 64 and 1024 run).
FLOOR_TARGETED = (64, 1024)
#: The fewest items a timed repetition of a chan_floor row takes: a call of either side
#: starts a producer goroutine (and the drain a consumer) and wakes the calling thread at
#: the end, tens of microseconds on a loaded machine; a calibration that a hiccup cut to
#: 8 items measured that, not the channel (0.1 M items/s for a Go drain that does 15 M).
FLOOR_MIN_ITEMS = 20_000
#: goffi's iteration must reach this share of the Go drain's items/s where targeted.
FLOOR_SHARE = 0.8

WHY_HANDOFF = (
    "why (measured, perf stat and per-thread CPU): with no buffer or a buffer of 1 every value is a handoff "
    "between the producer and its consumer. The Go drain's consumer is a goroutine: the send readies it and "
    "the two switch on Go's scheduler. goffi's loop gets a pump once past its first batch (goffi_chanring.c): "
    "a goroutine that takes the handoffs the same way (yielding to the producer before it parks) and fills a "
    "ring the loop reads, so the loop's thread sleeps once per batch of values, not per value; what remains "
    "is the Go side's handoff per value, done by two goroutines on two threads instead of one, plus the "
    "Python loop's own work per item on the same 2 cores. Use a buffered channel where a Python loop "
    "consumes many values"
)
WHY_FLOOR = (
    "why (measured, perf stat and per-thread CPU from /proc): goffi's pump goroutine receives from the "
    "channel as the Go drain's consumer does (the same chanrecv, the same channel lock the producer "
    "contends for: runtime.lock2/unlock2 are the top symbols of both), at about the drain's CPU per item, "
    "then the Python loop does its own work per item on top: 14-30 ns of CPU (the for loop; the int object "
    "is reused when the loop dropped it), against 50-130 ns per item for the whole Go drain. On this shared "
    "machine (load 12-15 on 2 cores) every item's CPU counts, so goffi's share of the drain's items/s is "
    "about drain CPU / (drain CPU + the loop's), 0.8-0.9, less in rounds where the machine's load moves "
    "between the two contenders"
)


def _go_drain(lib: ctypes.CDLL, buffer: int) -> Runner:
    """Count(n, buffer) drained in Go by a new goroutine: one ctypes call per n items."""
    drain = lib.gobench_CountDrain

    def run(n: int) -> None:
        drain(n, buffer)

    return run


def _chan_floor(b: Bench, buffer: int) -> Row:
    go, lib = b.subjects.go, b.subjects.lib
    n = 5000
    want = n * (n - 1) // 2
    assert sum(go.Count(n, buffer)) == lib.gobench_CountDrain(n, buffer) == want
    r = b.timed(
        [
            Contender("goffi", _goffi_iter(go.Count, buffer), min_n=FLOOR_MIN_ITEMS),
            Contender(GO_DRAIN, _go_drain(lib, buffer), min_n=FLOOR_MIN_ITEMS),
        ],
        per_call=False,
    )
    targeted = buffer in FLOOR_TARGETED
    row = Row(
        case=f"chan_floor_{buffer}",
        title=f"for v in Count(n, {buffer}): chan int64 beside a Go goroutine draining it",
        unit="items/s",
        work=1,
        goffi=r["goffi"],
        baselines=[r[GO_DRAIN]],
        target_of=GO_DRAIN,
        # goffi/base is a time ratio: >= 0.8x the floor's items/s is <= 1/0.8 its time per item.
        target=1 / FLOOR_SHARE if targeted else None,
        target_text=(
            f">= {FLOOR_SHARE:.1f}x the Go drain's items/s" if targeted else "reported (a handoff per item)"
        ),
        notes=[
            f"one item is one value of a chan int64 (capacity {buffer}) that a goroutine fills with 0..n-1 "
            "and closes (gobench.Count), iterated by a Python for loop through goffi; the floor is the same "
            "Count drained by a new Go goroutine (`for v := range ch`, the sum handed back when closed), "
            "called once per n items through ctypes: the items/s of a pure-Go consumer on this machine, in "
            "the same rounds. goffi/base is goffi's time per item over the floor's (<= 1.25x is >= 0.8x "
            "its items/s)"
        ],
    )
    if not b.settings.quick and not targeted:
        row.notes.append(WHY_HANDOFF)
    elif _missed(b, row):
        row.notes.append(WHY_FLOOR)
    return row


def chan_floor_0(b: Bench) -> Row:
    return _chan_floor(b, 0)


def chan_floor_1(b: Bench) -> Row:
    return _chan_floor(b, 1)


def chan_floor_64(b: Bench) -> Row:
    return _chan_floor(b, 64)


def chan_floor_1024(b: Bench) -> Row:
    return _chan_floor(b, 1024)


# ------------------------------------------------------------------------------ iter.Seq


SEQ_ITEMS = 2000
PYGEN = "Python generator, same items"
SEQ_LIST = "goffi, list(seq)"


def _seq_loop(seq: Callable[[int], Any]) -> Runner:
    """``for v in Seq(n)``: n items, one at a time, as user code spells it."""

    def run(n: int) -> None:
        for _v in seq(n):
            pass

    return run


def _seq_list(seq: Callable[[int], Any]) -> Runner:
    """``list(Seq(n))``: a consumer taking every item (a length hint first: all in one call)."""

    def run(n: int) -> None:
        list(seq(n))

    return run


def _pygen(n: int) -> Any:
    return (i for i in range(n))


def seq_iter(b: Bench) -> Row:
    go = b.subjects.go
    n = SEQ_ITEMS
    assert list(go.Seq(n)) == [*go.Seq(n)] == list(range(n))
    assert [v for v in go.Seq(n)] == list(range(n))
    r = b.timed(
        [
            Contender("goffi", _seq_loop(go.Seq)),
            Contender(SEQ_LIST, _seq_list(go.Seq)),
            Contender(PYGEN, _seq_loop(_pygen)),
        ],
        per_call=False,
    )
    return Row(
        case="seq_iter",
        title="for v in Seq(n): an iter.Seq[int64] as a lazy Python iterator, per item",
        unit="items/s",
        work=1,
        goffi=r["goffi"],
        baselines=[r[SEQ_LIST], r[PYGEN]],
        target_of=PYGEN,
        target=None,
        target_text="reported (per item, beside a Python generator of the same items)",
        notes=[
            "one item is one value of Seq(n) = 0..n-1 (an iter.Seq[int64]); the time includes the call "
            "making the sequence and the Python loop. A for loop takes items one at a time: Go produces "
            "each when asked, in a goroutine of its own that hands it over (two thread wake-ups per "
            "item; iter.Pull's coroutines would avoid them but abort the process when Python pulls from "
            "another thread or from inside a callback). list(seq) asks for a length hint first and gets "
            "every item in one call: the sequence runs on the calling thread, no hand-over"
        ],
    )
