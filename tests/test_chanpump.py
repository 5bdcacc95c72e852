"""Channel pumps (goffi_chanring.c, goffi_chanpump.go): a Python loop over a channel of a
basic element type that goes on past its first batch reads a ring that a goroutine fills.

Real Go, a real interpreter, no timing assertions: each test checks which values arrive
where (every value exactly once, in the channel's order), with Go as the oracle where a
Go receiver takes part. ``Channel._r._pumped()`` counts the values pumps moved, so each
test also proves that the pump, not the batch receive, carried them.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi
from test_goroutines import INTERRUPT, PTHREAD_KILL, in_thread, run_session_python

N = 20_000


def test_a_long_loop_is_pumped_and_exact(chantest: ModuleType) -> None:
    ch = chantest.Numbers(N, 1000)  # a goroutine sends what the buffer does not hold
    assert list(ch) == list(range(N))
    assert ch._r._pumped() > 0  # past the first batch (<= 256 values), a pump moved them
    assert list(ch) == []  # closed and drained, and stays so


#: Series a loop must yield exactly: CPython's shared small ints (-5..256) among others,
#: both signs, and ints of one digit next to ints of two and three (|v| around 2**30 and
#: far past it), which a loop cannot write into an int object it made for another value.
SERIES = [
    pytest.param(-(N // 2), 1, id="through-zero"),
    pytest.param(2**30 - N // 2, 1, id="one-to-two-digits"),
    pytest.param(-(2**30) - N // 2, 1, id="negative-two-to-one-digits"),
    pytest.param(-7 * (N // 2), 7, id="step-7"),
    pytest.param(2**62, -(2**44), id="big-descending"),
]
#: The chan_floor benchmark rows' buffer sizes (issue 16): a handoff per value, and batches.
BUFFERS = [0, 1, 64, 1024]


@pytest.mark.parametrize("buffer", BUFFERS)
@pytest.mark.parametrize(("start", "step"), SERIES)
def test_a_loop_that_drops_its_values_gets_each_once_in_order(
    chantest: ModuleType, buffer: int, start: int, step: int
) -> None:
    """The benchmark's loop (`for v in ch: pass`-like: each int dropped when the next is bound)."""
    ch = chantest.Series(N, buffer, start, step)
    count, want, wrong = 0, start, []
    for v in ch:
        if v != want or type(v) is not int:
            wrong.append((count, v, want))
        want += step
        count += 1
    assert wrong == []
    assert count == N
    assert ch._r._pumped() > 0
    # sum() drops each int too (its fast path reads and releases it): Python's sum of the
    # same series is the oracle.
    assert sum(chantest.Series(N, buffer, start, step)) == sum(range(start, start + N * step, step))


@pytest.mark.parametrize("buffer", BUFFERS)
@pytest.mark.parametrize(("start", "step"), SERIES)
def test_ints_a_loop_yielded_keep_their_values(
    chantest: ModuleType, buffer: int, start: int, step: int
) -> None:
    """Ints the user still holds (in a window, a dict, a name) are never changed by later values."""
    window: collections.deque[int] = collections.deque(maxlen=3)
    kept: dict[int, int] = {}
    prev = None
    broken = 0
    for i, v in enumerate(chantest.Series(N, buffer, start, step)):
        window.append(v)
        w = list(window)
        if any(w[k + 1] - w[k] != step for k in range(len(w) - 1)):
            broken += 1
        if prev is not None and v - prev != step:
            broken += 1
        prev = v
        if i % 3 == 0:
            kept[v] = v  # the same object as key and value
    assert broken == 0
    want = list(range(start, start + N * step, step))
    assert list(kept) == want[::3]
    assert all(k == v == want[3 * j] for j, (k, v) in enumerate(kept.items()))
    assert list(window) == want[-3:]
    assert prev == want[-1]


def test_breaking_out_of_a_pumped_loop_loses_nothing(chantest: ModuleType) -> None:
    ch = chantest.Numbers(N, 1000)
    seen = []
    for v in ch:
        seen.append(v)
        if v == 5000:
            break
    assert ch._r._pumped() > 0
    # What the pump took and the loop did not yield stays with the Channel, in order, for
    # every kind of receive: recv, try_recv, select, next, a new loop.
    rest = [ch.recv(), ch.recv(timeout=30)]
    value, ok = ch.try_recv()
    if ok:
        rest.append(value)
    index, value = goffi.select(ch, timeout=30)
    assert index == 0
    rest.append(value)
    rest.append(next(ch))
    rest.extend(ch)
    assert seen + rest == list(range(N))


def test_a_go_receiver_gets_the_rest_once_the_loop_ends(chantest: ModuleType) -> None:
    """The pump stops with the loop: Go's own receiver (Sum) then takes every later value."""
    ch = chantest.Numbers(N, 100)
    seen = []
    for v in ch:
        seen.append(v)
        if v == 3000:
            break
    assert ch._r._pumped() > 0
    held = len(ch._r)  # taken from Go by the pump, not yet yielded
    go_sum = chantest.Sum(ch)  # receives until the producer closes the channel
    kept = list(ch)  # the values the Channel held: Go closed and drained the rest
    assert len(kept) == held
    assert seen + kept == list(range(len(seen) + held))
    # Go got exactly the values after those: the pump took none while Sum ran.
    assert go_sum == sum(range(len(seen) + held, N))


def test_a_loop_that_breaks_restarts_with_a_new_pump(chantest: ModuleType) -> None:
    ch = chantest.Numbers(N, 500)
    got: list[int] = []
    while True:
        before = len(got)
        for v in ch:  # a new loop each time: its pump starts after its first batch
            got.append(v)
            if len(got) - before == 3000:
                break
        if len(got) - before < 3000:
            break  # closed and drained
    assert got == list(range(N))
    assert ch._r._pumped() > 0


def test_several_threads_iterating_one_channel_get_each_value_once(chantest: ModuleType) -> None:
    ch = chantest.Numbers(4 * N, 1000)
    barrier = threading.Barrier(4)

    def drain(_: int) -> list[int]:
        barrier.wait(timeout=30)
        return list(ch)

    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(drain, range(4)))
    assert sorted(v for part in parts for v in part) == list(range(4 * N))
    assert all(part == sorted(part) for part in parts)  # each thread's values in order
    assert ch._r._pumped() > 0


def test_receives_inside_a_pumped_loop_keep_the_order(chantest: ModuleType) -> None:
    """One thread: recv, try_recv, select and len inside the loop see the values in order."""
    ch = chantest.Numbers(N, 1000)
    got = []
    for v in ch:
        got.append(v)
        if v % 1000 == 999 and v < N - 100:
            assert len(ch) >= 0
            got.append(ch.recv(timeout=30))
            value, ok = ch.try_recv()  # a running pump moves every ready value: maybe none here
            if ok:
                got.append(value)
            index, value = goffi.select(ch, timeout=30)  # stops the pump first
            assert index == 0
            got.append(value)
    assert got == list(range(N))
    assert ch._r._pumped() > 0


@pytest.mark.parametrize(
    ("elem", "values"),
    [
        ("float64", [i * 0.5 - 7 for i in range(3000)]),
        ("uint64", [2**64 - 1 - i for i in range(3000)]),
        ("bool", [i % 3 == 0 for i in range(3000)]),
        ("int8", [i % 256 - 128 for i in range(3000)]),
    ],
)
def test_basic_element_types_are_pumped_with_their_python_types(
    chantest: ModuleType, elem: str, values: list[Any]
) -> None:
    ch = chantest.make_chan(elem, buffer=len(values))
    for v in values:
        ch.send(v)
    ch.close()
    got = list(ch)
    assert got == values
    assert all(type(g) is type(v) for g, v in zip(got, values, strict=True))
    assert ch._r._pumped() > 0


def test_other_element_types_keep_the_batch_receive(chantest: ModuleType) -> None:
    words = " ".join(f"w{i}" for i in range(1000))
    ch = chantest.Words(words)
    assert list(ch) == words.split()
    assert ch._r._pumped() == 0


def test_a_pumped_loop_waits_for_values_not_yet_sent(chantest: ModuleType) -> None:
    """Past its first batch the loop waits on the pump: a ping-pong still goes value by value."""
    inp, out = chantest.Doubler()

    def ping_pong() -> list[int]:
        got = []
        it = iter(out)
        for v in range(1, 301):
            inp.send(v, timeout=30)
            got.append(next(it))  # Doubler sends no more until it gets the next value
        inp.close()
        return got + list(it)

    assert in_thread(ping_pong, timeout=120) == [2 * v for v in range(1, 301)]
    assert out._r._pumped() > 0


def test_async_iteration_after_a_pumped_loop(chantest: ModuleType) -> None:
    ch = chantest.Numbers(N, 1000)
    seen = []
    for v in ch:
        seen.append(v)
        if v == 4000:
            break

    async def rest() -> list[int]:
        return [v async for v in ch]

    assert seen + in_thread(lambda: asyncio.run(rest()), timeout=120) == list(range(N))


def test_ctrl_c_interrupts_a_loop_waiting_on_its_pump(go: dict[str, ModuleType], session_cache: Path) -> None:
    # One value makes the loop's first batch; then a pump waits for more that never come.
    blocking = 'ch = chantest.make_chan("int64", 4); ch.send(1); [v for v in ch]'
    out = run_session_python(
        session_cache, INTERRUPT.format(sender=PTHREAD_KILL, blocking=blocking), timeout=300
    )
    lines = out.splitlines()
    assert lines[0].startswith("interrupted "), out
    assert lines[1] == "usable 5 2 [0, 1]", out


def test_forked_child_receives_what_the_pump_took(go: dict[str, ModuleType], session_cache: Path) -> None:
    code = """
    import os
    ch = chantest.Numbers(20000, 20000)  # all there, and closed
    for v in ch:
        if v == 1000:
            break
    assert ch._r._pumped() > 0
    held = len(ch._r)
    pid = os.fork()
    if pid == 0:
        got = [ch.recv() for _ in range(held)]  # no Go needed
        try:
            ch.recv()
        except RuntimeError as e:
            ok = got == list(range(1001, 1001 + held))
            print("child:", ok, e, flush=True)
            os._exit(0)
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    print("parent:", list(ch) == list(range(1001, 20000)))
    """
    out = run_session_python(session_cache, code, timeout=300)
    assert "child: True Channel receive: cannot call Go in a process forked" in out, out
    assert "parent: True" in out, out
